import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PACKED_RUN_PAIRS, prefixOf, TraceLocator } from './trace-locator.ts';

const A = '0af7651916cd43dd8448eb211c80319c';
const B = '4bf92f3577b34da6a3ce929d0e0e4736';
/** Shares its first 32 bits with A. */
const A_TWIN = '0af76519ffffffffffffffffffffffff';

/** A repeatable stream of 32-bit numbers (a linear congruential generator). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state;
  };
}

/** A trace id whose first 32 bits are `prefix`. */
function idOf(prefix: number): string {
  return `${prefix.toString(16).padStart(8, '0')}${'0'.repeat(24)}`;
}

/** A locator, and beside it a plain map of the commits of each prefix to check it against. */
function recordedLocator() {
  const locator = new TraceLocator();
  const commitsOf = new Map<number, Set<number>>();
  return {
    locator,
    add(batch: number, prefixes: Uint32Array): void {
      for (const prefix of prefixes) {
        const batches = commitsOf.get(prefix) ?? new Set();
        batches.add(batch);
        commitsOf.set(prefix, batches);
      }
      locator.addPrefixes(batch, prefixes);
    },
    has: (prefix: number) => commitsOf.has(prefix),
    expected: (prefix: number) => [...(commitsOf.get(prefix) ?? [])].sort((a, b) => a - b),
  };
}

describe('TraceLocator', () => {
  it('names the commits that stored spans of a trace, in ascending order', () => {
    const locator = new TraceLocator();
    locator.add(7, [B, A]);
    locator.add(3, [A, A]);
    locator.add(9, [B]);
    assert.deepEqual(locator.batchesOf([A]), [3, 7]);
    assert.deepEqual(locator.batchesOf([A, B]), [3, 7, 9]);
  });

  it('names no commit for a trace never stored', () => {
    const locator = new TraceLocator();
    locator.add(1, [A]);
    assert.deepEqual(locator.batchesOf([B]), []);
  });

  it('counts a trace sharing the first 32 bits of a stored one as a candidate only', () => {
    const locator = new TraceLocator();
    locator.add(1, [A]);
    assert.equal(prefixOf(A), prefixOf(A_TWIN));
    assert.deepEqual(locator.batchesOf([A_TWIN]), [1]);
  });

  it('takes prefixes in any order and with repeats', () => {
    const locator = new TraceLocator();
    locator.addPrefixes(4, Uint32Array.from([prefixOf(B), prefixOf(A), prefixOf(B)]));
    assert.deepEqual(locator.batchesOf([A]), [4]);
    assert.deepEqual(locator.batchesOf([B]), [4]);
  });

  it('answers like a plain map of every commit after thousands of commits and merges', () => {
    const recorded = recordedLocator();
    const random = seeded(7);
    for (let batch = 1; batch <= 3000; batch++) {
      // Small prefixes collide often, so a prefix is held by several commits and runs.
      recorded.add(
        batch,
        Uint32Array.from({ length: 1 + (random() % 40) }, () => random() % 5000),
      );
    }
    for (let prefix = 0; prefix < 5100; prefix++) {
      assert.deepEqual(
        recorded.locator.batchesOf([idOf(prefix)]),
        recorded.expected(prefix),
        `prefix ${prefix}`,
      );
    }
  });

  it('answers like a plain map once runs are packed, over commit numbers far apart', () => {
    const recorded = recordedLocator();
    const random = seeded(11);
    const probes: number[] = [];
    const commits = 300;
    const perCommit = Math.ceil((4 * PACKED_RUN_PAIRS) / commits);
    for (let i = 1; i <= commits; i++) {
      // Every hundredth prefix repeats an earlier commit's, so runs share prefixes.
      const prefixes = Uint32Array.from({ length: perCommit }, (_, k) =>
        k % 100 === 0 && probes.length > 0 ? probes[random() % probes.length]! : random(),
      );
      for (const prefix of prefixes) {
        if (probes.length < 5000 && random() % 50 === 0) probes.push(prefix);
      }
      // Commit numbers 700 apart: the oldest runs cover more than 65,536 of them.
      recorded.add(i * 700, prefixes);
    }
    for (const prefix of [...probes, 0, 0xffffffff, 0x0000ffff, 0xffff0000]) {
      assert.deepEqual(
        recorded.locator.batchesOf([idOf(prefix)]),
        recorded.expected(prefix),
        `prefix ${prefix}`,
      );
    }
    // Never stored: the neighbours of stored prefixes.
    for (const prefix of probes.slice(0, 500)) {
      for (const near of [prefix - 1, prefix + 1]) {
        if (near < 0 || near > 0xffffffff || recorded.has(near)) continue;
        assert.deepEqual(recorded.locator.batchesOf([idOf(near)]), [], `prefix ${near}`);
      }
    }
    // The packed runs hold a pair in about 4 bytes, 6 where a run covers 65,536 commits or more.
    const pairs = commits * perCommit;
    const bytes = recorded.locator.bytes;
    assert.ok(bytes < 6.5 * pairs, `${bytes} bytes for ${pairs} pairs`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PACKED_RUN_PAIRS, prefixOf, TraceLocator } from './trace-locator.ts';

const A = '0af7651916cd43dd8448eb211c80319c';
const B = '4bf92f3577b34da6a3ce929d0e0e4736';
/** Shares its first 32 bits with A. */
const A_TWIN = '0af76519ffffffffffffffffffffffff';

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
    const locator = new TraceLocator();
    const commitsOf = new Map<number, Set<number>>();
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let batch = 1; batch <= 3000; batch++) {
      // Small prefixes collide often, so a prefix is held by several commits and runs.
      const prefixes = Uint32Array.from({ length: 1 + (random() % 40) }, () => random() % 5000);
      for (const prefix of prefixes) {
        const batches = commitsOf.get(prefix) ?? new Set();
        batches.add(batch);
        commitsOf.set(prefix, batches);
      }
      locator.addPrefixes(batch, prefixes);
    }
    for (let prefix = 0; prefix < 5100; prefix++) {
      const id = `${prefix.toString(16).padStart(8, '0')}${'0'.repeat(24)}`;
      const expected = [...(commitsOf.get(prefix) ?? [])].sort((a, b) => a - b);
      assert.deepEqual(locator.batchesOf([id]), expected, `prefix ${prefix}`);
    }
  });

  it('answers like a plain map once runs are packed, over commit numbers far apart', () => {
    const locator = new TraceLocator();
    const commitsOf = new Map<number, Set<number>>();
    let seed = 11;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const probes: number[] = [];
    const commits = 300;
    const perCommit = Math.ceil((4 * PACKED_RUN_PAIRS) / commits);
    for (let i = 1; i <= commits; i++) {
      // Commit numbers 700 apart: the oldest runs cover more than 65,536 of them.
      const batch = i * 700;
      const prefixes = Uint32Array.from({ length: perCommit }, (_, k) =>
        // Every hundredth prefix repeats an earlier commit's, so runs share prefixes.
        k % 100 === 0 && probes.length > 0 ? probes[random() % probes.length]! : random(),
      );
      for (const prefix of prefixes) {
        const batches = commitsOf.get(prefix) ?? new Set();
        batches.add(batch);
        commitsOf.set(prefix, batches);
        if (probes.length < 5000 && random() % 50 === 0) probes.push(prefix);
      }
      locator.addPrefixes(batch, prefixes);
    }
    const hex = (prefix: number) => `${prefix.toString(16).padStart(8, '0')}${'0'.repeat(24)}`;
    for (const prefix of [...probes, 0, 0xffffffff, 0x0000ffff, 0xffff0000]) {
      const expected = [...(commitsOf.get(prefix) ?? [])].sort((a, b) => a - b);
      assert.deepEqual(locator.batchesOf([hex(prefix)]), expected, `prefix ${prefix}`);
    }
    // Never stored: the neighbours of stored prefixes.
    for (const prefix of probes.slice(0, 500)) {
      for (const near of [prefix - 1, prefix + 1]) {
        if (near < 0 || near > 0xffffffff || commitsOf.has(near)) continue;
        assert.deepEqual(locator.batchesOf([hex(near)]), [], `prefix ${near}`);
      }
    }
    // The packed runs hold a pair in about 4 bytes, 6 where a run covers 65,536 commits or more.
    const pairs = commits * perCommit;
    assert.ok(locator.bytes < 6.5 * pairs, `${locator.bytes} bytes for ${pairs} pairs`);
  });
});

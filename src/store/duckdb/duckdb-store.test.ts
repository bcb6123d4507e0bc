import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { makeSpan, randomId } from '../../../test/support/make-span.ts';
import type { Span } from '../../model/span.ts';
import { richSpan, storeContractTests } from '../store-contract.ts';
import { batchRanges, DuckDbStore } from './duckdb-store.ts';
import { SEPARATE_READ_ROWS } from './span-rows.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracehound-duckdb-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Spans in the order of their ids, to compare reads that come back in any order. */
function inIdOrder(spans: readonly Span[]): Span[] {
  return [...spans].sort((a, b) => a.spanId.localeCompare(b.spanId));
}

storeContractTests('duckdb', () => DuckDbStore.open({ dataDir: tempDir() }));

describe('duckdb store on disk', () => {
  // A small trace is read column by column, a large one joined (span-rows.ts): both ways.
  for (const [size, spanCount] of [
    ['small', 2],
    ['large', SEPARATE_READ_ROWS + 5],
  ] as const) {
    it(`reads back text that holds the separator of the joined read, empty values and emoji (${size} trace)`, async () => {
      const store = await DuckDbStore.open({ dataDir: tempDir() });
      try {
        const traceId = randomId(16);
        const odd = makeSpan({
          traceId,
          status: { code: 2, message: 'broken \u0001 pipe' },
          attributes: [
            { key: 'with.separator', value: 'a\u0001b\u0001' },
            { key: 'empty', value: '' },
            { key: 'emoji', value: 'cache miss 🐢 ünïcode' },
          ],
        });
        const plain = Array.from({ length: spanCount - 1 }, (_, i) =>
          makeSpan({
            traceId,
            parentSpanId: odd.spanId,
            attributes: [{ key: 'i', value: `${i}` }],
          }),
        );
        await store.write([odd, ...plain]);
        const read = await store.getTraces([traceId]);
        assert.equal(read.length, spanCount);
        assert.deepEqual(inIdOrder(read), inIdOrder([odd, ...plain]));
      } finally {
        await store.close();
      }
    });
  }

  it('answers many lookups of single traces at once, each with its own trace', async () => {
    const store = await DuckDbStore.open({ dataDir: tempDir() });
    try {
      const traces = Array.from({ length: 40 }, () => {
        const traceId = randomId(16);
        const root = makeSpan({ traceId });
        return [root, makeSpan({ traceId, parentSpanId: root.spanId })];
      });
      // Commits of their own, so that lookups go to different commits too.
      for (let i = 0; i < traces.length; i += 10) await store.write(traces.slice(i, i + 10).flat());
      // One lookup first, so that the lookups at once find a prepared statement left idle.
      assert.equal((await store.getTraces([traces[0]![0]!.traceId])).length, 2);
      const reads = await Promise.all(traces.map((spans) => store.getTraces([spans[0]!.traceId])));
      for (const [i, read] of reads.entries())
        assert.deepEqual(inIdOrder(read), inIdOrder(traces[i]!));
    } finally {
      await store.close();
    }
  });

  it('reads a trace of more rows than one DuckDB chunk holds', async () => {
    const store = await DuckDbStore.open({ dataDir: tempDir() });
    try {
      const traceId = randomId(16);
      const root = makeSpan({ traceId, service: 'gateway' });
      const spans = [root];
      for (let i = 0; i < 5000; i++) {
        spans.push(
          makeSpan({
            traceId,
            parentSpanId: root.spanId,
            service: `svc-${i % 7}`,
            attributes: [{ key: 'i', value: BigInt(i) }],
          }),
        );
      }
      await store.write(spans);
      const read = await store.getTraces([traceId]);
      const bySpanId = new Map(read.map((span) => [span.spanId, span]));
      assert.equal(read.length, spans.length);
      for (const span of spans) assert.deepEqual(bySpanId.get(span.spanId), span);
    } finally {
      await store.close();
    }
  });

  it('stores text of every length around the 12 bytes DuckDB keeps inline, in commits of one and of several chunks', async () => {
    const store = await DuckDbStore.open({ dataDir: tempDir() });
    try {
      // Lengths in bytes 0-16 in ASCII, 2-byte and 4-byte characters; 12 bytes is the last
      // length a DuckDB string holds inline, 13 the first that points into the chunk's text.
      const values = [
        ...Array.from({ length: 17 }, (_, n) => 'abcdefghijklmnopq'.slice(0, n)),
        'é'.repeat(6),
        'é'.repeat(7),
        '🐢'.repeat(3),
        '🐢'.repeat(4),
        `long ${'x'.repeat(5000)} end`,
      ];
      const traceId = randomId(16);
      const many = Array.from({ length: 2 * 2048 + 100 }, (_, i) =>
        makeSpan({
          traceId,
          name: `op ${values[i % values.length]}`,
          attributes: [
            { key: 'value', value: values[i % values.length]! },
            { key: 'other', value: values[(i * 7) % values.length]! },
          ],
        }),
      );
      // A commit whose whole text is a few bytes: no value points anywhere.
      const tiny = makeSpan({ name: 'x', attributes: [{ key: 'k', value: 'v' }] });
      await store.write(many);
      await store.write([tiny]);
      const read = await store.getTraces([traceId]);
      const bySpanId = new Map(read.map((span) => [span.spanId, span]));
      assert.equal(read.length, many.length);
      for (const span of many) assert.deepEqual(bySpanId.get(span.spanId), span);
      assert.deepEqual(await store.getTraces([tiny.traceId]), [tiny]);
      // Comparisons read a long string's 4-byte prefix and then its bytes.
      for (const value of ['abcdefghijklm', '🐢🐢🐢🐢', 'é'.repeat(7)]) {
        const found = await store.findTraceIds({ attributes: [{ key: 'value', value }], limit: 5 });
        assert.deepEqual(found, [traceId], value);
      }
      const none = await store.findTraceIds({
        attributes: [{ key: 'value', value: 'abcdefghijklX' }],
        limit: 5,
      });
      assert.deepEqual(none, []);
    } finally {
      await store.close();
    }
  });

  it('runs DuckDB with the memory limit it is given', async () => {
    const store = await DuckDbStore.open({ dataDir: tempDir(), memoryLimit: '100MB' });
    try {
      // DuckDB reports the limit in binary units: 100 MB is 95.3 MiB.
      assert.equal(store.memoryLimit, '95.3 MiB');
    } finally {
      await store.close();
    }
  });

  it('stores every span while commits wait out the checkpoints, and reads go on', async () => {
    const dataDir = tempDir();
    const threshold = 1_000_000;
    const store = await DuckDbStore.open({ dataDir, checkpointBytes: threshold });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const walPath = join(dataDir, 'tracehound.duckdb.wal');
      let largestWal = 0;
      const traceIds: string[] = [];
      const writer = async (lane: number) => {
        for (let i = 0; i < 100; i++) {
          const traceId = randomId(16);
          traceIds.push(traceId);
          const root = makeSpan({ traceId, name: `lane-${lane}` });
          const children = Array.from({ length: 49 }, () =>
            makeSpan({ traceId, parentSpanId: root.spanId }),
          );
          await store.write([root, ...children]);
          largestWal = Math.max(
            largestWal,
            statSync(walPath, { throwIfNoEntry: false })?.size ?? 0,
          );
          if (i % 10 === 0) assert.equal((await store.getTraces([traceId])).length, 50);
        }
      };
      await Promise.all([0, 1, 2, 3].map(writer));
      // 20,000 spans make several times the threshold of log: it was checkpointed on the way.
      assert.ok(largestWal > 0 && largestWal < 1.5 * threshold, `largest log ${largestWal} bytes`);
      const sample = traceIds.filter((_, i) => i % 37 === 0);
      assert.equal((await store.getTraces(sample)).length, sample.length * 50);
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      await store.close();
    }
  });

  it('keeps spans, services and operations across a close and reopen', async () => {
    const dataDir = tempDir();
    const span = richSpan();
    const first = await DuckDbStore.open({ dataDir });
    await first.write([span]);
    await first.close();
    const second = await DuckDbStore.open({ dataDir });
    try {
      assert.deepEqual(await second.getTraces([span.traceId]), [span]);
      assert.deepEqual(await second.getServices(), ['payment']);
      // The search finds attributes in their slots after a reopen too.
      const found = await second.findTraceIds({
        attributes: [{ key: 'int', value: '-42' }],
        limit: 5,
      });
      assert.deepEqual(found, [span.traceId]);
      assert.deepEqual(await second.getOperations('payment'), [
        { name: 'charge card', spanKind: 3 },
      ]);
    } finally {
      await second.close();
    }
  });

  it('refuses a data directory written in another storage layout, and leaves it as it is', async () => {
    const dataDir = tempDir();
    const old = await DuckDBInstance.create(join(dataDir, 'tracehound.duckdb'));
    const connection = await old.connect();
    await connection.run(`CREATE TABLE meta (key VARCHAR, value VARCHAR);
      INSERT INTO meta VALUES ('schema_version', '1')`);
    connection.closeSync();
    old.closeSync();
    await assert.rejects(DuckDbStore.open({ dataDir }), /storage layout 1.*another --data-dir/s);
  });

  it('refuses a spans table whose columns are not in the order rows are appended in', async () => {
    const dataDir = tempDir();
    const old = await DuckDBInstance.create(join(dataDir, 'tracehound.duckdb'));
    const connection = await old.connect();
    await connection.run(`CREATE TABLE meta (key VARCHAR, value VARCHAR);
      INSERT INTO meta VALUES ('schema_version', '2');
      CREATE TABLE spans (trace_id UHUGEINT, batch UINTEGER)`);
    connection.closeSync();
    old.closeSync();
    await assert.rejects(
      DuckDbStore.open({ dataDir }),
      /spans table has the columns trace_id, batch; this Tracehound writes batch, trace_id, .*another --data-dir/s,
    );
  });
});

describe('batchRanges', () => {
  it('reads commits close together in one range and far apart in separate ones', () => {
    assert.deepEqual(batchRanges([3, 5, 40, 200, 201], 64), [
      [3, 40],
      [200, 201],
    ]);
    assert.deepEqual(batchRanges([], 64), []);
  });
});

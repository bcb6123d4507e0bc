import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { makeSpan, randomId } from '../../../test/support/make-span.ts';
import { richSpan, storeContractTests } from '../store-contract.ts';
import { batchRanges, DuckDbStore } from './duckdb-store.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracehound-duckdb-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

storeContractTests('duckdb', () => DuckDbStore.open({ dataDir: tempDir() }));

describe('duckdb store on disk', () => {
  it('reads back text that holds the separator of its joined read, empty values and emoji', async () => {
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
      const plain = makeSpan({ traceId, parentSpanId: odd.spanId, attributes: [] });
      await store.write([odd, plain]);
      const read = await store.getTraces([traceId]);
      assert.deepEqual(
        read.sort((a, b) => a.spanId.localeCompare(b.spanId)),
        [odd, plain].sort((a, b) => a.spanId.localeCompare(b.spanId)),
      );
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

  it('runs DuckDB with the memory limit it is given', async () => {
    const store = await DuckDbStore.open({ dataDir: tempDir(), memoryLimit: '100MB' });
    try {
      // DuckDB reports the limit in binary units: 100 MB is 95.3 MiB.
      assert.equal(store.memoryLimit, '95.3 MiB');
    } finally {
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

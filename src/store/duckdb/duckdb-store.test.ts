import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { richSpan, storeContractTests } from '../store-contract.ts';
import { DuckDbStore } from './duckdb-store.ts';

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
      assert.deepEqual(await second.getOperations('payment'), [
        { name: 'charge card', spanKind: 3 },
      ]);
    } finally {
      await second.close();
    }
  });
});

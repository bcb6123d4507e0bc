/**
 * What the harness checks in the DuckDB file once the server has stopped: that every
 * acknowledged span is there, how many spans are stored, and how long plain SQL over the same
 * table takes: the baseline of the query figures (the store's own search statement run over the
 * whole table at once, without newest-first windows; a trace read by scanning `trace_id`, without
 * the trace locator).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBDataChunk, DuckDBInstance, UHUGEINT } from '@duckdb/node-api';
import { attributeValueToString } from '../src/model/attributes.ts';
import type { SpanKind } from '../src/model/span.ts';
import type { StoredOperation } from '../src/store/duckdb/catalog.ts';
import type { SearchCatalog } from '../src/store/duckdb/search-sql.ts';
import { attributesFromJson } from '../src/store/typed-json.ts';
import { percentile } from './stats.ts';

export class StoredData {
  readonly #instance: DuckDBInstance;
  readonly connection: DuckDBConnection;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection) {
    this.#instance = instance;
    this.connection = connection;
  }

  /** Attaches `<dataDir>/tracehound.duckdb` read-only as `th`. */
  static async open(dataDir: string): Promise<StoredData> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const file = join(dataDir, 'tracehound.duckdb').replaceAll("'", "''");
    await connection.run(`ATTACH '${file}' AS th (READ_ONLY)`);
    await connection.run('USE th');
    return new StoredData(instance, connection);
  }

  async spanCount(): Promise<number> {
    const reader = await this.connection.runAndReadAll('SELECT count(*) FROM spans');
    return Number(reader.getRows()[0]![0]);
  }

  /**
   * Checks the traces whose ids are in `idsFiles` (16 bytes each, as the clients wrote them on
   * acknowledgement): each must have all `spansPerTrace` spans stored. Returns the traces that
   * do not, and how many traces were checked.
   */
  async checkAcknowledged(
    idsFiles: readonly string[],
    spansPerTrace: number,
  ): Promise<{ traces: number; incomplete: number }> {
    await this.connection.run('CREATE OR REPLACE TEMP TABLE acked (trace_id UHUGEINT)');
    const appender = await this.connection.createAppender('acked', 'main', 'temp');
    let traces = 0;
    for (const file of idsFiles) {
      const bytes = readFileSync(file);
      const ids: bigint[] = [];
      for (let at = 0; at + 16 <= bytes.length; at += 16) {
        ids.push((bytes.readBigUInt64BE(at) << 64n) | bytes.readBigUInt64BE(at + 8));
      }
      traces += ids.length;
      for (let offset = 0; offset < ids.length; offset += 2048) {
        const slice = ids.slice(offset, offset + 2048);
        const chunk = DuckDBDataChunk.create([UHUGEINT], slice.length);
        chunk.setColumns([slice]);
        appender.appendDataChunk(chunk);
      }
    }
    appender.closeSync();
    const reader = await this.connection.runAndReadAll(
      `SELECT count(*) FROM acked a
       LEFT JOIN (SELECT trace_id, count(*) AS n FROM spans GROUP BY trace_id) s
       USING (trace_id) WHERE s.n IS DISTINCT FROM ${spansPerTrace}`,
    );
    return { traces, incomplete: Number(reader.getRows()[0]![0]) };
  }

  /** What the store's search statement needs, read from the catalogue tables. */
  async searchCatalog(): Promise<SearchCatalog> {
    const rows = async (sql: string) => (await this.connection.runAndReadAll(sql)).getRows();
    const operations = (await rows('SELECT id, service, name, kind FROM operations')).map(
      ([id, service, name, kind]) => ({
        id: id as number,
        operation: { service, name, kind: kind as SpanKind } as StoredOperation,
      }),
    );
    const keys = new Map(
      (await rows('SELECT key, id FROM attribute_keys')).map(([key, id]) => [
        key as string,
        id as number,
      ]),
    );
    const resources = (await rows('SELECT id, attributes FROM resources')).map(([id, json]) => ({
      id: id as number,
      attributes: attributesFromJson(json as string),
    }));
    return {
      operations: () => operations,
      attributeKeyId: (key) => keys.get(key),
      resourceIdsMatching: (condition) =>
        resources
          .filter((r) =>
            r.attributes.some(
              (a) => a.key === condition.key && attributeValueToString(a.value) === condition.value,
            ),
          )
          .map((r) => r.id),
    };
  }

  /** Latency of one SQL statement, `samples` times after one warm-up run. */
  async sqlLatency(
    samples: number,
    statement: () => { sql: string; params?: (string | number | bigint)[] },
  ): Promise<{ samples: number; p50Ms: number; p99Ms: number }> {
    const run = async () => {
      const { sql, params } = statement();
      const started = performance.now();
      await this.connection.runAndReadAll(sql, params ?? []);
      return performance.now() - started;
    };
    await run();
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) ms.push(await run());
    return { samples, p50Ms: percentile(ms, 0.5), p99Ms: percentile(ms, 0.99) };
  }

  close(): void {
    this.connection.closeSync();
    this.#instance.closeSync();
  }
}

import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { StoreError, TracehoundError } from '../../model/errors.ts';
import { isValidTraceId, type Span, type SpanKind, type TraceId } from '../../model/span.ts';
import type { DependencyLink, Operation } from '../../query/span-reader.ts';
import type { TraceQuery } from '../../query/trace-query.ts';
import type { RowBatchWriter } from '../raw-row.ts';
import type { TraceStore } from '../trace-store.ts';
import { attributesFromJson } from '../typed-json.ts';
import { WriteQueue, type WriteQueueOptions } from '../write-queue.ts';
import { forEachSlotKey } from './attribute-slots.ts';
import { Catalog, type CatalogChanges } from './catalog.ts';
import { RowBatch } from './row-batch.ts';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.ts';
import { searchStatement } from './search-sql.ts';
import { appendRowBatches } from './span-chunks.ts';
import { FIXED_NAMES, TEXT_COLUMNS } from './span-columns.ts';
import { bigIntToHex, type CatalogReader, hexToBigInt, SpanRowReader } from './span-rows.ts';
import { TraceLocator } from './trace-locator.ts';

export interface DuckDbStoreOptions extends Partial<WriteQueueOptions> {
  /** Directory holding `tracehound.duckdb` and its write-ahead log; created if missing. */
  readonly dataDir: string;
  /**
   * Write-ahead log size, in bytes, at which DuckDB checkpoints (compresses new rows into the
   * database file). Larger means fewer rewrites of the last, partly filled row group, fewer free
   * blocks in the file and less CPU, but more memory and a longer log to replay after a crash.
   * Default 64 MB.
   */
  readonly checkpointBytes?: number;
  /**
   * DuckDB's memory limit. Its buffer pool keeps blocks up to it, so this bounds the memory the
   * store holds as the database grows. Default 128MB.
   */
  readonly memoryLimit?: string;
}

const DATABASE_FILE = 'tracehound.duckdb';

/** See {@link DuckDbStoreOptions.checkpointBytes}. */
const DEFAULT_CHECKPOINT_BYTES = 64_000_000;
/**
 * A commit is taken to checkpoint when the log's size after it is expected within this fraction
 * of the threshold: the estimate of its growth is an average.
 */
const CHECKPOINT_MARGIN = 0.9;

/** See {@link DuckDbStoreOptions.memoryLimit}. */
export const DEFAULT_MEMORY_LIMIT = '128MB';

/**
 * Newest-first search windows, in nanoseconds back from the newest stored span: a search first
 * looks at the last 2 seconds of spans and widens the window eightfold until it has found
 * enough traces (or covered everything). See {@link DuckDbStore.findTraceIds}.
 */
const FIRST_WINDOW_NS = 2_000_000_000n;
const WINDOW_GROWTH = 8n;

/**
 * Commits closer than this are read in one query: a row group (122,880 rows) holds a few dozen
 * commits, so this keeps a query within a row group or two.
 */
const NEARBY_BATCHES = 64;

/** Sorted batch numbers as [first, last] ranges, splitting where two are `gap` or more apart. */
export function batchRanges(batches: readonly number[], gap: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (const batch of batches) {
    const last = ranges.at(-1);
    if (last && batch - last[1] < gap) last[1] = batch;
    else ranges.push([batch, batch]);
  }
  return ranges;
}

interface Writer {
  readonly connection: DuckDBConnection;
  /** Appends to `spans`, in the connection's transaction (see span-chunks.ts). */
  readonly appender: DuckDBAppender;
  busy: boolean;
}

/**
 * The embedded default store (layout: schema.ts, docs/architecture.md). Writes go through a
 * group-commit queue; each commit appends its rows to `spans` within one transaction (see
 * span-chunks.ts), and DuckDB syncs its write-ahead log on commit, so a resolved `write` survives a
 * crash. Two writer connections let one commit build its rows while the previous one waits for
 * the disk. Reads use their own connection and run while ingest goes on. `rowBatch` is the fast
 * path of the OTLP/protobuf decoder.
 */
export class DuckDbStore implements TraceStore {
  readonly #instance: DuckDBInstance;
  readonly #reader: DuckDBConnection;
  readonly #writers: Writer[];
  readonly #spanTypes: DuckDBType[];
  readonly #queue: WriteQueue<RowBatch>;
  readonly #catalog = new Catalog();
  readonly #catalogReader: CatalogReader = {
    resource: (id) => this.#known(this.#catalog.resource(id), 'resource', id),
    scope: (id) => this.#known(this.#catalog.scope(id), 'scope', id),
    operation: (id) => this.#known(this.#catalog.operation(id), 'operation', id),
    attributeKey: (id) => this.#known(this.#catalog.attributeKey(id), 'attribute key', id),
  };
  readonly #spanRows: SpanRowReader;
  readonly #locator = new TraceLocator();
  /** DuckDB's memory limit as DuckDB reports it (e.g. "122.0 MiB" for 128MB). */
  memoryLimit = '';
  #nextBatch = 1;
  /** Starts of the newest and oldest spans stored: newest-first search windows lie between. */
  #newestStartNs: bigint | null = null;
  #oldestStartNs: bigint | null = null;
  #closed = false;
  readonly #walPath: string;
  readonly #checkpointBytes: number;
  /** The write-ahead log's size after the last commit, and its growth per span stored. */
  #walBytes = 0;
  #walBytesPerSpan = 0;
  /** A running commit that may take the log past the threshold, and so checkpoint. */
  #checkpointingCommit: Promise<void> | null = null;
  /** The commits running, with their span counts. */
  readonly #runningCommits = new Map<Promise<void>, number>();

  private constructor(
    instance: DuckDBInstance,
    reader: DuckDBConnection,
    writers: Writer[],
    options: DuckDbStoreOptions,
  ) {
    this.#instance = instance;
    this.#reader = reader;
    this.#spanRows = new SpanRowReader(reader, this.#catalogReader);
    this.#writers = writers;
    this.#walPath = `${join(options.dataDir, DATABASE_FILE)}.wal`;
    this.#checkpointBytes = options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES;
    const appender = writers[0]!.appender;
    this.#spanTypes = Array.from({ length: appender.columnCount }, (_, i) =>
      appender.columnType(i),
    );
    this.#queue = new WriteQueue<RowBatch>((batches) => this.#commit(batches), {
      maxPendingSpans: options.maxPendingSpans ?? 200_000,
      retryAfterMs: options.retryAfterMs ?? 1_000,
      maxConcurrentCommits: writers.length,
    });
  }

  static async open(options: DuckDbStoreOptions): Promise<DuckDbStore> {
    mkdirSync(options.dataDir, { recursive: true });
    const path = join(options.dataDir, DATABASE_FILE);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, {
        checkpoint_threshold: `${options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES}B`,
        memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
        // For new files: a trace read from disk costs a block per column, and 64 KB blocks
        // both read faster and compress a little better than the 256 KB default.
        default_block_size: '65536',
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const hint = /lock/i.test(message)
        ? ' (is another tracehound using this data directory? pass a different --data-dir)'
        : '';
      throw new StoreError(`cannot open ${path}${hint}: ${message}`, '', { cause: error });
    }
    try {
      const setup = await instance.connect();
      await checkSchemaVersion(setup, path);
      await runStatement(setup, SCHEMA_SQL);
      await checkSpanColumns(setup, path);
      await runStatement(
        setup,
        `INSERT INTO meta SELECT 'schema_version', '${SCHEMA_VERSION}'
         WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'schema_version')`,
      );
      setup.closeSync();
      const writers: Writer[] = [];
      for (let i = 0; i < (options.maxConcurrentCommits ?? 2); i++) {
        const connection = await instance.connect();
        writers.push({
          connection,
          appender: await connection.createAppender('spans'),
          busy: false,
        });
      }
      const store = new DuckDbStore(instance, await instance.connect(), writers, options);
      const [limit] = await readRows(store.#reader, `SELECT current_setting('memory_limit')`);
      store.memoryLimit = String(limit?.[0]);
      await store.#load();
      return store;
    } catch (error) {
      instance.closeSync();
      throw error;
    }
  }

  write(spans: readonly Span[]): Promise<void> {
    const batch = new RowBatch(spans.length);
    for (const span of spans) batch.addSpan(span);
    return this.#queue.write(batch, batch.count);
  }

  rowBatch(): RowBatchWriter {
    const batch = new RowBatch();
    return {
      scope: (resource, scope) => batch.setOrigin(resource, scope),
      row: (raw) => batch.addRaw(raw),
      span: (span) => batch.addSpan(span),
      store: () => this.#queue.write(batch, batch.count),
    };
  }

  async getTraces(traceIds: readonly TraceId[]): Promise<Span[]> {
    this.#assertOpen();
    // An id that is not one (callers validate; this keeps the literals below plain numbers)
    // names no stored trace.
    const ids = [...new Set(traceIds)].filter(isValidTraceId);
    const batches = this.#locator.batchesOf(ids);
    if (batches.length === 0) return [];
    // One id, as the trace view asks, goes to a prepared statement as a bound UHUGEINT
    // (span-rows.ts). Several go in as integer literals (they are validated hex) in
    // `list_contains` rather than `IN`: DuckDB turns a long IN list into a join, after reading
    // every column of every candidate row. (Ids bound as text and cast in SQL cost about a
    // millisecond per lookup.)
    const values = ids.map(hexToBigInt);
    const idFilter =
      values.length === 1
        ? null
        : `list_contains([${values.map((v) => `${v}::UHUGEINT`)}], trace_id)`;
    // DuckDB prunes row groups by the range of a batch condition, so commits far apart are read
    // by separate queries rather than by one that scans everything between them.
    const spans: Span[] = [];
    for (const [first, last] of batchRanges(batches, NEARBY_BATCHES)) {
      const read =
        idFilter === null
          ? this.#spanRows.trace(values[0]!, first, last)
          : this.#spanRows.where(`batch BETWEEN ${first} AND ${last} AND ${idFilter}`);
      for (const span of await read) spans.push(span);
    }
    return spans;
  }

  /**
   * Newest first, and fast on a large store: the query runs over the newest 2 seconds of spans,
   * then 16, 128, ... until it finds `limit` traces or has covered everything. Stopping early is
   * exact: a trace found in the window [T, newest] has its newest matching span at or after T, so
   * it is newer than every trace not found, whose matching spans all start before T.
   */
  async findTraceIds(query: TraceQuery): Promise<TraceId[]> {
    this.#assertOpen();
    const run = async (windowStartNs?: bigint) => {
      const statement = searchStatement(query, this.#catalog, windowStartNs);
      if (statement === null) return [];
      const rows = await readRows(this.#reader, statement.sql, statement.params);
      return rows.map((row) => bigIntToHex(row[0] as bigint, 32));
    };
    const newest = this.#newestStartNs;
    const oldest = this.#oldestStartNs;
    if (newest === null || oldest === null || query.limit <= 0) return run();
    const end =
      query.startTimeMaxUnixNano !== undefined && query.startTimeMaxUnixNano < newest
        ? query.startTimeMaxUnixNano
        : newest;
    for (let window = FIRST_WINDOW_NS; ; window *= WINDOW_GROWTH) {
      const windowStartNs = end - window;
      // A window reaching back to the oldest span, or to the query's own start, is the whole
      // query.
      if (windowStartNs <= oldest) break;
      if (query.startTimeMinUnixNano !== undefined && windowStartNs <= query.startTimeMinUnixNano)
        break;
      const found = await run(windowStartNs);
      if (found.length >= query.limit) return found;
    }
    return run();
  }

  async getServices(): Promise<string[]> {
    this.#assertOpen();
    return [
      ...new Set(this.#catalog.operations().map(({ operation }) => operation.service)),
    ].sort();
  }

  async getOperations(service: string, spanKind?: SpanKind): Promise<Operation[]> {
    this.#assertOpen();
    return this.#catalog
      .operations()
      .map(({ operation }) => operation)
      .filter((o) => o.service === service && (spanKind === undefined || o.kind === spanKind))
      .map((o) => ({ name: o.name, spanKind: o.kind }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.spanKind - b.spanKind);
  }

  async getDependencies(startUnixNano: bigint, endUnixNano: bigint): Promise<DependencyLink[]> {
    this.#assertOpen();
    // A parent is named by its ordinal when it was stored in the same commit, by its id otherwise.
    const rows = await readRows(
      this.#reader,
      `WITH calls AS (
         SELECT p.operation_id AS parent_op, c.operation_id AS child_op, c.status_code
         FROM spans c JOIN spans p ON c.trace_id = p.trace_id AND c.batch = p.batch
           AND c.parent_ordinal = p.ordinal
         WHERE c.start_ns BETWEEN ? AND ?
         UNION ALL
         SELECT p.operation_id, c.operation_id, c.status_code
         FROM spans c JOIN spans p ON c.trace_id = p.trace_id AND c.parent_span_id = p.span_id
         WHERE c.start_ns BETWEEN ? AND ?
       )
       SELECT po.service, co.service, count(*), count(*) FILTER (WHERE status_code = 2)
       FROM calls JOIN operations po ON po.id = parent_op JOIN operations co ON co.id = child_op
       WHERE po.service <> co.service GROUP BY ALL ORDER BY 1, 2`,
      [startUnixNano, endUnixNano, startUnixNano, endUnixNano],
    );
    return rows.map((r) => ({
      parent: r[0] as string,
      child: r[1] as string,
      callCount: Number(r[2]),
      errorCount: Number(r[3]),
    }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue.close();
    this.#closed = true;
    try {
      for (const writer of this.#writers) writer.appender.closeSync();
      await this.#writers[0]!.connection.run('CHECKPOINT');
    } finally {
      for (const writer of this.#writers) writer.connection.closeSync();
      this.#reader.closeSync();
      this.#instance.closeSync();
    }
  }

  /**
   * DuckDB checkpoints inside the commit that takes its write-ahead log past the threshold, and
   * while it does, an append on the other writer connection waits for the table's checkpoint
   * lock: `flushSync` would block the event loop for the whole checkpoint (0.3 s to a few
   * seconds), with no request received or decoded meanwhile. So a commit expected to checkpoint
   * (from the log's size, its growth per span so far and the commits still running) has the
   * table to itself: it appends once the running commits are done (one of them may cross the
   * threshold first), and the next commit waits for it, each with its transaction open and
   * nothing blocked. A wrong guess costs one commit's overlap, or one blocked append as before.
   */
  async #commit(batches: RowBatch[]): Promise<void> {
    const spanCount = batches.reduce((n, b) => n + b.count, 0);
    // The log once the running commits and this one are in it.
    let runningSpans = 0;
    for (const spans of this.#runningCommits.values()) runningSpans += spans;
    const expectedWal = this.#walBytes + (runningSpans + spanCount) * this.#walBytesPerSpan;
    const checkpointing =
      this.#checkpointingCommit === null &&
      expectedWal >= this.#checkpointBytes * CHECKPOINT_MARGIN;
    let waitBeforeAppend: (() => Promise<unknown>) | null = null;
    let done = () => {};
    if (checkpointing) {
      this.#checkpointingCommit = new Promise<void>((resolve) => {
        done = resolve;
      });
      // A running commit may be the one to cross the threshold: append after it.
      const running = [...this.#runningCommits.keys()];
      if (running.length > 0) waitBeforeAppend = () => Promise.allSettled(running);
    } else if (this.#checkpointingCommit) {
      // Only that one: a commit marked later appends after this one anyway. (Every wait is for
      // a commit started earlier, so waits cannot form a cycle.)
      const checkpointingCommit = this.#checkpointingCommit;
      waitBeforeAppend = () => checkpointingCommit;
    }
    const commit = this.#commitRows(batches, spanCount, waitBeforeAppend);
    this.#runningCommits.set(commit, spanCount);
    try {
      await commit;
    } finally {
      this.#runningCommits.delete(commit);
      if (checkpointing) {
        this.#checkpointingCommit = null;
        done();
      }
    }
    this.#noteWalSize(spanCount);
  }

  #noteWalSize(spanCount: number): void {
    let bytes: number;
    try {
      bytes = statSync(this.#walPath, { throwIfNoEntry: false })?.size ?? 0;
    } catch {
      return;
    }
    const growth = bytes - this.#walBytes;
    if (growth > 0 && spanCount > 0) {
      const perSpan = growth / spanCount;
      this.#walBytesPerSpan =
        this.#walBytesPerSpan === 0 ? perSpan : 0.8 * this.#walBytesPerSpan + 0.2 * perSpan;
    }
    this.#walBytes = bytes;
  }

  /**
   * One group commit, in one transaction on a free writer connection: the rows of every write
   * gathered, sorted by trace id so that a trace's rows sit together, and the catalogue entries
   * they introduce.
   */
  async #commitRows(
    batches: RowBatch[],
    spanCount: number,
    waitBeforeAppend: (() => Promise<unknown>) | null,
  ): Promise<void> {
    const writer = this.#writers.find((w) => !w.busy);
    if (!writer) throw new StoreError('no free writer connection', 'commit');
    writer.busy = true;
    const catalog = this.#catalog.begin();
    const batch = this.#nextBatch++;
    try {
      await runStatement(writer.connection, 'BEGIN TRANSACTION');
      try {
        if (waitBeforeAppend) {
          // Open on the database (so that the checkpoint is a concurrent one, which costs less
          // than a full one) but without the checkpoint lock an append would take.
          await runStatement(writer.connection, 'SELECT 1 FROM spans LIMIT 0');
          await waitBeforeAppend();
        }
        try {
          appendRowBatches(writer.appender, this.#spanTypes, batches, batch, catalog);
          writer.appender.flushSync();
        } catch (error) {
          writer.appender.clear();
          throw error;
        }
        await this.#insertCatalogRows(writer.connection, catalog);
        await Promise.all(catalog.dependencies);
        await runStatement(writer.connection, 'COMMIT');
      } catch (error) {
        await writer.connection.run('ROLLBACK').catch(() => {});
        throw error;
      }
    } catch (error) {
      catalog.failed(error);
      throw error instanceof TracehoundError
        ? error
        : new StoreError(`storing ${spanCount} spans failed: ${String(error)}`, 'append spans', {
            cause: error,
          });
    } finally {
      writer.busy = false;
    }
    catalog.committed();
    const prefixes = new Uint32Array(spanCount);
    let at = 0;
    for (const rows of batches) {
      for (let row = 0; row < rows.count; row++) {
        prefixes[at++] = rows.traceWords[row * 4]!;
        const start = rows.startOf(row);
        if (this.#newestStartNs === null || start > this.#newestStartNs)
          this.#newestStartNs = start;
        if (this.#oldestStartNs === null || start < this.#oldestStartNs)
          this.#oldestStartNs = start;
      }
    }
    this.#locator.addPrefixes(batch, prefixes);
  }

  async #insertCatalogRows(connection: DuckDBConnection, changes: CatalogChanges): Promise<void> {
    for (const [table, rows] of Object.entries(changes.rows)) {
      if (rows.length === 0) continue;
      const appender = await connection.createAppender(table);
      try {
        for (const row of rows) {
          for (const value of row) appender.appendValue(value as DuckDBValue);
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    }
  }

  /** Loads the catalog, the trace locator and where batch numbers and search windows resume. */
  async #load(): Promise<void> {
    for (const [id, service, name, kind] of await readRows(
      this.#reader,
      'SELECT id, service, name, kind FROM operations',
    )) {
      this.#catalog.loadOperation(id as number, {
        service: service as string,
        name: name as string,
        kind: kind as SpanKind,
      });
    }
    for (const [id, key] of await readRows(this.#reader, 'SELECT id, key FROM attribute_keys')) {
      this.#catalog.loadAttributeKey(id as number, key as string);
    }
    for (const [layout] of await readRows(
      this.#reader,
      'SELECT DISTINCT attribute_layout FROM spans WHERE attribute_layout IS NOT NULL',
    )) {
      forEachSlotKey(layout as string, (id, slot) => this.#catalog.noteKeySlot(id, slot));
    }
    for (const [id, hash, attributes, dropped, schemaUrl] of await readRows(
      this.#reader,
      'SELECT id, hash, attributes, dropped_attributes_count, schema_url FROM resources',
    )) {
      this.#catalog.loadResource(id as number, hash as bigint, {
        attributes: attributesFromJson(attributes as string),
        droppedAttributesCount: dropped as number,
        schemaUrl: schemaUrl as string,
      });
    }
    for (const [id, hash, name, version, attributes, dropped, schemaUrl] of await readRows(
      this.#reader,
      'SELECT id, hash, name, version, attributes, dropped_attributes_count, schema_url FROM scopes',
    )) {
      this.#catalog.loadScope(id as number, hash as bigint, {
        name: name as string,
        version: version as string,
        attributes: attributesFromJson(attributes as string),
        droppedAttributesCount: dropped as number,
        schemaUrl: schemaUrl as string,
      });
    }
    const [summary] = await readRows(
      this.#reader,
      'SELECT max(batch), max(start_ns), min(start_ns) FROM spans',
    );
    this.#nextBatch = Number(summary?.[0] ?? 0) + 1;
    this.#newestStartNs = (summary?.[1] as bigint | null) ?? null;
    this.#oldestStartNs = (summary?.[2] as bigint | null) ?? null;
    const prefixes = await readRows(
      this.#reader,
      `SELECT batch, list(DISTINCT (trace_id >> 96)::UINTEGER) FROM spans GROUP BY batch`,
    );
    for (const [batch, list] of prefixes) {
      const values = (list as { items: DuckDBValue[] }).items as number[];
      this.#locator.addPrefixes(batch as number, Uint32Array.from(values));
    }
  }

  #known<T>(value: T | undefined, what: string, id: number): T {
    if (value === undefined) {
      throw new StoreError(`a stored span names ${what} ${id}, which is not stored`, 'read spans');
    }
    return value;
  }

  #assertOpen(): void {
    if (this.#closed) throw new TracehoundError('store_closed', 'the store is closed');
  }
}

/** Refuses a data directory written with another layout, before anything is changed in it. */
async function checkSchemaVersion(connection: DuckDBConnection, path: string): Promise<void> {
  const tables = await readRows(
    connection,
    `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()
       AND table_name = 'meta'`,
  );
  if (Number(tables[0]?.[0] ?? 0) === 0) return;
  const rows = await readRows(connection, `SELECT value FROM meta WHERE key = 'schema_version'`);
  const version = rows[0]?.[0];
  if (version !== undefined && version !== String(SCHEMA_VERSION)) {
    throw new StoreError(
      `${path} holds data in storage layout ${version}; this Tracehound reads layout ` +
        `${SCHEMA_VERSION} only. Start it with another --data-dir (or remove this directory).`,
      'schema version',
    );
  }
}

/** Rows are appended by position (span-chunks.ts): the table's columns must be in that order. */
async function checkSpanColumns(connection: DuckDBConnection, path: string): Promise<void> {
  const rows = await readRows(
    connection,
    `SELECT column_name FROM duckdb_columns()
     WHERE database_name = current_database() AND table_name = 'spans' ORDER BY column_index`,
  );
  const actual = rows.map((row) => row[0] as string).join(', ');
  const expected = [FIXED_NAMES, ...TEXT_COLUMNS].join(', ');
  if (actual !== expected) {
    throw new StoreError(
      `${path}: the spans table has the columns ${actual}; this Tracehound writes ${expected}. ` +
        'Start it with another --data-dir (or remove this directory).',
      'span columns',
    );
  }
}

async function runStatement(connection: DuckDBConnection, sql: string): Promise<void> {
  try {
    await connection.run(sql);
  } catch (error) {
    throw new StoreError(`DuckDB statement failed: ${String(error)}`, sql, { cause: error });
  }
}

/**
 * Without `params` the statement runs as a plain query: with them (even none) `@duckdb/node-api`
 * extracts, prepares and binds first, two more trips through the thread pool per query, about a
 * millisecond of a trace lookup.
 */
async function readRows(
  connection: DuckDBConnection,
  sql: string,
  params?: (string | number | bigint)[],
): Promise<DuckDBValue[][]> {
  try {
    const reader = await connection.runAndReadAll(sql, params?.length ? params : undefined);
    return reader.getRows();
  } catch (error) {
    throw new StoreError(`DuckDB query failed: ${String(error)}`, sql, { cause: error });
  }
}

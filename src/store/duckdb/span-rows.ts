import type {
  DuckDBConnection,
  DuckDBMaterializedResult,
  DuckDBPreparedStatement,
} from '@duckdb/node-api';
import duckdb, { type DataChunk } from '@duckdb/node-bindings';
import { StoreError } from '../../model/errors.ts';
import type { InstrumentationScope, Resource, Span, StatusCode } from '../../model/span.ts';
import { readAttributeSlots } from './attribute-slots.ts';
import type { StoredOperation } from './catalog.ts';
import {
  FIRST_TEXT,
  FIXED,
  FIXED_COLUMNS,
  FIXED_NAMES,
  STRING_BYTES,
  STRING_INLINE_BYTES,
  TEXT,
  TEXT_COLUMNS,
} from './span-columns.ts';
import { extrasFromJson } from './span-json.ts';

export function hexToBigInt(hex: string): bigint {
  return BigInt(`0x${hex}`);
}

export function bigIntToHex(value: bigint, digits: 16 | 32): string {
  return value.toString(16).padStart(digits, '0');
}

/** How rows name what the catalogue holds; each throws if the number is unknown. */
export interface CatalogReader {
  resource(id: number): Resource;
  scope(id: number): InstrumentationScope;
  operation(id: number): StoredOperation;
  attributeKey(id: number): string;
}

/*
 * Turning a DuckDB text value into a JavaScript string costs a call into the native library,
 * and a span has up to 15 text columns: on a 50,000-span trace those calls were most of the
 * read. So a large read joins a row's text columns into ONE string, separated by U+0001, and the
 * integer columns are read straight from their vectors' memory. (Lengths beside the joined text
 * would be exact, but DuckDB evaluates `strlen` over a column's whole dictionary, which made
 * small lookups slower.) A value that itself holds U+0001 shows up as a row with too many parts;
 * the read then starts over with the columns as they are.
 *
 * The join has a price of its own, though: DuckDB's `concat` of 15 columns made the SQL of a
 * 10-span lookup 0.5-1.0 ms slower than the columns as they are (p50 3.1-4.2 against 2.6-3.6 ms
 * in six runs, 11.7M spans stored), more than the native calls it saves on 10 rows. So a read
 * first takes the columns as they are, up to {@link SEPARATE_READ_ROWS} rows, and reads a larger
 * result again, joined.
 */

/** Between a row's text columns in the joined read (see above). */
const SEPARATOR = '\u0001';

/** Reads of up to this many rows take the text columns as they are (see above). */
export const SEPARATE_READ_ROWS = 256;

// The separator as a literal: `chr(1)` in its place cost a further 0.3-0.6 ms per lookup.
const JOINED_SELECT = `SELECT ${FIXED_NAMES}, concat(${TEXT_COLUMNS.join(`, '${SEPARATOR}', `)})`;
const SEPARATE_SELECT = `SELECT ${FIXED_NAMES}, ${TEXT_COLUMNS.join(', ')}`;
const TRACE_SQL =
  `${SEPARATE_SELECT} FROM spans WHERE batch BETWEEN $1 AND $2 AND trace_id = $3 ` +
  `LIMIT ${SEPARATE_READ_ROWS + 1}`;

/** One stored row, as read: ids as hex, the text parts decoded (null for NULL). */
interface StoredRow {
  readonly batch: number;
  readonly traceId: string;
  readonly ordinal: number;
  readonly spanId: string;
  readonly parentOrdinal: number | null;
  readonly parentSpanId: string | null;
  readonly start: bigint;
  readonly duration: bigint;
  readonly operationId: number;
  readonly statusCode: number;
  readonly flags: number;
  readonly resourceId: number;
  readonly scopeId: number;
  readonly texts: readonly (string | null)[];
}

/** Thrown inside a joined read when a value holds the separator. */
class SeparatorInValue extends Error {}

/**
 * Reads spans back from the `spans` table of one connection. A parent stored as an ordinal is
 * looked up among the rows of the same trace and commit, so a read always takes all rows of a
 * trace in the commits it covers.
 */
export class SpanRowReader {
  readonly #connection: DuckDBConnection;
  readonly #catalog: CatalogReader;
  /**
   * Prepared statements for {@link trace}, idle ones. A statement keeps the values bound to it
   * until its run has started on DuckDB's side, so each read takes one of its own; there are as
   * many as lookups ever ran at once, and they go with the connection.
   */
  readonly #idleTraceStatements: DuckDBPreparedStatement[] = [];

  constructor(connection: DuckDBConnection, catalog: CatalogReader) {
    this.#connection = connection;
    this.#catalog = catalog;
  }

  /** The spans of the rows matching `where`, SQL over the columns of `spans`. */
  async where(where: string): Promise<Span[]> {
    const sql = `${SEPARATE_SELECT} FROM spans WHERE ${where} LIMIT ${SEPARATE_READ_ROWS + 1}`;
    const rows = await this.#read(sql, false);
    return rows.length <= SEPARATE_READ_ROWS ? this.#spans(rows) : this.#joined(where);
  }

  /**
   * One trace's spans in commits `firstBatch` to `lastBatch`, by a prepared statement: parsing
   * and planning the SELECT took 0.15-0.3 ms of a 2.5-ms lookup.
   */
  async trace(traceId: bigint, firstBatch: number, lastBatch: number): Promise<Span[]> {
    const statement = this.#idleTraceStatements.pop() ?? (await this.#prepareTrace());
    let rows: StoredRow[];
    try {
      statement.bindUInteger(1, firstBatch);
      statement.bindUInteger(2, lastBatch);
      statement.bindUHugeInt(3, traceId);
      rows = await this.#read(TRACE_SQL, false, () => statement.run());
    } finally {
      this.#idleTraceStatements.push(statement);
    }
    if (rows.length <= SEPARATE_READ_ROWS) return this.#spans(rows);
    return this.#joined(
      `batch BETWEEN ${firstBatch} AND ${lastBatch} AND trace_id = ${traceId}::UHUGEINT`,
    );
  }

  async #prepareTrace(): Promise<DuckDBPreparedStatement> {
    try {
      return await this.#connection.prepare(TRACE_SQL);
    } catch (error) {
      throw new StoreError(`DuckDB could not prepare a read: ${String(error)}`, TRACE_SQL, {
        cause: error,
      });
    }
  }

  /** A large read: the text columns joined per row, or as they are if a value holds U+0001. */
  async #joined(where: string): Promise<Span[]> {
    const joined = `${JOINED_SELECT} FROM spans WHERE ${where}`;
    try {
      return this.#spans(await this.#read(joined, true));
    } catch (error) {
      if (!(error instanceof SeparatorInValue)) throw error;
      const separate = `${SEPARATE_SELECT} FROM spans WHERE ${where}`;
      return this.#spans(await this.#read(separate, false));
    }
  }

  /** The rows of `sql`, run on the connection unless `run` runs it (a prepared statement). */
  async #read(
    sql: string,
    joined: boolean,
    run: () => Promise<DuckDBMaterializedResult> = () => this.#connection.run(sql),
  ): Promise<StoredRow[]> {
    const rows: StoredRow[] = [];
    try {
      // The result is materialized: its chunks are read where they lie, with no trip through
      // the thread pool per chunk (and one more for the end) as fetchChunk takes.
      const result = await run();
      for (let index = 0; index < result.chunkCount; index++) {
        const chunk = result.getChunk(index);
        readChunk(chunk.chunk, chunk.rowCount, joined, rows);
      }
    } catch (error) {
      if (error instanceof SeparatorInValue) throw error;
      throw new StoreError(`DuckDB query failed: ${String(error)}`, sql, { cause: error });
    }
    return rows;
  }

  #spans(rows: readonly StoredRow[]): Span[] {
    return rowsToSpans(rows, this.#catalog);
  }
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const decoder = new TextDecoder();

/** Hex of a little-endian unsigned integer of `width` bytes at `at`. */
function hexOf(bytes: Uint8Array, at: number, width: number): string {
  let hex = '';
  for (let k = at + width - 1; k >= at; k--) hex += HEX[bytes[k]!];
  return hex;
}

function sameBytes(bytes: Uint8Array, a: number, b: number, width: number): boolean {
  for (let k = 0; k < width; k++) if (bytes[a + k] !== bytes[b + k]) return false;
  return true;
}

/** A column of a chunk: its values' memory, and its validity bits (null: all valid). */
interface Column {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly validity: Uint8Array | null;
}

function columnOf(chunk: DataChunk, index: number, count: number, width: number): Column {
  const vector = duckdb.data_chunk_get_vector(chunk, index);
  const bytes = duckdb.vector_get_data(vector, count * width);
  return {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    validity: duckdb.vector_get_validity(vector, Math.ceil(count / 64) * 8) ?? null,
  };
}

function isValid(column: Column, row: number): boolean {
  return column.validity === null || (column.validity[row >>> 3]! & (1 << (row & 7))) !== 0;
}

/** The string in row `row` of a VARCHAR column (16-byte `string_t` entries); null for NULL. */
function stringAt(column: Column, row: number): string | null {
  if (!isValid(column, row)) return null;
  const at = row * STRING_BYTES;
  const length = column.view.getUint32(at, true);
  const bytes =
    length <= STRING_INLINE_BYTES
      ? column.bytes.subarray(at + 4, at + 4 + length)
      : duckdb.get_data_from_pointer(
          column.bytes.buffer as ArrayBuffer,
          column.bytes.byteOffset + at + 8,
          length,
        );
  return decoder.decode(bytes);
}

function readChunk(chunk: DataChunk, count: number, joined: boolean, rows: StoredRow[]): void {
  const column = (index: number) => columnOf(chunk, index, count, FIXED_COLUMNS[index]!.bytes);
  const batch = column(FIXED.batch);
  const traceId = column(FIXED.traceId);
  const ordinal = column(FIXED.ordinal);
  const spanId = column(FIXED.spanId);
  const parentOrdinal = column(FIXED.parentOrdinal);
  const parentSpanId = column(FIXED.parentSpanId);
  const start = column(FIXED.start);
  const duration = column(FIXED.duration);
  const operationId = column(FIXED.operationId);
  const statusCode = column(FIXED.statusCode);
  const flags = column(FIXED.flags);
  const resourceId = column(FIXED.resourceId);
  const scopeId = column(FIXED.scopeId);
  const texts = joined
    ? [columnOf(chunk, FIRST_TEXT, count, STRING_BYTES)]
    : TEXT_COLUMNS.map((_, k) => columnOf(chunk, FIRST_TEXT + k, count, STRING_BYTES));
  let lastTraceId = '';
  for (let row = 0; row < count; row++) {
    // A trace's rows come together: its id is made into text once.
    if (row === 0 || !sameBytes(traceId.bytes, (row - 1) * 16, row * 16, 16)) {
      lastTraceId = hexOf(traceId.bytes, row * 16, 16);
    }
    rows.push({
      batch: batch.view.getUint32(row * 4, true),
      traceId: lastTraceId,
      ordinal: ordinal.view.getUint32(row * 4, true),
      spanId: hexOf(spanId.bytes, row * 8, 8),
      parentOrdinal: isValid(parentOrdinal, row)
        ? parentOrdinal.view.getUint32(row * 4, true)
        : null,
      parentSpanId: isValid(parentSpanId, row) ? hexOf(parentSpanId.bytes, row * 8, 8) : null,
      start: start.view.getBigInt64(row * 8, true),
      duration: duration.view.getBigInt64(row * 8, true),
      operationId: operationId.view.getUint32(row * 4, true),
      statusCode: statusCode.bytes[row]!,
      flags: flags.view.getUint32(row * 4, true),
      resourceId: resourceId.view.getUint32(row * 4, true),
      scopeId: scopeId.view.getUint32(row * 4, true),
      texts: joined
        ? splitJoined(stringAt(texts[0]!, row) ?? '')
        : texts.map((t) => stringAt(t, row)),
    });
  }
}

/**
 * The text parts of a joined row. `concat` skips NULLs, so an empty part is NULL for extras,
 * layout and rest (never stored empty); for a slot it is the empty string, and the layout says
 * which slots hold a value.
 */
function splitJoined(joined: string): (string | null)[] {
  const parts: (string | null)[] = joined.split(SEPARATOR);
  if (parts.length !== TEXT_COLUMNS.length) throw new SeparatorInValue();
  for (const k of [TEXT.extras, TEXT.layout, TEXT.rest]) if (parts[k] === '') parts[k] = null;
  return parts;
}

function rowsToSpans(rows: readonly StoredRow[], catalog: CatalogReader): Span[] {
  // Span ids by ordinal, per trace and commit; rows of one come together, so the last is kept.
  const spanIdsByGroup = new Map<string, string[]>();
  let lastGroup: { traceId: string; batch: number; ids: string[] } | null = null;
  const groupOf = (row: StoredRow): string[] => {
    if (lastGroup?.traceId === row.traceId && lastGroup.batch === row.batch) return lastGroup.ids;
    const key = `${row.traceId}:${row.batch}`;
    let ids = spanIdsByGroup.get(key);
    if (!ids) {
      ids = [];
      spanIdsByGroup.set(key, ids);
    }
    lastGroup = { traceId: row.traceId, batch: row.batch, ids };
    return ids;
  };
  for (const row of rows) groupOf(row)[row.ordinal] ??= row.spanId;
  return rows.map((row) => {
    let parentSpanId = '';
    if (row.parentOrdinal !== null) {
      parentSpanId = spanIdsByGroup.get(`${row.traceId}:${row.batch}`)?.[row.parentOrdinal] ?? '';
    } else if (row.parentSpanId !== null) {
      parentSpanId = row.parentSpanId;
    }
    const operation = catalog.operation(row.operationId);
    const extras = extrasFromJson(row.texts[TEXT.extras] ?? null);
    return {
      traceId: row.traceId,
      spanId: row.spanId,
      parentSpanId,
      name: operation.name,
      kind: operation.kind,
      startTimeUnixNano: row.start,
      endTimeUnixNano: row.start + row.duration,
      status: { code: row.statusCode as StatusCode, message: extras.statusMessage },
      traceState: extras.traceState,
      flags: row.flags,
      resource: catalog.resource(row.resourceId),
      scope: catalog.scope(row.scopeId),
      attributes: readAttributeSlots(
        row.texts[TEXT.layout] ?? null,
        row.texts[TEXT.rest] ?? null,
        (slot) => row.texts[TEXT.firstSlot + slot] ?? null,
        catalog.attributeKey,
      ),
      events: extras.events,
      links: extras.links,
      droppedAttributesCount: extras.droppedAttributesCount,
      droppedEventsCount: extras.droppedEventsCount,
      droppedLinksCount: extras.droppedLinksCount,
    };
  });
}

import { type DuckDBAppender, DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import type { Attribute } from '../../model/attributes.ts';
import { type SpanKind, serviceNameOf } from '../../model/span.ts';
import { attributesFromTyped, attributesToTyped } from '../typed-json.ts';
import { keyCodeOf, REST_SLOT, TYPE_CHARS } from './attribute-slots.ts';
import type { CatalogChanges } from './catalog.ts';
import { type RowBatch, ValueType } from './row-batch.ts';
import {
  FIRST_TEXT,
  FIXED,
  FIXED_COLUMNS,
  type FixedKey,
  STRING_BYTES,
  STRING_INLINE_BYTES,
  TEXT,
  TEXT_COLUMNS,
} from './span-columns.ts';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
export const CHUNK_ROWS = 2048;

/*
 * Rows are appended to `spans` in DuckDB data chunks, through the writer connection's appender,
 * inside the commit's transaction. Handing DuckDB a text value one at a time costs a call from
 * JavaScript into the native library, and a span has up to 15 of them, which made those calls
 * the largest cost of ingest. So the chunk's text goes across ONCE: all of it, back to back, into
 * the string heap of the first text vector; every text value of the chunk is then written as a
 * DuckDB string (`duckdb_string_t`, see STRING_BYTES: short values inline, longer ones pointing
 * into that heap), a whole column in one copy, like the integer columns. The appender copies the
 * strings it is given, so the heap only has to outlive the append.
 */

/*
 * Scratch buffers for one chunk, reused: a commit fills and appends its chunks synchronously.
 * Integer columns are written as little-endian bytes and copied into their vectors whole.
 */
const batchIds = new Uint32Array(CHUNK_ROWS);
const traceIds = new Uint8Array(CHUNK_ROWS * 16);
const ordinals = new Uint32Array(CHUNK_ROWS);
const spanIds = new Uint8Array(CHUNK_ROWS * 8);
const parentOrdinals = new Uint32Array(CHUNK_ROWS);
const parentSpanIds = new Uint8Array(CHUNK_ROWS * 8);
/** start_ns and duration_ns, BIGINT, as pairs of 32-bit halves. */
const starts = new Uint32Array(CHUNK_ROWS * 2);
const durations = new Uint32Array(CHUNK_ROWS * 2);
const operationIds = new Uint32Array(CHUNK_ROWS);
const statusCodes = new Uint8Array(CHUNK_ROWS);
const flags = new Uint32Array(CHUNK_ROWS);
const resourceIds = new Uint32Array(CHUNK_ROWS);
const scopeIds = new Uint32Array(CHUNK_ROWS);
const partStarts = TEXT_COLUMNS.map(() => new Uint32Array(CHUNK_ROWS));
const partLengths = TEXT_COLUMNS.map(() => new Uint32Array(CHUNK_ROWS));
/** Validity bitmasks (bit set = value present), as 64-bit words. */
const parentOrdinalValid = new Uint8Array(CHUNK_ROWS / 8);
const parentIdValid = new Uint8Array(CHUNK_ROWS / 8);
const partValid = TEXT_COLUMNS.map(() => new Uint8Array(CHUNK_ROWS / 8));
/** The integer columns' buffers. */
const fixedData: Readonly<Record<FixedKey, ArrayBufferView>> = {
  batch: batchIds,
  traceId: traceIds,
  ordinal: ordinals,
  spanId: spanIds,
  parentOrdinal: parentOrdinals,
  parentSpanId: parentSpanIds,
  start: starts,
  duration: durations,
  operationId: operationIds,
  statusCode: statusCodes,
  flags,
  resourceId: resourceIds,
  scopeId: scopeIds,
};
const timeScratch = new Uint32Array(4);
const layoutParts: string[] = [];
const textEncoder = new TextEncoder();
/** The text of a chunk's rows, back to back; grows as needed. */
let text = new Uint8Array(1 << 20);
/** One text column of a chunk as `duckdb_string_t`s (little-endian, as DuckDB's vectors). */
const strings = new Uint8Array(CHUNK_ROWS * STRING_BYTES);
const stringWords = new Uint32Array(strings.buffer);

/** Layout characters per key number and value type, made once. */
const slotLayouts: string[] = [];
function slotLayoutOf(keyId: number, type: number): string {
  const index = keyId * TYPE_CHARS.length + type;
  let layout = slotLayouts[index];
  if (layout === undefined) {
    layout = keyCodeOf(keyId) + TYPE_CHARS[type];
    slotLayouts[index] = layout;
  }
  return layout;
}

/** One row of a commit: which batch, which row in it. */
interface RowRef {
  readonly batch: number;
  readonly row: number;
}

/**
 * Appends the rows of `batches` as commit `batchNumber` through `appender` (on `spans`, in the
 * commit's transaction), sorted by trace id so that a trace's rows sit together and its repeated
 * id compresses. `types` are the column types of `spans`; `catalog` numbers resources, scopes,
 * operations and keys.
 */
export function appendRowBatches(
  appender: DuckDBAppender,
  types: readonly DuckDBType[],
  batches: readonly RowBatch[],
  batchNumber: number,
  catalog: CatalogChanges,
): void {
  const refs = sortedRows(batches);
  const { ordinal, parent } = ordinalsOf(batches, refs);
  const origins = batches.map((b) =>
    b.originList.map((o) => ({
      resourceId: catalog.resourceId(o.resource),
      scopeId: catalog.scopeId(o.scope),
      service: serviceNameOf(o.resource),
      /** name -> operation number by kind */
      operations: new Map<string, number[]>(),
    })),
  );
  for (let offset = 0; offset < refs.length; offset += CHUNK_ROWS) {
    const rowCount = Math.min(CHUNK_ROWS, refs.length - offset);
    const chunk = DuckDBDataChunk.create(types, rowCount);
    const vector = (index: number) => duckdb.data_chunk_get_vector(chunk.chunk, index);
    parentOrdinalValid.fill(0);
    parentIdValid.fill(0);
    for (const mask of partValid) mask.fill(0);
    let textEnd = 0;
    for (let out = 0; out < rowCount; out++) {
      const i = offset + out;
      const { batch: b, row } = refs[i]!;
      const rows = batches[b]!;
      const bit = 1 << (out & 7);
      const byte = out >>> 3;
      batchIds[out] = batchNumber;
      const ids = rows.ids;
      const at = row * 32;
      for (let k = 0; k < 16; k++) traceIds[out * 16 + k] = ids[at + k]!;
      ordinals[out] = ordinal[i]!;
      for (let k = 0; k < 8; k++) spanIds[out * 8 + k] = ids[at + 16 + k]!;
      if (parent[i]! >= 0) {
        parentOrdinals[out] = parent[i]!;
        parentOrdinalValid[byte]! |= bit;
      } else if (rows.hasParent[row]) {
        for (let k = 0; k < 8; k++) parentSpanIds[out * 8 + k] = ids[at + 24 + k]!;
        parentIdValid[byte]! |= bit;
      }
      rows.startAndDuration(row, timeScratch, 0);
      starts[out * 2] = timeScratch[0]!;
      starts[out * 2 + 1] = timeScratch[1]!;
      durations[out * 2] = timeScratch[2]!;
      durations[out * 2 + 1] = timeScratch[3]!;
      const origin = origins[b]![rows.origins[row]!]!;
      const name = rows.names[row]!;
      const kind = rows.kinds[row]!;
      let byKind = origin.operations.get(name);
      if (!byKind) {
        byKind = [];
        origin.operations.set(name, byKind);
      }
      let operationId = byKind[kind];
      if (operationId === undefined) {
        operationId = catalog.operationId(origin.service, name, kind as SpanKind);
        byKind[kind] = operationId;
      }
      operationIds[out] = operationId;
      statusCodes[out] = rows.statusCodes[row]!;
      flags[out] = rows.flags[row]!;
      resourceIds[out] = origin.resourceId;
      scopeIds[out] = origin.scopeId;

      // The row's text: slot values first (the layout is known once they are), then layout,
      // extras and rest, each at its place in the chunk's text.
      const first = rows.attributeStart[row]!;
      const count = rows.attributeCount[row]!;
      layoutParts.length = 0;
      let filled = 0;
      for (let k = 0; k < count; k++) {
        const type = rows.valueTypes[first + k]!;
        const keyId =
          type === ValueType.rest ? undefined : catalog.keyIdOf(rows.keys[first + k]!, k);
        if (keyId === undefined) {
          layoutParts.push(REST_SLOT);
          continue;
        }
        layoutParts.push(slotLayoutOf(keyId, type));
        filled++;
        const value = rows.texts[first + k];
        let length: number;
        if (value !== null && value !== undefined) {
          length = putText(value, textEnd);
        } else {
          const body = rows.bodies[rows.bodyOf[row]!]!;
          length = putBytes(
            body,
            rows.valueStarts[first + k]!,
            rows.valueEnds[first + k]!,
            textEnd,
          );
        }
        setPart(TEXT.firstSlot + k, out, textEnd, length);
        textEnd += length;
      }
      let rest = rows.rests[row] ?? null;
      if (filled < count && hasUnkeyedScalar(rows, first, count)) {
        // The key dictionary is full: those attributes go to the rest JSON, in their place.
        rest = restWithUnkeyed(rows, row, first, count, catalog);
      }
      if (filled > 0) {
        const length = putText(layoutParts.join(''), textEnd);
        setPart(TEXT.layout, out, textEnd, length);
        textEnd += length;
      }
      const extras = rows.extras[row];
      if (extras !== null && extras !== undefined) {
        const length = putText(extras, textEnd);
        setPart(TEXT.extras, out, textEnd, length);
        textEnd += length;
      }
      if (rest !== null) {
        const length = putText(rest, textEnd);
        setPart(TEXT.rest, out, textEnd, length);
        textEnd += length;
      }
    }
    const copy = (index: number, data: ArrayBufferView, bytesPerRow: number) =>
      duckdb.copy_data_to_vector(
        vector(index),
        0,
        data.buffer as ArrayBuffer,
        data.byteOffset,
        rowCount * bytesPerRow,
      );
    FIXED_COLUMNS.forEach(({ key, bytes }, index) => {
      copy(index, fixedData[key], bytes);
    });
    const maskBytes = Math.ceil(rowCount / 64) * 8;
    const setValidity = (index: number, mask: Uint8Array) => {
      const target = vector(index);
      duckdb.vector_ensure_validity_writable(target);
      duckdb.copy_data_to_vector_validity(
        target,
        0,
        mask.buffer as ArrayBuffer,
        mask.byteOffset,
        maskBytes,
      );
    };
    setValidity(FIXED.parentOrdinal, parentOrdinalValid);
    setValidity(FIXED.parentSpanId, parentIdValid);
    const heap = textEnd > STRING_INLINE_BYTES ? heapAddress(vector(FIRST_TEXT), textEnd) : null;
    for (let k = 0; k < TEXT_COLUMNS.length; k++) {
      writeStrings(k, rowCount, heap);
      copy(FIRST_TEXT + k, strings, STRING_BYTES);
      setValidity(FIRST_TEXT + k, partValid[k]!);
    }
    appender.appendDataChunk(chunk);
  }
}

/**
 * Hands the chunk's text `text[0, length)` to `vector`'s string heap (the vector's own value in
 * row 0 is overwritten afterwards) and returns where the copy lies, as 32-bit halves.
 */
function heapAddress(vector: duckdb.Vector, length: number): { low: number; high: number } {
  duckdb.vector_assign_string_element_len(vector, 0, text.subarray(0, length));
  const head = duckdb.vector_get_data(vector, STRING_BYTES);
  const view = new DataView(head.buffer, head.byteOffset, STRING_BYTES);
  return { low: view.getUint32(8, true), high: view.getUint32(12, true) };
}

/**
 * Writes text column `k` of the chunk's rows into `strings` as `duckdb_string_t`s, the long ones
 * pointing into the heap copy of the chunk's text at `heap`; rows without a value stay zero.
 */
function writeStrings(k: number, rowCount: number, heap: { low: number; high: number } | null) {
  const starts = partStarts[k]!;
  const lengths = partLengths[k]!;
  const valid = partValid[k]!;
  strings.fill(0, 0, rowCount * STRING_BYTES);
  for (let row = 0; row < rowCount; row++) {
    if ((valid[row >>> 3]! & (1 << (row & 7))) === 0) continue;
    const start = starts[row]!;
    const length = lengths[row]!;
    const at = row * STRING_BYTES;
    stringWords[row * 4] = length;
    if (length <= STRING_INLINE_BYTES) {
      for (let b = 0; b < length; b++) strings[at + 4 + b] = text[start + b]!;
      continue;
    }
    for (let b = 0; b < 4; b++) strings[at + 4 + b] = text[start + b]!;
    const low = heap!.low + start;
    stringWords[row * 4 + 2] = low >>> 0;
    stringWords[row * 4 + 3] = heap!.high + (low > 0xffffffff ? 1 : 0);
  }
}

/** Records where text part `k` of row `out` lies in the chunk's text. */
function setPart(k: number, out: number, start: number, length: number): void {
  partStarts[k]![out] = start;
  partLengths[k]![out] = length;
  partValid[k]![out >>> 3]! |= 1 << (out & 7);
}

function ensureText(capacity: number): void {
  if (capacity <= text.length) return;
  const bigger = new Uint8Array(Math.max(capacity, text.length * 2));
  bigger.set(text);
  text = bigger;
}

/** Writes `value` as UTF-8 at `at` in the chunk's text; returns its byte length. */
function putText(value: string, at: number): number {
  ensureText(at + value.length * 3);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) return textEncoder.encodeInto(value, text.subarray(at)).written;
    text[at + i] = c;
  }
  return value.length;
}

/** Copies UTF-8 bytes `body[start, end)` to `at` in the chunk's text; returns their length. */
function putBytes(body: Uint8Array, start: number, end: number, at: number): number {
  ensureText(at + end - start);
  for (let i = start; i < end; i++) text[at + i - start] = body[i]!;
  return end - start;
}

/** All rows of the commit, sorted by trace id (stable, so a trace keeps its arrival order). */
function sortedRows(batches: readonly RowBatch[]): RowRef[] {
  const refs: RowRef[] = [];
  for (let b = 0; b < batches.length; b++) {
    for (let row = 0; row < batches[b]!.count; row++) refs.push({ batch: b, row });
  }
  return refs.sort((x, y) => {
    const wx = batches[x.batch]!.traceWords;
    const wy = batches[y.batch]!.traceWords;
    for (let w = 0; w < 4; w++) {
      const a = wx[x.row * 4 + w]!;
      const c = wy[y.row * 4 + w]!;
      if (a !== c) return a < c ? -1 : 1;
    }
    return 0;
  });
}

/**
 * Each row's number within its trace's rows of this commit, and its parent's number there (-1
 * when the parent is in another commit, or there is none).
 */
function ordinalsOf(
  batches: readonly RowBatch[],
  refs: readonly RowRef[],
): { ordinal: Int32Array; parent: Int32Array } {
  const ordinal = new Int32Array(refs.length);
  const parent = new Int32Array(refs.length).fill(-1);
  const sameTrace = (i: number, j: number) => {
    const a = refs[i]!;
    const b = refs[j]!;
    const wa = batches[a.batch]!.traceWords;
    const wb = batches[b.batch]!.traceWords;
    for (let w = 0; w < 4; w++) if (wa[a.row * 4 + w] !== wb[b.row * 4 + w]) return false;
    return true;
  };
  const idKey = (i: number, at: number) => {
    const { batch, row } = refs[i]!;
    const ids = batches[batch]!.ids;
    let key = '';
    for (let k = 0; k < 8; k++) key += String.fromCharCode(ids[row * 32 + at + k]!);
    return key;
  };
  const byId = new Map<string, number>();
  for (let start = 0; start < refs.length; ) {
    let end = start + 1;
    while (end < refs.length && sameTrace(start, end)) end++;
    byId.clear();
    for (let i = start; i < end; i++) {
      ordinal[i] = i - start;
      // A repeated span id keeps its first number: a parent reference means that span.
      const key = idKey(i, 16);
      if (!byId.has(key)) byId.set(key, i - start);
    }
    for (let i = start; i < end; i++) {
      const { batch, row } = refs[i]!;
      if (batches[batch]!.hasParent[row]) parent[i] = byId.get(idKey(i, 24)) ?? -1;
    }
    start = end;
  }
  return { ordinal, parent };
}

function hasUnkeyedScalar(rows: RowBatch, first: number, count: number): boolean {
  for (let k = 0; k < count; k++) if (rows.valueTypes[first + k] !== ValueType.rest) return true;
  return false;
}

/**
 * The rest JSON of a row once the attributes whose keys got no number join it, each in its
 * place among the others; rare: only once the key dictionary is full.
 */
function restWithUnkeyed(
  rows: RowBatch,
  row: number,
  first: number,
  count: number,
  catalog: CatalogChanges,
): string | null {
  const stored = rows.rests[row];
  const others: Attribute[] = stored ? attributesFromTyped(JSON.parse(stored)) : [];
  const rest: Attribute[] = [];
  let next = 0;
  for (let k = 0; k < count; k++) {
    const type = rows.valueTypes[first + k]!;
    if (type === ValueType.rest) {
      rest.push(others[next++]!);
    } else if (catalog.keyIdOf(rows.keys[first + k]!, k) === undefined) {
      rest.push({
        key: rows.keys[first + k]!,
        value: attributeValueOf(rows, row, first + k, type),
      });
    }
  }
  rest.push(...others.slice(next));
  return rest.length === 0 ? null : JSON.stringify(attributesToTyped(rest));
}

function attributeValueOf(rows: RowBatch, row: number, at: number, type: number) {
  const value =
    rows.texts[at] ??
    new TextDecoder().decode(
      rows.bodies[rows.bodyOf[row]!]!.subarray(rows.valueStarts[at], rows.valueEnds[at]),
    );
  switch (type) {
    case ValueType.int:
      return BigInt(value);
    case ValueType.double:
      return Number(value);
    case ValueType.bool:
      return value === 'true';
    default:
      return value;
  }
}

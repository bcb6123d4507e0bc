import { type DuckDBAppender, DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import type { Attribute } from '../../model/attributes.ts';
import { type SpanKind, serviceNameOf } from '../../model/span.ts';
import { attributesFromTyped, attributesToTyped } from '../typed-json.ts';
import { keyCodeOf, REST_SLOT, SLOT_CHARS, TYPE_CHARS } from './attribute-slots.ts';
import type { CatalogChanges } from './catalog.ts';
import { type RowBatch, ValueType } from './row-batch.ts';
import { orderRows } from './row-order.ts';
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
const traceIds = new Uint32Array(CHUNK_ROWS * 4);
const ordinals = new Uint32Array(CHUNK_ROWS);
const spanIds = new Uint32Array(CHUNK_ROWS * 2);
const parentOrdinals = new Uint32Array(CHUNK_ROWS);
const parentSpanIds = new Uint32Array(CHUNK_ROWS * 2);
/** start_ns and duration_ns, BIGINT, as pairs of 32-bit halves. */
const starts = new Uint32Array(CHUNK_ROWS * 2);
const durations = new Uint32Array(CHUNK_ROWS * 2);
const operationIds = new Uint32Array(CHUNK_ROWS);
const statusCodes = new Uint8Array(CHUNK_ROWS);
const flags = new Uint32Array(CHUNK_ROWS);
const resourceIds = new Uint32Array(CHUNK_ROWS);
const scopeIds = new Uint32Array(CHUNK_ROWS);
/** Validity bitmasks (bit set = value present), as 64-bit words. */
const parentOrdinalValid = new Uint8Array(CHUNK_ROWS / 8);
const parentIdValid = new Uint8Array(CHUNK_ROWS / 8);
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

/*
 * The text columns of a chunk, each as the `duckdb_string_t`s of its vector (little-endian, see
 * STRING_BYTES) with its validity mask. A value of up to STRING_INLINE_BYTES is written inline;
 * a longer one goes to the chunk's text, and its pointer is filled in once that text has a place
 * in DuckDB's memory (`longValues` lists them, as column * CHUNK_ROWS + row).
 */
const columnStrings = TEXT_COLUMNS.map(() => new Uint8Array(CHUNK_ROWS * STRING_BYTES));
const columnWords = columnStrings.map((strings) => new Uint32Array(strings.buffer));
const columnValid = TEXT_COLUMNS.map(() => new Uint8Array(CHUNK_ROWS / 8));
let longValues = new Uint32Array(CHUNK_ROWS * 4);
let longCount = 0;
/** The long text values of a chunk's rows, back to back; grows as needed. */
let text = new Uint8Array(1 << 20);
let textEnd = 0;
const textEncoder = new TextEncoder();

/** The three layout bytes (as one number) per key number and value type, made once. */
const slotLayouts: number[] = [];
const REST_LAYOUT =
  (REST_SLOT.charCodeAt(0) << 16) | (REST_SLOT.charCodeAt(1) << 8) | REST_SLOT.charCodeAt(2);
function slotLayoutOf(keyId: number, type: number): number {
  const index = keyId * TYPE_CHARS.length + type;
  let layout = slotLayouts[index];
  if (layout === undefined) {
    const chars = keyCodeOf(keyId) + TYPE_CHARS[type];
    layout = (chars.charCodeAt(0) << 16) | (chars.charCodeAt(1) << 8) | chars.charCodeAt(2);
    slotLayouts[index] = layout;
  }
  return layout;
}

/**
 * Appends the rows of `batches` as commit `batchNumber` through `appender` (on `spans`, in the
 * commit's transaction), sorted by trace id (row-order.ts). `types` are the column types of
 * `spans`; `catalog` numbers resources, scopes, operations and keys.
 */
export function appendRowBatches(
  appender: DuckDBAppender,
  types: readonly DuckDBType[],
  batches: readonly RowBatch[],
  batchNumber: number,
  catalog: CatalogChanges,
): void {
  const order = orderRows(batches);
  const origins = batches.map((b) =>
    b.originList.map((o) => ({
      resourceId: catalog.resourceId(o.resource),
      scopeId: catalog.scopeId(o.scope),
      service: serviceNameOf(o.resource),
      /** name -> operation number by kind */
      operations: new Map<string, number[]>(),
    })),
  );
  const total = order.sorted.length;
  const ids = order.ids;
  for (let offset = 0; offset < total; offset += CHUNK_ROWS) {
    const rowCount = Math.min(CHUNK_ROWS, total - offset);
    const chunk = DuckDBDataChunk.create(types, rowCount);
    parentOrdinalValid.fill(0);
    parentIdValid.fill(0);
    for (let k = 0; k < TEXT_COLUMNS.length; k++) {
      columnValid[k]!.fill(0);
      columnStrings[k]!.fill(0, 0, rowCount * STRING_BYTES);
    }
    textEnd = 0;
    longCount = 0;
    for (let out = 0; out < rowCount; out++) {
      const i = offset + out;
      const ref = order.sorted[i]!;
      const b = order.batchOf[ref]!;
      const row = order.rowOf[ref]!;
      const rows = batches[b]!;
      batchIds[out] = batchNumber;
      const at = ref * 8;
      traceIds[out * 4] = ids[at]!;
      traceIds[out * 4 + 1] = ids[at + 1]!;
      traceIds[out * 4 + 2] = ids[at + 2]!;
      traceIds[out * 4 + 3] = ids[at + 3]!;
      ordinals[out] = order.ordinal[i]!;
      spanIds[out * 2] = ids[at + 4]!;
      spanIds[out * 2 + 1] = ids[at + 5]!;
      const parent = order.parent[i]!;
      if (parent >= 0) {
        parentOrdinals[out] = parent;
        parentOrdinalValid[out >>> 3]! |= 1 << (out & 7);
      } else if (rows.hasParent[row]) {
        parentSpanIds[out * 2] = ids[at + 6]!;
        parentSpanIds[out * 2 + 1] = ids[at + 7]!;
        parentIdValid[out >>> 3]! |= 1 << (out & 7);
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
      putRowText(rows, row, out, catalog);
    }
    const vector = (index: number) => duckdb.data_chunk_get_vector(chunk.chunk, index);
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
    if (longCount > 0) pointIntoHeap(heapAddress(vector(FIRST_TEXT), textEnd));
    for (let k = 0; k < TEXT_COLUMNS.length; k++) {
      copy(FIRST_TEXT + k, columnStrings[k]!, STRING_BYTES);
      setValidity(FIRST_TEXT + k, columnValid[k]!);
    }
    appender.appendDataChunk(chunk);
  }
}

/**
 * The row's text columns: slot values first (the layout is known once they are), then layout,
 * extras and rest.
 */
function putRowText(rows: RowBatch, row: number, out: number, catalog: CatalogChanges): void {
  const first = rows.attributeStart[row]!;
  const count = rows.attributeCount[row]!;
  // The layout's bytes go before the values' in the chunk's text: 3 per attribute.
  reserveText(count * SLOT_CHARS);
  const layoutAt = textEnd;
  textEnd += count * SLOT_CHARS;
  let filled = 0;
  for (let k = 0; k < count; k++) {
    const type = rows.valueTypes[first + k]!;
    const keyId = type === ValueType.rest ? undefined : catalog.keyIdOf(rows.keys[first + k]!, k);
    let layout = REST_LAYOUT;
    if (keyId !== undefined) {
      layout = slotLayoutOf(keyId, type);
      filled++;
      const value = rows.texts[first + k];
      if (value !== null && value !== undefined) {
        putString(TEXT.firstSlot + k, out, value);
      } else {
        const body = rows.bodies[rows.bodyOf[row]!]!;
        putBytes(
          TEXT.firstSlot + k,
          out,
          body,
          rows.valueStarts[first + k]!,
          rows.valueEnds[first + k]!,
        );
      }
    }
    text[layoutAt + k * 3] = layout >>> 16;
    text[layoutAt + k * 3 + 1] = (layout >>> 8) & 0xff;
    text[layoutAt + k * 3 + 2] = layout & 0xff;
  }
  let rest = rows.rests[row] ?? null;
  if (filled < count && hasUnkeyedScalar(rows, first, count)) {
    // The key dictionary is full: those attributes go to the rest JSON, in their place.
    rest = restWithUnkeyed(rows, row, first, count, catalog);
  }
  if (filled > 0) setString(TEXT.layout, out, layoutAt, count * SLOT_CHARS);
  else textEnd = layoutAt;
  const extras = rows.extras[row];
  if (extras !== null && extras !== undefined) putString(TEXT.extras, out, extras);
  if (rest !== null) putString(TEXT.rest, out, rest);
}

/** Makes room for `bytes` more at the end of the chunk's text. */
function reserveText(bytes: number): void {
  if (textEnd + bytes <= text.length) return;
  const bigger = new Uint8Array(Math.max(textEnd + bytes, text.length * 2));
  bigger.set(text.subarray(0, textEnd));
  text = bigger;
}

/** Text column `k` of row `out` is the UTF-8 of `value`. */
function putString(k: number, out: number, value: string): void {
  reserveText(value.length * 3);
  const t = text;
  const at = textEnd;
  let length = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) {
      length = textEncoder.encodeInto(value, t.subarray(at)).written;
      break;
    }
    t[at + i] = c;
  }
  setString(k, out, at, length);
}

/** Text column `k` of row `out` is the UTF-8 bytes `body[start, end)`. */
function putBytes(k: number, out: number, body: Uint8Array, start: number, end: number): void {
  const length = end - start;
  if (length <= STRING_INLINE_BYTES) {
    setHead(k, out, body, start, length, length);
    return;
  }
  reserveText(length);
  const t = text;
  const at = textEnd;
  for (let i = 0; i < length; i++) t[at + i] = body[start + i]!;
  setString(k, out, at, length);
}

/**
 * Text column `k` of row `out` is `text[at, at + length)`: copied inline when short (its place
 * in the text is then given back when it is the last thing there), else left in the text.
 */
function setString(k: number, out: number, at: number, length: number): void {
  if (length <= STRING_INLINE_BYTES) {
    setHead(k, out, text, at, length, length);
    if (at + length >= textEnd) textEnd = at;
    return;
  }
  setHead(k, out, text, at, length, 4);
  // The pointer's place holds the text offset until pointIntoHeap.
  columnWords[k]![out * 4 + 2] = at;
  if (at + length > textEnd) textEnd = at + length;
  if (longCount === longValues.length) {
    const bigger = new Uint32Array(longCount * 2);
    bigger.set(longValues);
    longValues = bigger;
  }
  longValues[longCount++] = k * CHUNK_ROWS + out;
}

/**
 * Marks text column `k` of row `out` present with `length` bytes, and copies the first `bytes` of
 * `source[start, ...)` after the length: the whole value when inline, else its 4-byte prefix.
 */
function setHead(
  k: number,
  out: number,
  source: Uint8Array,
  start: number,
  length: number,
  bytes: number,
): void {
  const strings = columnStrings[k]!;
  const s = out * STRING_BYTES + 4;
  columnWords[k]![out * 4] = length;
  for (let b = 0; b < bytes; b++) strings[s + b] = source[start + b]!;
  columnValid[k]![out >>> 3]! |= 1 << (out & 7);
}

/** Turns the text offsets of the chunk's long values into pointers into its heap copy. */
function pointIntoHeap(heap: { low: number; high: number }): void {
  for (let i = 0; i < longCount; i++) {
    const k = Math.floor(longValues[i]! / CHUNK_ROWS);
    const out = longValues[i]! % CHUNK_ROWS;
    const words = columnWords[k]!;
    const low = heap.low + words[out * 4 + 2]!;
    words[out * 4 + 2] = low >>> 0;
    words[out * 4 + 3] = heap.high + (low > 0xffffffff ? 1 : 0);
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

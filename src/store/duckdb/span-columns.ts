import { SLOT_COLUMNS } from './attribute-slots.ts';

/*
 * The columns of `spans` as writing (span-chunks.ts) and reading (span-rows.ts) move them: the
 * integer columns first, in this order, then the text columns. schema.ts declares the table.
 */

/**
 * The integer columns, each with the key code uses for it, its DuckDB type and its width in bytes
 * in a vector.
 */
export const FIXED_COLUMNS = [
  { key: 'batch', name: 'batch', type: 'UINTEGER', bytes: 4 },
  { key: 'traceId', name: 'trace_id', type: 'UHUGEINT', bytes: 16 },
  { key: 'ordinal', name: 'ordinal', type: 'UINTEGER', bytes: 4 },
  { key: 'spanId', name: 'span_id', type: 'UBIGINT', bytes: 8 },
  { key: 'parentOrdinal', name: 'parent_ordinal', type: 'UINTEGER', bytes: 4 },
  { key: 'parentSpanId', name: 'parent_span_id', type: 'UBIGINT', bytes: 8 },
  { key: 'start', name: 'start_ns', type: 'BIGINT', bytes: 8 },
  { key: 'duration', name: 'duration_ns', type: 'BIGINT', bytes: 8 },
  { key: 'operationId', name: 'operation_id', type: 'UINTEGER', bytes: 4 },
  { key: 'statusCode', name: 'status_code', type: 'UTINYINT', bytes: 1 },
  { key: 'flags', name: 'flags', type: 'UINTEGER', bytes: 4 },
  { key: 'resourceId', name: 'resource_id', type: 'UINTEGER', bytes: 4 },
  { key: 'scopeId', name: 'scope_id', type: 'UINTEGER', bytes: 4 },
] as const;

export type FixedKey = (typeof FIXED_COLUMNS)[number]['key'];

/** Positions in {@link FIXED_COLUMNS}, by key. */
export const FIXED = Object.fromEntries(
  FIXED_COLUMNS.map((column, index) => [column.key, index]),
) as Readonly<Record<FixedKey, number>>;

/** `batch, trace_id, ...`: the integer columns for a SELECT or INSERT list. */
export const FIXED_NAMES = FIXED_COLUMNS.map((column) => column.name).join(', ');

/** The nullable text columns, in the order both sides list them. */
export const TEXT_COLUMNS = ['extras', 'attribute_layout', 'attributes', ...SLOT_COLUMNS] as const;

/** Where the text columns start among a chunk's vectors. */
export const FIRST_TEXT = FIXED_COLUMNS.length;

/**
 * A text value in a DuckDB vector is a `duckdb_string_t` (DuckDB's C API): 16 bytes, the length
 * first (4 bytes); a value of up to {@link STRING_INLINE_BYTES} bytes follows inline, a longer
 * one is its first 4 bytes and then a pointer (at byte 8) to the whole value.
 */
export const STRING_BYTES = 16;
export const STRING_INLINE_BYTES = 12;

/** Positions in {@link TEXT_COLUMNS}: slot `k` is at `firstSlot + k`. */
export const TEXT = { extras: 0, layout: 1, rest: 2, firstSlot: 3 } as const;

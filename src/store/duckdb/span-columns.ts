import { SLOT_COLUMNS } from './attribute-slots.ts';

/*
 * The columns of `spans` as writing (span-chunks.ts) and reading (span-rows.ts) move them: the
 * integer columns first, in this order, then the text columns. schema.ts declares the table.
 */

/** The integer columns, each with its DuckDB type and its width in bytes in a vector. */
export const FIXED_COLUMNS = [
  { name: 'batch', type: 'UINTEGER', bytes: 4 },
  { name: 'trace_id', type: 'UHUGEINT', bytes: 16 },
  { name: 'ordinal', type: 'UINTEGER', bytes: 4 },
  { name: 'span_id', type: 'UBIGINT', bytes: 8 },
  { name: 'parent_ordinal', type: 'UINTEGER', bytes: 4 },
  { name: 'parent_span_id', type: 'UBIGINT', bytes: 8 },
  { name: 'start_ns', type: 'BIGINT', bytes: 8 },
  { name: 'duration_ns', type: 'BIGINT', bytes: 8 },
  { name: 'operation_id', type: 'UINTEGER', bytes: 4 },
  { name: 'status_code', type: 'UTINYINT', bytes: 1 },
  { name: 'flags', type: 'UINTEGER', bytes: 4 },
  { name: 'resource_id', type: 'UINTEGER', bytes: 4 },
  { name: 'scope_id', type: 'UINTEGER', bytes: 4 },
] as const;

/** Positions in {@link FIXED_COLUMNS}. */
export const FIXED = {
  batch: 0,
  traceId: 1,
  ordinal: 2,
  spanId: 3,
  parentOrdinal: 4,
  parentSpanId: 5,
  start: 6,
  duration: 7,
  operationId: 8,
  statusCode: 9,
  flags: 10,
  resourceId: 11,
  scopeId: 12,
} as const;

/** `batch, trace_id, ...`: the integer columns for a SELECT or INSERT list. */
export const FIXED_NAMES = FIXED_COLUMNS.map((column) => column.name).join(', ');

/** The nullable text columns, in the order both sides list them. */
export const TEXT_COLUMNS = ['extras', 'attribute_layout', 'attributes', ...SLOT_COLUMNS] as const;

/** Positions in {@link TEXT_COLUMNS}: slot `k` is at `firstSlot + k`. */
export const TEXT = { extras: 0, layout: 1, rest: 2, firstSlot: 3 } as const;

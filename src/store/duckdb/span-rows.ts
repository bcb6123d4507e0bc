import type { DuckDBValue } from '@duckdb/node-api';
import type { InstrumentationScope, Resource, Span, StatusCode } from '../../model/span.ts';
import { readAttributeSlots, SLOT_COLUMNS } from './attribute-slots.ts';
import type { StoredOperation } from './catalog.ts';
import { extrasFromJson } from './span-json.ts';

export function hexToBigInt(hex: string): bigint {
  return BigInt(`0x${hex}`);
}

export function bigIntToHex(value: bigint, digits: 16 | 32): string {
  return value.toString(16).padStart(digits, '0');
}

/** The columns a span is read back from; `rowsToSpans` reads them by these positions. */
export const SPAN_SELECT = `batch, trace_id, ordinal, span_id, parent_ordinal, parent_span_id,
  start_ns, duration_ns, operation_id, status_code, flags, resource_id, scope_id, extras,
  attribute_layout, attributes, ${SLOT_COLUMNS.join(', ')}`;

const R = {
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
  extras: 13,
  layout: 14,
  attributes: 15,
  firstSlot: 16,
} as const;

/** How rows name what the catalogue holds; each throws if the number is unknown. */
export interface CatalogReader {
  resource(id: number): Resource;
  scope(id: number): InstrumentationScope;
  operation(id: number): StoredOperation;
  attributeKey(id: number): string;
}

/**
 * Spans from rows read with SPAN_SELECT. A parent stored as an ordinal is looked up among the
 * rows of the same trace and commit, so all rows of a trace must be passed together.
 */
export function rowsToSpans(
  rows: readonly (readonly DuckDBValue[])[],
  catalog: CatalogReader,
): Span[] {
  const spanIdsByGroup = new Map<string, string[]>();
  const traceIds: string[] = [];
  const spanIds: string[] = [];
  for (const row of rows) {
    const traceId = bigIntToHex(row[R.traceId] as bigint, 32);
    const spanId = bigIntToHex(row[R.spanId] as bigint, 16);
    traceIds.push(traceId);
    spanIds.push(spanId);
    const group = `${traceId}:${row[R.batch]}`;
    let ids = spanIdsByGroup.get(group);
    if (!ids) {
      ids = [];
      spanIdsByGroup.set(group, ids);
    }
    ids[row[R.ordinal] as number] ??= spanId;
  }
  return rows.map((row, i) => {
    const start = row[R.start] as bigint;
    let parentSpanId = '';
    if (row[R.parentOrdinal] !== null) {
      const group = spanIdsByGroup.get(`${traceIds[i]}:${row[R.batch]}`);
      parentSpanId = group?.[row[R.parentOrdinal] as number] ?? '';
    } else if (row[R.parentSpanId] !== null) {
      parentSpanId = bigIntToHex(row[R.parentSpanId] as bigint, 16);
    }
    const operation = catalog.operation(row[R.operationId] as number);
    const extras = extrasFromJson(row[R.extras] as string | null);
    return {
      traceId: traceIds[i]!,
      spanId: spanIds[i]!,
      parentSpanId,
      name: operation.name,
      kind: operation.kind,
      startTimeUnixNano: start,
      endTimeUnixNano: start + (row[R.duration] as bigint),
      status: { code: row[R.statusCode] as StatusCode, message: extras.statusMessage },
      traceState: extras.traceState,
      flags: row[R.flags] as number,
      resource: catalog.resource(row[R.resourceId] as number),
      scope: catalog.scope(row[R.scopeId] as number),
      attributes: readAttributeSlots(
        row[R.layout] as string | null,
        row[R.attributes] as string | null,
        (slot) => row[R.firstSlot + slot] as string | null,
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

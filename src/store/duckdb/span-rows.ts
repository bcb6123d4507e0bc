import type { DuckDBValue } from '@duckdb/node-api';
import { InvalidInputError } from '../../model/errors.ts';
import type {
  InstrumentationScope,
  Resource,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  StatusCode,
} from '../../model/span.ts';
import { attributesFromTyped, attributesToJson, attributesToTyped } from '../typed-json.ts';

export function hexToBigInt(hex: string): bigint {
  return BigInt(`0x${hex}`);
}

export function bigIntToHex(value: bigint, digits: 16 | 32): string {
  return value.toString(16).padStart(digits, '0');
}

/** One span as the values of the `spans` columns, in SPAN_COLUMNS order. */
export function spanToRow(span: Span, resourceId: bigint, scopeId: bigint): DuckDBValue[] {
  return [
    hexToBigInt(span.traceId),
    hexToBigInt(span.spanId),
    span.parentSpanId === '' ? null : hexToBigInt(span.parentSpanId),
    null, // service: filled in by the caller, which has it per resource
    span.name,
    span.kind,
    span.startTimeUnixNano,
    span.endTimeUnixNano - span.startTimeUnixNano,
    span.status.code,
    span.status.message === '' ? null : span.status.message,
    span.traceState === '' ? null : span.traceState,
    span.flags,
    resourceId,
    scopeId,
    attributesToJson(span.attributes),
    span.events.length === 0 ? null : eventsToJson(span.events),
    span.links.length === 0 ? null : linksToJson(span.links),
    span.droppedAttributesCount,
    span.droppedEventsCount,
    span.droppedLinksCount,
  ];
}

function eventsToJson(events: readonly SpanEvent[]): string {
  return JSON.stringify(
    events.map((e) => ({
      t: e.timeUnixNano.toString(),
      n: e.name,
      a: attributesToTyped(e.attributes),
      d: e.droppedAttributesCount,
    })),
  );
}

function linksToJson(links: readonly SpanLink[]): string {
  return JSON.stringify(
    links.map((l) => ({
      t: l.traceId,
      s: l.spanId,
      ts: l.traceState,
      a: attributesToTyped(l.attributes),
      d: l.droppedAttributesCount,
      f: l.flags,
    })),
  );
}

/** The columns a span is read back from, in the order of SPAN_SELECT. */
export const SPAN_SELECT = `trace_id, span_id, parent_span_id, name, kind, start_ns, duration_ns,
  status_code, status_message, trace_state, flags, resource_id, scope_id, attributes, events,
  links, dropped_attributes_count, dropped_events_count, dropped_links_count`;

export function rowToSpan(
  row: readonly DuckDBValue[],
  resource: Resource,
  scope: InstrumentationScope,
): Span {
  const start = row[5] as bigint;
  return {
    traceId: bigIntToHex(row[0] as bigint, 32),
    spanId: bigIntToHex(row[1] as bigint, 16),
    parentSpanId: row[2] === null ? '' : bigIntToHex(row[2] as bigint, 16),
    name: row[3] as string,
    kind: row[4] as SpanKind,
    startTimeUnixNano: start,
    endTimeUnixNano: start + (row[6] as bigint),
    status: { code: row[7] as StatusCode, message: (row[8] as string | null) ?? '' },
    traceState: (row[9] as string | null) ?? '',
    flags: row[10] as number,
    resource,
    scope,
    attributes: attributesFromTyped(JSON.parse(row[13] as string)),
    events: row[14] === null ? [] : eventsFromJson(row[14] as string),
    links: row[15] === null ? [] : linksFromJson(row[15] as string),
    droppedAttributesCount: row[16] as number,
    droppedEventsCount: row[17] as number,
    droppedLinksCount: row[18] as number,
  };
}

function eventsFromJson(text: string): SpanEvent[] {
  return parseArray(text).map((e) => ({
    timeUnixNano: BigInt(e.t as string),
    name: e.n as string,
    attributes: attributesFromTyped(e.a),
    droppedAttributesCount: e.d as number,
  }));
}

function linksFromJson(text: string): SpanLink[] {
  return parseArray(text).map((l) => ({
    traceId: l.t as string,
    spanId: l.s as string,
    traceState: l.ts as string,
    attributes: attributesFromTyped(l.a),
    droppedAttributesCount: l.d as number,
    flags: l.f as number,
  }));
}

function parseArray(text: string): Record<string, unknown>[] {
  const json: unknown = JSON.parse(text);
  if (!Array.isArray(json)) throw new InvalidInputError(`stored value is not an array: ${text}`);
  return json as Record<string, unknown>[];
}

import { type AnyValue, type Attribute, isKeyValueList } from '../../model/attributes.ts';
import { bytesToBase64 } from '../../model/bytes.ts';
import type {
  InstrumentationScope,
  Resource,
  Span,
  SpanEvent,
  SpanLink,
} from '../../model/span.ts';
import type {
  OtlpJsonAnyValue,
  OtlpJsonInstrumentationScope,
  OtlpJsonKeyValue,
  OtlpJsonResource,
  OtlpJsonResourceSpans,
  OtlpJsonScopeSpans,
  OtlpJsonSpan,
  OtlpJsonSpanEvent,
  OtlpJsonSpanLink,
  OtlpJsonTracesData,
} from './otlp-json-types.ts';

/**
 * Writes spans as OTLP/JSON `TracesData` (the body of an ExportTraceServiceRequest), grouped
 * by resource and then by scope, each group in order of its first span. Spans group together
 * when they share the same Resource (and InstrumentationScope) object, as decoded spans of one
 * ResourceSpans (ScopeSpans) do; equal but distinct objects make separate groups, which OTLP
 * allows. Optional fields holding their default are left out.
 *
 * The output decodes back to equal spans with decodeOtlpTracesJson, also after a trip through
 * JSON.stringify and JSON.parse.
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
export function encodeOtlpTracesJson(spans: readonly Span[]): OtlpJsonTracesData {
  const byResource = new Map<Resource, Map<InstrumentationScope, Span[]>>();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (byScope === undefined) {
      byScope = new Map();
      byResource.set(span.resource, byScope);
    }
    let group = byScope.get(span.scope);
    if (group === undefined) {
      group = [];
      byScope.set(span.scope, group);
    }
    group.push(span);
  }

  const resourceSpans: OtlpJsonResourceSpans[] = [];
  for (const [resource, byScope] of byResource) {
    const scopeSpans: OtlpJsonScopeSpans[] = [];
    for (const [scope, group] of byScope) {
      const entry: OtlpJsonScopeSpans = { scope: encodeScope(scope), spans: group.map(encodeSpan) };
      if (scope.schemaUrl !== '') entry.schemaUrl = scope.schemaUrl;
      scopeSpans.push(entry);
    }
    const entry: OtlpJsonResourceSpans = { resource: encodeResource(resource), scopeSpans };
    if (resource.schemaUrl !== '') entry.schemaUrl = resource.schemaUrl;
    resourceSpans.push(entry);
  }
  return { resourceSpans };
}

function encodeResource(resource: Resource): OtlpJsonResource {
  const out: OtlpJsonResource = { attributes: encodeAttributes(resource.attributes) };
  if (resource.droppedAttributesCount !== 0) {
    out.droppedAttributesCount = resource.droppedAttributesCount;
  }
  return out;
}

function encodeScope(scope: InstrumentationScope): OtlpJsonInstrumentationScope {
  const out: OtlpJsonInstrumentationScope = { name: scope.name };
  if (scope.version !== '') out.version = scope.version;
  if (scope.attributes.length > 0) out.attributes = encodeAttributes(scope.attributes);
  if (scope.droppedAttributesCount !== 0) out.droppedAttributesCount = scope.droppedAttributesCount;
  return out;
}

function encodeSpan(span: Span): OtlpJsonSpan {
  const out: OtlpJsonSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano.toString(),
    endTimeUnixNano: span.endTimeUnixNano.toString(),
    attributes: encodeAttributes(span.attributes),
    events: span.events.map(encodeEvent),
    links: span.links.map(encodeLink),
    status: { code: span.status.code },
  };
  if (span.parentSpanId !== '') out.parentSpanId = span.parentSpanId;
  if (span.traceState !== '') out.traceState = span.traceState;
  if (span.flags !== 0) out.flags = span.flags;
  if (span.droppedAttributesCount !== 0) out.droppedAttributesCount = span.droppedAttributesCount;
  if (span.droppedEventsCount !== 0) out.droppedEventsCount = span.droppedEventsCount;
  if (span.droppedLinksCount !== 0) out.droppedLinksCount = span.droppedLinksCount;
  if (span.status.message !== '') out.status.message = span.status.message;
  return out;
}

function encodeEvent(event: SpanEvent): OtlpJsonSpanEvent {
  const out: OtlpJsonSpanEvent = {
    timeUnixNano: event.timeUnixNano.toString(),
    name: event.name,
    attributes: encodeAttributes(event.attributes),
  };
  if (event.droppedAttributesCount !== 0) out.droppedAttributesCount = event.droppedAttributesCount;
  return out;
}

function encodeLink(link: SpanLink): OtlpJsonSpanLink {
  const out: OtlpJsonSpanLink = {
    traceId: link.traceId,
    spanId: link.spanId,
    attributes: encodeAttributes(link.attributes),
  };
  if (link.traceState !== '') out.traceState = link.traceState;
  if (link.droppedAttributesCount !== 0) out.droppedAttributesCount = link.droppedAttributesCount;
  if (link.flags !== 0) out.flags = link.flags;
  return out;
}

function encodeAttributes(attributes: readonly Attribute[]): OtlpJsonKeyValue[] {
  return attributes.map(encodeKeyValue);
}

function encodeKeyValue(attribute: Attribute): OtlpJsonKeyValue {
  return { key: attribute.key, value: encodeAnyValue(attribute.value) };
}

function encodeAnyValue(value: AnyValue): OtlpJsonAnyValue {
  if (value === null) return {};
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'bigint':
      return { intValue: value.toString() };
    case 'number':
      return { doubleValue: encodeDouble(value) };
  }
  if (value instanceof Uint8Array) return { bytesValue: bytesToBase64(value) };
  if (isKeyValueList(value)) return { kvlistValue: { values: value.kvlist.map(encodeKeyValue) } };
  return { arrayValue: { values: (value as readonly AnyValue[]).map(encodeAnyValue) } };
}

/** JSON numbers cannot be NaN, infinite or negative zero; proto3 JSON takes these as strings. */
function encodeDouble(value: number): number | 'NaN' | 'Infinity' | '-Infinity' | '-0' {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return value;
}

import {
  type AnyValue,
  type Attribute,
  attributeValueToString,
  bytesToBase64,
  type Resource,
  SPAN_KIND_NAMES,
  type Span,
  type SpanEvent,
  SpanKind,
  StatusCode,
  serviceNameOf,
} from '../../model/index.ts';
import type { DependencyLink } from '../../query/span-reader.ts';
import type {
  JaegerDependencyLink,
  JaegerKeyValue,
  JaegerLog,
  JaegerProcess,
  JaegerReference,
  JaegerSpan,
  JaegerTrace,
} from './jaeger-types.ts';

/**
 * Converts the spans of one trace to the JSON Jaeger's query service returns for
 * `GET /api/traces/{id}`, so that jaeger-ui and Grafana render it as they render Jaeger's own.
 *
 * What Jaeger's model has no field for travels as extra tags, named as Jaeger's own OTLP
 * translation names them: `span.kind`, `otel.status_code`, `otel.status_description`,
 * `error` (true for error status; jaeger-ui marks errors by it), `otel.scope.name`,
 * `otel.scope.version`, `w3c.tracestate`, and `otel.dropped_*_count` when non-zero.
 * Events become logs whose first field is `event` (the event name). Links become
 * `FOLLOWS_FROM` references (their attributes and trace state have no place in Jaeger's model).
 *
 * Spans are ordered by start time (then span id, for a stable answer). Each distinct resource
 * (service name plus resource attributes) becomes one process, `p1`, `p2`, ... in order of first
 * appearance. A span whose parent is not among `spans` keeps its `CHILD_OF` reference, as Jaeger
 * keeps it, and carries a warning saying so; jaeger-ui then shows it as a root.
 *
 * `spans` must be non-empty and share one trace id; the trace id of the first span is used.
 * @see https://github.com/jaegertracing/jaeger/blob/main/internal/uimodel/converter/v1/json/from_domain.go
 */
export function toJaegerTrace(spans: readonly Span[]): JaegerTrace {
  const sorted = [...spans].sort(
    (a, b) =>
      compareBigints(a.startTimeUnixNano, b.startTimeUnixNano) ||
      (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0),
  );
  const spanIds = new Set(sorted.map((span) => span.spanId));
  const processes = new ProcessTable();
  const jaegerSpans = sorted.map((span) => {
    const warnings: string[] = [];
    if (span.parentSpanId !== '' && !spanIds.has(span.parentSpanId)) {
      warnings.push(`parent span ${span.parentSpanId} is not in this trace`);
    }
    const jaegerSpan: JaegerSpan = {
      traceID: span.traceId,
      spanID: span.spanId,
      ...(traceFlagsOf(span) !== 0 ? { flags: traceFlagsOf(span) } : {}),
      operationName: span.name,
      references: referencesOf(span),
      startTime: nanosToMicros(span.startTimeUnixNano),
      duration: nanosToMicros(maxBigint(0n, span.endTimeUnixNano - span.startTimeUnixNano)),
      tags: spanTagsOf(span),
      logs: span.events.map(toJaegerLog),
      processID: processes.idOf(span.resource),
      warnings: warnings.length > 0 ? warnings : null,
    };
    return jaegerSpan;
  });
  return {
    traceID: sorted[0]?.traceId ?? '',
    spans: jaegerSpans,
    processes: processes.toRecord(),
    warnings: null,
  };
}

/** Jaeger's dependency links: the error counts we also keep have no place in its shape. */
export function toJaegerDependencies(links: readonly DependencyLink[]): JaegerDependencyLink[] {
  return links.map(({ parent, child, callCount, errorCount }) => ({
    parent,
    child,
    callCount,
    errorCount,
  }));
}

/** Typed Jaeger tags for attributes; see {@link toJaegerKeyValue}. */
export function toJaegerKeyValues(attributes: readonly Attribute[]): JaegerKeyValue[] {
  return attributes.map((attribute) => toJaegerKeyValue(attribute.key, attribute.value));
}

/**
 * One typed Jaeger tag: strings, bools and doubles keep their type, ints become `int64` (a JSON
 * number when exactly representable, else a decimal string, as Jaeger does), bytes `binary`
 * (base64). Jaeger has no array, map or empty type, nor non-finite doubles (JSON cannot carry
 * NaN): those become strings in our display form (arrays and maps as JSON).
 */
export function toJaegerKeyValue(key: string, value: AnyValue): JaegerKeyValue {
  switch (typeof value) {
    case 'string':
      return { key, type: 'string', value };
    case 'boolean':
      return { key, type: 'bool', value };
    case 'bigint':
      return {
        key,
        type: 'int64',
        value: Number.isSafeInteger(Number(value)) ? Number(value) : value.toString(),
      };
    case 'number':
      return Number.isFinite(value)
        ? { key, type: 'float64', value }
        : { key, type: 'string', value: String(value) };
  }
  if (value instanceof Uint8Array) return { key, type: 'binary', value: bytesToBase64(value) };
  return { key, type: 'string', value: attributeValueToString(value) };
}

function referencesOf(span: Span): JaegerReference[] {
  const references: JaegerReference[] = [];
  if (span.parentSpanId !== '') {
    references.push({ refType: 'CHILD_OF', traceID: span.traceId, spanID: span.parentSpanId });
  }
  for (const link of span.links) {
    references.push({ refType: 'FOLLOWS_FROM', traceID: link.traceId, spanID: link.spanId });
  }
  return references;
}

function spanTagsOf(span: Span): JaegerKeyValue[] {
  const tags = toJaegerKeyValues(span.attributes);
  if (span.kind !== SpanKind.unspecified) {
    tags.push({ key: 'span.kind', type: 'string', value: SPAN_KIND_NAMES[span.kind] });
  }
  if (span.scope.name !== '') {
    tags.push({ key: 'otel.scope.name', type: 'string', value: span.scope.name });
  }
  if (span.scope.version !== '') {
    tags.push({ key: 'otel.scope.version', type: 'string', value: span.scope.version });
  }
  if (span.status.code === StatusCode.ok) {
    tags.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
  } else if (span.status.code === StatusCode.error) {
    tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
    // jaeger-ui marks a span as failed only for `error` = true or 'true'. Zipkin spans carry an
    // `error` tag holding the message instead; it stays, and the marker is added beside it.
    if (!tags.some((tag) => tag.key === 'error' && (tag.value === true || tag.value === 'true'))) {
      tags.push({ key: 'error', type: 'bool', value: true });
    }
  }
  if (span.status.message !== '') {
    tags.push({ key: 'otel.status_description', type: 'string', value: span.status.message });
  }
  if (span.traceState !== '') {
    tags.push({ key: 'w3c.tracestate', type: 'string', value: span.traceState });
  }
  pushCount(tags, 'otel.dropped_attributes_count', span.droppedAttributesCount);
  pushCount(tags, 'otel.dropped_events_count', span.droppedEventsCount);
  pushCount(tags, 'otel.dropped_links_count', span.droppedLinksCount);
  return tags;
}

function toJaegerLog(event: SpanEvent): JaegerLog {
  const fields: JaegerKeyValue[] = [
    { key: 'event', type: 'string', value: event.name },
    ...toJaegerKeyValues(event.attributes),
  ];
  pushCount(fields, 'otel.dropped_attributes_count', event.droppedAttributesCount);
  return { timestamp: nanosToMicros(event.timeUnixNano), fields };
}

function pushCount(tags: JaegerKeyValue[], key: string, count: number): void {
  if (count !== 0) tags.push({ key, type: 'int64', value: count });
}

/** Assigns `p1`, `p2`, ... to distinct processes in order of first use. */
class ProcessTable {
  readonly #byResource = new Map<Resource, string>();
  readonly #byContent = new Map<string, string>();
  readonly #processes: Record<string, JaegerProcess> = {};

  idOf(resource: Resource): string {
    const known = this.#byResource.get(resource);
    if (known !== undefined) return known;
    // Spans decoded from different requests hold equal but distinct resource objects.
    const process: JaegerProcess = {
      serviceName: serviceNameOf(resource),
      tags: toJaegerKeyValues(resource.attributes.filter((a) => a.key !== 'service.name')),
    };
    const content = JSON.stringify(process);
    let id = this.#byContent.get(content);
    if (id === undefined) {
      id = `p${this.#byContent.size + 1}`;
      this.#byContent.set(content, id);
      this.#processes[id] = process;
    }
    this.#byResource.set(resource, id);
    return id;
  }

  toRecord(): Record<string, JaegerProcess> {
    return this.#processes;
  }
}

/** W3C trace flags only: the bits above them are OTLP's, not Jaeger's. */
function traceFlagsOf(span: Span): number {
  return span.flags & 0xff;
}

/** Truncates to whole microseconds, Jaeger's resolution. */
function nanosToMicros(nanos: bigint): number {
  return Number(nanos / 1000n);
}

function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

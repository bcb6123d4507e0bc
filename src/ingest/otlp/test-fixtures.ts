/**
 * Spans for the OTLP tests, made by the real OpenTelemetry SDK, so that the payloads under test
 * come from the real serializers. Test support only: imports devDependencies.
 */
import {
  type Attributes,
  createTraceState,
  type HrTime,
  type Link,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type TimedEvent,
} from '@opentelemetry/sdk-trace-base';

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const REMOTE_PARENT_ID = 'b7ad6b7169203331';
export const LINKED_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const LINKED_SPAN_ID = '00f067aa0ba902b7';
export const RESOURCE_SCHEMA_URL = 'https://opentelemetry.io/schemas/1.30.0';
export const SCOPE_SCHEMA_URL = 'https://opentelemetry.io/schemas/1.29.0';

/** HrTime [1_700_000_000 s, ns] as nanoseconds since the epoch. */
export const at = (ns: number): HrTime => [1_700_000_000, ns];
export const nanosAt = (ns: number): bigint => 1_700_000_000_000_000_000n + BigInt(ns);

export interface RecordedSpans {
  /** Child of a remote parent, with a trace state; status OK. */
  server: ReadableSpan;
  /** Child of `server`; every kind of attribute, events, links, dropped counts, status ERROR. */
  client: ReadableSpan;
  /** From a second tracer of the same provider, so in a second ScopeSpans. */
  internal: ReadableSpan;
  all: ReadableSpan[];
}

/** Records three spans with BasicTracerProvider and an InMemorySpanExporter. */
export function recordSdkSpans(): RecordedSpans {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(
      { 'service.name': 'checkout', 'host.cpus': 8, 'deployment.environment': 'test' },
      { schemaUrl: RESOURCE_SCHEMA_URL },
    ),
    spanLimits: { attributeCountLimit: 9, eventCountLimit: 2, linkCountLimit: 1 },
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('checkout-http', '2.1.0', { schemaUrl: SCOPE_SCHEMA_URL });
  const otherTracer = provider.getTracer('checkout-core');

  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: REMOTE_PARENT_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState('vendor=abc,other=1'),
  });
  const server = tracer.startSpan(
    'GET /cart',
    { kind: SpanKind.SERVER, startTime: at(100), attributes: { 'http.method': 'GET' } },
    remoteParent,
  );
  const serverContext = trace.setSpan(ROOT_CONTEXT, server);

  const linked: SpanContext = {
    traceId: LINKED_TRACE_ID,
    spanId: LINKED_SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState('linked=yes'),
  };
  const client = tracer.startSpan(
    'SELECT cart',
    {
      kind: SpanKind.CLIENT,
      startTime: at(5_000_000),
      attributes: {
        'db.system': 'postgresql',
        'db.cached': false,
        'db.rows': 42,
        'db.offset': -7,
        'db.ratio': 0.25,
        'db.tables': ['cart', 'item'],
        'db.shards': [1, 2, 3],
        'db.flags': [true, false],
        'db.weights': [0.5, 1.5],
        'over.the.limit': 'dropped',
      },
      // Over the limits, the SDK drops the oldest links and events.
      links: [
        { context: { ...linked, spanId: 'a000000000000001' } },
        { context: linked, attributes: { 'link.reason': 'batch', 'link.index': 0 } },
      ],
    },
    serverContext,
  );
  client.addEvent('dropped', undefined, at(5_500_000));
  client.addEvent('retry', { attempt: 2, 'retry.reason': 'timeout' }, at(6_000_000));
  client.addEvent('connected', undefined, at(7_000_000));
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'connection reset' });
  client.end(at(9_000_000));

  const internal = otherTracer.startSpan('price cart', { startTime: at(9_500_000) }, serverContext);
  internal.end(at(9_600_000));

  server.setStatus({ code: SpanStatusCode.OK });
  server.end(at(10_000_000));

  const all = exporter.getFinishedSpans();
  const find = (name: string): ReadableSpan => {
    const span = all.find((s) => s.name === name);
    if (span === undefined) throw new Error(`no span ${name}`);
    return span;
  };
  return {
    server: find('GET /cart'),
    client: find('SELECT cart'),
    internal: find('price cart'),
    all,
  };
}

export interface HandMadeSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: SpanKind;
  startTime?: HrTime;
  endTime?: HrTime;
  attributes?: Attributes;
  events?: TimedEvent[];
  links?: Link[];
}

const handMadeResource = resourceFromAttributes({ 'service.name': 'hand-made' });
const handMadeScope = {
  name: 'hand-made-scope',
  version: '0.0.1',
  // The SDK's scope type has no attributes yet; the serializers write them when present.
  attributes: { 'scope.kind': 'test', 'scope.level': 3 },
};

/**
 * A ReadableSpan built by hand rather than recorded, for what the SDK refuses to record (bytes
 * and key-value-list attributes, empty values, invalid ids, an end before the start), still
 * written by the real serializers. All hand-made spans share one resource and one scope.
 */
export function handMadeSpan(options: HandMadeSpan = {}): ReadableSpan {
  const traceId = options.traceId ?? TRACE_ID;
  const spanId = options.spanId ?? 'c000000000000001';
  const startTime = options.startTime ?? at(1_000);
  const endTime = options.endTime ?? at(2_000);
  return {
    name: options.name ?? 'hand-made',
    kind: options.kind ?? SpanKind.INTERNAL,
    spanContext: () => ({ traceId, spanId, traceFlags: TraceFlags.SAMPLED }),
    parentSpanContext:
      options.parentSpanId === undefined
        ? undefined
        : { traceId, spanId: options.parentSpanId, traceFlags: TraceFlags.SAMPLED },
    startTime,
    endTime,
    status: { code: SpanStatusCode.UNSET },
    attributes: options.attributes ?? {},
    links: options.links ?? [],
    events: options.events ?? [],
    duration: [0, 1_000],
    ended: true,
    resource: handMadeResource,
    instrumentationScope: handMadeScope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/**
 * Attribute values the SDK will not record but the serializers write: bytes, key-value lists
 * (nested, with arrays inside) and an empty value. The cast is the point: these break the
 * API's Attributes type on purpose.
 */
export const EXOTIC_ATTRIBUTES = {
  blob: new Uint8Array([0, 1, 2, 250, 255]),
  map: { a: 1, b: 'two', nested: { deep: true }, list: [1, 'mixed'] },
  nothing: null,
} as unknown as Attributes;

/**
 * End to end with the exporters users run: each OpenTelemetry exporter (OTLP/HTTP protobuf and
 * JSON, OTLP/gRPC, each compressed where the exporter can compress, and Zipkin) sends one realistic
 * two-service trace recorded with the SDK to a real `tracehound start` process, and every span must
 * come back from the Jaeger query API (`/api`) and its api_v3 gateway (`/api/v3`) as the SDK
 * recorded it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Attributes,
  type AttributeValue,
  type Context,
  type HrTime,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, TraceState } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type {
  JaegerDependencyLink,
  JaegerKeyValue,
  JaegerResponse,
  JaegerSpan,
  JaegerTrace,
} from '../src/api/jaeger/jaeger-types.ts';
import type {
  OtlpJsonAnyValue,
  OtlpJsonKeyValue,
  OtlpJsonResourceSpans,
  OtlpJsonSpan,
  OtlpJsonTracesData,
} from '../src/ingest/otlp/otlp-json-types.ts';
import { removeDir, type ServerProcess, startServer } from './support/server-process.ts';

/** Passes spans to a real exporter unchanged, keeping what it was given and what it answered. */
class RecordingExporter implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  readonly results: ExportResult[] = [];
  readonly #inner: SpanExporter;

  constructor(inner: SpanExporter) {
    this.#inner = inner;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(spans, (result) => {
      this.spans.push(...spans);
      this.results.push(result);
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}

type Wire = 'otlp' | 'zipkin';

interface ExporterCase {
  readonly name: string;
  /** Short, unique: it names this case's services, so searches see only its own trace. */
  readonly slug: string;
  readonly wire: Wire;
  make(server: ServerProcess): SpanExporter;
}

const EXPORTERS: readonly ExporterCase[] = [
  {
    name: 'OTLP/HTTP protobuf exporter',
    slug: 'otlp-proto',
    wire: 'otlp',
    make: (s) => new ProtoTraceExporter({ url: `${s.otlpHttpUrl}/v1/traces` }),
  },
  {
    name: 'OTLP/HTTP protobuf exporter with gzip',
    slug: 'otlp-proto-gzip',
    wire: 'otlp',
    make: (s) =>
      new ProtoTraceExporter({
        url: `${s.otlpHttpUrl}/v1/traces`,
        compression: CompressionAlgorithm.GZIP,
      }),
  },
  {
    name: 'OTLP/HTTP JSON exporter',
    slug: 'otlp-json',
    wire: 'otlp',
    make: (s) => new JsonTraceExporter({ url: `${s.otlpHttpUrl}/v1/traces` }),
  },
  {
    name: 'OTLP/gRPC exporter',
    slug: 'otlp-grpc',
    wire: 'otlp',
    make: (s) => new GrpcTraceExporter({ url: `http://${s.otlpGrpcAddress}` }),
  },
  {
    name: 'OTLP/gRPC exporter with gzip',
    slug: 'otlp-grpc-gzip',
    wire: 'otlp',
    make: (s) =>
      new GrpcTraceExporter({
        url: `http://${s.otlpGrpcAddress}`,
        compression: CompressionAlgorithm.GZIP,
      }),
  },
  {
    name: 'Zipkin exporter',
    slug: 'zipkin',
    wire: 'zipkin',
    make: (s) => new ZipkinExporter({ url: `${s.zipkinUrl}/api/v2/spans` }),
  },
];

/** What one exporter sent: the SDK's own view of every span, and the names it used. */
interface RecordedTrace {
  readonly traceId: string;
  /** The spans of the checkout trace, as the SDK handed them to the exporter. */
  readonly spans: ReadableSpan[];
  /** The span the checkout's root links to; it lives in a trace of its own. */
  readonly linkedSpan: ReadableSpan;
  readonly frontend: string;
  readonly backend: string;
  readonly startedAtMs: number;
}

const TRACE_STATE = 'shop=checkout,vendor=a1b2';

/**
 * Records a checkout through two services, each with its own provider and exporter, as two
 * instrumented processes would: the shop's client span calls the payments service, which
 * continues the trace from a remote parent context carrying a trace state.
 *
 * Times are explicit and carry sub-microsecond parts: OTLP must keep them to the nanosecond.
 * Start and event times stay below half a microsecond past the whole, so that Jaeger's truncation
 * and the Zipkin exporter's rounding agree on them; durations differ (see expectedDurationMicros).
 */
async function recordCheckout(server: ServerProcess, exporterCase: ExporterCase) {
  const frontend = `shop-${exporterCase.slug}`;
  const backend = `payments-${exporterCase.slug}`;
  const shopExporter = new RecordingExporter(exporterCase.make(server));
  const paymentsExporter = new RecordingExporter(exporterCase.make(server));
  const shopProvider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': frontend,
      'service.version': '1.4.2',
      'deployment.environment.name': 'e2e',
      'host.cores': 8,
      'shop.canary': true,
      'shop.load_factor': 0.75,
    }),
    spanProcessors: [new BatchSpanProcessor(shopExporter)],
  });
  const paymentsProvider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': backend,
      'service.namespace': 'billing',
      'service.instance.id': `payments-${exporterCase.slug}-0`,
    }),
    spanProcessors: [new SimpleSpanProcessor(paymentsExporter)],
  });
  const shop = shopProvider.getTracer('shop-http', '2.3.0');
  const payments = paymentsProvider.getTracer('payments-core', '0.9.1');

  const baseSeconds = Math.floor(Date.now() / 1000) - 60;
  const at = (ms: number, extraNanos = 0): HrTime => [
    baseSeconds + Math.floor(ms / 1000),
    (ms % 1000) * 1_000_000 + extraNanos,
  ];

  const nightly = shop.startSpan('nightly reconciliation', {
    kind: SpanKind.CONSUMER,
    startTime: at(0),
    attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': 12 },
  });
  nightly.end(at(5));

  const root = shop.startSpan('POST /checkout', {
    kind: SpanKind.SERVER,
    startTime: at(10, 123),
    attributes: {
      'http.request.method': 'POST',
      'http.route': '/checkout',
      'http.status_code': 500,
      'shop.cart.total': 42.75,
      'shop.balance_delta': -17,
      'shop.express': true,
      'shop.coupons': ['SALE10', 'GIFT'],
      'shop.item_ids': [101, 202, 303],
      'shop.weights_kg': [0.5, 1.25],
      'shop.gift_flags': [true, false],
    },
    links: [{ context: nightly.spanContext(), attributes: { 'link.reason': 'reconciles' } }],
  });
  root.addEvent('cart.validated', { 'cart.items': 3, 'cart.valid': true }, at(12, 100));
  const rootContext = trace.setSpan(ROOT_CONTEXT, root);

  const loadCart = shop.startSpan(
    'load cart',
    { kind: SpanKind.INTERNAL, startTime: at(11), attributes: { 'db.rows': 3 } },
    rootContext,
  );
  loadCart.end(at(20, 250));

  const charge = shop.startSpan(
    'POST /charge',
    {
      kind: SpanKind.CLIENT,
      startTime: at(21, 7),
      attributes: {
        'http.request.method': 'POST',
        'server.address': 'payments',
        'http.response.status_code': 402,
      },
    },
    rootContext,
  );

  // What the payments process extracts from the traceparent and tracestate headers.
  const remoteParent: Context = trace.setSpanContext(ROOT_CONTEXT, {
    ...charge.spanContext(),
    isRemote: true,
    traceState: new TraceState(TRACE_STATE),
  });
  const serve = payments.startSpan(
    'POST /charge',
    {
      kind: SpanKind.SERVER,
      startTime: at(30, 5),
      attributes: { 'payment.amount': 42.75, 'payment.currency': 'EUR' },
    },
    remoteParent,
  );
  const serveContext = trace.setSpan(remoteParent, serve);
  const fraud = payments.startSpan(
    'fraud check',
    { startTime: at(35), attributes: { 'fraud.score': 0.87, 'fraud.rules': ['velocity', 'geo'] } },
    serveContext,
  );
  fraud.end(at(60));
  const publish = payments.startSpan(
    'publish payment.declined',
    {
      kind: SpanKind.PRODUCER,
      startTime: at(200),
      attributes: { 'messaging.destination.name': 'payments' },
    },
    serveContext,
  );
  publish.end(at(205));
  serve.setStatus({ code: SpanStatusCode.OK });
  serve.end(at(240, 400));

  charge.addEvent('retry', { attempt: 2, 'backoff.ms': 12.5 }, at(22, 300));
  charge.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream answered 402' });
  charge.end(at(250));

  root.addEvent(
    'payment.failed',
    { 'payment.error': 'card declined', 'payment.retryable': false },
    at(255),
  );
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'payment declined' });
  root.end(at(260, 456));

  await Promise.all([shopProvider.forceFlush(), paymentsProvider.forceFlush()]);
  await Promise.all([shopProvider.shutdown(), paymentsProvider.shutdown()]);

  for (const exporter of [shopExporter, paymentsExporter]) {
    assert.ok(exporter.results.length > 0, `${exporterCase.name} exported`);
    for (const result of exporter.results) {
      assert.equal(
        result.code,
        ExportResultCode.SUCCESS,
        `${exporterCase.name} failed to export: ${result.error?.message}`,
      );
    }
  }
  const exported = [...shopExporter.spans, ...paymentsExporter.spans];
  const traceId = root.spanContext().traceId;
  const linkedSpan = exported.find((s) => s.spanContext().spanId === nightly.spanContext().spanId);
  assert.ok(linkedSpan, 'the linked span was exported');
  const spans = exported.filter((s) => s.spanContext().traceId === traceId);
  assert.equal(spans.length, 6, 'the SDK exported every span of the checkout');
  return {
    traceId,
    spans,
    linkedSpan,
    frontend,
    backend,
    startedAtMs: baseSeconds * 1000,
  } satisfies RecordedTrace;
}

// ---------------------------------------------------------------------------------------------
// What the server should answer for a span the SDK recorded.

const KIND_NAMES: Record<SpanKind, string> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

function hrTimeToNanos(time: HrTime): bigint {
  return BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
}

/** Truncated to whole microseconds, as Jaeger's JSON carries times. */
function hrTimeToMicros(time: HrTime): number {
  return Number(hrTimeToNanos(time) / 1000n);
}

/**
 * Jaeger truncates the nanosecond duration; the Zipkin exporter has already rounded it to whole
 * microseconds on the wire.
 */
function expectedDurationMicros(span: ReadableSpan, wire: Wire): number {
  const nanos = hrTimeToNanos(span.endTime) - hrTimeToNanos(span.startTime);
  return wire === 'zipkin' ? Math.round(Number(nanos) / 1000) : Number(nanos / 1000n);
}

/** A typed Jaeger tag for an SDK attribute: OTLP keeps the type, Zipkin sends only strings. */
function expectedTag(key: string, value: AttributeValue, wire: Wire): JaegerKeyValue {
  if (wire === 'zipkin') return { key, type: 'string', value: String(value) };
  if (Array.isArray(value)) return { key, type: 'string', value: JSON.stringify(value) };
  switch (typeof value) {
    case 'string':
      return { key, type: 'string', value };
    case 'boolean':
      return { key, type: 'bool', value };
    case 'number':
      return Number.isInteger(value)
        ? { key, type: 'int64', value }
        : { key, type: 'float64', value };
  }
  throw new Error(`unexpected attribute ${key}`);
}

function expectedTags(attributes: ReadableSpan['attributes'], wire: Wire): JaegerKeyValue[] {
  return Object.entries(attributes).map(([key, value]) =>
    expectedTag(key, value as AttributeValue, wire),
  );
}

function expectedSpanTags(span: ReadableSpan, wire: Wire): JaegerKeyValue[] {
  const tags = expectedTags(span.attributes, wire);
  const { code, message } = span.status;
  if (wire === 'zipkin') {
    // The Zipkin exporter folds the resource into every span's tags, and an error's message
    // into an `error` tag, which stays beside the boolean marker jaeger-ui reads.
    tags.push(...expectedTags(span.resource.attributes, wire));
    if (code === SpanStatusCode.ERROR && message) {
      tags.push({ key: 'error', type: 'string', value: message });
    }
    tags.push({ key: 'otel.scope.name', type: 'string', value: 'zipkin' });
  } else {
    tags.push({ key: 'otel.scope.name', type: 'string', value: span.instrumentationScope.name });
    const version = span.instrumentationScope.version;
    if (version) tags.push({ key: 'otel.scope.version', type: 'string', value: version });
    const traceState = span.spanContext().traceState?.serialize();
    if (traceState) tags.push({ key: 'w3c.tracestate', type: 'string', value: traceState });
  }
  tags.push({ key: 'span.kind', type: 'string', value: KIND_NAMES[span.kind] });
  if (code === SpanStatusCode.OK)
    tags.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
  if (code === SpanStatusCode.ERROR) {
    tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
    tags.push({ key: 'error', type: 'bool', value: true });
  }
  if (message) tags.push({ key: 'otel.status_description', type: 'string', value: message });
  return tags;
}

/** Tags in a canonical order, so that two lists compare as multisets. */
function sorted(tags: readonly JaegerKeyValue[]): JaegerKeyValue[] {
  const text = (tag: JaegerKeyValue) => JSON.stringify([tag.key, tag.type, tag.value]);
  return [...tags].sort((a, b) => compareText(text(a), text(b)));
}

/** Code-point order, as `Array.prototype.sort` orders strings. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertJaegerSpan(
  got: JaegerSpan | undefined,
  sdk: ReadableSpan,
  jaegerTrace: JaegerTrace,
  wire: Wire,
): void {
  const context = sdk.spanContext();
  const label = `span '${sdk.name}' (${context.spanId})`;
  assert.ok(got, `${label} is in the trace`);
  assert.equal(got.traceID, context.traceId, `${label} traceID`);
  assert.equal(got.spanID, context.spanId, `${label} spanID`);
  assert.equal(got.operationName, sdk.name, `${label} operationName`);
  assert.equal(got.flags, 1, `${label} flags (sampled)`);
  assert.equal(got.startTime, hrTimeToMicros(sdk.startTime), `${label} startTime in µs`);
  assert.equal(got.duration, expectedDurationMicros(sdk, wire), `${label} duration in µs`);
  const references = sdk.parentSpanContext
    ? [{ refType: 'CHILD_OF', traceID: context.traceId, spanID: sdk.parentSpanContext.spanId }]
    : [];
  if (wire === 'otlp') {
    for (const link of sdk.links) {
      references.push({
        refType: 'FOLLOWS_FROM',
        traceID: link.context.traceId,
        spanID: link.context.spanId,
      });
    }
  }
  assert.deepEqual(got.references, references, `${label} references`);
  assert.deepEqual(sorted(got.tags), sorted(expectedSpanTags(sdk, wire)), `${label} tags`);
  assert.deepEqual(
    got.logs,
    sdk.events.map((event) => ({
      timestamp: hrTimeToMicros(event.time),
      fields: [
        { key: 'event', type: 'string', value: event.name },
        ...(wire === 'otlp' ? expectedTags(event.attributes ?? {}, wire) : []),
      ],
    })),
    `${label} logs`,
  );
  assert.equal(got.warnings, null, `${label} has no warnings`);
  const process = jaegerTrace.processes[got.processID];
  assert.ok(process, `${label} process ${got.processID} is listed`);
  const resource = Object.fromEntries(
    Object.entries(sdk.resource.attributes).filter(([key]) => key !== 'service.name'),
  );
  assert.deepEqual(
    { serviceName: process.serviceName, tags: sorted(process.tags) },
    {
      serviceName: sdk.resource.attributes['service.name'],
      // Zipkin has no resource: only the service name travels in the endpoint.
      tags: wire === 'otlp' ? sorted(expectedTags(resource, wire)) : [],
    },
    `${label} process`,
  );
}

/** An SDK attribute as OTLP/JSON writes it (int64 as a decimal string). */
function expectedAnyValue(value: AttributeValue, wire: Wire): OtlpJsonAnyValue {
  if (wire === 'zipkin') return { stringValue: String(value) };
  if (Array.isArray(value)) {
    return {
      arrayValue: { values: value.map((v) => expectedAnyValue(v as AttributeValue, wire)) },
    };
  }
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  throw new Error('unexpected attribute value');
}

function expectedKeyValues(attributes: Attributes | undefined, wire: Wire): OtlpJsonKeyValue[] {
  return Object.entries(attributes ?? {}).map(([key, value]) => ({
    key,
    value: expectedAnyValue(value as AttributeValue, wire),
  }));
}

function assertOtlpJsonSpan(got: OtlpJsonSpan | undefined, sdk: ReadableSpan, wire: Wire): void {
  const context = sdk.spanContext();
  const label = `v3 span '${sdk.name}' (${context.spanId})`;
  assert.ok(got, `${label} is in the result`);
  assert.equal(got.traceId, context.traceId, `${label} traceId`);
  assert.equal(got.spanId, context.spanId, `${label} spanId`);
  assert.equal(got.parentSpanId, sdk.parentSpanContext?.spanId, `${label} parentSpanId`);
  assert.equal(got.name, sdk.name, `${label} name`);
  assert.equal(got.kind, sdk.kind + 1, `${label} kind (OTLP numbering)`);
  assert.equal(got.status?.code ?? 0, sdk.status.code, `${label} status code`);
  assert.equal(got.status?.message, sdk.status.message || undefined, `${label} status message`);
  const expectedAttributes = expectedKeyValues(sdk.attributes, wire);
  if (wire === 'otlp') {
    // Exact to the nanosecond: OTLP carries nanoseconds end to end.
    assert.equal(got.startTimeUnixNano, hrTimeToNanos(sdk.startTime).toString(), `${label} start`);
    assert.equal(got.endTimeUnixNano, hrTimeToNanos(sdk.endTime).toString(), `${label} end`);
    assert.deepEqual(got.attributes, expectedAttributes, `${label} attributes`);
    assert.equal(got.traceState, sdk.spanContext().traceState?.serialize(), `${label} traceState`);
    assert.deepEqual(
      got.links?.map((l) => [l.traceId, l.spanId, l.attributes]),
      sdk.links.map((l) => [
        l.context.traceId,
        l.context.spanId,
        expectedKeyValues(l.attributes, wire),
      ]),
      `${label} links`,
    );
    assert.deepEqual(
      got.events?.map((e) => [e.name, e.timeUnixNano, e.attributes]),
      sdk.events.map((e) => [
        e.name,
        hrTimeToNanos(e.time).toString(),
        expectedKeyValues(e.attributes, wire),
      ]),
      `${label} events`,
    );
  } else {
    for (const attribute of expectedAttributes) {
      assert.deepEqual(
        got.attributes?.find((a) => a.key === attribute.key),
        attribute,
        `${label} attribute ${attribute.key}`,
      );
    }
    assert.deepEqual(
      got.events?.map((e) => e.name),
      sdk.events.map((e) => e.name),
      `${label} events`,
    );
  }
}

// ---------------------------------------------------------------------------------------------

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = await response.text();
  assert.equal(response.status, 200, `GET ${url} answered ${response.status}: ${body}`);
  return JSON.parse(body) as T;
}

function traceIdsOf(response: JaegerResponse<JaegerTrace[]>): string[] {
  return response.data.map((t) => t.traceID).sort();
}

function serviceNameOf(resourceSpans: OtlpJsonResourceSpans): string | undefined {
  const value = resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value;
  return value && 'stringValue' in value ? value.stringValue : undefined;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

describe('real exporters against a running server (DuckDB store)', () => {
  let server: ServerProcess;

  before(async () => {
    server = await startServer({ args: ['--storage', 'duckdb'] });
  });

  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  for (const exporterCase of EXPORTERS) {
    describe(exporterCase.name, () => {
      const { wire } = exporterCase;
      let recorded: RecordedTrace;
      const api = () => `${server.queryUrl}/api`;

      before(async () => {
        recorded = await recordCheckout(server, exporterCase);
      });

      it('returns every span of the trace from /api/traces/{id} as the SDK recorded it', async () => {
        const response = await getJson<JaegerResponse<JaegerTrace[]>>(
          `${api()}/traces/${recorded.traceId}`,
        );
        assert.equal(response.errors, null);
        assert.equal(response.data.length, 1);
        const jaegerTrace = response.data[0]!;
        assert.equal(jaegerTrace.traceID, recorded.traceId);
        assert.deepEqual(
          jaegerTrace.spans.map((s) => s.spanID).sort(),
          recorded.spans.map((s) => s.spanContext().spanId).sort(),
          'exactly the recorded spans',
        );
        for (const sdk of recorded.spans) {
          const got = jaegerTrace.spans.find((s) => s.spanID === sdk.spanContext().spanId);
          assertJaegerSpan(got, sdk, jaegerTrace, wire);
        }
        assert.deepEqual(
          Object.values(jaegerTrace.processes)
            .map((p) => p.serviceName)
            .sort(),
          [recorded.backend, recorded.frontend].sort(),
          'one process per service',
        );
      });

      it('stores the linked span in its own trace', async () => {
        const linked = recorded.linkedSpan;
        const response = await getJson<JaegerResponse<JaegerTrace[]>>(
          `${api()}/traces/${linked.spanContext().traceId}`,
        );
        const jaegerTrace = response.data[0]!;
        assert.equal(jaegerTrace.spans.length, 1);
        assertJaegerSpan(jaegerTrace.spans[0], linked, jaegerTrace, wire);
      });

      it('lists both services and the operations of each', async () => {
        const services = await getJson<JaegerResponse<string[]>>(`${api()}/services`);
        assert.ok(services.data.includes(recorded.frontend), `${recorded.frontend} is listed`);
        assert.ok(services.data.includes(recorded.backend), `${recorded.backend} is listed`);
        const shopOperations = await getJson<JaegerResponse<string[]>>(
          `${api()}/services/${encodeURIComponent(recorded.frontend)}/operations`,
        );
        assert.deepEqual([...shopOperations.data].sort(), [
          'POST /charge',
          'POST /checkout',
          'load cart',
          'nightly reconciliation',
        ]);
        const paymentOperations = await getJson<JaegerResponse<string[]>>(
          `${api()}/services/${encodeURIComponent(recorded.backend)}/operations`,
        );
        assert.deepEqual([...paymentOperations.data].sort(), [
          'POST /charge',
          'fraud check',
          'publish payment.declined',
        ]);
      });

      it('lists operations by span kind from /api/operations', async () => {
        const server = await getJson<JaegerResponse<{ name: string; spanKind: string }[]>>(
          `${api()}/operations?service=${encodeURIComponent(recorded.frontend)}&spanKind=server`,
        );
        assert.deepEqual(server.data, [{ name: 'POST /checkout', spanKind: 'server' }]);
        const all = await getJson<JaegerResponse<{ name: string; spanKind: string }[]>>(
          `${api()}/operations?service=${encodeURIComponent(recorded.backend)}`,
        );
        assert.deepEqual(
          [...all.data].sort((a, b) => compareText(a.name, b.name)),
          [
            { name: 'POST /charge', spanKind: 'server' },
            { name: 'fraud check', spanKind: 'internal' },
            { name: 'publish payment.declined', spanKind: 'producer' },
          ],
        );
      });

      it('finds the trace by a tags JSON object and by tag=key:value', async () => {
        const service = encodeURIComponent(recorded.frontend);
        const byJson = await getJson<JaegerResponse<JaegerTrace[]>>(
          `${api()}/traces?service=${service}&tags=${encodeURIComponent('{"http.status_code":"500"}')}`,
        );
        assert.deepEqual(traceIdsOf(byJson), [recorded.traceId]);
        const byTag = await getJson<JaegerResponse<JaegerTrace[]>>(
          `${api()}/traces?service=${service}&tag=${encodeURIComponent('shop.express:true')}`,
        );
        assert.deepEqual(traceIdsOf(byTag), [recorded.traceId]);
        const none = await getJson<JaegerResponse<JaegerTrace[]>>(
          `${api()}/traces?service=${service}&tag=${encodeURIComponent('http.status_code:404')}`,
        );
        assert.deepEqual(traceIdsOf(none), []);
      });

      it('finds the trace by its duration with minDuration', async () => {
        const service = encodeURIComponent(recorded.frontend);
        // The checkout's root lasts 250 ms; the linked trace 5 ms.
        const slow = await getJson<JaegerResponse<JaegerTrace[]>>(
          `${api()}/traces?service=${service}&minDuration=200ms`,
        );
        assert.deepEqual(traceIdsOf(slow), [recorded.traceId]);
        const slower = await getJson<JaegerResponse<JaegerTrace[]>>(
          `${api()}/traces?service=${service}&minDuration=251ms`,
        );
        assert.deepEqual(traceIdsOf(slower), []);
      });

      it('shows the call from one service to the other in /api/dependencies', async () => {
        const dependencies = await getJson<JaegerResponse<JaegerDependencyLink[]>>(
          `${api()}/dependencies?endTs=${Date.now()}&lookback=3600000`,
        );
        const mine = dependencies.data.filter(
          (d) => d.parent === recorded.frontend || d.child === recorded.frontend,
        );
        assert.deepEqual(mine, [
          { parent: recorded.frontend, child: recorded.backend, callCount: 1, errorCount: 0 },
        ]);
      });

      it('returns the trace as OTLP JSON from /api/v3/traces/{id}', async () => {
        const { result } = await getJson<{ result: OtlpJsonTracesData }>(
          `${api()}/v3/traces/${recorded.traceId}`,
        );
        const spans = (result.resourceSpans ?? []).flatMap((rs) =>
          (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []),
        );
        assert.equal(spans.length, recorded.spans.length);
        for (const sdk of recorded.spans) {
          assertOtlpJsonSpan(
            spans.find((s) => s.spanId === sdk.spanContext().spanId),
            sdk,
            wire,
          );
        }
        const services = (result.resourceSpans ?? []).map(serviceNameOf);
        assert.deepEqual(
          [...new Set(services)].sort(),
          [recorded.backend, recorded.frontend].sort(),
        );
        if (wire === 'otlp') {
          for (const service of [recorded.frontend, recorded.backend]) {
            const sdk = recorded.spans.find(
              (s) => s.resource.attributes['service.name'] === service,
            );
            assert.ok(sdk);
            const resourceSpans = result.resourceSpans.filter(
              (rs): boolean => serviceNameOf(rs) === service,
            );
            assert.deepEqual(
              resourceSpans.map((rs) => rs.resource.attributes),
              [expectedKeyValues(sdk.resource.attributes, wire)],
              `one resource for ${service}, attributes typed`,
            );
            assert.deepEqual(
              resourceSpans[0]?.scopeSpans.map((ss) => ss.scope),
              [{ name: sdk.instrumentationScope.name, version: sdk.instrumentationScope.version }],
              `the scope of ${service}`,
            );
          }
        }
      });

      it('lists services and operations from /api/v3 and searches by service and time', async () => {
        const { services } = await getJson<{ services: string[] }>(`${api()}/v3/services`);
        assert.ok(services.includes(recorded.frontend));
        assert.ok(services.includes(recorded.backend));
        const { operations } = await getJson<{
          operations: { name: string; spanKind: string }[];
        }>(`${api()}/v3/operations?service=${encodeURIComponent(recorded.backend)}`);
        assert.deepEqual(operations.map((o) => o.name).sort(), [
          'POST /charge',
          'fraud check',
          'publish payment.declined',
        ]);

        const search = (fromMs: number, toMs: number) =>
          getJson<{ result: OtlpJsonTracesData }>(
            `${api()}/v3/traces?query.service_name=${encodeURIComponent(recorded.frontend)}` +
              `&query.start_time_min=${rfc3339(fromMs)}&query.start_time_max=${rfc3339(toMs)}`,
          );
        const traceIdsIn = ({ result }: { result: OtlpJsonTracesData }) =>
          [
            ...new Set(
              (result.resourceSpans ?? []).flatMap((rs) =>
                (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => s.traceId)),
              ),
            ),
          ].sort();
        const all = await search(recorded.startedAtMs - 1000, recorded.startedAtMs + 1000);
        assert.deepEqual(
          traceIdsIn(all),
          [recorded.traceId, recorded.linkedSpan.spanContext().traceId].sort(),
        );
        // The checkout starts 10 ms after the linked span; a window from 8 ms leaves only it.
        const later = await search(recorded.startedAtMs + 8, recorded.startedAtMs + 1000);
        assert.deepEqual(traceIdsIn(later), [recorded.traceId]);
      });
    });
  }
});

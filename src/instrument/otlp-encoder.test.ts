import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Attributes,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { decodeOtlpTracesProtobuf } from '../ingest/otlp/decode-protobuf.ts';
import { serviceNameOf } from '../model/span.ts';
import { OtlpTraceEncoder } from './otlp-encoder.ts';

/** Ends spans through a real SDK provider and returns them as an exporter receives them. */
function recordSpans(
  make: (provider: TracerProvider) => void,
  options: { resource?: Attributes; attributeLimit?: number } = {},
): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(
      options.resource ?? { 'service.name': 'checkout', 'service.version': '1.2.3' },
    ),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    ...(options.attributeLimit === undefined
      ? {}
      : { spanLimits: { attributeCountLimit: options.attributeLimit } }),
  });
  make(provider);
  return exporter.getFinishedSpans();
}

/** What the OpenTelemetry protobuf exporter sends for `spans`. */
const stock = (spans: readonly ReadableSpan[]) =>
  Buffer.from(ProtobufTraceSerializer.serializeRequest(spans as ReadableSpan[])!);

const REMOTE_PARENT = {
  traceId: '463ac35c9f6413ad48485a3953bb6124',
  spanId: 'a2fb4a1d1a96d312',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: new TraceState('vendor=opaque,other=1'),
};

/** A request's worth of spans with every kind of field and value the encoder handles. */
function variedSpans(): ReadableSpan[] {
  return recordSpans((provider) => {
    const http = provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0');
    const undici = provider.getTracer('@opentelemetry/instrumentation-undici');
    const manual = provider.getTracer('checkout', '2.0.0', {
      schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
    });
    const parent = trace.setSpanContext(ROOT_CONTEXT, REMOTE_PARENT);
    const server = http.startSpan(
      'GET /api/cart',
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'url.path': '/api/cart',
          'server.port': 8080,
          'network.peer.port': 51234,
          'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) — naïve ünïcödé 🚀',
        },
      },
      parent,
    );
    const inside = trace.setSpan(parent, server);
    const client = undici.startSpan('GET', { kind: SpanKind.CLIENT }, inside);
    client.setAttributes({
      'http.response.status_code': 503,
      'error.type': '503',
      'test.negative': -42,
      'test.big': 2 ** 40 + 3,
      'test.huge': 2 ** 62,
      'test.double': 0.25,
      'test.nan': Number.NaN,
      'test.bool': false,
      'test.strings': ['a', 'b', ''],
      'test.numbers': [1, 2.5, -3],
      'test.bools': [true, false],
      'test.long': 'x'.repeat(300),
    });
    client.setStatus({ code: SpanStatusCode.ERROR, message: 'Service Unavailable' });
    client.addEvent('retry', { attempt: 2, 'backoff.ms': 12.5 });
    client.recordException(new Error('upstream answered 503'));
    client.end();
    const linked = manual.startSpan('consume order', {
      kind: SpanKind.CONSUMER,
      links: [{ context: REMOTE_PARENT, attributes: { 'messaging.message.id': 'm-1' } }],
      root: true,
    });
    linked.end();
    manual.startSpan('internal step', {}, inside).end();
    server.setAttribute('http.route', '/api/cart');
    server.end();
  });
}

describe('OtlpTraceEncoder', () => {
  it('writes the bytes the OpenTelemetry protobuf exporter writes', () => {
    const spans = variedSpans();
    assert.equal(spans.length, 4);
    assert.deepEqual(Buffer.from(new OtlpTraceEncoder().encode(spans)), stock(spans));
  });

  it('stays identical when resources and scopes it remembers come round again', () => {
    const encoder = new OtlpTraceEncoder();
    const first = variedSpans();
    const second = variedSpans();
    assert.deepEqual(Buffer.from(encoder.encode(first)), stock(first));
    assert.deepEqual(Buffer.from(encoder.encode(second)), stock(second));
    const mixed = [second[2]!, first[0]!, second[0]!, first[3]!];
    assert.deepEqual(Buffer.from(encoder.encode(mixed)), stock(mixed));
  });

  it('groups spans of several resources, as the exporter does', () => {
    const a = recordSpans((p) => p.getTracer('t').startSpan('a').end(), {
      resource: { 'service.name': 'a' },
    });
    const b = recordSpans((p) => p.getTracer('t').startSpan('b').end(), {
      resource: { 'service.name': 'b', 'host.cores': 8, 'process.command_args': ['node', 'b.js'] },
    });
    const spans = [...a, ...b, ...a];
    assert.deepEqual(Buffer.from(new OtlpTraceEncoder().encode(spans)), stock(spans));
  });

  it('writes lengths of several bytes for large spans and large requests', () => {
    const attributes: Attributes = {};
    for (let i = 0; i < 200; i++) attributes[`attribute.${i}`] = `value ${'v'.repeat(2 * i)}`;
    const spans = recordSpans(
      (provider) => {
        const tracer = provider.getTracer('bulk');
        for (let i = 0; i < 100; i++) tracer.startSpan(`span ${i}`, { attributes }).end();
      },
      { attributeLimit: 150 },
    );
    assert.equal(spans[0]!.droppedAttributesCount, 50);
    const encoded = new OtlpTraceEncoder().encode(spans);
    // Spans past 2^14 bytes take a 3-byte length, the whole request past 2^21 a 4-byte one.
    assert.ok(encoded.length > 2 ** 21 && encoded.length / spans.length > 2 ** 14);
    assert.deepEqual(Buffer.from(encoded), stock(spans));
  });

  it('encodes an empty batch as an empty request', () => {
    assert.equal(new OtlpTraceEncoder().encode([]).length, 0);
  });

  it("is read back by Tracehound's own OTLP decoder with every field in place", () => {
    const spans = variedSpans();
    const { spans: decoded, rejectedSpans } = decodeOtlpTracesProtobuf(
      new OtlpTraceEncoder().encode(spans),
    );
    assert.equal(rejectedSpans, 0);
    assert.equal(decoded.length, spans.length);
    const server = decoded.find((s) => s.name === 'GET /api/cart')!;
    const client = decoded.find((s) => s.name === 'GET')!;
    assert.equal(server.traceId, REMOTE_PARENT.traceId);
    assert.equal(server.parentSpanId, REMOTE_PARENT.spanId);
    assert.equal(client.parentSpanId, server.spanId);
    assert.equal(server.traceState, 'vendor=opaque,other=1');
    assert.equal(serviceNameOf(server.resource), 'checkout');
    assert.equal(client.scope.name, '@opentelemetry/instrumentation-undici');
    assert.deepEqual(client.status, { code: 2, message: 'Service Unavailable' });
    assert.deepEqual(
      client.events.map((e) => e.name),
      ['retry', 'exception'],
    );
    const recorded = spans.find((s) => s.name === 'GET')!;
    assert.equal(client.startTimeUnixNano, hrTimeNanos(recorded.startTime));
    assert.equal(client.endTimeUnixNano, hrTimeNanos(recorded.endTime));
  });
});

function hrTimeNanos([seconds, nanos]: [number, number]): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}

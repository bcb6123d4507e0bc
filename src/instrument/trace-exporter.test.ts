import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { OtlpProtobufTraceExporter, traceExporterFromEnv } from './trace-exporter.ts';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function someSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0');
  for (const path of ['/api/cart', '/api/home']) {
    tracer
      .startSpan(`GET ${path}`, {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'GET', 'url.path': path, 'server.port': 8080 },
      })
      .end();
  }
  return memory.getFinishedSpans();
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) =>
    exporter.export(spans, (result) =>
      result.code === ExportResultCode.SUCCESS ? resolve() : reject(result.error),
    ),
  );
}

describe('OtlpProtobufTraceExporter', () => {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  const saved = { ...process.env };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // Read by both exporters' transport as they are made.
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `http://127.0.0.1:${port}/custom/traces`;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-tenant=acme,authorization=Bearer%20t0k';
  });

  after(() => {
    process.env = saved;
    server.close();
  });

  it('sends what the OpenTelemetry protobuf exporter sends, where the environment says', async () => {
    const spans = someSpans();
    const ours = new OtlpProtobufTraceExporter();
    const stock = new OTLPTraceExporter();
    await exportWith(ours, spans);
    await exportWith(stock, spans);
    await Promise.all([ours.shutdown(), stock.shutdown()]);
    assert.equal(received.length, 2);
    const [mine, theirs] = received as [Received, Received];
    assert.equal(mine.path, '/custom/traces');
    assert.equal(mine.path, theirs.path);
    for (const header of ['content-type', 'x-tenant', 'authorization', 'content-encoding']) {
      assert.equal(mine.headers[header], theirs.headers[header], header);
    }
    assert.equal(mine.headers['x-tenant'], 'acme');
    assert.ok(mine.body.length > 0);
    assert.deepEqual(mine.body, theirs.body);
  });
});

describe('traceExporterFromEnv', () => {
  it('exports OTLP/HTTP protobuf with its own encoder by default', () => {
    for (const env of [
      {},
      { OTEL_TRACES_EXPORTER: 'otlp' },
      { OTEL_TRACES_EXPORTER: ' otlp , otlp' },
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' },
    ]) {
      assert.ok(
        traceExporterFromEnv(env) instanceof OtlpProtobufTraceExporter,
        JSON.stringify(env),
      );
    }
  });

  it('leaves other protocols and exporters to the SDK', () => {
    for (const env of [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' },
      { OTEL_TRACES_EXPORTER: 'console' },
      { OTEL_TRACES_EXPORTER: 'zipkin' },
      { OTEL_TRACES_EXPORTER: 'otlp,console' },
      { OTEL_TRACES_EXPORTER: 'none' },
    ]) {
      assert.equal(traceExporterFromEnv(env), undefined, JSON.stringify(env));
    }
  });
});

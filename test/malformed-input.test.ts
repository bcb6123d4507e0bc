/**
 * Malformed and hostile input against a running server, protocol by protocol: each bad request
 * gets the status its protocol prescribes, nothing of a refused request is stored, the good spans
 * of a partly bad request are, and the server goes on serving afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Client, credentials, type ServiceError, status } from '@grpc/grpc-js';
import { type HrTime, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs';
import type {
  JaegerKeyValue,
  JaegerResponse,
  JaegerTrace,
} from '../src/api/jaeger/jaeger-types.ts';
import { randomId } from './support/make-span.ts';
import { removeDir, type ServerProcess, startServer } from './support/server-process.ts';

const gzipAsync = promisify(gzip);

const MAX_REQUEST_BYTES = 1_048_576;

/** The two messages a client reads back, written out here so that we decode them independently. */
const PROTO = protobuf.parse(`
  syntax = "proto3";
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
  message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
`).root;
const RpcStatus = PROTO.lookupType('Status');
const ExportResponse = PROTO.lookupType('ExportTraceServiceResponse');

interface DecodedStatus {
  code: number;
  message: string;
}

interface DecodedExportResponse {
  partialSuccess?: { rejectedSpans: number; errorMessage: string };
}

function decodeStatus(bytes: Uint8Array): DecodedStatus {
  return RpcStatus.toObject(RpcStatus.decode(bytes), { defaults: true }) as DecodedStatus;
}

function decodeExportResponse(bytes: Uint8Array): DecodedExportResponse {
  return ExportResponse.toObject(ExportResponse.decode(bytes), {
    longs: Number,
  }) as DecodedExportResponse;
}

// ---------------------------------------------------------------------------------------------
// Spans recorded by the real SDK, and altered copies of them for the bad cases.

/** Spans from the real SDK: a root and `children` children, in one new trace. */
function recordSpans(service: string, children = 1): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('malformed-input-test', '1.0.0');
  const root = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER });
  const context = trace.setSpan(ROOT_CONTEXT, root);
  for (let i = 0; i < children; i++) {
    tracer.startSpan(`SELECT orders ${i}`, { kind: SpanKind.CLIENT }, context).end();
  }
  root.setStatus({ code: SpanStatusCode.OK });
  root.end();
  const spans = exporter.getFinishedSpans();
  assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1, 'one trace');
  return spans;
}

interface SpanChanges {
  traceId?: string;
  spanId?: string;
  startTime?: HrTime;
  endTime?: HrTime;
}

/** A copy of `span` with other ids or times, as a buggy SDK might send it. */
function altered(span: ReadableSpan, changes: SpanChanges): ReadableSpan {
  const context = {
    ...span.spanContext(),
    ...(changes.traceId !== undefined ? { traceId: changes.traceId } : {}),
    ...(changes.spanId !== undefined ? { spanId: changes.spanId } : {}),
  };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => context,
    ...(span.parentSpanContext ? { parentSpanContext: span.parentSpanContext } : {}),
    startTime: changes.startTime ?? span.startTime,
    endTime: changes.endTime ?? span.endTime,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: true,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

function encodeProtobuf(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  assert.ok(bytes, 'the serializer encoded the request');
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// OTLP/JSON written by hand, since its malformed variants cannot come from an SDK.

const BASE_NANOS = 1_763_700_000_000_000_000n;

function jsonSpan(traceId: string, overrides: Record<string, unknown> = {}) {
  return {
    traceId,
    spanId: randomId(8),
    name: 'GET /json',
    kind: 2,
    startTimeUnixNano: String(BASE_NANOS),
    endTimeUnixNano: String(BASE_NANOS + 5_000_000n),
    attributes: [{ key: 'http.request.method', value: { stringValue: 'GET' } }],
    ...overrides,
  };
}

function jsonRequest(service: string, spans: unknown[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'hand-written' }, spans }],
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------

async function post(
  url: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; bytes: Uint8Array }> {
  const response = await fetch(url, { method: 'POST', body, headers });
  return {
    status: response.status,
    headers: response.headers,
    bytes: new Uint8Array(await response.arrayBuffer()),
  };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function getTrace(
  server: ServerProcess,
  traceId: string,
): Promise<{ status: number; body: JaegerResponse<JaegerTrace[] | null> }> {
  const response = await fetch(`${server.queryUrl}/api/traces/${traceId}`);
  return {
    status: response.status,
    body: (await response.json()) as JaegerResponse<JaegerTrace[]>,
  };
}

/** The span ids stored for a trace, sorted; [] when the trace is unknown. */
async function storedSpanIds(server: ServerProcess, traceId: string): Promise<string[]> {
  const { status, body } = await getTrace(server, traceId);
  if (status === 404) return [];
  assert.equal(status, 200);
  return (body.data?.[0]?.spans ?? []).map((s) => s.spanID).sort();
}

const spanIdsOf = (spans: ReadableSpan[]) => spans.map((s) => s.spanContext().spanId).sort();

function tagOf(tags: readonly JaegerKeyValue[], key: string): JaegerKeyValue | undefined {
  return tags.find((t) => t.key === key);
}

const GRPC_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** One Export call with the raw bytes given, as any client could send them. */
function grpcExport(
  client: Client,
  bytes: Uint8Array,
): Promise<{ error: ServiceError | null; response?: Buffer }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      GRPC_EXPORT,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(bytes),
      (error, response) => resolve({ error, response }),
    );
  });
}

// ---------------------------------------------------------------------------------------------

describe('malformed input (memory store, 1 MiB request limit)', () => {
  let server: ServerProcess;
  const tracesUrl = () => `${server.otlpHttpUrl}/v1/traces`;
  const PROTOBUF = { 'content-type': 'application/x-protobuf' };
  const JSON_TYPE = { 'content-type': 'application/json' };

  before(async () => {
    server = await startServer({
      args: ['--storage', 'memory', '--max-request-bytes', String(MAX_REQUEST_BYTES)],
    });
  });

  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  describe('OTLP/HTTP protobuf', () => {
    it('answers a truncated message with 400 and a google.rpc.Status, storing nothing', async () => {
      const spans = recordSpans('truncated', 3);
      const bytes = encodeProtobuf(spans);
      const response = await post(tracesUrl(), bytes.subarray(0, bytes.length - 9), PROTOBUF);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('content-type'), 'application/x-protobuf');
      const rpcStatus = decodeStatus(response.bytes);
      assert.equal(rpcStatus.code, status.INVALID_ARGUMENT);
      assert.notEqual(rpcStatus.message, '', 'the status explains the problem');
      assert.deepEqual(await storedSpanIds(server, spans[0]!.spanContext().traceId), []);
    });

    it('rejects a span with an all-zero trace id in partialSuccess and stores the rest', async () => {
      const spans = recordSpans('zero-trace-id', 2);
      const bad = altered(spans[0]!, { traceId: '0'.repeat(32) });
      const response = await post(tracesUrl(), encodeProtobuf([bad, ...spans]), PROTOBUF);
      assert.equal(response.status, 200);
      const { partialSuccess } = decodeExportResponse(response.bytes);
      assert.equal(partialSuccess?.rejectedSpans, 1);
      assert.match(partialSuccess?.errorMessage ?? '', /traceId/);
      assert.deepEqual(
        await storedSpanIds(server, spans[0]!.spanContext().traceId),
        spanIdsOf(spans),
      );
    });

    it('rejects spans with ids of the wrong length, naming the field', async () => {
      const spans = recordSpans('short-ids', 2);
      const [first, second, third] = spans;
      const shortTrace = altered(first!, { traceId: first!.spanContext().traceId.slice(2) });
      const shortSpan = altered(second!, { spanId: second!.spanContext().spanId.slice(2) });
      const response = await post(
        tracesUrl(),
        encodeProtobuf([shortTrace, shortSpan, third!]),
        PROTOBUF,
      );
      assert.equal(response.status, 200);
      const { partialSuccess } = decodeExportResponse(response.bytes);
      assert.equal(partialSuccess?.rejectedSpans, 2);
      assert.match(partialSuccess?.errorMessage ?? '', /traceId/);
      assert.match(partialSuccess?.errorMessage ?? '', /spanId/);
      assert.deepEqual(
        await storedSpanIds(server, third!.spanContext().traceId),
        spanIdsOf([third!]),
      );
    });

    it('rejects a span that ends before it starts in partialSuccess', async () => {
      const spans = recordSpans('time-travel', 1);
      const [root, child] = spans;
      const backwards = altered(child!, {
        startTime: child!.endTime,
        endTime: [child!.startTime[0] - 1, child!.startTime[1]],
      });
      const response = await post(tracesUrl(), encodeProtobuf([root!, backwards]), PROTOBUF);
      assert.equal(response.status, 200);
      const { partialSuccess } = decodeExportResponse(response.bytes);
      assert.equal(partialSuccess?.rejectedSpans, 1);
      assert.match(partialSuccess?.errorMessage ?? '', /endTimeUnixNano/);
      assert.deepEqual(
        await storedSpanIds(server, root!.spanContext().traceId),
        spanIdsOf([root!]),
      );
    });

    it('answers a plain body labelled Content-Encoding: gzip with 400', async () => {
      const spans = recordSpans('not-gzip');
      const response = await post(tracesUrl(), encodeProtobuf(spans), {
        ...PROTOBUF,
        'content-encoding': 'gzip',
      });
      assert.equal(response.status, 400);
      assert.match(decodeStatus(response.bytes).message, /gzip/);
      assert.deepEqual(await storedSpanIds(server, spans[0]!.spanContext().traceId), []);
    });

    it('answers a body over the limit with 413 and RESOURCE_EXHAUSTED', async () => {
      const response = await post(tracesUrl(), new Uint8Array(MAX_REQUEST_BYTES + 1), PROTOBUF);
      assert.equal(response.status, 413);
      assert.equal(decodeStatus(response.bytes).code, status.RESOURCE_EXHAUSTED);
    });

    it('answers a streamed body over the limit, sent without Content-Length, with 413', async () => {
      const chunk = new Uint8Array(64 * 1024);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > MAX_REQUEST_BYTES) controller.close();
          else {
            sent += chunk.length;
            controller.enqueue(chunk);
          }
        },
      });
      const response = await fetch(tracesUrl(), {
        method: 'POST',
        body,
        headers: PROTOBUF,
        duplex: 'half',
      } as RequestInit);
      assert.equal(response.status, 413);
      await response.arrayBuffer();
    });

    it('answers a small gzip body that inflates beyond the limit with 413', async () => {
      const bomb = await gzipAsync(new Uint8Array(4 * MAX_REQUEST_BYTES));
      assert.ok(bomb.length < 10_000, 'the compressed body is small');
      const response = await post(tracesUrl(), bomb, { ...PROTOBUF, 'content-encoding': 'gzip' });
      assert.equal(response.status, 413);
    });

    it('accepts a gzip-compressed request', async () => {
      const spans = recordSpans('gzipped');
      const response = await post(tracesUrl(), await gzipAsync(encodeProtobuf(spans)), {
        ...PROTOBUF,
        'content-encoding': 'gzip',
      });
      assert.equal(response.status, 200);
      assert.deepEqual(
        await storedSpanIds(server, spans[0]!.spanContext().traceId),
        spanIdsOf(spans),
      );
    });

    it('answers text/plain with 415', async () => {
      const response = await post(tracesUrl(), encodeProtobuf(recordSpans('plain')), {
        'content-type': 'text/plain',
      });
      assert.equal(response.status, 415);
      assert.match(text(response.bytes), /text\/plain/);
    });

    it('still accepts and stores a valid export after the bad requests', async () => {
      const spans = recordSpans('after-bad-protobuf', 2);
      const response = await post(tracesUrl(), encodeProtobuf(spans), PROTOBUF);
      assert.equal(response.status, 200);
      assert.equal(response.bytes.length, 0, 'full success is an empty response');
      assert.deepEqual(
        await storedSpanIds(server, spans[0]!.spanContext().traceId),
        spanIdsOf(spans),
      );
    });
  });

  describe('OTLP/HTTP JSON', () => {
    const postJson = async (body: unknown) => {
      const response = await post(
        tracesUrl(),
        typeof body === 'string' ? body : JSON.stringify(body),
        JSON_TYPE,
      );
      return { status: response.status, json: JSON.parse(text(response.bytes)) };
    };

    it('answers a body that is not JSON with 400 and {code, message}', async () => {
      const { status: httpStatus, json } = await postJson('{"resourceSpans": [');
      assert.equal(httpStatus, 400);
      assert.equal(json.code, status.INVALID_ARGUMENT);
      assert.match(json.message, /JSON/);
    });

    it('answers an envelope of the wrong type with 400 naming the field', async () => {
      const { status: httpStatus, json } = await postJson({ resourceSpans: 5 });
      assert.equal(httpStatus, 400);
      assert.match(json.message, /resourceSpans/);
    });

    it('rejects one span with a bad startTimeUnixNano in partialSuccess and stores the other', async () => {
      const traceId = randomId(16);
      const good = jsonSpan(traceId);
      const bad = jsonSpan(traceId, { startTimeUnixNano: 'abc' });
      const { status: httpStatus, json } = await postJson(jsonRequest('bad-time', [good, bad]));
      assert.equal(httpStatus, 200);
      assert.equal(json.partialSuccess.rejectedSpans, '1');
      assert.match(json.partialSuccess.errorMessage, /startTimeUnixNano/);
      assert.deepEqual(await storedSpanIds(server, traceId), [good.spanId]);
    });

    it('rejects spans with ids that are not hex, naming the field', async () => {
      const traceId = randomId(16);
      const good = jsonSpan(traceId);
      const badTrace = jsonSpan('zz'.repeat(16));
      const badSpan = jsonSpan(traceId, { spanId: 'not-hex!' });
      const { status: httpStatus, json } = await postJson(
        jsonRequest('bad-hex', [badTrace, good, badSpan]),
      );
      assert.equal(httpStatus, 200);
      assert.equal(json.partialSuccess.rejectedSpans, '2');
      assert.match(json.partialSuccess.errorMessage, /traceId/);
      assert.match(json.partialSuccess.errorMessage, /spanId/);
      assert.deepEqual(await storedSpanIds(server, traceId), [good.spanId]);
    });

    it('accepts enums by name', async () => {
      const traceId = randomId(16);
      const span = jsonSpan(traceId, {
        kind: 'SPAN_KIND_SERVER',
        status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
      });
      const { status: httpStatus, json } = await postJson(jsonRequest('enum-names', [span]));
      assert.equal(httpStatus, 200);
      assert.deepEqual(json, {});
      const { body } = await getTrace(server, traceId);
      const tags = body.data?.[0]?.spans[0]?.tags ?? [];
      assert.deepEqual(tagOf(tags, 'span.kind'), {
        key: 'span.kind',
        type: 'string',
        value: 'server',
      });
      assert.deepEqual(tagOf(tags, 'otel.status_code'), {
        key: 'otel.status_code',
        type: 'string',
        value: 'ERROR',
      });
    });

    it('accepts 64-bit integers both as strings and as numbers', async () => {
      const traceId = randomId(16);
      // A JSON number is exact only to 2^53; this end time is a multiple of 256 ns, so it is.
      const end = BASE_NANOS + 256_000_000n;
      const span = jsonSpan(traceId, {
        startTimeUnixNano: String(BASE_NANOS),
        endTimeUnixNano: Number(end),
        attributes: [
          { key: 'as.number', value: { intValue: 42 } },
          { key: 'as.string', value: { intValue: '-9007199254740993' } },
        ],
      });
      const { status: httpStatus } = await postJson(jsonRequest('int64', [span]));
      assert.equal(httpStatus, 200);
      const { body } = await getTrace(server, traceId);
      const stored = body.data?.[0]?.spans[0];
      assert.equal(stored?.startTime, Number(BASE_NANOS / 1000n));
      assert.equal(stored?.duration, 256_000);
      assert.deepEqual(tagOf(stored?.tags ?? [], 'as.number'), {
        key: 'as.number',
        type: 'int64',
        value: 42,
      });
      // Beyond 2^53 Jaeger sends int64 as a decimal string, digit for digit.
      assert.deepEqual(tagOf(stored?.tags ?? [], 'as.string'), {
        key: 'as.string',
        type: 'int64',
        value: '-9007199254740993',
      });
    });

    it('stores a 200 KB attribute value intact', async () => {
      const traceId = randomId(16);
      const huge = Array.from({ length: 200 * 1024 }, (_, i) =>
        String.fromCharCode(97 + (i % 26)),
      ).join('');
      const span = jsonSpan(traceId, {
        attributes: [{ key: 'http.request.body', value: { stringValue: huge } }],
      });
      const { status: httpStatus } = await postJson(jsonRequest('huge', [span]));
      assert.equal(httpStatus, 200);
      const { body } = await getTrace(server, traceId);
      const tag = tagOf(body.data?.[0]?.spans[0]?.tags ?? [], 'http.request.body');
      assert.equal(tag?.value, huge);
    });

    it('still accepts and stores a valid export after the bad requests', async () => {
      const traceId = randomId(16);
      const span = jsonSpan(traceId);
      const { status: httpStatus, json } = await postJson(jsonRequest('after-bad-json', [span]));
      assert.equal(httpStatus, 200);
      assert.deepEqual(json, {});
      assert.deepEqual(await storedSpanIds(server, traceId), [span.spanId]);
    });
  });

  describe('OTLP/gRPC', () => {
    let client: Client;

    before(() => {
      client = new Client(server.otlpGrpcAddress, credentials.createInsecure());
    });

    after(() => client?.close());

    const exportRaw = (bytes: Uint8Array) => grpcExport(client, bytes);

    it('answers garbage bytes with INVALID_ARGUMENT', async () => {
      const { error } = await exportRaw(
        Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]),
      );
      assert.equal(error?.code, status.INVALID_ARGUMENT);
    });

    it('answers a message over the limit with RESOURCE_EXHAUSTED', async () => {
      const { error } = await exportRaw(new Uint8Array(MAX_REQUEST_BYTES + 1));
      assert.equal(error?.code, status.RESOURCE_EXHAUSTED);
    });

    it('answers a small gzip message that inflates beyond the limit with RESOURCE_EXHAUSTED', async () => {
      // grpc.default_compression_algorithm 2 is gzip: the message travels as a few kilobytes.
      const gzipClient = new Client(server.otlpGrpcAddress, credentials.createInsecure(), {
        'grpc.default_compression_algorithm': 2,
      });
      try {
        const { error } = await grpcExport(gzipClient, new Uint8Array(4 * MAX_REQUEST_BYTES));
        assert.equal(error?.code, status.RESOURCE_EXHAUSTED);
        // Refused after inflating, not for its size on the wire: it really was compressed.
        assert.match(error?.details ?? '', /decompresses/);
      } finally {
        gzipClient.close();
      }
    });

    it('reports a span with an all-zero span id in partial_success', async () => {
      const spans = recordSpans('grpc-zero-span-id');
      const bad = altered(spans[1]!, { spanId: '0'.repeat(16) });
      const { error, response } = await exportRaw(encodeProtobuf([spans[0]!, bad]));
      assert.equal(error, null);
      const { partialSuccess } = decodeExportResponse(response!);
      assert.equal(partialSuccess?.rejectedSpans, 1);
      assert.match(partialSuccess?.errorMessage ?? '', /spanId/);
    });

    it('still accepts and stores a valid export after the bad requests', async () => {
      const spans = recordSpans('after-bad-grpc', 2);
      const { error, response } = await exportRaw(encodeProtobuf(spans));
      assert.equal(error, null);
      assert.deepEqual(decodeExportResponse(response!), {});
      assert.deepEqual(
        await storedSpanIds(server, spans[0]!.spanContext().traceId),
        spanIdsOf(spans),
      );
    });
  });

  describe('Zipkin v2', () => {
    const spansUrl = () => `${server.zipkinUrl}/api/v2/spans`;
    const zipkinSpan = (traceId: string, overrides: Record<string, unknown> = {}) => ({
      traceId,
      id: randomId(8),
      name: 'get /zipkin',
      kind: 'SERVER',
      timestamp: Number(BASE_NANOS / 1000n),
      duration: 1500,
      localEndpoint: { serviceName: 'zipkin-client' },
      ...overrides,
    });
    const postZipkin = async (body: unknown, contentType = 'application/json') => {
      const response = await post(spansUrl(), JSON.stringify(body), {
        'content-type': contentType,
      });
      return { status: response.status, body: text(response.bytes) };
    };

    it('answers a body that is not an array with 400', async () => {
      const response = await postZipkin({ traceId: randomId(16) });
      assert.equal(response.status, 400);
      assert.match(JSON.parse(response.body).message, /array/);
    });

    it('answers a bad id with 400 naming it, and stores the valid spans of the batch', async () => {
      const traceId = randomId(16);
      const good = zipkinSpan(traceId);
      const bad = zipkinSpan(traceId, { id: 'xyz' });
      const response = await postZipkin([good, bad]);
      assert.equal(response.status, 400);
      assert.match(JSON.parse(response.body).message, /\[1\]\.id/);
      assert.deepEqual(await storedSpanIds(server, traceId), [good.id]);
    });

    it('answers a wrong content type with 415', async () => {
      const response = await postZipkin([zipkinSpan(randomId(16))], 'application/x-thrift');
      assert.equal(response.status, 415);
    });

    it('answers a valid batch with 202 and stores it', async () => {
      const traceId = randomId(16);
      const spans = [zipkinSpan(traceId), zipkinSpan(traceId)];
      const response = await postZipkin(spans);
      assert.equal(response.status, 202);
      assert.deepEqual(await storedSpanIds(server, traceId), spans.map((s) => s.id).sort());
    });
  });

  describe('query API', () => {
    const getJson = async (path: string) => {
      const response = await fetch(`${server.queryUrl}${path}`);
      const body = await response.text();
      return { status: response.status, type: response.headers.get('content-type'), body };
    };

    const assertJaegerError = (
      response: { status: number; type: string | null; body: string },
      code: number,
      message: RegExp,
    ) => {
      assert.equal(response.status, code);
      assert.match(response.type ?? '', /application\/json/);
      const json = JSON.parse(response.body) as JaegerResponse<null>;
      assert.equal(json.data, null);
      assert.equal(json.errors?.length, 1);
      assert.equal(json.errors?.[0]?.code, code);
      assert.match(json.errors?.[0]?.msg ?? '', message);
    };

    it('answers a trace id that is not hex with 400 in the Jaeger error shape', async () => {
      assertJaegerError(await getJson('/api/traces/not-hex'), 400, /not-hex/);
    });

    it('answers an unknown trace id with 404 in the Jaeger error shape', async () => {
      assertJaegerError(await getJson(`/api/traces/${randomId(16)}`), 404, /not found/);
    });

    it('answers minDuration=abc with 400 naming the parameter', async () => {
      assertJaegerError(await getJson('/api/traces?minDuration=abc'), 400, /minDuration/);
    });

    it('answers /api/operations without a service with 400', async () => {
      assertJaegerError(await getJson('/api/operations'), 400, /service/);
    });

    it('answers an unknown route with 404 JSON', async () => {
      assertJaegerError(await getJson('/api/no-such-route'), 404, /no-such-route/);
    });
  });
});

describe('overload (DuckDB store, at most 1000 pending spans)', () => {
  let server: ServerProcess;
  const SPANS_PER_REQUEST = 1000;
  const REQUESTS = 16;

  before(async () => {
    server = await startServer({ args: ['--max-pending-spans', String(SPANS_PER_REQUEST)] });
  });

  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('answers concurrent exports with 200 or 429 and Retry-After, and stores every 200', async () => {
    const batches = Array.from({ length: REQUESTS }, () => {
      const traceId = randomId(16);
      const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) =>
        jsonSpan(traceId, { name: `op ${i % 10}` }),
      );
      return { traceId, body: JSON.stringify(jsonRequest('overload', spans)) };
    });
    const send = (body: string) =>
      fetch(`${server.otlpHttpUrl}/v1/traces`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    const responses = await Promise.all(batches.map((b) => send(b.body)));
    const statuses = responses.map((r) => r.status);
    for (const response of responses) {
      const body = await response.text();
      assert.ok(
        response.status === 200 || response.status === 429,
        `status ${response.status}: ${body}`,
      );
      if (response.status === 429) {
        assert.match(response.headers.get('retry-after') ?? '', /^\d+$/, 'Retry-After is set');
        assert.equal(JSON.parse(body).code, status.RESOURCE_EXHAUSTED);
      }
    }
    assert.ok(statuses.includes(200), 'some requests were accepted');
    // Each request alone fills the queue, and the others arrive while its commit runs: at least
    // one of them must be turned away (in practice all but the first are).
    assert.ok(statuses.includes(429), `some requests were refused: ${statuses.join(', ')}`);

    for (const [i, batch] of batches.entries()) {
      if (statuses[i] === 200) {
        const ids = await storedSpanIds(server, batch.traceId);
        assert.equal(
          ids.length,
          SPANS_PER_REQUEST,
          `every span of accepted request ${i} is stored`,
        );
      } else {
        assert.deepEqual(
          await storedSpanIds(server, batch.traceId),
          [],
          'a refused request stores nothing',
        );
      }
    }

    // A refused request succeeds when the client retries once the queue has drained.
    const refused = batches.filter((_, i) => statuses[i] === 429).slice(0, 2);
    for (const batch of refused) {
      const retry = await send(batch.body);
      assert.equal(retry.status, 200, await retry.text());
      assert.equal((await storedSpanIds(server, batch.traceId)).length, SPANS_PER_REQUEST);
    }
  });

  it('answers concurrent gRPC exports with OK or RESOURCE_EXHAUSTED carrying RetryInfo', async () => {
    const client = new Client(server.otlpGrpcAddress, credentials.createInsecure());
    try {
      const batches = Array.from({ length: 8 }, () => recordSpans('overload-grpc', 999));
      const results = await Promise.all(batches.map((b) => grpcExport(client, encodeProtobuf(b))));
      for (const [i, { error }] of results.entries()) {
        const traceId = batches[i]![0]!.spanContext().traceId;
        if (error === null) {
          assert.equal((await storedSpanIds(server, traceId)).length, SPANS_PER_REQUEST);
          continue;
        }
        assert.equal(error.code, status.RESOURCE_EXHAUSTED, error.message);
        // OTLP exporters retry RESOURCE_EXHAUSTED only when the server sends RetryInfo.
        const details = error.metadata.get('grpc-status-details-bin')[0];
        assert.ok(details instanceof Buffer, 'grpc-status-details-bin is set');
        const detailed = RpcStatus.toObject(RpcStatus.decode(details), { defaults: true }) as {
          code: number;
          details: { typeUrl: string }[];
        };
        assert.equal(detailed.code, status.RESOURCE_EXHAUSTED);
        assert.deepEqual(
          detailed.details.map((d) => d.typeUrl),
          ['type.googleapis.com/google.rpc.RetryInfo'],
        );
        assert.deepEqual(
          await storedSpanIds(server, traceId),
          [],
          'a refused request stores nothing',
        );
      }
      assert.ok(
        results.some((r) => r.error === null),
        'some exports were accepted',
      );
    } finally {
      client.close();
    }
  });
});

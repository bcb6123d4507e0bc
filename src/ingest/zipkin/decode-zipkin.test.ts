import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SpanKind as OtelSpanKind, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  findAttribute,
  InvalidInputError,
  type Span,
  SpanKind,
  StatusCode,
  serviceNameOf,
} from '../../model/index.ts';
import { decodeZipkinSpans } from './decode-zipkin.ts';

/** The Zipkin docs' example span (zipkin2-api.yaml), as a client sends it. */
function exampleSpan(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: '5982fe77008310cc80f1da5e10147517',
    id: '352bff9a74ca9ad2',
    parentId: '6b221d5bc9e6496c',
    name: 'get /api',
    kind: 'SERVER',
    timestamp: 1556604172355737,
    duration: 1431,
    localEndpoint: { serviceName: 'backend', ipv4: '192.168.99.1', port: 3306 },
    remoteEndpoint: { ipv4: '172.19.0.2', port: 58648 },
    tags: { 'http.method': 'GET', 'http.path': '/api', 'mvc.controller.class': 'Backend' },
    ...overrides,
  };
}

function decodeOne(span: Record<string, unknown>): Span {
  const batch = decodeZipkinSpans([span]);
  assert.deepEqual(batch.errors, []);
  assert.equal(batch.spans.length, 1);
  return batch.spans[0]!;
}

function rejectionOf(span: unknown): string {
  const batch = decodeZipkinSpans([span]);
  assert.equal(batch.spans.length, 0);
  assert.equal(batch.rejectedSpans, 1);
  assert.equal(batch.errors.length, 1);
  return batch.errors[0]!;
}

describe('decodeZipkinSpans with the OpenTelemetry Zipkin exporter', () => {
  let received: unknown[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push(JSON.parse(body));
      response.writeHead(202).end();
    });
  });
  let url = '';

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/spans`;
  });
  after(() => {
    server.close();
  });

  /** Records spans with a real SDK and exporter, and returns what reached the server, decoded. */
  async function exportAndDecode(record: (provider: BasicTracerProvider) => void) {
    received = [];
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'box-1' }),
      spanProcessors: [new SimpleSpanProcessor(new ZipkinExporter({ url }))],
    });
    record(provider);
    await provider.forceFlush();
    await provider.shutdown();
    assert.equal(received.length > 0, true, 'the exporter sent nothing');
    return decodeZipkinSpans(received.flat());
  }

  it('round-trips ids, names, kinds, times, status, events and the service', async () => {
    const ids: Record<string, { traceId: string; spanId: string }> = {};
    const batch = await exportAndDecode((provider) => {
      const tracer = provider.getTracer('checkout-lib', '1.2.3');
      const root = tracer.startSpan('GET /cart', {
        kind: OtelSpanKind.SERVER,
        startTime: [1_700_000_000, 123_456_789],
        attributes: { 'http.request.method': 'GET', 'http.response.status_code': 500 },
      });
      const parentContext = trace.setSpan(ROOT_CONTEXT, root);
      const client = tracer.startSpan(
        'SELECT cart',
        { kind: OtelSpanKind.CLIENT, startTime: [1_700_000_000, 200_000_000] },
        parentContext,
      );
      client.addEvent('retry', {}, [1_700_000_000, 250_000_000]);
      client.setStatus({ code: SpanStatusCode.ERROR, message: 'connection reset' });
      client.end([1_700_000_000, 300_000_000]);
      const internal = tracer.startSpan(
        'render',
        { startTime: [1_700_000_000, 310_000_000] },
        parentContext,
      );
      internal.setStatus({ code: SpanStatusCode.OK });
      internal.end([1_700_000_000, 320_000_000]);
      root.end([1_700_000_000, 400_000_000]);
      ids.root = root.spanContext();
      ids.client = client.spanContext();
    });

    assert.deepEqual(batch.errors, []);
    assert.equal(batch.rejectedSpans, 0);
    const byName = new Map(batch.spans.map((span) => [span.name, span]));
    const root = byName.get('GET /cart')!;
    const client = byName.get('SELECT cart')!;
    const internal = byName.get('render')!;

    assert.equal(root.traceId, ids.root!.traceId);
    assert.equal(root.spanId, ids.root!.spanId);
    assert.equal(root.parentSpanId, '');
    assert.equal(client.parentSpanId, ids.root!.spanId);
    assert.equal(client.spanId, ids.client!.spanId);

    assert.equal(root.kind, SpanKind.server);
    assert.equal(client.kind, SpanKind.client);
    assert.equal(internal.kind, SpanKind.internal);

    // The exporter sends fractional microseconds, as precise as a float64 holds them (about
    // 0.25 µs at this epoch); the decoder reads the decimal the exporter wrote.
    assert.equal(root.startTimeUnixNano, 1_700_000_000_123_456_800n);
    // The exporter rounds durations to whole microseconds.
    const endError = root.endTimeUnixNano - 1_700_000_000_400_000_000n;
    assert.ok(endError > -1000n && endError < 1000n, `end off by ${endError}ns`);
    assert.equal(client.events.length, 1);
    assert.equal(client.events[0]!.name, 'retry');
    assert.equal(client.events[0]!.timeUnixNano, 1_700_000_000_250_000_000n);

    assert.deepEqual(client.status, { code: StatusCode.error, message: 'connection reset' });
    assert.deepEqual(internal.status, { code: StatusCode.ok, message: '' });
    assert.deepEqual(root.status, { code: StatusCode.unset, message: '' });
    assert.equal(findAttribute(client.attributes, 'otel.status_code'), undefined);
    assert.equal(findAttribute(client.attributes, 'error'), 'connection reset');

    assert.equal(findAttribute(root.attributes, 'http.response.status_code'), '500');
    assert.equal(serviceNameOf(root.resource), 'checkout');
    assert.equal(root.resource, client.resource, 'spans of one service share their resource');
    assert.equal(root.scope.name, 'zipkin');
  });
});

describe('decodeZipkinSpans field mapping', () => {
  it('reads the Zipkin documentation example', () => {
    const span = decodeOne(exampleSpan());
    assert.equal(span.traceId, '5982fe77008310cc80f1da5e10147517');
    assert.equal(span.spanId, '352bff9a74ca9ad2');
    assert.equal(span.parentSpanId, '6b221d5bc9e6496c');
    assert.equal(span.name, 'get /api');
    assert.equal(span.kind, SpanKind.server);
    assert.equal(span.startTimeUnixNano, 1_556_604_172_355_737_000n);
    assert.equal(span.endTimeUnixNano, 1_556_604_172_357_168_000n);
    assert.equal(span.flags, 1);
    assert.equal(span.traceState, '');
    assert.deepEqual(span.links, []);
    assert.deepEqual(span.attributes, [
      { key: 'http.method', value: 'GET' },
      { key: 'http.path', value: '/api' },
      { key: 'mvc.controller.class', value: 'Backend' },
      { key: 'network.peer.address', value: '172.19.0.2' },
      { key: 'network.peer.port', value: 58648n },
    ]);
    assert.deepEqual(span.resource, {
      attributes: [
        { key: 'service.name', value: 'backend' },
        { key: 'host.ip', value: ['192.168.99.1'] },
        { key: 'network.local.port', value: 3306n },
      ],
      droppedAttributesCount: 0,
      schemaUrl: '',
    });
    assert.deepEqual(span.scope, {
      name: 'zipkin',
      version: '',
      attributes: [],
      droppedAttributesCount: 0,
      schemaUrl: '',
    });
  });

  it('left-pads a 64-bit trace id to 128 bits and folds hex case', () => {
    const span = decodeOne(exampleSpan({ traceId: '463AC35C9F6413AD', id: 'A2FB4A1D1A96D312' }));
    assert.equal(span.traceId, '0000000000000000463ac35c9f6413ad');
    assert.equal(span.spanId, 'a2fb4a1d1a96d312');
  });

  it('left-pads short span ids as Zipkin does', () => {
    const span = decodeOne(exampleSpan({ id: '1', parentId: 'ff' }));
    assert.equal(span.spanId, '0000000000000001');
    assert.equal(span.parentSpanId, '00000000000000ff');
  });

  it('treats a missing or null parentId as a root span', () => {
    assert.equal(decodeOne(exampleSpan({ parentId: undefined })).parentSpanId, '');
    assert.equal(decodeOne(exampleSpan({ parentId: null })).parentSpanId, '');
  });

  it('maps each Zipkin kind, and a missing kind to internal', () => {
    const cases: ReadonlyArray<readonly [unknown, SpanKind]> = [
      ['CLIENT', SpanKind.client],
      ['SERVER', SpanKind.server],
      ['PRODUCER', SpanKind.producer],
      ['CONSUMER', SpanKind.consumer],
      ['consumer', SpanKind.consumer],
      [undefined, SpanKind.internal],
      [null, SpanKind.internal],
    ];
    for (const [kind, expected] of cases) {
      assert.equal(decodeOne(exampleSpan({ kind })).kind, expected, String(kind));
    }
  });

  it('reads a missing name as empty and a missing duration as zero', () => {
    const span = decodeOne(exampleSpan({ name: undefined, duration: undefined }));
    assert.equal(span.name, '');
    assert.equal(span.endTimeUnixNano, span.startTimeUnixNano);
  });

  it('shares one resource between spans with the same local endpoint', () => {
    const batch = decodeZipkinSpans([
      exampleSpan({ id: '0000000000000001' }),
      exampleSpan({ id: '0000000000000002' }),
      exampleSpan({ id: '0000000000000003', localEndpoint: { serviceName: 'frontend' } }),
      exampleSpan({ id: '0000000000000004', localEndpoint: { serviceName: 'frontend' } }),
    ]);
    const [a, b, c, d] = batch.spans;
    assert.equal(a!.resource, b!.resource);
    assert.equal(c!.resource, d!.resource);
    assert.notEqual(a!.resource, c!.resource);
    assert.equal(a!.scope, c!.scope);
    assert.deepEqual(c!.resource.attributes, [{ key: 'service.name', value: 'frontend' }]);
  });

  it('gives a span without a local endpoint an empty resource (unknown service)', () => {
    const span = decodeOne(exampleSpan({ localEndpoint: undefined }));
    assert.deepEqual(span.resource.attributes, []);
    assert.equal(serviceNameOf(span.resource), 'unknown_service');
  });

  it('keeps ipv4 and ipv6 of the local endpoint as host.ip, and drops port 0 (unknown)', () => {
    const span = decodeOne(
      exampleSpan({ localEndpoint: { serviceName: 'db', ipv4: '10.0.0.1', ipv6: '::1', port: 0 } }),
    );
    assert.deepEqual(span.resource.attributes, [
      { key: 'service.name', value: 'db' },
      { key: 'host.ip', value: ['10.0.0.1', '::1'] },
    ]);
  });

  it('maps the remote endpoint to peer attributes', () => {
    const span = decodeOne(
      exampleSpan({
        kind: 'CLIENT',
        remoteEndpoint: {
          serviceName: 'mysql',
          ipv4: '10.0.0.9',
          ipv6: '2001:db8::c001',
          port: 3306,
        },
      }),
    );
    assert.deepEqual(span.attributes.slice(3), [
      { key: 'peer.service', value: 'mysql' },
      { key: 'network.peer.address', value: '10.0.0.9' },
      { key: 'zipkin.remote_endpoint.ipv6', value: '2001:db8::c001' },
      { key: 'network.peer.port', value: 3306n },
    ]);
    const v6 = decodeOne(exampleSpan({ remoteEndpoint: { ipv6: '2001:db8::c001' } }));
    assert.deepEqual(v6.attributes.slice(3), [
      { key: 'network.peer.address', value: '2001:db8::c001' },
    ]);
  });

  it('turns an error tag into an error status and keeps the tag', () => {
    const span = decodeOne(exampleSpan({ tags: { error: 'timeout talking to db' } }));
    assert.deepEqual(span.status, { code: StatusCode.error, message: 'timeout talking to db' });
    assert.deepEqual(span.attributes[0], { key: 'error', value: 'timeout talking to db' });
  });

  it('treats an empty error tag as an error without a message', () => {
    const span = decodeOne(exampleSpan({ tags: { error: '' } }));
    assert.deepEqual(span.status, { code: StatusCode.error, message: '' });
  });

  it('reads otel.status_code and otel.status_description into the status', () => {
    const error = decodeOne(
      exampleSpan({
        tags: { 'otel.status_code': 'ERROR', 'otel.status_description': 'boom', error: 'boom' },
      }),
    );
    assert.deepEqual(error.status, { code: StatusCode.error, message: 'boom' });
    assert.deepEqual(
      error.attributes.filter((a) => a.key.startsWith('otel.')),
      [],
      'status tags live in the status, not in attributes',
    );
    const ok = decodeOne(exampleSpan({ tags: { 'otel.status_code': 'OK' } }));
    assert.deepEqual(ok.status, { code: StatusCode.ok, message: '' });
    const unset = decodeOne(exampleSpan({ tags: { 'otel.status_code': 'UNSET', error: 'x' } }));
    assert.deepEqual(unset.status, { code: StatusCode.unset, message: '' });
  });

  it('keeps an otel.status_code it cannot read as an attribute', () => {
    const span = decodeOne(exampleSpan({ tags: { 'otel.status_code': 'MAYBE' } }));
    assert.deepEqual(span.status, { code: StatusCode.unset, message: '' });
    assert.equal(findAttribute(span.attributes, 'otel.status_code'), 'MAYBE');
  });

  it('takes the scope from otel.scope.* or otel.library.* tags', () => {
    const scoped = decodeOne(
      exampleSpan({ tags: { 'otel.scope.name': 'pg', 'otel.scope.version': '8.1' } }),
    );
    assert.equal(scoped.scope.name, 'pg');
    assert.equal(scoped.scope.version, '8.1');
    const library = decodeOne(
      exampleSpan({ tags: { 'otel.library.name': 'redis', 'otel.library.version': '4' } }),
    );
    assert.equal(library.scope.name, 'redis');
    assert.equal(library.scope.version, '4');
    assert.deepEqual(library.attributes.slice(0, 1), [
      { key: 'network.peer.address', value: '172.19.0.2' },
    ]);
  });

  it('reads the trace state and dropped counts the OpenTelemetry exporter writes as tags', () => {
    const span = decodeOne(
      exampleSpan({
        tags: {
          'w3c.tracestate': 'vendor=abc',
          'otel.dropped_attributes_count': '3',
          'otel.dropped_events_count': '2',
          'otel.dropped_links_count': '1',
        },
      }),
    );
    assert.equal(span.traceState, 'vendor=abc');
    assert.equal(span.droppedAttributesCount, 3);
    assert.equal(span.droppedEventsCount, 2);
    assert.equal(span.droppedLinksCount, 1);
  });

  it('turns numeric and boolean tag values into strings', () => {
    const span = decodeOne(exampleSpan({ tags: { 'http.status_code': 200, cached: false } }));
    assert.deepEqual(span.attributes.slice(0, 2), [
      { key: 'http.status_code', value: '200' },
      { key: 'cached', value: 'false' },
    ]);
  });

  it('maps annotations to events', () => {
    const span = decodeOne(
      exampleSpan({
        annotations: [
          { timestamp: 1556604172355800, value: 'ws' },
          { timestamp: 1556604172355900.5, value: 'wr' },
        ],
      }),
    );
    assert.deepEqual(span.events, [
      {
        timeUnixNano: 1_556_604_172_355_800_000n,
        name: 'ws',
        attributes: [],
        droppedAttributesCount: 0,
      },
      {
        timeUnixNano: 1_556_604_172_355_900_500n,
        name: 'wr',
        attributes: [],
        droppedAttributesCount: 0,
      },
    ]);
  });

  it('keeps shared and debug as attributes', () => {
    const span = decodeOne(exampleSpan({ shared: true, debug: true, remoteEndpoint: undefined }));
    assert.deepEqual(span.attributes.slice(3), [
      { key: 'zipkin.shared', value: true },
      { key: 'zipkin.debug', value: true },
    ]);
    const plain = decodeOne(
      exampleSpan({ shared: false, debug: false, remoteEndpoint: undefined }),
    );
    assert.equal(plain.attributes.length, 3);
  });
});

describe('decodeZipkinSpans rejections', () => {
  it('throws InvalidInputError when the body is not an array', () => {
    for (const body of [{}, 'spans', null, 42, { spans: [] }]) {
      assert.throws(() => decodeZipkinSpans(body), InvalidInputError);
    }
  });

  it('accepts an empty list', () => {
    assert.deepEqual(decodeZipkinSpans([]), { spans: [], rejectedSpans: 0, errors: [] });
  });

  const cases: ReadonlyArray<readonly [string, unknown, string]> = [
    ['a span that is not an object', 'span', '[0]: must be an object'],
    [
      'a missing trace id',
      exampleSpan({ traceId: undefined }),
      '[0].traceId: must be a hex string',
    ],
    [
      'a non-hex trace id',
      exampleSpan({ traceId: 'xyz' }),
      "[0].traceId: must be 1 to 32 hex characters (got 'xyz')",
    ],
    [
      'a 33-digit trace id',
      exampleSpan({ traceId: '1'.repeat(33) }),
      '[0].traceId: must be 1 to 32',
    ],
    [
      'an all-zero trace id',
      exampleSpan({ traceId: '0'.repeat(16) }),
      '[0].traceId: must not be all zero',
    ],
    ['a numeric span id', exampleSpan({ id: 12 }), '[0].id: must be a hex string, got a number'],
    ['a 17-digit span id', exampleSpan({ id: '1'.repeat(17) }), '[0].id: must be 1 to 16'],
    ['a bad parent id', exampleSpan({ parentId: 'nope' }), '[0].parentId: must be 1 to 16'],
    [
      'a span that is its own parent',
      exampleSpan({ parentId: '352bff9a74ca9ad2' }),
      '[0].parentSpanId: a span cannot be its own parent',
    ],
    [
      'an unknown kind',
      exampleSpan({ kind: 'ROUTER' }),
      "[0].kind: must be CLIENT, SERVER, PRODUCER or CONSUMER (got 'ROUTER')",
    ],
    ['a missing timestamp', exampleSpan({ timestamp: undefined }), '[0].timestamp: must be set'],
    [
      'a string timestamp',
      exampleSpan({ timestamp: '1556604172355737' }),
      '[0].timestamp: must be a non-negative number',
    ],
    ['a zero timestamp', exampleSpan({ timestamp: 0 }), '[0].startTimeUnixNano: must be set'],
    [
      'a negative duration',
      exampleSpan({ duration: -5 }),
      '[0].duration: must be a non-negative number',
    ],
    ['a non-string name', exampleSpan({ name: 7 }), '[0].name: must be a string'],
    [
      'tags that are not an object',
      exampleSpan({ tags: ['a', 'b'] }),
      '[0].tags: must be an object, got an array',
    ],
    [
      'a tag holding an object',
      exampleSpan({ tags: { a: { b: 1 } } }),
      '[0].tags["a"]: must be a string, got an object',
    ],
    [
      'annotations that are not an array',
      exampleSpan({ annotations: {} }),
      '[0].annotations: must be an array',
    ],
    [
      'an annotation without a timestamp',
      exampleSpan({ annotations: [{ value: 'x' }] }),
      '[0].annotations[0].timestamp: must be set',
    ],
    [
      'a local endpoint that is a string',
      exampleSpan({ localEndpoint: 'backend' }),
      '[0].localEndpoint: must be an object',
    ],
    [
      'a port out of range',
      exampleSpan({ remoteEndpoint: { port: 70000 } }),
      '[0].remoteEndpoint.port: must be an integer from 0 to 65535',
    ],
    [
      'a numeric service name',
      exampleSpan({ localEndpoint: { serviceName: 1 } }),
      '[0].localEndpoint.serviceName: must be a string',
    ],
    ['a string shared flag', exampleSpan({ shared: 'true' }), '[0].shared: must be a boolean'],
  ];
  for (const [what, span, message] of cases) {
    it(`rejects ${what}`, () => {
      const error = rejectionOf(span);
      assert.ok(error.startsWith(message), `'${error}' should start with '${message}'`);
    });
  }

  it('rejects bad spans one by one, keeping the good ones and naming each by index', () => {
    const batch = decodeZipkinSpans([
      exampleSpan({ id: '0000000000000001' }),
      exampleSpan({ id: 'xyz' }),
      exampleSpan({ id: '0000000000000003' }),
      exampleSpan({ id: '0000000000000004', timestamp: undefined }),
    ]);
    assert.deepEqual(
      batch.spans.map((span) => span.spanId),
      ['0000000000000001', '0000000000000003'],
    );
    assert.equal(batch.rejectedSpans, 2);
    assert.equal(batch.errors.length, 2);
    assert.match(batch.errors[0]!, /^\[1\]\.id: /);
    assert.match(batch.errors[1]!, /^\[3\]\.timestamp: /);
  });

  it('reports at most ten errors however many spans are rejected', () => {
    const batch = decodeZipkinSpans(Array.from({ length: 25 }, () => 'junk'));
    assert.equal(batch.rejectedSpans, 25);
    assert.equal(batch.errors.length, 10);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeSpan } from '../../../test/support/make-span.ts';
import {
  type InstrumentationScope,
  type Resource,
  type Span,
  SpanKind,
  StatusCode,
} from '../../model/index.ts';
import type { JaegerTrace } from './jaeger-types.ts';
import { toJaegerDependencies, toJaegerKeyValue, toJaegerTrace } from './to-jaeger.ts';

const TRACE = '5982fe77008310cc80f1da5e10147517';
const OTHER_TRACE = '0000000000000000463ac35c9f6413ad';
const T0 = 1_700_000_000_000_000_000n;

const frontend: Resource = {
  attributes: [
    { key: 'service.name', value: 'frontend' },
    { key: 'host.name', value: 'web-1' },
    { key: 'process.pid', value: 42n },
  ],
  droppedAttributesCount: 0,
  schemaUrl: '',
};
/** Equal to `frontend` but another object, as when spans arrive in different requests. */
const frontendAgain: Resource = { ...frontend, attributes: [...frontend.attributes] };
const database: Resource = {
  attributes: [{ key: 'service.name', value: 'postgres' }],
  droppedAttributesCount: 0,
  schemaUrl: '',
};
const noScope: InstrumentationScope = {
  name: '',
  version: '',
  attributes: [],
  droppedAttributesCount: 0,
  schemaUrl: '',
};

/** A span of TRACE with this test's defaults: no flags, unspecified kind, `frontend`, no scope. */
function span(fields: Partial<Span> & Pick<Span, 'spanId'>): Span {
  return makeSpan({
    traceId: TRACE,
    flags: 0,
    name: 'op',
    kind: SpanKind.unspecified,
    startTimeUnixNano: T0,
    endTimeUnixNano: T0 + 1_000n,
    resource: frontend,
    scope: noScope,
    ...fields,
  });
}

const root = span({
  spanId: '00000000000000a1',
  name: 'GET /cart',
  kind: SpanKind.server,
  // 1.5 µs past T0 and 2 ms long: Jaeger keeps whole microseconds.
  startTimeUnixNano: T0 + 1_500n,
  endTimeUnixNano: T0 + 1_500n + 2_000_000n,
  flags: 0x101, // sampled, plus OTLP's "parent is remote" bits, which Jaeger has no use for
  traceState: 'vendor=abc',
  attributes: [
    { key: 'http.request.method', value: 'GET' },
    { key: 'cached', value: false },
    { key: 'http.response.status_code', value: 200n },
    { key: 'big', value: 1n << 60n },
    { key: 'ratio', value: 0.25 },
    { key: 'not.a.number', value: Number.NaN },
    { key: 'blob', value: new Uint8Array([0, 0, 0x30, 0x39]) },
    { key: 'tags', value: ['a', 1n, true] },
    { key: 'map', value: { kvlist: [{ key: 'k', value: 'v' }] } },
    { key: 'nothing', value: null },
  ],
  scope: {
    name: '@opentelemetry/instrumentation-http',
    version: '0.52.0',
    attributes: [],
    droppedAttributesCount: 0,
    schemaUrl: '',
  },
});

const client = span({
  spanId: '00000000000000b2',
  parentSpanId: '00000000000000a1',
  name: 'SELECT cart',
  kind: SpanKind.client,
  startTimeUnixNano: T0 + 100_000n,
  endTimeUnixNano: T0 + 900_000n,
  resource: frontendAgain,
  status: { code: StatusCode.error, message: 'connection reset' },
  events: [
    {
      timeUnixNano: T0 + 500_000n,
      name: 'exception',
      attributes: [
        { key: 'exception.type', value: 'ECONNRESET' },
        { key: 'attempt', value: 2n },
      ],
      droppedAttributesCount: 1,
    },
  ],
  links: [
    {
      traceId: OTHER_TRACE,
      spanId: '00000000000000ff',
      traceState: '',
      attributes: [],
      droppedAttributesCount: 0,
      flags: 0,
    },
  ],
  droppedAttributesCount: 3,
  droppedEventsCount: 2,
  droppedLinksCount: 1,
});

const query = span({
  spanId: '00000000000000c3',
  parentSpanId: '00000000000000b2',
  name: 'SELECT',
  kind: SpanKind.server,
  startTimeUnixNano: T0 + 200_000n,
  endTimeUnixNano: T0 + 800_000n,
  resource: database,
  status: { code: StatusCode.ok, message: '' },
});

const orphan = span({
  spanId: '00000000000000d4',
  parentSpanId: '00000000000000ee',
  name: 'late',
  kind: SpanKind.internal,
  startTimeUnixNano: T0 + 300_000n,
  endTimeUnixNano: T0 + 300_000n,
});

const expected: JaegerTrace = {
  traceID: TRACE,
  spans: [
    {
      traceID: TRACE,
      spanID: '00000000000000a1',
      flags: 1,
      operationName: 'GET /cart',
      references: [],
      startTime: 1_700_000_000_000_001,
      duration: 2_000,
      tags: [
        { key: 'http.request.method', type: 'string', value: 'GET' },
        { key: 'cached', type: 'bool', value: false },
        { key: 'http.response.status_code', type: 'int64', value: 200 },
        { key: 'big', type: 'int64', value: '1152921504606846976' },
        { key: 'ratio', type: 'float64', value: 0.25 },
        { key: 'not.a.number', type: 'string', value: 'NaN' },
        { key: 'blob', type: 'binary', value: 'AAAwOQ==' },
        { key: 'tags', type: 'string', value: '["a",1,true]' },
        { key: 'map', type: 'string', value: '{"k":"v"}' },
        { key: 'nothing', type: 'string', value: '' },
        { key: 'span.kind', type: 'string', value: 'server' },
        { key: 'otel.scope.name', type: 'string', value: '@opentelemetry/instrumentation-http' },
        { key: 'otel.scope.version', type: 'string', value: '0.52.0' },
        { key: 'w3c.tracestate', type: 'string', value: 'vendor=abc' },
      ],
      logs: [],
      processID: 'p1',
      warnings: null,
    },
    {
      traceID: TRACE,
      spanID: '00000000000000b2',
      operationName: 'SELECT cart',
      references: [
        { refType: 'CHILD_OF', traceID: TRACE, spanID: '00000000000000a1' },
        { refType: 'FOLLOWS_FROM', traceID: OTHER_TRACE, spanID: '00000000000000ff' },
      ],
      startTime: 1_700_000_000_000_100,
      duration: 800,
      tags: [
        { key: 'span.kind', type: 'string', value: 'client' },
        { key: 'otel.status_code', type: 'string', value: 'ERROR' },
        { key: 'error', type: 'bool', value: true },
        { key: 'otel.status_description', type: 'string', value: 'connection reset' },
        { key: 'otel.dropped_attributes_count', type: 'int64', value: 3 },
        { key: 'otel.dropped_events_count', type: 'int64', value: 2 },
        { key: 'otel.dropped_links_count', type: 'int64', value: 1 },
      ],
      logs: [
        {
          timestamp: 1_700_000_000_000_500,
          fields: [
            { key: 'event', type: 'string', value: 'exception' },
            { key: 'exception.type', type: 'string', value: 'ECONNRESET' },
            { key: 'attempt', type: 'int64', value: 2 },
            { key: 'otel.dropped_attributes_count', type: 'int64', value: 1 },
          ],
        },
      ],
      processID: 'p1',
      warnings: null,
    },
    {
      traceID: TRACE,
      spanID: '00000000000000c3',
      operationName: 'SELECT',
      references: [{ refType: 'CHILD_OF', traceID: TRACE, spanID: '00000000000000b2' }],
      startTime: 1_700_000_000_000_200,
      duration: 600,
      tags: [
        { key: 'span.kind', type: 'string', value: 'server' },
        { key: 'otel.status_code', type: 'string', value: 'OK' },
      ],
      logs: [],
      processID: 'p2',
      warnings: null,
    },
    {
      traceID: TRACE,
      spanID: '00000000000000d4',
      operationName: 'late',
      references: [{ refType: 'CHILD_OF', traceID: TRACE, spanID: '00000000000000ee' }],
      startTime: 1_700_000_000_000_300,
      duration: 0,
      tags: [{ key: 'span.kind', type: 'string', value: 'internal' }],
      logs: [],
      processID: 'p1',
      warnings: ['parent span 00000000000000ee is not in this trace'],
    },
  ],
  processes: {
    p1: {
      serviceName: 'frontend',
      tags: [
        { key: 'host.name', type: 'string', value: 'web-1' },
        { key: 'process.pid', type: 'int64', value: 42 },
      ],
    },
    p2: { serviceName: 'postgres', tags: [] },
  },
  warnings: null,
};

describe('toJaegerTrace', () => {
  it('produces the shape Jaeger query returns, spans sorted by start time', () => {
    const trace = toJaegerTrace([orphan, query, client, root]);
    assert.deepEqual(trace, expected);
  });

  it('produces plain JSON (no bigints, no undefined fields)', () => {
    const trace = toJaegerTrace([root, client, query, orphan]);
    assert.deepEqual(JSON.parse(JSON.stringify(trace)), expected);
    for (const jaegerSpan of trace.spans) {
      assert.ok(!Object.values(jaegerSpan).includes(undefined));
    }
  });

  it('omits flags when zero, as Jaeger does', () => {
    const trace = toJaegerTrace([client]);
    assert.equal('flags' in trace.spans[0]!, false);
  });

  it('leaves out span.kind for an unspecified kind', () => {
    const trace = toJaegerTrace([span({ spanId: '0000000000000001' })]);
    assert.deepEqual(trace.spans[0]!.tags, []);
  });

  it('gives each distinct resource its own process, equal ones the same', () => {
    const other: Resource = {
      attributes: [
        { key: 'service.name', value: 'frontend' },
        { key: 'host.name', value: 'web-2' },
      ],
      droppedAttributesCount: 0,
      schemaUrl: '',
    };
    const trace = toJaegerTrace([
      span({ spanId: '0000000000000001', resource: frontend }),
      span({ spanId: '0000000000000002', resource: other }),
      span({ spanId: '0000000000000003', resource: frontendAgain }),
    ]);
    assert.deepEqual(
      trace.spans.map((s) => s.processID),
      ['p1', 'p2', 'p1'],
    );
    assert.equal(trace.processes.p2!.serviceName, 'frontend');
  });

  it('names a resource without service.name unknown_service', () => {
    const anonymous: Resource = { attributes: [], droppedAttributesCount: 0, schemaUrl: '' };
    const trace = toJaegerTrace([span({ spanId: '0000000000000001', resource: anonymous })]);
    assert.deepEqual(trace.processes, { p1: { serviceName: 'unknown_service', tags: [] } });
  });

  it('adds error=true beside a Zipkin error tag holding the message', () => {
    const zipkin = span({
      spanId: '0000000000000001',
      attributes: [{ key: 'error', value: 'timeout' }],
      status: { code: StatusCode.error, message: 'timeout' },
    });
    const tags = toJaegerTrace([zipkin]).spans[0]!.tags.filter((tag) => tag.key === 'error');
    assert.deepEqual(tags, [
      { key: 'error', type: 'string', value: 'timeout' },
      { key: 'error', type: 'bool', value: true },
    ]);
  });

  it('does not repeat an error=true tag the span already has', () => {
    const tagged = span({
      spanId: '0000000000000001',
      attributes: [{ key: 'error', value: true }],
      status: { code: StatusCode.error, message: '' },
    });
    const tags = toJaegerTrace([tagged]).spans[0]!.tags.filter((tag) => tag.key === 'error');
    assert.deepEqual(tags, [{ key: 'error', type: 'bool', value: true }]);
  });

  it('clamps a negative duration to zero', () => {
    const backwards = span({
      spanId: '0000000000000001',
      startTimeUnixNano: T0,
      endTimeUnixNano: T0 - 5_000n,
    });
    assert.equal(toJaegerTrace([backwards]).spans[0]!.duration, 0);
  });
});

describe('toJaegerKeyValue', () => {
  it('keeps the most negative safe integer a number and the next one a string', () => {
    assert.deepEqual(toJaegerKeyValue('n', -(2n ** 53n) + 1n), {
      key: 'n',
      type: 'int64',
      value: -9007199254740991,
    });
    assert.deepEqual(toJaegerKeyValue('n', -(2n ** 53n)), {
      key: 'n',
      type: 'int64',
      value: '-9007199254740992',
    });
  });
});

describe('toJaegerDependencies', () => {
  it('keeps parent, child, call count and error count', () => {
    assert.deepEqual(
      toJaegerDependencies([
        { parent: 'frontend', child: 'postgres', callCount: 7, errorCount: 2 },
      ]),
      [{ parent: 'frontend', child: 'postgres', callCount: 7, errorCount: 2 }],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCorpus } from '../../test/fixtures/analysis-corpus/corpus.fixtures.ts';
import { BASE_TIME_NS, MS, makeResource, makeSpan } from '../../test/support/make-span.ts';
import { checkoutTrace, largeTrace } from '../../test/ui/ui-traces.ts';
import type { Span } from './span.ts';
import { decodeTraceColumns, encodeTraceColumns } from './trace-columns.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** Encodes, goes through JSON text as over the network, and decodes. */
function roundTrip(spans: readonly Span[]): Span[] {
  const decoded = decodeTraceColumns(
    JSON.parse(JSON.stringify(encodeTraceColumns(spans[0]!.traceId, spans))),
  );
  if (!decoded.ok) assert.fail(decoded.error);
  return decoded.spans;
}

/** A valid body of one span, for the malformed cases to break. */
function validBody(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(encodeTraceColumns(TRACE, [makeSpan({ traceId: TRACE })])));
}

describe('trace columns', () => {
  it('writes the v1 wire format, which pages already loaded in browsers still read', () => {
    const resource = makeResource('cart');
    const scope = {
      name: 'http',
      version: '1.2',
      attributes: [],
      droppedAttributesCount: 0,
      schemaUrl: '',
    };
    const common = { traceId: TRACE, flags: 1, resource, scope };
    const root = makeSpan({
      ...common,
      spanId: '00000000000000a1',
      name: 'GET /cart',
      kind: 2,
      startTimeUnixNano: BASE_TIME_NS,
      endTimeUnixNano: BASE_TIME_NS + 40n * MS,
      status: { code: 2, message: 'boom' },
      attributes: [
        { key: 'http.route', value: '/cart' },
        { key: 'cached', value: true },
        { key: 'http.response.status_code', value: 500n },
        { key: 'ratio', value: 0.5 },
        { key: 'nan', value: Number.NaN },
        { key: 'blob', value: new Uint8Array([1, 2, 3]) },
        { key: 'tags', value: ['a', 2n] },
        { key: 'map', value: { kvlist: [{ key: 'k', value: '/cart' }] } },
        { key: 'unset', value: null },
      ],
    });
    const child = makeSpan({
      ...common,
      spanId: '00000000000000a2',
      parentSpanId: '00000000000000a1',
      name: 'SELECT',
      kind: 3,
      traceState: 'v=1',
      startTimeUnixNano: BASE_TIME_NS + 5n * MS,
      endTimeUnixNano: BASE_TIME_NS + 25n * MS,
      events: [
        {
          timeUnixNano: BASE_TIME_NS + 6n * MS,
          name: 'retry',
          attributes: [],
          droppedAttributesCount: 0,
        },
      ],
      links: [
        {
          traceId: 'f'.repeat(32),
          spanId: 'e'.repeat(16),
          traceState: '',
          attributes: [],
          droppedAttributesCount: 0,
          flags: 1,
        },
      ],
      droppedAttributesCount: 2,
    });
    // Its parent is not in the trace, and it starts first: the base is its start.
    const orphan = makeSpan({
      ...common,
      spanId: '00000000000000a3',
      parentSpanId: '00000000000000ff',
      name: 'SELECT',
      kind: 3,
      startTimeUnixNano: BASE_TIME_NS - 1n,
      endTimeUnixNano: BASE_TIME_NS + 1n,
    });
    const spans = [root, child, orphan];
    const body = JSON.parse(JSON.stringify(encodeTraceColumns(TRACE, spans)));
    assert.deepEqual(body, {
      format: 'tracehound.trace-columns.v1',
      traceId: TRACE,
      baseUnixNano: (BASE_TIME_NS - 1n).toString(),
      strings: [
        '',
        'GET /cart',
        'boom',
        'service.name',
        'cart',
        'http',
        '1.2',
        'http.route',
        '/cart',
        'cached',
        'http.response.status_code',
        'ratio',
        'nan',
        'blob',
        'tags',
        'a',
        'map',
        'k',
        'unset',
        'SELECT',
        'v=1',
        'retry',
        'f'.repeat(32),
        'e'.repeat(16),
      ],
      resources: [[[3, 0, 4], 0, 0]],
      scopes: [[5, 6, [], 0, 0]],
      spanIds: ['00000000000000a1', '00000000000000a2', '00000000000000a3'],
      parents: [-1, 0, '00000000000000ff'],
      names: [1, 19, 19],
      kinds: [2, 3, 3],
      starts: [1, 5_000_001, 0],
      durations: [40_000_000, 20_000_000, 2],
      statusCodes: [2, 0, 0],
      statusMessages: [2, 0, 0],
      traceStates: [0, 20, 0],
      flags: [1, 1, 1],
      resourceOf: [0, 0, 0],
      scopeOf: [0, 0, 0],
      attributes: [
        // biome-ignore format: one key, tag, payload triple per line
        [
          7, 0, 8, // string
          9, 1, 1, // bool
          10, 2, 500, // int
          11, 3, 0.5, // double
          12, 3, 'NaN', // double that JSON has no number for
          13, 4, 'AQID', // bytes
          14, 5, [0, 15, 2, 2], // array
          16, 6, [17, 0, 8], // kvlist
          18, 7, 0, // empty
        ],
        [],
        [],
      ],
      events: [[1, [[6_000_001, 21, [], 0]]]],
      links: [[1, [[22, 23, 0, [], 0, 1]]]],
      dropped: [[1, 2, 0, 0]],
    });
    const decoded = decodeTraceColumns(body);
    if (!decoded.ok) assert.fail(decoded.error);
    assert.deepEqual(decoded.spans, spans);
  });

  it('decodes every trace of the analysis corpus back to equal spans', () => {
    for (const { scenario, spans } of buildCorpus(BASE_TIME_NS)) {
      assert.deepEqual(roundTrip(spans), spans, scenario.name);
    }
  });

  it('decodes the UI test traces, events and links included, and a 50,000-span trace', () => {
    const checkout = checkoutTrace().trace.spans;
    const linked = checkoutTrace(10_000, checkout[0]).trace.spans;
    assert.ok(linked.some((span) => span.events.length > 0 && span.links.length > 0));
    assert.deepEqual(roundTrip(linked), linked);
    const large = largeTrace(50_000).spans;
    assert.deepEqual(roundTrip(large), large);
  });

  it('keeps every attribute type exact: big ints, odd doubles, bytes, nested lists, no value', () => {
    const span = makeSpan({
      traceId: TRACE,
      attributes: [
        { key: 'big', value: 9_007_199_254_740_993n },
        { key: 'negative', value: -42n },
        { key: 'ratio', value: 0.15 },
        { key: 'nan', value: Number.NaN },
        { key: 'inf', value: Number.NEGATIVE_INFINITY },
        { key: 'minus zero', value: -0 },
        { key: 'flag', value: false },
        { key: 'bytes', value: new Uint8Array([0, 1, 254, 255]) },
        { key: 'list', value: ['a', 1n, [true, null], { kvlist: [{ key: 'k', value: 2.5 }] }] },
        { key: 'map', value: { kvlist: [{ key: 'inner', value: { kvlist: [] } }] } },
        { key: 'unset', value: null },
        { key: 'flag', value: true },
      ],
    });
    assert.deepEqual(roundTrip([span]), [span]);
  });

  it('keeps parents it lacks, reused ids, odd times and every rarely set field', () => {
    const resource = {
      ...makeResource('billing'),
      droppedAttributesCount: 3,
      schemaUrl: 'https://s/1',
    };
    const scope = {
      name: 'io.opentelemetry.jdbc',
      version: '2.1',
      attributes: [{ key: 'scope.kind', value: 'db' }],
      droppedAttributesCount: 1,
      schemaUrl: 'https://s/2',
    };
    const root = makeSpan({ traceId: TRACE, spanId: '00000000000000a1', resource, scope });
    const spans = [
      root,
      makeSpan({
        traceId: TRACE,
        spanId: '00000000000000a2',
        parentSpanId: '00000000000000a1',
        traceState: 'vendor=1',
        flags: 0x301,
        kind: 0,
        // Ends before it starts, and starts 200 days after the root: beyond 2^53 ns.
        startTimeUnixNano: BASE_TIME_NS + 200n * 86_400_000n * MS,
        endTimeUnixNano: BASE_TIME_NS + 200n * 86_400_000n * MS - 5n,
        status: { code: 2, message: 'deadline exceeded' },
        droppedAttributesCount: 4,
        droppedEventsCount: 5,
        droppedLinksCount: 6,
        events: [
          {
            timeUnixNano: BASE_TIME_NS - 7n,
            name: 'early',
            attributes: [],
            droppedAttributesCount: 2,
          },
        ],
        links: [
          {
            traceId: 'f'.repeat(32),
            spanId: 'e'.repeat(16),
            traceState: 'x=y',
            attributes: [{ key: 'why', value: 'batch' }],
            droppedAttributesCount: 1,
            flags: 1,
          },
        ],
      }),
      makeSpan({ traceId: TRACE, spanId: '00000000000000a3', parentSpanId: '00000000000000ff' }),
      makeSpan({ traceId: TRACE, spanId: '00000000000000a1', parentSpanId: '00000000000000a1' }),
    ];
    const decoded = roundTrip(spans);
    assert.deepEqual(decoded, spans);
    // Spans of one resource keep sharing it, as the OTLP encoder expects to group them.
    const [first, second] = roundTrip([root, { ...root, spanId: '00000000000000b1' }]);
    assert.equal(first!.resource, second!.resource);
    assert.equal(first!.scope, second!.scope);
  });

  it('answers a described error for bodies that are not trace columns', () => {
    const cases: [string, (body: Record<string, unknown>) => unknown, RegExp][] = [
      ['no format', (b) => ({ ...b, format: undefined }), /format/],
      ['a short column', (b) => ({ ...b, names: [] }), /names: expected an array of 1/],
      [
        'a string index out of range',
        (b) => ({ ...b, names: [999] }),
        /span 0: 999 is not a string index/,
      ],
      ['a bad kind', (b) => ({ ...b, kinds: [9] }), /kinds\[0\]: 9 is not a span kind/],
      ['a fractional time', (b) => ({ ...b, starts: [1.5] }), /span 0: 1.5 is not an integer/],
      ['a parent beyond the spans', (b) => ({ ...b, parents: [3] }), /parents\[0\]: no span 3/],
      [
        'an unknown value tag',
        (b) => ({ ...b, attributes: [[0, 42, 0]] }),
        /not a value of tag 42/,
      ],
      [
        'bytes that are not base64',
        (b) => ({ ...b, attributes: [[0, 4, '%%']] }),
        /not a value of tag 4/,
      ],
      [
        'an event of no span',
        (b) => ({ ...b, events: [[5, []]] }),
        /events: expected \[span index/,
      ],
    ];
    for (const [name, breakIt, message] of cases) {
      const result = decodeTraceColumns(breakIt(validBody()));
      assert.equal(result.ok, false, name);
      if (!result.ok) assert.match(result.error, message, name);
    }
    assert.equal(decodeTraceColumns(null).ok, false);
    assert.equal(decodeTraceColumns([]).ok, false);
  });
});

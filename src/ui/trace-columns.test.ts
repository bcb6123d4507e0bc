import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCorpus } from '../../test/fixtures/analysis-corpus/corpus.fixtures.ts';
import { BASE_TIME_NS, MS, makeResource, makeSpan } from '../../test/support/make-span.ts';
import { checkoutTrace, largeTrace } from '../../test/ui/ui-traces.ts';
import {
  encodeTraceColumns,
  TRACE_COLUMNS_FORMAT as SERVER_FORMAT,
  ValueTag as SERVER_TAGS,
} from '../api/trace-columns-routes.ts';
import type { Span } from '../model/span.ts';
import { decodeTraceColumns, TRACE_COLUMNS_FORMAT, ValueTag } from './trace-columns.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** Encodes as the server does, through JSON text as over the network, and decodes. */
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
  it('agrees with the server on the format name and the value tags', () => {
    assert.equal(TRACE_COLUMNS_FORMAT, SERVER_FORMAT);
    assert.deepEqual(ValueTag, SERVER_TAGS);
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

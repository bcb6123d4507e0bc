import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { Attribute } from '../../model/attributes.ts';
import type { InstrumentationScope, Resource, Span } from '../../model/span.ts';
import { decodeOtlpTracesJson } from './decode-json.ts';
import { decodeOtlpTracesProtobuf } from './decode-protobuf.ts';
import { encodeOtlpTracesJson } from './encode-json.ts';
import { EXOTIC_ATTRIBUTES, handMadeSpan, recordSdkSpans, TRACE_ID } from './test-fixtures.ts';

/** Through the wire and back, as the Jaeger api_v3 endpoint's clients would see it. */
function roundTrip(spans: readonly Span[]): Span[] {
  const wire = JSON.parse(JSON.stringify(encodeOtlpTracesJson(spans)));
  const batch = decodeOtlpTracesJson(wire);
  assert.deepEqual(batch.errors, []);
  return batch.spans;
}

const resource: Resource = {
  attributes: [{ key: 'service.name', value: 'edge' }],
  droppedAttributesCount: 2,
  schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
};
const scope: InstrumentationScope = {
  name: 'edge-scope',
  version: '1.0.0',
  attributes: [{ key: 'scope.attr', value: true }],
  droppedAttributesCount: 1,
  schemaUrl: 'https://opentelemetry.io/schemas/1.29.0',
};

const EDGE_VALUES: Attribute[] = [
  { key: 'nan', value: Number.NaN },
  { key: 'inf', value: Number.POSITIVE_INFINITY },
  { key: '-inf', value: Number.NEGATIVE_INFINITY },
  { key: '-zero', value: -0 },
  { key: 'tiny', value: 5e-324 },
  { key: 'int-min', value: -(2n ** 63n) },
  { key: 'int-max', value: 2n ** 63n - 1n },
  { key: 'empty', value: null },
  { key: 'empty-string', value: '' },
  { key: 'bytes', value: Uint8Array.of(0, 255, 128) },
  { key: 'no-bytes', value: new Uint8Array(0) },
  { key: 'empty-array', value: [] },
  { key: 'mixed', value: ['a', 1n, 2.5, true, null, [Uint8Array.of(1)], { kvlist: [] }] },
  {
    key: 'kv',
    value: { kvlist: [{ key: 'inner', value: { kvlist: [{ key: 'deep', value: [1n, 2n] }] } }] },
  },
];

function edgeSpan(overrides: Partial<Span> = {}): Span {
  return {
    traceId: TRACE_ID,
    spanId: 'f000000000000001',
    parentSpanId: 'f000000000000002',
    traceState: 'k=v',
    flags: 0x301,
    name: 'edge ✓',
    kind: 5,
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n ** 63n - 1n,
    attributes: EDGE_VALUES,
    droppedAttributesCount: 3,
    events: [
      {
        timeUnixNano: 2n ** 64n - 1n,
        name: 'late',
        attributes: EDGE_VALUES,
        droppedAttributesCount: 4,
      },
      { timeUnixNano: 0n, name: '', attributes: [], droppedAttributesCount: 0 },
    ],
    droppedEventsCount: 5,
    links: [
      {
        traceId: 'ffffffffffffffffffffffffffffffff',
        spanId: '0000000000000001',
        traceState: 'a=b',
        attributes: [{ key: 'l', value: 'x' }],
        droppedAttributesCount: 6,
        flags: 0xffffffff,
      },
    ],
    droppedLinksCount: 7,
    status: { code: 2, message: 'bad' },
    resource,
    scope,
    ...overrides,
  };
}

describe('encodeOtlpTracesJson', () => {
  it('round-trips spans recorded by the SDK through JSON and decodeOtlpTracesJson exactly', () => {
    const { all } = recordSdkSpans();
    const exotic = handMadeSpan({ attributes: EXOTIC_ATTRIBUTES });
    const spans = decodeOtlpTracesProtobuf(
      ProtobufTraceSerializer.serializeRequest([...all, exotic])!,
    ).spans;
    assert.equal(spans.length, 4);
    assert.deepEqual(roundTrip(spans), spans);
  });

  it('round-trips edge values: NaN, infinities, -0, int64 limits, empty values, nesting, limits', () => {
    const spans = [
      edgeSpan(),
      edgeSpan({ spanId: 'f000000000000003', parentSpanId: '', status: { code: 0, message: '' } }),
    ];
    assert.deepEqual(roundTrip(spans), spans);
  });

  it('round-trips defaults: no parent, flags, trace state, dropped counts or schema URLs', () => {
    const plain: Span = {
      ...edgeSpan(),
      parentSpanId: '',
      traceState: '',
      flags: 0,
      kind: 0,
      attributes: [],
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: 0, message: '' },
      resource: { attributes: [], droppedAttributesCount: 0, schemaUrl: '' },
      scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0, schemaUrl: '' },
    };
    const json = encodeOtlpTracesJson([plain]);
    assert.deepEqual(json, {
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              scope: { name: '' },
              spans: [
                {
                  traceId: TRACE_ID,
                  spanId: 'f000000000000001',
                  name: 'edge ✓',
                  kind: 0,
                  startTimeUnixNano: '1',
                  endTimeUnixNano: '9223372036854775807',
                  attributes: [],
                  events: [],
                  links: [],
                  status: { code: 0 },
                },
              ],
            },
          ],
        },
      ],
    });
    assert.deepEqual(roundTrip([plain]), [plain]);
  });

  it('writes hex ids, decimal-string times, integer enums, string int64s and base64 bytes', () => {
    const json = encodeOtlpTracesJson([edgeSpan()]);
    const resourceSpans = json.resourceSpans[0]!;
    assert.equal(resourceSpans.schemaUrl, 'https://opentelemetry.io/schemas/1.30.0');
    assert.deepEqual(resourceSpans.resource, {
      attributes: [{ key: 'service.name', value: { stringValue: 'edge' } }],
      droppedAttributesCount: 2,
    });
    const scopeSpans = resourceSpans.scopeSpans[0]!;
    assert.equal(scopeSpans.schemaUrl, 'https://opentelemetry.io/schemas/1.29.0');
    assert.deepEqual(scopeSpans.scope, {
      name: 'edge-scope',
      version: '1.0.0',
      attributes: [{ key: 'scope.attr', value: { boolValue: true } }],
      droppedAttributesCount: 1,
    });
    const span = scopeSpans.spans[0]!;
    assert.equal(span.parentSpanId, 'f000000000000002');
    assert.equal(span.traceState, 'k=v');
    assert.equal(span.flags, 0x301);
    assert.equal(span.kind, 5);
    assert.equal(span.endTimeUnixNano, '9223372036854775807');
    assert.equal(span.events[0]?.timeUnixNano, '18446744073709551615');
    assert.deepEqual(span.status, { code: 2, message: 'bad' });
    assert.deepEqual(
      [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
      [3, 5, 7],
    );
    const value = (key: string) => span.attributes.find((a) => a.key === key)?.value;
    assert.deepEqual(value('int-min'), { intValue: '-9223372036854775808' });
    assert.deepEqual(value('nan'), { doubleValue: 'NaN' });
    assert.deepEqual(value('-inf'), { doubleValue: '-Infinity' });
    assert.deepEqual(value('bytes'), { bytesValue: 'AP+A' });
    assert.deepEqual(value('empty'), {});
    assert.deepEqual(value('kv'), {
      kvlistValue: {
        values: [
          {
            key: 'inner',
            value: {
              kvlistValue: {
                values: [
                  {
                    key: 'deep',
                    value: { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }] } },
                  },
                ],
              },
            },
          },
        ],
      },
    });
  });

  it('groups spans by resource object, then by scope object, in order of first appearance', () => {
    const otherResource: Resource = {
      ...resource,
      attributes: [{ key: 'service.name', value: 'other' }],
    };
    const otherScope: InstrumentationScope = { ...scope, name: 'other-scope' };
    const span = (id: number, r: Resource, s: InstrumentationScope) =>
      edgeSpan({ spanId: id.toString(16).padStart(16, '0'), resource: r, scope: s });
    const spans = [
      span(1, resource, scope),
      span(2, otherResource, scope),
      span(3, resource, otherScope),
      span(4, resource, scope),
    ];
    const json = encodeOtlpTracesJson(spans);
    assert.deepEqual(
      json.resourceSpans.map((rs) =>
        rs.scopeSpans.map((ss) => [
          ss.scope.name,
          ss.spans.map((s) => Number.parseInt(s.spanId, 16)),
        ]),
      ),
      [
        [
          ['edge-scope', [1, 4]],
          ['other-scope', [3]],
        ],
        [['edge-scope', [2]]],
      ],
    );
    const decoded = roundTrip(spans);
    assert.deepEqual(decoded, [spans[0], spans[3], spans[2], spans[1]]);
  });

  it('writes what the OpenTelemetry JSON serializer writes for the same spans, ignoring defaults', () => {
    const { all } = recordSdkSpans();
    const theirs = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(all)!));
    const ours = encodeOtlpTracesJson(
      decodeOtlpTracesProtobuf(ProtobufTraceSerializer.serializeRequest(all)!).spans,
    );
    // Both decode to the same spans; the SDK writes ints as numbers, we as strings (both legal).
    assert.deepEqual(
      decodeOtlpTracesJson(JSON.parse(JSON.stringify(ours))),
      decodeOtlpTracesJson(theirs),
    );
    assert.equal(ours.resourceSpans.length, theirs.resourceSpans.length);
    assert.equal(
      ours.resourceSpans[0]?.scopeSpans.length,
      theirs.resourceSpans[0].scopeSpans.length,
    );
  });
});

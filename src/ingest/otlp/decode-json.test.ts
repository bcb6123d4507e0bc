import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InvalidInputError } from '../../model/errors.ts';
import type { Span } from '../../model/span.ts';
import { decodeOtlpTracesJson } from './decode-json.ts';
import { decodeOtlpTracesProtobuf } from './decode-protobuf.ts';
import { MAX_ANY_VALUE_DEPTH } from './limits.ts';
import {
  EXOTIC_ATTRIBUTES,
  handMadeSpan,
  RESOURCE_SCHEMA_URL,
  recordSdkSpans,
  SCOPE_SCHEMA_URL,
  TRACE_ID,
} from './test-fixtures.ts';

function sdkJson(spans: ReadableSpan[]): unknown {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  assert.ok(bytes);
  return JSON.parse(new TextDecoder().decode(bytes));
}

const SPAN_ID = 'd000000000000001';

/** A request with one resource and one scope holding `spans`. */
function requestOf(...spans: unknown[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json' } }] },
        scopeSpans: [{ scope: { name: 'json-scope' }, spans }],
      },
    ],
  };
}

/** A minimal valid OTLP/JSON span, with `fields` merged over it. */
function jsonSpan(fields: Record<string, unknown> = {}) {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: 'json span',
    startTimeUnixNano: '1000',
    endTimeUnixNano: '2000',
    ...fields,
  };
}

function decodeOne(span: unknown): Span {
  const batch = decodeOtlpTracesJson(requestOf(span));
  assert.deepEqual(batch.errors, []);
  assert.equal(batch.spans.length, 1);
  return batch.spans[0]!;
}

function rejectionOf(span: unknown): string {
  const batch = decodeOtlpTracesJson(requestOf(jsonSpan({ spanId: 'ffffffffffffffff' }), span));
  assert.equal(batch.spans.length, 1, 'the other span is kept');
  assert.equal(batch.rejectedSpans, 1);
  assert.equal(batch.errors.length, 1);
  return batch.errors[0]!;
}

describe('decodeOtlpTracesJson', () => {
  describe('with payloads from the OpenTelemetry JSON serializer', () => {
    it('decodes recorded spans exactly as the protobuf decoder does from the protobuf serializer', () => {
      const { all } = recordSdkSpans();
      const fromJson = decodeOtlpTracesJson(sdkJson(all));
      const fromProtobuf = decodeOtlpTracesProtobuf(ProtobufTraceSerializer.serializeRequest(all)!);
      assert.equal(fromJson.spans.length, 3);
      assert.equal(fromJson.rejectedSpans, 0);
      assert.deepEqual(fromJson, fromProtobuf);
    });

    it('decodes every field of a recorded span', () => {
      const recorded = recordSdkSpans();
      const client = decodeOtlpTracesJson(sdkJson(recorded.all)).spans.find(
        (s) => s.name === 'SELECT cart',
      );
      assert.ok(client);
      assert.equal(client.traceId, TRACE_ID);
      assert.equal(client.spanId, recorded.client.spanContext().spanId);
      assert.equal(client.parentSpanId, recorded.server.spanContext().spanId);
      assert.equal(client.kind, 3);
      assert.equal(client.flags, 0x101);
      assert.equal(client.traceState, 'vendor=abc,other=1');
      assert.equal(client.startTimeUnixNano, 1_700_000_000_005_000_000n);
      assert.equal(client.endTimeUnixNano, 1_700_000_000_009_000_000n);
      assert.deepEqual(client.attributes.slice(0, 5), [
        { key: 'db.system', value: 'postgresql' },
        { key: 'db.cached', value: false },
        { key: 'db.rows', value: 42n },
        { key: 'db.offset', value: -7n },
        { key: 'db.ratio', value: 0.25 },
      ]);
      assert.deepEqual(client.attributes[6], { key: 'db.shards', value: [1n, 2n, 3n] });
      assert.equal(client.droppedAttributesCount, 1);
      assert.deepEqual(
        client.events.map((e) => [e.name, e.timeUnixNano, e.attributes.length]),
        [
          ['retry', 1_700_000_000_006_000_000n, 2],
          ['connected', 1_700_000_000_007_000_000n, 0],
        ],
      );
      assert.equal(client.droppedEventsCount, 1);
      assert.equal(client.links[0]?.traceState, 'linked=yes');
      assert.deepEqual(client.links[0]?.attributes, [
        { key: 'link.reason', value: 'batch' },
        { key: 'link.index', value: 0n },
      ]);
      assert.equal(client.links[0]?.flags, 0x301);
      assert.equal(client.droppedLinksCount, 1);
      assert.deepEqual(client.status, { code: 2, message: 'connection reset' });
      assert.equal(client.resource.schemaUrl, RESOURCE_SCHEMA_URL);
      assert.equal(client.scope.schemaUrl, SCOPE_SCHEMA_URL);
      assert.deepEqual([client.scope.name, client.scope.version], ['checkout-http', '2.1.0']);
    });

    it('shares one resource object per ResourceSpans and one scope object per ScopeSpans', () => {
      const spans = decodeOtlpTracesJson(sdkJson(recordSdkSpans().all)).spans;
      assert.equal(new Set(spans.map((s) => s.resource)).size, 1);
      assert.equal(new Set(spans.map((s) => s.scope)).size, 2);
    });

    it('decodes base64 bytes, key-value lists and empty values like the protobuf decoder', () => {
      const span = handMadeSpan({ attributes: EXOTIC_ATTRIBUTES });
      const fromJson = decodeOtlpTracesJson(sdkJson([span]));
      assert.deepEqual(
        fromJson,
        decodeOtlpTracesProtobuf(ProtobufTraceSerializer.serializeRequest([span])!),
      );
      assert.deepEqual(fromJson.spans[0]?.attributes[0], {
        key: 'blob',
        value: new Uint8Array([0, 1, 2, 250, 255]),
      });
    });
  });

  describe('OTLP/JSON encoding rules', () => {
    it('accepts the original snake_case field names', () => {
      const batch = decodeOtlpTracesJson({
        resource_spans: [
          {
            schema_url: 'https://schema',
            resource: { attributes: [], dropped_attributes_count: 2 },
            scope_spans: [
              {
                scope: { name: 's', dropped_attributes_count: 1 },
                spans: [
                  {
                    trace_id: TRACE_ID,
                    span_id: SPAN_ID,
                    parent_span_id: 'ffffffffffffffff',
                    trace_state: 'a=b',
                    name: 'snake',
                    start_time_unix_nano: '1000',
                    end_time_unix_nano: '2000',
                    dropped_attributes_count: 3,
                    dropped_events_count: 4,
                    dropped_links_count: 5,
                    attributes: [{ key: 'n', value: { int_value: '9' } }],
                    events: [{ time_unix_nano: '1500', name: 'e' }],
                    links: [
                      { trace_id: TRACE_ID, span_id: 'eeeeeeeeeeeeeeee', trace_state: 'x=y' },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      });
      assert.deepEqual(batch.errors, []);
      const span = batch.spans[0]!;
      assert.equal(span.parentSpanId, 'ffffffffffffffff');
      assert.equal(span.traceState, 'a=b');
      assert.equal(span.startTimeUnixNano, 1000n);
      assert.deepEqual(
        [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
        [3, 4, 5],
      );
      assert.deepEqual(span.attributes, [{ key: 'n', value: 9n }]);
      assert.equal(span.events[0]?.timeUnixNano, 1500n);
      assert.equal(span.links[0]?.traceState, 'x=y');
      assert.equal(span.resource.droppedAttributesCount, 2);
      assert.equal(span.resource.schemaUrl, 'https://schema');
      assert.equal(span.scope.droppedAttributesCount, 1);
    });

    it('accepts enums as names or integers', () => {
      assert.equal(decodeOne(jsonSpan({ kind: 'SPAN_KIND_SERVER' })).kind, 2);
      assert.equal(decodeOne(jsonSpan({ kind: 'SPAN_KIND_CONSUMER' })).kind, 5);
      assert.equal(decodeOne(jsonSpan({ kind: 3 })).kind, 3);
      assert.deepEqual(
        decodeOne(jsonSpan({ status: { code: 'STATUS_CODE_ERROR', message: 'x' } })).status,
        {
          code: 2,
          message: 'x',
        },
      );
      assert.equal(decodeOne(jsonSpan({ status: { code: 1 } })).status.code, 1);
    });

    it('accepts 64-bit integers as decimal strings or numbers', () => {
      const span = decodeOne(
        jsonSpan({
          startTimeUnixNano: 1_700_000_000_000_000_000,
          endTimeUnixNano: '9223372036854775807',
          events: [{ name: 'far future', timeUnixNano: '18446744073709551615' }],
          attributes: [
            { key: 'n', value: { intValue: 42 } },
            { key: 's', value: { intValue: '-9223372036854775808' } },
            { key: 'big', value: { intValue: '9007199254740993' } },
          ],
        }),
      );
      assert.equal(span.startTimeUnixNano, 1_700_000_000_000_000_000n);
      assert.equal(span.endTimeUnixNano, 9223372036854775807n);
      assert.equal(span.events[0]?.timeUnixNano, 18446744073709551615n);
      assert.deepEqual(
        span.attributes.map((a) => a.value),
        [42n, -9223372036854775808n, 9007199254740993n],
      );
    });

    it('accepts doubles as numbers, numeric strings, "NaN", "Infinity" and "-Infinity"', () => {
      const values = [1.5, '2.5', 'NaN', 'Infinity', '-Infinity', '-0', 3];
      const span = decodeOne(
        jsonSpan({ attributes: values.map((v) => ({ key: 'd', value: { doubleValue: v } })) }),
      );
      assert.deepEqual(
        span.attributes.map((a) => a.value),
        [1.5, 2.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 3],
      );
    });

    it('accepts bytes as standard or URL-safe base64', () => {
      const span = decodeOne(
        jsonSpan({
          attributes: [
            { key: 'std', value: { bytesValue: '+/8=' } },
            { key: 'url', value: { bytesValue: '-_8' } },
          ],
        }),
      );
      assert.deepEqual(
        span.attributes.map((a) => a.value),
        [Uint8Array.of(0xfb, 0xff), Uint8Array.of(0xfb, 0xff)],
      );
    });

    it('reads ids as hex in any case, and lowercases them', () => {
      const span = decodeOne(
        jsonSpan({ traceId: TRACE_ID.toUpperCase(), spanId: 'ABCDEF0123456789' }),
      );
      assert.equal(span.traceId, TRACE_ID);
      assert.equal(span.spanId, 'abcdef0123456789');
    });

    it('gives missing and null fields their proto3 defaults', () => {
      const span = decodeOne({
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        startTimeUnixNano: '1',
        endTimeUnixNano: 1,
        parentSpanId: null,
        name: null,
        attributes: null,
        status: null,
      });
      assert.deepEqual(
        { ...span, resource: undefined, scope: undefined },
        {
          traceId: TRACE_ID,
          spanId: SPAN_ID,
          parentSpanId: '',
          traceState: '',
          flags: 0,
          name: '',
          kind: 0,
          startTimeUnixNano: 1n,
          endTimeUnixNano: 1n,
          attributes: [],
          droppedAttributesCount: 0,
          events: [],
          droppedEventsCount: 0,
          links: [],
          droppedLinksCount: 0,
          status: { code: 0, message: '' },
          resource: undefined,
          scope: undefined,
        },
      );
    });

    it('decodes a request with no resource spans, and resources and scopes left out', () => {
      assert.deepEqual(decodeOtlpTracesJson({}), { spans: [], rejectedSpans: 0, errors: [] });
      const batch = decodeOtlpTracesJson({
        resourceSpans: [{ scopeSpans: [{ spans: [jsonSpan()] }] }],
      });
      assert.deepEqual(batch.spans[0]?.resource, {
        attributes: [],
        droppedAttributesCount: 0,
        schemaUrl: '',
      });
      assert.deepEqual(batch.spans[0]?.scope, {
        name: '',
        version: '',
        attributes: [],
        droppedAttributesCount: 0,
        schemaUrl: '',
      });
    });

    it('ignores unknown fields', () => {
      assert.equal(decodeOne(jsonSpan({ futureField: { a: 1 } })).name, 'json span');
    });

    it('treats an all-zero parent span id as no parent, so the span is a root', () => {
      assert.equal(decodeOne(jsonSpan({ parentSpanId: '0000000000000000' })).parentSpanId, '');
    });
  });

  describe('rejects single spans', () => {
    it('rejects a span with an all-zero trace id, naming its path', () => {
      assert.match(
        rejectionOf(jsonSpan({ traceId: '0'.repeat(32) })),
        /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\.traceId: must be 16 bytes/,
      );
    });

    it('rejects a span that ends before it starts', () => {
      assert.match(
        rejectionOf(jsonSpan({ startTimeUnixNano: '2000', endTimeUnixNano: '1000' })),
        /spans\[1\]\.endTimeUnixNano: ends before it starts/,
      );
    });

    it('rejects base64 ids, which OTLP/JSON does not use', () => {
      assert.match(
        rejectionOf(jsonSpan({ traceId: 'CvdlGRbNQ92ESOshHIAxnA==' })),
        /spans\[1\]\.traceId: must be a hex string/,
      );
      assert.match(
        rejectionOf(jsonSpan({ spanId: 'abc' })),
        /spans\[1\]\.spanId: must be a hex string/,
      );
    });

    it('rejects fields of the wrong type, naming the field', () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ name: 42 }, /spans\[1\]\.name: must be a string \(got 42\)/],
        [{ startTimeUnixNano: 'abc' }, /spans\[1\]\.startTimeUnixNano: must be a uint64/],
        [{ startTimeUnixNano: '-5' }, /spans\[1\]\.startTimeUnixNano: must be a uint64/],
        [{ endTimeUnixNano: 1.5 }, /spans\[1\]\.endTimeUnixNano: must be a uint64/],
        [{ endTimeUnixNano: '18446744073709551616' }, /endTimeUnixNano: must be a uint64/],
        [{ kind: 'SPAN_KIND_BOGUS' }, /spans\[1\]\.kind: must be one of SPAN_KIND_UNSPECIFIED/],
        [{ kind: 9 }, /spans\[1\]\.kind: unknown span kind 9/],
        [{ status: { code: 'STATUS_CODE_MAYBE' } }, /spans\[1\]\.status\.code: must be one of/],
        [{ status: 'ok' }, /spans\[1\]\.status: must be an object/],
        [{ traceId: 7 }, /spans\[1\]\.traceId: must be a string/],
        [{ flags: -1 }, /spans\[1\]\.flags: must be a uint32/],
        [{ droppedEventsCount: 2 ** 32 }, /spans\[1\]\.droppedEventsCount: must be a uint32/],
        [{ attributes: {} }, /spans\[1\]\.attributes: must be an array/],
        [{ attributes: ['x'] }, /spans\[1\]\.attributes\[0\]: must be an object/],
        [
          { attributes: [{ key: 1, value: {} }] },
          /spans\[1\]\.attributes\[0\]\.key: must be a string/,
        ],
        [
          { attributes: [{ key: 'k', value: { intValue: '1.5' } }] },
          /spans\[1\]\.attributes\[0\]\.value\.intValue: must be an int64/,
        ],
        [
          { attributes: [{ key: 'k', value: { intValue: '9223372036854775808' } }] },
          /attributes\[0\]\.value\.intValue: must be an int64/,
        ],
        [
          { attributes: [{ key: 'k', value: { boolValue: 'true' } }] },
          /attributes\[0\]\.value\.boolValue: must be true or false/,
        ],
        [
          { attributes: [{ key: 'k', value: { doubleValue: 'lots' } }] },
          /attributes\[0\]\.value\.doubleValue: must be a number/,
        ],
        [
          { attributes: [{ key: 'k', value: { bytesValue: 'not base64!' } }] },
          /attributes\[0\]\.value\.bytesValue: must be a base64 string/,
        ],
        [
          { attributes: [{ key: 'k', value: { stringValue: 'a', intValue: '1' } }] },
          /attributes\[0\]\.value: sets both stringValue and intValue/,
        ],
        [
          { attributes: [{ key: 'k', value: { arrayValue: { values: [{ stringValue: 1 }] } } }] },
          /attributes\[0\]\.value\.arrayValue\.values\[0\]\.stringValue: must be a string/,
        ],
        [
          {
            attributes: [
              { key: 'k', value: { kvlistValue: { values: [{ key: 'a', value: 3 }] } } },
            ],
          },
          /attributes\[0\]\.value\.kvlistValue\.values\[0\]\.value: must be an object/,
        ],
        [{ events: 'none' }, /spans\[1\]\.events: must be an array/],
        [
          { events: [{ timeUnixNano: true }] },
          /spans\[1\]\.events\[0\]\.timeUnixNano: must be a uint64/,
        ],
        [
          { links: [{ traceId: TRACE_ID, spanId: 'zz' }] },
          /spans\[1\]\.links\[0\]\.spanId: must be a hex string/,
        ],
        [
          { links: [{ traceId: TRACE_ID, spanId: '0000000000000000' }] },
          /spans\[1\]\.links\[0\]: trace and span ids/,
        ],
      ];
      for (const [fields, message] of cases) {
        assert.match(rejectionOf(jsonSpan(fields)), message, JSON.stringify(fields));
      }
    });

    it(`rejects attribute values nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`, () => {
      let value: unknown = { stringValue: 'bottom' };
      for (let i = 0; i < 10_000; i++) value = { arrayValue: { values: [value] } };
      assert.match(
        rejectionOf(jsonSpan({ attributes: [{ key: 'deep', value }] })),
        /nested deeper than/,
      );
    });
  });

  describe('malformed envelopes', () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['a body that is not an object', [1, 2], '', /must be an object \(got an array\)/],
      ['a null body', null, '', /must be an object \(got null\)/],
      ['resourceSpans not an array', { resourceSpans: {} }, 'resourceSpans', /must be an array/],
      [
        'a ResourceSpans not an object',
        { resourceSpans: [7] },
        'resourceSpans[0]',
        /must be an object/,
      ],
      [
        'scopeSpans not an array',
        { resourceSpans: [{ scopeSpans: 'x' }] },
        'resourceSpans[0].scopeSpans',
        /must be an array/,
      ],
      [
        'a ScopeSpans not an object',
        { resourceSpans: [{ scopeSpans: [null] }] },
        'resourceSpans[0].scopeSpans[0]',
        /must be an object/,
      ],
      [
        'spans not an array',
        { resourceSpans: [{ scopeSpans: [{ spans: {} }] }] },
        'resourceSpans[0].scopeSpans[0].spans',
        /must be an array/,
      ],
      [
        'a span not an object',
        { resourceSpans: [{}, { scopeSpans: [{ spans: [jsonSpan(), 'span'] }] }] },
        'resourceSpans[1].scopeSpans[0].spans[1]',
        /must be an object/,
      ],
      [
        'a resource attribute of the wrong type',
        { resourceSpans: [{ resource: { attributes: [{ key: 'k', value: { intValue: 'x' } }] } }] },
        'resourceSpans[0].resource.attributes[0].value.intValue',
        /must be an int64/,
      ],
      [
        'a scope name of the wrong type',
        { resourceSpans: [{ scopeSpans: [{ scope: { name: 5 } }] }] },
        'resourceSpans[0].scopeSpans[0].scope.name',
        /must be a string/,
      ],
    ];
    for (const [what, body, path, message] of cases) {
      it(`throws InvalidInputError naming the path for ${what}`, () => {
        assert.throws(
          () => decodeOtlpTracesJson(body),
          (error: unknown) =>
            error instanceof InvalidInputError &&
            error.path === path &&
            message.test(error.message),
        );
      });
    }
  });
});

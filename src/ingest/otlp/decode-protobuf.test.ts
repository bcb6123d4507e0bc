import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import { InvalidInputError } from '../../model/errors.ts';
import type { Span } from '../../model/span.ts';
import { MAX_REPORTED_ERRORS } from '../decoded-batch.ts';
import { decodeOtlpTracesProtobuf } from './decode-protobuf.ts';
import { MAX_ANY_VALUE_DEPTH } from './limits.ts';
import {
  at,
  EXOTIC_ATTRIBUTES,
  handMadeSpan,
  LINKED_SPAN_ID,
  LINKED_TRACE_ID,
  nanosAt,
  REMOTE_PARENT_ID,
  RESOURCE_SCHEMA_URL,
  recordSdkSpans,
  SCOPE_SCHEMA_URL,
  TRACE_ID,
} from './test-fixtures.ts';

type Writer = protobuf.Writer;

function serialize(...spans: Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0]) {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  assert.ok(bytes);
  return bytes;
}

function only(spans: Span[]): Span {
  assert.equal(spans.length, 1);
  return spans[0]!;
}

/** Hand-encoding with protobufjs's Writer, for what the OTel serializer never writes. */
const message = (build: (w: Writer) => void): Uint8Array => {
  const w = protobuf.Writer.create();
  build(w);
  return w.finish();
};
const LEN = 2;
const VARINT = 0;
const I64 = 1;
const I32 = 5;
const tag = (field: number, wireType: number) => (field << 3) | wireType;

const hex = (id: string) => Uint8Array.from(Buffer.from(id, 'hex'));

/** A Span message with valid ids and times; `extra` appends fields. */
function spanMessage(
  extra: (w: Writer) => void = () => {},
  ids = { traceId: TRACE_ID, spanId: 'd000000000000001' },
) {
  return message((w) => {
    w.uint32(tag(1, LEN)).bytes(hex(ids.traceId));
    w.uint32(tag(2, LEN)).bytes(hex(ids.spanId));
    w.uint32(tag(5, LEN)).string('hand-encoded');
    w.uint32(tag(7, I64)).fixed64(1_000);
    w.uint32(tag(8, I64)).fixed64(2_000);
    extra(w);
  });
}

/** ExportTraceServiceRequest { resource_spans { resource?, scope_spans { spans... } } }. */
function requestOf(spans: Uint8Array[], resource?: Uint8Array): Uint8Array {
  const scopeSpans = message((w) => {
    for (const span of spans) w.uint32(tag(2, LEN)).bytes(span);
  });
  const resourceSpans = message((w) => {
    if (resource) w.uint32(tag(1, LEN)).bytes(resource);
    w.uint32(tag(2, LEN)).bytes(scopeSpans);
  });
  return message((w) => w.uint32(tag(1, LEN)).bytes(resourceSpans));
}

function attributeMessage(key: string, value: (w: Writer) => void): Uint8Array {
  return message((w) => {
    w.uint32(tag(1, LEN)).string(key);
    w.uint32(tag(2, LEN)).bytes(message(value));
  });
}

describe('decodeOtlpTracesProtobuf', () => {
  describe('with payloads from the OpenTelemetry protobuf serializer', () => {
    const recorded = recordSdkSpans();
    const batch = decodeOtlpTracesProtobuf(serialize(...recorded.all));
    const byName = (name: string) => batch.spans.find((s) => s.name === name);

    it('accepts every recorded span', () => {
      assert.equal(batch.spans.length, 3);
      assert.equal(batch.rejectedSpans, 0);
      assert.deepEqual(batch.errors, []);
    });

    it('decodes every field of a span: ids, times, attributes, events, links, status, limits', () => {
      const expected: Span = {
        traceId: TRACE_ID,
        spanId: recorded.client.spanContext().spanId,
        parentSpanId: recorded.server.spanContext().spanId,
        // Children inherit their parent's trace state.
        traceState: 'vendor=abc,other=1',
        // Sampled, with "has is-remote" set and "is remote" clear: the parent is local.
        flags: 0x101,
        name: 'SELECT cart',
        kind: 3,
        startTimeUnixNano: nanosAt(5_000_000),
        endTimeUnixNano: nanosAt(9_000_000),
        attributes: [
          { key: 'db.system', value: 'postgresql' },
          { key: 'db.cached', value: false },
          { key: 'db.rows', value: 42n },
          { key: 'db.offset', value: -7n },
          { key: 'db.ratio', value: 0.25 },
          { key: 'db.tables', value: ['cart', 'item'] },
          { key: 'db.shards', value: [1n, 2n, 3n] },
          { key: 'db.flags', value: [true, false] },
          { key: 'db.weights', value: [0.5, 1.5] },
        ],
        droppedAttributesCount: 1,
        events: [
          {
            timeUnixNano: nanosAt(6_000_000),
            name: 'retry',
            attributes: [
              { key: 'attempt', value: 2n },
              { key: 'retry.reason', value: 'timeout' },
            ],
            droppedAttributesCount: 0,
          },
          {
            timeUnixNano: nanosAt(7_000_000),
            name: 'connected',
            attributes: [],
            droppedAttributesCount: 0,
          },
        ],
        droppedEventsCount: 1,
        links: [
          {
            traceId: LINKED_TRACE_ID,
            spanId: LINKED_SPAN_ID,
            traceState: 'linked=yes',
            attributes: [
              { key: 'link.reason', value: 'batch' },
              { key: 'link.index', value: 0n },
            ],
            droppedAttributesCount: 0,
            flags: 0x301,
          },
        ],
        droppedLinksCount: 1,
        status: { code: 2, message: 'connection reset' },
        resource: {
          attributes: [
            { key: 'service.name', value: 'checkout' },
            { key: 'host.cpus', value: 8n },
            { key: 'deployment.environment', value: 'test' },
          ],
          droppedAttributesCount: 0,
          schemaUrl: RESOURCE_SCHEMA_URL,
        },
        scope: {
          name: 'checkout-http',
          version: '2.1.0',
          attributes: [],
          droppedAttributesCount: 0,
          schemaUrl: SCOPE_SCHEMA_URL,
        },
      };
      assert.deepEqual(byName('SELECT cart'), expected);
    });

    it('decodes a child of a remote parent with its trace state, remote flag and OK status', () => {
      const server = byName('GET /cart');
      assert.ok(server);
      assert.equal(server.spanId, recorded.server.spanContext().spanId);
      assert.equal(server.parentSpanId, REMOTE_PARENT_ID);
      assert.equal(server.traceState, 'vendor=abc,other=1');
      assert.equal(server.flags, 0x301);
      assert.equal(server.kind, 2);
      assert.equal(server.startTimeUnixNano, nanosAt(100));
      assert.equal(server.endTimeUnixNano, nanosAt(10_000_000));
      assert.deepEqual(server.status, { code: 1, message: '' });
      assert.deepEqual(server.attributes, [{ key: 'http.method', value: 'GET' }]);
    });

    it('shares one resource object per ResourceSpans and one scope object per ScopeSpans', () => {
      const server = byName('GET /cart');
      const client = byName('SELECT cart');
      const internal = byName('price cart');
      assert.ok(server && client && internal);
      assert.equal(server.resource, client.resource);
      assert.equal(internal.resource, client.resource);
      assert.equal(server.scope, client.scope);
      assert.notEqual(internal.scope, client.scope);
      assert.deepEqual(internal.scope, {
        name: 'checkout-core',
        version: '',
        attributes: [],
        droppedAttributesCount: 0,
        schemaUrl: '',
      });
      assert.equal(internal.kind, 1);
    });

    it('decodes bytes, key-value list and empty attribute values, and scope attributes', () => {
      const span = only(
        decodeOtlpTracesProtobuf(serialize(handMadeSpan({ attributes: EXOTIC_ATTRIBUTES }))).spans,
      );
      assert.deepEqual(span.attributes, [
        { key: 'blob', value: new Uint8Array([0, 1, 2, 250, 255]) },
        {
          key: 'map',
          value: {
            kvlist: [
              { key: 'a', value: 1n },
              { key: 'b', value: 'two' },
              { key: 'nested', value: { kvlist: [{ key: 'deep', value: true }] } },
              { key: 'list', value: [1n, 'mixed'] },
            ],
          },
        },
        { key: 'nothing', value: null },
      ]);
      assert.deepEqual(span.scope.attributes, [
        { key: 'scope.kind', value: 'test' },
        { key: 'scope.level', value: 3n },
      ]);
      assert.deepEqual(span.resource.attributes, [{ key: 'service.name', value: 'hand-made' }]);
    });

    it('decodes the span kinds and a root span', () => {
      const kinds = [
        SpanKind.INTERNAL,
        SpanKind.SERVER,
        SpanKind.CLIENT,
        SpanKind.PRODUCER,
        SpanKind.CONSUMER,
      ];
      const spans = kinds.map((kind, i) =>
        handMadeSpan({ kind, spanId: `e00000000000000${i + 1}` }),
      );
      const decoded = decodeOtlpTracesProtobuf(serialize(...spans)).spans;
      assert.deepEqual(
        decoded.map((s) => s.kind),
        [1, 2, 3, 4, 5],
      );
      assert.ok(decoded.every((s) => s.parentSpanId === ''));
    });

    it('decodes an empty body as an empty request', () => {
      assert.deepEqual(decodeOtlpTracesProtobuf(new Uint8Array(0)), {
        spans: [],
        rejectedSpans: 0,
        errors: [],
      });
    });
  });

  describe('rejects single spans', () => {
    it('rejects a span with an all-zero trace id, naming its path, and keeps the others', () => {
      const batch = decodeOtlpTracesProtobuf(
        serialize(
          handMadeSpan({ spanId: 'c000000000000001' }),
          handMadeSpan({ traceId: '0'.repeat(32), spanId: 'c000000000000002' }),
        ),
      );
      assert.equal(batch.spans.length, 1);
      assert.equal(batch.rejectedSpans, 1);
      assert.equal(batch.errors.length, 1);
      assert.match(batch.errors[0]!, /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\.traceId: /);
    });

    it('rejects a span that ends before it starts', () => {
      const batch = decodeOtlpTracesProtobuf(
        serialize(handMadeSpan({ startTime: at(5_000), endTime: at(4_000) })),
      );
      assert.equal(batch.spans.length, 0);
      assert.equal(batch.rejectedSpans, 1);
      assert.match(batch.errors[0]!, /spans\[0\]\.endTimeUnixNano: ends before it starts/);
    });

    it('rejects spans whose ids have the wrong length, not the whole request', () => {
      const batch = decodeOtlpTracesProtobuf(
        requestOf([
          spanMessage(),
          spanMessage(undefined, { traceId: 'abcdef', spanId: 'd000000000000002' }),
          spanMessage(undefined, { traceId: TRACE_ID, spanId: 'd0000000000000000003' }),
          spanMessage((w) => w.uint32(tag(4, LEN)).bytes(hex('0102'))),
        ]),
      );
      assert.equal(batch.spans.length, 1);
      assert.equal(batch.rejectedSpans, 3);
      assert.deepEqual(
        batch.errors.map((e) => e.split(':')[0]),
        [
          'resourceSpans[0].scopeSpans[0].spans[1].traceId',
          'resourceSpans[0].scopeSpans[0].spans[2].spanId',
          'resourceSpans[0].scopeSpans[0].spans[3].parentSpanId',
        ],
      );
      assert.match(batch.errors[0]!, /got 'abcdef'/);
    });

    it('rejects a span with a link to an all-zero span id', () => {
      const link = message((w) => {
        w.uint32(tag(1, LEN)).bytes(hex(LINKED_TRACE_ID));
        w.uint32(tag(2, LEN)).bytes(new Uint8Array(8));
      });
      const batch = decodeOtlpTracesProtobuf(
        requestOf([spanMessage((w) => w.uint32(tag(13, LEN)).bytes(link))]),
      );
      assert.equal(batch.rejectedSpans, 1);
      assert.match(batch.errors[0]!, /spans\[0\]\.links\[0\]/);
    });

    it('rejects unknown span kinds and status codes', () => {
      const status = message((w) => w.uint32(tag(3, VARINT)).int32(7));
      const batch = decodeOtlpTracesProtobuf(
        requestOf([
          spanMessage((w) => w.uint32(tag(6, VARINT)).int32(9)),
          spanMessage((w) => w.uint32(tag(15, LEN)).bytes(status)),
          spanMessage((w) => w.uint32(tag(6, VARINT)).int32(-1)),
        ]),
      );
      assert.equal(batch.rejectedSpans, 3);
      assert.match(batch.errors[0]!, /kind: unknown span kind 9/);
      assert.match(batch.errors[1]!, /status\.code: unknown status code 7/);
      assert.match(batch.errors[2]!, /kind: unknown span kind -1/);
    });

    it(`reports at most ${MAX_REPORTED_ERRORS} distinct problems but counts every rejected span`, () => {
      const spans = Array.from({ length: 25 }, (_, i) =>
        handMadeSpan({ spanId: (i + 1).toString(16).padStart(16, '0'), startTime: at(9_000) }),
      );
      const batch = decodeOtlpTracesProtobuf(serialize(...spans));
      assert.equal(batch.rejectedSpans, 25);
      assert.equal(batch.errors.length, MAX_REPORTED_ERRORS);
      assert.equal(new Set(batch.errors).size, MAX_REPORTED_ERRORS);
    });
  });

  describe('repairs', () => {
    it('treats an all-zero parent span id as no parent, so the span is a root', () => {
      const span = only(
        decodeOtlpTracesProtobuf(
          requestOf([spanMessage((w) => w.uint32(tag(4, LEN)).bytes(new Uint8Array(8)))]),
        ).spans,
      );
      assert.equal(span.parentSpanId, '');
    });

    it('lowercases ids and keeps a missing service.name missing', () => {
      const span = only(decodeOtlpTracesProtobuf(requestOf([spanMessage()])).spans);
      assert.equal(span.traceId, TRACE_ID);
      assert.deepEqual(span.resource, { attributes: [], droppedAttributesCount: 0, schemaUrl: '' });
      assert.deepEqual(span.scope, {
        name: '',
        version: '',
        attributes: [],
        droppedAttributesCount: 0,
        schemaUrl: '',
      });
      assert.deepEqual(span.status, { code: 0, message: '' });
    });
  });

  describe('hand-encoded payloads', () => {
    it('decodes int64 attribute values across the whole range, two’s complement for negatives', () => {
      const values = ['-9223372036854775808', '9223372036854775807', '-1', '9007199254740993', '0'];
      const span = only(
        decodeOtlpTracesProtobuf(
          requestOf([
            spanMessage((w) => {
              for (const v of values) {
                w.uint32(tag(9, LEN)).bytes(
                  attributeMessage(v, (a) => a.uint32(tag(3, VARINT)).int64(v)),
                );
              }
            }),
          ]),
        ).spans,
      );
      assert.deepEqual(
        span.attributes.map((a) => a.value),
        values.map(BigInt),
      );
    });

    it('decodes doubles including NaN and infinities, and non-ASCII strings', () => {
      const doubles = [Number.NaN, Number.POSITIVE_INFINITY, -0, 1e-300];
      const span = only(
        decodeOtlpTracesProtobuf(
          requestOf([
            spanMessage((w) => {
              for (const d of doubles) {
                w.uint32(tag(9, LEN)).bytes(
                  attributeMessage('d', (a) => a.uint32(tag(4, I64)).double(d)),
                );
              }
              w.uint32(tag(9, LEN)).bytes(
                attributeMessage('s', (a) => a.uint32(tag(1, LEN)).string('naïve ☃ 日本')),
              );
              w.uint32(tag(9, LEN)).bytes(
                attributeMessage('long', (a) => a.uint32(tag(1, LEN)).string('é'.repeat(100))),
              );
            }),
          ]),
        ).spans,
      );
      assert.deepEqual(
        span.attributes.map((a) => a.value),
        [...doubles, 'naïve ☃ 日本', 'é'.repeat(100)],
      );
    });

    it('reads the resource even when it comes after the scope spans', () => {
      const resource = message((w) =>
        w
          .uint32(tag(1, LEN))
          .bytes(attributeMessage('service.name', (a) => a.uint32(tag(1, LEN)).string('late'))),
      );
      const scope = message((w) => w.uint32(tag(1, LEN)).string('late-scope'));
      const scopeSpans = message((w) => {
        w.uint32(tag(2, LEN)).bytes(spanMessage());
        w.uint32(tag(3, LEN)).string('https://scope.example/schema');
        w.uint32(tag(1, LEN)).bytes(scope);
      });
      const body = message((w) =>
        w.uint32(tag(1, LEN)).bytes(
          message((rs) => {
            rs.uint32(tag(2, LEN)).bytes(scopeSpans);
            rs.uint32(tag(3, LEN)).string('https://resource.example/schema');
            rs.uint32(tag(1, LEN)).bytes(resource);
          }),
        ),
      );
      const span = only(decodeOtlpTracesProtobuf(body).spans);
      assert.deepEqual(span.resource, {
        attributes: [{ key: 'service.name', value: 'late' }],
        droppedAttributesCount: 0,
        schemaUrl: 'https://resource.example/schema',
      });
      assert.equal(span.scope.name, 'late-scope');
      assert.equal(span.scope.schemaUrl, 'https://scope.example/schema');
    });

    it('skips unknown fields of every wire type, including groups, at every level', () => {
      const unknown = (w: Writer) => {
        w.uint32(tag(90, VARINT)).uint64('18446744073709551615');
        w.uint32(tag(91, I64)).fixed64(1);
        w.uint32(tag(92, LEN)).string('future');
        w.uint32(tag(93, I32)).fixed32(7);
        w.uint32(tag(94, 3)); // start group
        w.uint32(tag(1, VARINT)).uint32(1);
        w.uint32(tag(95, 3)).uint32(tag(95, 4)); // nested empty group
        w.uint32(tag(94, 4)); // end group
      };
      const resource = message((w) => {
        unknown(w);
        w.uint32(tag(3, LEN)).bytes(message((e) => e.uint32(tag(1, LEN)).string('entity')));
      });
      const span = spanMessage(unknown);
      const scopeSpans = message((w) => {
        unknown(w);
        w.uint32(tag(2, LEN)).bytes(span);
      });
      const body = message((w) => {
        unknown(w);
        w.uint32(tag(1, LEN)).bytes(
          message((rs) => {
            unknown(rs);
            rs.uint32(tag(1, LEN)).bytes(resource);
            rs.uint32(tag(2, LEN)).bytes(scopeSpans);
          }),
        );
      });
      const batch = decodeOtlpTracesProtobuf(body);
      assert.equal(batch.rejectedSpans, 0);
      assert.equal(only(batch.spans).name, 'hand-encoded');
    });

    it('keeps the last value when a singular field repeats, as proto3 does', () => {
      const span = only(
        decodeOtlpTracesProtobuf(
          requestOf([spanMessage((w) => w.uint32(tag(5, LEN)).string('second'))]),
        ).spans,
      );
      assert.equal(span.name, 'second');
    });
  });

  describe('malformed requests', () => {
    it('throws InvalidInputError for every truncation of a real payload', () => {
      const body = serialize(...recordSdkSpans().all);
      for (let length = 1; length < body.length; length++) {
        assert.throws(
          () => decodeOtlpTracesProtobuf(body.subarray(0, length)),
          InvalidInputError,
          `truncated to ${length} of ${body.length} bytes`,
        );
      }
    });

    it('names the problem and its byte offset', () => {
      const body = serialize(handMadeSpan());
      assert.throws(
        () => decodeOtlpTracesProtobuf(body.subarray(0, body.length - 3)),
        (error: unknown) =>
          error instanceof InvalidInputError &&
          error.code === 'invalid_input' &&
          /^invalid protobuf: .+ at byte offset \d+$/.test(error.message),
      );
    });

    it('throws for a known field with the wrong wire type', () => {
      const body = requestOf([spanMessage((w) => w.uint32(tag(5, VARINT)).uint32(1))]);
      assert.throws(
        () => decodeOtlpTracesProtobuf(body),
        /Span field 5 has wire type varint at byte offset \d+/,
      );
      const badFlags = requestOf([spanMessage((w) => w.uint32(tag(16, VARINT)).uint32(1))]);
      assert.throws(() => decodeOtlpTracesProtobuf(badFlags), /Span field 16 has wire type varint/);
      const badTop = message((w) => w.uint32(tag(1, VARINT)).uint32(1));
      assert.throws(() => decodeOtlpTracesProtobuf(badTop), /ExportTraceServiceRequest field 1/);
    });

    it('throws when a nested length runs past its enclosing message', () => {
      // A span whose name claims 100 bytes, inside a ScopeSpans that is followed by more bytes
      // of the request, so only the bounds of the enclosing message catch it.
      const span = Uint8Array.of(tag(5, LEN), 100, 0x61);
      const scopeSpans = Uint8Array.of(tag(2, LEN), span.length, ...span);
      const resourceSpans = Uint8Array.of(tag(2, LEN), scopeSpans.length, ...scopeSpans);
      const body = Uint8Array.of(
        tag(1, LEN),
        resourceSpans.length,
        ...resourceSpans,
        ...new Uint8Array(200),
      );
      assert.throws(() => decodeOtlpTracesProtobuf(body), /runs past the end of its message/);
    });

    it('throws for invalid wire types, field number 0 and unbalanced groups', () => {
      assert.throws(
        () => decodeOtlpTracesProtobuf(Uint8Array.of(0x0f)),
        /unknown wire type 7 at byte offset 0/,
      );
      assert.throws(() => decodeOtlpTracesProtobuf(Uint8Array.of(0x02, 0)), /field number 0/);
      assert.throws(() => decodeOtlpTracesProtobuf(Uint8Array.of(tag(9, 4))), /end-group/);
      assert.throws(
        () => decodeOtlpTracesProtobuf(Uint8Array.of(tag(9, 3))),
        /unterminated group 9/,
      );
    });

    it(`throws for attribute arrays nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`, () => {
      let value = message((a) => a.uint32(tag(1, LEN)).string('bottom'));
      for (let i = 0; i < MAX_ANY_VALUE_DEPTH + 1; i++) {
        const inner = value;
        const array = message((arr) => arr.uint32(tag(1, LEN)).bytes(inner));
        value = message((a) => a.uint32(tag(5, LEN)).bytes(array));
      }
      const kv = message((w) => {
        w.uint32(tag(1, LEN)).string('deep');
        w.uint32(tag(2, LEN)).bytes(value);
      });
      const body = requestOf([spanMessage((w) => w.uint32(tag(9, LEN)).bytes(kv))]);
      assert.throws(() => decodeOtlpTracesProtobuf(body), /nested deeper than/);
    });
  });
});

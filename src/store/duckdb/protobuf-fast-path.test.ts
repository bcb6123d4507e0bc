import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Attributes } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import { bySpanId } from '../../../test/support/make-span.ts';
import { decodeOtlpTracesProtobuf } from '../../ingest/otlp/decode-protobuf.ts';
import { storeOtlpTracesProtobuf } from '../../ingest/otlp/store-protobuf.ts';
import {
  at,
  EXOTIC_ATTRIBUTES,
  handMadeSpan,
  recordSdkSpans,
  TRACE_ID,
} from '../../ingest/otlp/test-fixtures.ts';
import { DuckDbStore } from './duckdb-store.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function openStore(): Promise<DuckDbStore> {
  const dir = mkdtempSync(join(tmpdir(), 'tracehound-fast-path-'));
  dirs.push(dir);
  return DuckDbStore.open({ dataDir: dir });
}

/**
 * Stores `body` through the protobuf fast path, and checks that the outcome and every stored
 * span are exactly what the general decoder makes of the same bytes.
 */
async function assertSameAsGeneralPath(body: Uint8Array): Promise<void> {
  const decoded = decodeOtlpTracesProtobuf(body);
  const store = await openStore();
  try {
    const outcome = await storeOtlpTracesProtobuf(body, store);
    assert.deepEqual(outcome, {
      acceptedSpans: decoded.spans.length,
      rejectedSpans: decoded.rejectedSpans,
      errors: decoded.errors,
    });
    const traceIds = [...new Set(decoded.spans.map((s) => s.traceId))];
    assert.deepEqual(bySpanId(await store.getTraces(traceIds)), bySpanId(decoded.spans));
  } finally {
    await store.close();
  }
}

const serialize = (...spans: Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0]) =>
  ProtobufTraceSerializer.serializeRequest(spans)!;

/** Hand-encoding with protobufjs's Writer, for what the OTel serializer never writes. */
type Writer = protobuf.Writer;
const message = (build: (w: Writer) => void): Uint8Array => {
  const w = protobuf.Writer.create();
  build(w);
  return w.finish();
};
const tag = (field: number, wireType: number) => (field << 3) | wireType;
const hex = (id: string) => Uint8Array.from(Buffer.from(id, 'hex'));

function spanMessage(spanId: string, extra: (w: Writer) => void, parentSpanId?: string) {
  return message((w) => {
    w.uint32(tag(1, 2)).bytes(hex(TRACE_ID));
    w.uint32(tag(2, 2)).bytes(hex(spanId));
    if (parentSpanId !== undefined) w.uint32(tag(4, 2)).bytes(hex(parentSpanId));
    w.uint32(tag(5, 2)).string('hand-encoded');
    w.uint32(tag(7, 1)).fixed64(1_700_000_000_000_001_000);
    w.uint32(tag(8, 1)).fixed64(1_700_000_000_000_002_000);
    extra(w);
  });
}

function attribute(key: string, value: (w: Writer) => void): (w: Writer) => void {
  const any = message(value);
  return (w) =>
    w
      .uint32(tag(9, 2))
      .bytes(message((kv) => kv.uint32(tag(1, 2)).string(key).uint32(tag(2, 2)).bytes(any)));
}

function requestOf(spans: Uint8Array[]): Uint8Array {
  const resource = message((w) =>
    w.uint32(tag(1, 2)).bytes(
      message((kv) =>
        kv
          .uint32(tag(1, 2))
          .string('service.name')
          .uint32(tag(2, 2))
          .bytes(message((v) => v.uint32(tag(1, 2)).string('hand'))),
      ),
    ),
  );
  const scopeSpans = message((w) => {
    for (const span of spans) w.uint32(tag(2, 2)).bytes(span);
  });
  const resourceSpans = message((w) => {
    w.uint32(tag(1, 2)).bytes(resource);
    w.uint32(tag(2, 2)).bytes(scopeSpans);
  });
  return message((w) => w.uint32(tag(1, 2)).bytes(resourceSpans));
}

const SCALARS: Attributes = {
  'http.method': 'GET',
  'http.status_code': 500,
  'http.route': '/cart/{id}',
  'http.target': '/cart/héllo ☃',
  negative: -42,
  big: 2 ** 62,
  ratio: 0.1,
  whole: 2.5,
  'not.a.number': Number.NaN,
  infinite: Number.POSITIVE_INFINITY,
  cached: true,
};

describe('the OTLP/protobuf fast path of the DuckDB store', () => {
  it('stores spans recorded by the OpenTelemetry SDK exactly as the general decoder reads them', async () => {
    await assertSameAsGeneralPath(serialize(...recordSdkSpans().all));
  });

  it('stores plain spans of every scalar attribute type, parents inside and outside the request', async () => {
    const root = handMadeSpan({ spanId: 'a000000000000001', attributes: SCALARS });
    const child = handMadeSpan({
      spanId: 'a000000000000002',
      parentSpanId: 'a000000000000001',
      attributes: SCALARS,
    });
    const orphan = handMadeSpan({ spanId: 'a000000000000003', parentSpanId: 'b00000000000000f' });
    await assertSameAsGeneralPath(serialize(root, child, orphan));
  });

  it('stores spans with more attributes than slots, and bytes, lists and empty values', async () => {
    const many: Attributes = {};
    for (let i = 0; i < 15; i++) many[`key.${i}`] = i % 2 === 0 ? `v${i}` : i;
    await assertSameAsGeneralPath(
      serialize(
        handMadeSpan({ spanId: 'a000000000000001', attributes: many }),
        handMadeSpan({ spanId: 'a000000000000002', attributes: EXOTIC_ATTRIBUTES }),
        handMadeSpan({
          spanId: 'a000000000000003',
          attributes: { ...EXOTIC_ATTRIBUTES, after: 'the exotic ones', n: 7 },
        }),
      ),
    );
  });

  it('rejects the same invalid spans with the same messages and keeps the others', async () => {
    await assertSameAsGeneralPath(
      serialize(
        handMadeSpan({ spanId: 'a000000000000001' }),
        handMadeSpan({ traceId: '00000000000000000000000000000000', spanId: 'a000000000000002' }),
        handMadeSpan({ spanId: 'a000000000000003', startTime: at(5_000), endTime: at(1_000) }),
        handMadeSpan({ spanId: 'a000000000000004', parentSpanId: 'a000000000000004' }),
      ),
    );
  });

  it('reads what the SDK never writes as the general decoder does', async () => {
    const invalidUtf8 = Uint8Array.from([0x61, 0xff, 0xfe, 0x62]);
    await assertSameAsGeneralPath(
      requestOf([
        // repeated keys; -0; invalid UTF-8; a oneof set twice (the last wins)
        spanMessage('a000000000000001', (w) => {
          attribute('dup', (v) => v.uint32(tag(1, 2)).string('first'))(w);
          attribute('dup', (v) => v.uint32(tag(3, 0)).int64(2))(w);
          attribute('minus.zero', (v) => v.uint32(tag(4, 1)).double(-0))(w);
          attribute('broken', (v) => v.uint32(tag(1, 2)).bytes(invalidUtf8))(w);
          attribute('twice', (v) => v.uint32(tag(1, 2)).string('a').uint32(tag(2, 0)).bool(true))(
            w,
          );
        }),
        // an all-zero parent means a root span
        spanMessage('a000000000000002', () => {}, '0000000000000000'),
        // an unknown field is skipped
        spanMessage('a000000000000003', (w) => w.uint32(tag(99, 0)).uint32(7)),
        // a trace state and a status message
        spanMessage('a000000000000004', (w) => {
          w.uint32(tag(3, 2)).string('vendor=1');
          w.uint32(tag(15, 2)).bytes(
            message((s) => s.uint32(tag(2, 2)).string('card declined').uint32(tag(3, 0)).uint32(2)),
          );
        }),
      ]),
    );
  });

  it('reads attributes at the edges of the usual shape as the general decoder does', async () => {
    const long = 'x'.repeat(130);
    const kv = (build: (w: Writer) => void) => (w: Writer) =>
      w.uint32(tag(9, 2)).bytes(message(build));
    const string = (key: string, value: string) =>
      attribute(key, (v) => v.uint32(tag(1, 2)).string(value));
    await assertSameAsGeneralPath(
      requestOf([
        spanMessage('a000000000000001', (w) => {
          // ints around the 7 varint bytes read as numbers, and one written in two bytes for 1
          attribute('int.max7', (v) => v.uint32(tag(3, 0)).int64(2 ** 49 - 1))(w);
          attribute('int.min8', (v) => v.uint32(tag(3, 0)).int64(2 ** 49))(w);
          attribute('int.zero', (v) => v.uint32(tag(3, 0)).int64(0))(w);
          kv((a) =>
            a
              .uint32(tag(1, 2))
              .string('int.padded')
              .uint32(tag(2, 2))
              .bytes(Uint8Array.of(tag(3, 0), 0x81, 0x00)),
          )(w);
          attribute('bool.two', (v) => v.uint32(tag(2, 0)).uint32(2))(w);
          string('empty', '')(w);
          // lengths of two bytes: a long value, a long key
          string('long.value', long)(w);
          string(long, 'long key')(w);
          // the value before the key
          kv((a) =>
            a
              .uint32(tag(2, 2))
              .bytes(message((v) => v.uint32(tag(1, 2)).string('first')))
              .uint32(tag(1, 2))
              .string('value.first'),
          )(w);
        }),
        // the same places with other keys, and a key that is not ASCII
        spanMessage('a000000000000002', (w) => {
          string('int.max7', 'now a string')(w);
          string('int.mix8', 'one letter apart')(w);
          string('ключ', 'значение')(w);
        }),
        // 'é', then at the same place the byte 0xE9 alone: invalid UTF-8, not 'é'
        spanMessage('a000000000000004', (w) => string('é', 'valid')(w)),
        spanMessage('a000000000000005', (w) =>
          kv((a) =>
            a
              .uint32(tag(1, 2))
              .bytes(Uint8Array.of(0xe9))
              .uint32(tag(2, 2))
              .bytes(message((v) => v.uint32(tag(1, 2)).string('invalid'))),
          )(w),
        ),
        spanMessage('a000000000000003', (w) => {
          string('ключ', 'again')(w);
          attribute('ratio', (v) => v.uint32(tag(4, 1)).double(0.25))(w);
        }),
      ]),
    );
  });

  it('refuses a malformed request as a whole, as the general decoder does', async () => {
    const body = requestOf([spanMessage('a000000000000001', () => {})]);
    const truncated = body.subarray(0, body.length - 3);
    // an int whose varint still continues where its value ends
    const unfinishedInt = requestOf([
      spanMessage('a000000000000002', (w) =>
        w.uint32(tag(9, 2)).bytes(
          message((a) =>
            a
              .uint32(tag(1, 2))
              .string('n')
              .uint32(tag(2, 2))
              .bytes(Uint8Array.of(tag(3, 0), 0x81, 0x81)),
          ),
        ),
      ),
    ]);
    const store = await openStore();
    try {
      for (const malformed of [truncated, unfinishedInt]) {
        await assert.rejects(storeOtlpTracesProtobuf(malformed, store), /invalid protobuf/);
        assert.throws(() => decodeOtlpTracesProtobuf(malformed), /invalid protobuf/);
      }
      assert.deepEqual(await store.getTraces([TRACE_ID]), []);
    } finally {
      await store.close();
    }
  });
});

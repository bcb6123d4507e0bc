import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { InstrumentationScope, Resource, Span } from '../../model/span.ts';
import type { RawSpan, SpanRowSink } from '../span-row-sink.ts';
import { decodeOtlpTracesProtobuf } from './decode-protobuf.ts';
import { decodeOtlpTracesProtobufInto } from './decode-protobuf-rows.ts';
import { at, handMadeSpan, recordSdkSpans } from './test-fixtures.ts';

/** Records what the decoder delivers; takes rows unless told to refuse them. */
class RecordingSink implements SpanRowSink {
  readonly rows: { name: string; spanId: string; attributes: string[] }[] = [];
  readonly spans: Span[] = [];
  readonly scopes: [Resource, InstrumentationScope][] = [];
  constructor(private readonly takesRows = true) {}
  scope(resource: Resource, scope: InstrumentationScope): void {
    this.scopes.push([resource, scope]);
  }
  row(raw: RawSpan): boolean {
    if (!this.takesRows) return false;
    const spanId = Buffer.from(raw.buf.subarray(raw.spanIdAt, raw.spanIdAt + 8)).toString('hex');
    const attributes = raw.attributes.slice(0, raw.attributeCount).map((a) => a.key);
    this.rows.push({ name: raw.name, spanId, attributes });
    return true;
  }
  span(span: Span): void {
    this.spans.push(span);
  }
}

const serialize = (...spans: Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0]) =>
  ProtobufTraceSerializer.serializeRequest(spans)!;

describe('decodeOtlpTracesProtobufInto', () => {
  it('delivers plain spans as rows, without Span objects', () => {
    const sink = new RecordingSink();
    const body = serialize(
      handMadeSpan({ spanId: 'a000000000000001', name: 'GET /a', attributes: { x: 1, y: 'z' } }),
    );
    const outcome = decodeOtlpTracesProtobufInto(body, sink);
    assert.deepEqual(outcome, { acceptedSpans: 1, rejectedSpans: 0, errors: [] });
    assert.deepEqual(sink.rows, [
      { name: 'GET /a', spanId: 'a000000000000001', attributes: ['x', 'y'] },
    ]);
    assert.deepEqual(sink.spans, []);
  });

  it('delivers spans with events, links or a trace state as Spans, exactly as decoded', () => {
    const sink = new RecordingSink();
    const body = serialize(...recordSdkSpans().all);
    decodeOtlpTracesProtobufInto(body, sink);
    const general = decodeOtlpTracesProtobuf(body).spans;
    const withExtras = general.filter(
      (s) => s.events.length > 0 || s.links.length > 0 || s.traceState !== '',
    );
    assert.ok(withExtras.length > 0);
    assert.deepEqual(sink.spans, withExtras);
    assert.equal(sink.rows.length + sink.spans.length, general.length);
  });

  it('delivers a span as a Span when the sink refuses its row', () => {
    const sink = new RecordingSink(false);
    const body = serialize(handMadeSpan({ spanId: 'a000000000000001' }));
    decodeOtlpTracesProtobufInto(body, sink);
    assert.deepEqual(sink.spans, decodeOtlpTracesProtobuf(body).spans);
  });

  it("rejects invalid spans with the general decoder's messages", () => {
    const body = serialize(
      handMadeSpan({ spanId: 'a000000000000001', startTime: at(9_000), endTime: at(1_000) }),
      handMadeSpan({ spanId: 'a000000000000002' }),
    );
    const outcome = decodeOtlpTracesProtobufInto(body, new RecordingSink());
    const general = decodeOtlpTracesProtobuf(body);
    assert.deepEqual(outcome, {
      acceptedSpans: 1,
      rejectedSpans: general.rejectedSpans,
      errors: general.errors,
    });
  });
});

/**
 * The ingest baseline: the reference payloads decoded by protobufjs's generic (reflection-built)
 * decoder and nothing else, on one thread, as fast as it goes. Also times Tracehound's own
 * decoder the same way, to show how much of the ingest budget decoding takes.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { decodeOtlpTracesProtobuf } from '../src/ingest/otlp/decode-protobuf.ts';
import { decodeOtlpTracesProtobufInto } from '../src/ingest/otlp/decode-protobuf-rows.ts';
import { createBatch, SPANS_PER_BATCH } from './workload.ts';

const PROTO = fileURLToPath(new URL('./otlp-trace.proto', import.meta.url));

/** Takes every span and keeps nothing: the fast path's decoding cost alone. */
const COUNTING_SINK = { scope: () => {}, row: () => true, span: () => {} };

export interface DecodeRates {
  /** protobufjs `Type.decode` of ExportTraceServiceRequest, spans per second. */
  readonly protobufjsSpansPerSecond: number;
  /** Tracehound's general decoder (to model spans, validated), spans per second. */
  readonly tracehoundSpansPerSecond: number;
  /** Tracehound's fast path (validated fields into a sink that takes them), spans per second. */
  readonly tracehoundRowsSpansPerSecond: number;
}

function spansPerSecond(decode: (body: Uint8Array) => unknown, bodies: Uint8Array[], ms: number) {
  for (let i = 0; i < 20; i++) decode(bodies[i % bodies.length]!);
  const started = performance.now();
  let batches = 0;
  while (performance.now() - started < ms) {
    decode(bodies[batches % bodies.length]!);
    batches++;
  }
  return (batches * SPANS_PER_BATCH) / ((performance.now() - started) / 1000);
}

/** Runs each decoder for `ms` milliseconds over the same eight reference batches. */
export function measureDecodeRates(ms: number): DecodeRates {
  const request = protobuf
    .loadSync(PROTO)
    .lookupType('opentelemetry.proto.ExportTraceServiceRequest');
  const bodies = Array.from({ length: 8 }, (_, i) => {
    const batch = createBatch(90_000 + i, 99);
    batch.refresh(BigInt(Date.now()) * 1_000_000n);
    return Uint8Array.from(batch.body);
  });
  const decoded = request.decode(bodies[0]!) as unknown as {
    resourceSpans: { scopeSpans: { spans: unknown[] }[] }[];
  };
  const count = decoded.resourceSpans.reduce((n, r) => n + (r.scopeSpans[0]?.spans.length ?? 0), 0);
  if (count !== SPANS_PER_BATCH) {
    throw new Error(
      `protobufjs read ${count} spans from a reference batch, not ${SPANS_PER_BATCH}`,
    );
  }
  return {
    protobufjsSpansPerSecond: spansPerSecond((b) => request.decode(b), bodies, ms),
    tracehoundSpansPerSecond: spansPerSecond(decodeOtlpTracesProtobuf, bodies, ms),
    tracehoundRowsSpansPerSecond: spansPerSecond(
      (body) => decodeOtlpTracesProtobufInto(body, COUNTING_SINK),
      bodies,
      ms,
    ),
  };
}

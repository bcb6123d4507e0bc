import type { SpanWriter } from '../span-writer.ts';
import { decodeOtlpTracesProtobuf } from './decode-protobuf.ts';
import { decodeOtlpTracesProtobufInto, type RowsOutcome } from './decode-protobuf-rows.ts';

/**
 * Decodes an OTLP/protobuf `ExportTraceServiceRequest` and stores its valid spans with `writer`;
 * resolves, once they are durable, with what was accepted and rejected (for `partialSuccess`).
 * Uses the writer's row fast path when it has one; the outcome is the same either way.
 *
 * @throws InvalidInputError for a malformed message (nothing of it is stored), and whatever the
 *   writer rejects with (OverloadedError, StoreError).
 */
export async function storeOtlpTracesProtobuf(
  body: Uint8Array,
  writer: SpanWriter,
): Promise<RowsOutcome> {
  const rows = writer.rowBatch?.();
  if (rows) {
    const outcome = decodeOtlpTracesProtobufInto(body, rows);
    await rows.store();
    return outcome;
  }
  const batch = decodeOtlpTracesProtobuf(body);
  await writer.write(batch.spans);
  return {
    acceptedSpans: batch.spans.length,
    rejectedSpans: batch.rejectedSpans,
    errors: batch.errors,
  };
}

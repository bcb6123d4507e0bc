import type { DecodedBatch } from '../decoded-batch.ts';
import type { OtlpJsonExportTraceServiceResponse } from './otlp-json-types.ts';
import { ProtobufWriter } from './protobuf-writer.ts';

/**
 * The one-line `error_message` for a batch's rejected spans: its problems joined with '; ',
 * noting when more spans were rejected than problems listed. '' when nothing was rejected.
 */
export function errorMessageOf(batch: Pick<DecodedBatch, 'rejectedSpans' | 'errors'>): string {
  if (batch.errors.length === 0) {
    return batch.rejectedSpans === 0 ? '' : `${batch.rejectedSpans} spans rejected`;
  }
  const message = batch.errors.join('; ');
  return batch.rejectedSpans > batch.errors.length
    ? `${message} (${batch.rejectedSpans} spans rejected in all)`
    : message;
}

/**
 * Encodes an OTLP/protobuf `ExportTraceServiceResponse`: `partial_success` (field 1) with
 * `rejected_spans` (1, int64) and `error_message` (2, string), or no bytes at all when nothing
 * was rejected and there is nothing to say, which OTLP reads as full success.
 * @see https://opentelemetry.io/docs/specs/otlp/#partial-success-1
 */
export function encodeExportResponseProtobuf(
  rejectedSpans: number,
  errorMessage: string,
): Uint8Array {
  if (rejectedSpans === 0 && errorMessage === '') return new Uint8Array(0);
  const partialSuccess = new ProtobufWriter();
  if (rejectedSpans !== 0) partialSuccess.varint(1, rejectedSpans);
  if (errorMessage !== '') partialSuccess.string(2, errorMessage);
  return new ProtobufWriter().message(1, partialSuccess).finish();
}

/**
 * The OTLP/JSON `ExportTraceServiceResponse`: `{}` when nothing was rejected and there is
 * nothing to say, otherwise `partialSuccess` with `rejectedSpans` as a decimal string (proto3
 * JSON writes int64 that way).
 */
export function exportResponseJson(
  rejectedSpans: number,
  errorMessage: string,
): OtlpJsonExportTraceServiceResponse {
  if (rejectedSpans === 0 && errorMessage === '') return {};
  return { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } };
}

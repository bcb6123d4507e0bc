import type { DecodedBatch } from '../decoded-batch.ts';
import type { OtlpJsonExportTraceServiceResponse } from './otlp-json-types.ts';

const textEncoder = new TextEncoder();

/**
 * The one-line `error_message` for a batch's rejected spans: its problems joined with '; ',
 * noting when more spans were rejected than problems listed. '' when nothing was rejected.
 */
export function errorMessageOf(batch: DecodedBatch): string {
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
  const message = textEncoder.encode(errorMessage);
  const inner: number[] = [];
  if (rejectedSpans !== 0) {
    inner.push(0x08); // 1 rejected_spans, varint
    pushVarint(inner, rejectedSpans);
  }
  if (message.length > 0) {
    inner.push(0x12); // 2 error_message, length-delimited
    pushVarint(inner, message.length);
  }
  const head: number[] = [0x0a]; // 1 partial_success, length-delimited
  pushVarint(head, inner.length + message.length);

  const out = new Uint8Array(head.length + inner.length + message.length);
  out.set(head, 0);
  out.set(inner, head.length);
  out.set(message, head.length + inner.length);
  return out;
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

/** A non-negative integer below 2^53 as a varint. */
function pushVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`cannot encode ${value} as a varint`);
  }
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
}

import { isValidSpanId, isValidTraceId, type Span, SpanKind, StatusCode } from '../model/span.ts';

/** Times are stored as signed 64-bit nanoseconds; later times cannot be kept. */
const MAX_TIME_UNIX_NANO = 2n ** 63n;

/**
 * Checks a decoded span against the rules every receiver enforces, and returns the problem
 * (naming the field) or null when the span is acceptable. `path` prefixes the field names.
 */
export function problemWithSpan(span: Span, path: string): string | null {
  if (!isValidTraceId(span.traceId)) {
    return `${path}.traceId: must be 16 bytes and not all zero (got '${span.traceId}')`;
  }
  if (!isValidSpanId(span.spanId)) {
    return `${path}.spanId: must be 8 bytes and not all zero (got '${span.spanId}')`;
  }
  if (span.parentSpanId !== '' && !isValidSpanId(span.parentSpanId)) {
    return `${path}.parentSpanId: must be empty or 8 bytes and not all zero (got '${span.parentSpanId}')`;
  }
  if (span.parentSpanId === span.spanId) {
    return `${path}.parentSpanId: a span cannot be its own parent`;
  }
  if (span.startTimeUnixNano <= 0n) {
    return `${path}.startTimeUnixNano: must be set`;
  }
  if (span.endTimeUnixNano >= MAX_TIME_UNIX_NANO) {
    return `${path}.endTimeUnixNano: beyond the year 2262 (${span.endTimeUnixNano})`;
  }
  if (span.endTimeUnixNano < span.startTimeUnixNano) {
    return `${path}.endTimeUnixNano: ends before it starts (${span.endTimeUnixNano} < ${span.startTimeUnixNano})`;
  }
  if (!Object.values(SpanKind).includes(span.kind)) {
    return `${path}.kind: unknown span kind ${span.kind}`;
  }
  if (!Object.values(StatusCode).includes(span.status.code)) {
    return `${path}.status.code: unknown status code ${span.status.code}`;
  }
  for (const [i, link] of span.links.entries()) {
    if (!isValidTraceId(link.traceId) || !isValidSpanId(link.spanId)) {
      return `${path}.links[${i}]: trace and span ids must be valid and not all zero`;
    }
  }
  return null;
}

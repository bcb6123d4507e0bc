import type { Span } from '../model/span.ts';

/**
 * What a decoder makes of one request: the spans it accepted and the ones it rejected.
 * A malformed envelope (truncated protobuf, JSON that is not an export request) is not a
 * batch at all: decoders throw InvalidInputError for that instead.
 */
export interface DecodedBatch {
  readonly spans: Span[];
  /** Spans present in the request but refused, e.g. for an all-zero id or an end before the start. */
  readonly rejectedSpans: number;
  /** One line per distinct problem, each naming the path of the bad field; at most a handful. */
  readonly errors: string[];
}

export const MAX_REPORTED_ERRORS = 10;

import type { Span } from '../../model/span.ts';
import { MAX_REPORTED_ERRORS } from '../decoded-batch.ts';

/** A DecodedBatch while a decoder is still filling it in. */
export interface BatchInProgress {
  spans: Span[];
  rejectedSpans: number;
  errors: string[];
}

export function newBatch(): BatchInProgress {
  return { spans: [], rejectedSpans: 0, errors: [] };
}

/**
 * Counts one rejected span and keeps its message when it is new and there is room
 * (MAX_REPORTED_ERRORS lines), so a request of a million bad spans gets a short answer.
 */
export function recordRejection(batch: BatchInProgress, message: string): void {
  batch.rejectedSpans++;
  if (batch.errors.length < MAX_REPORTED_ERRORS && !batch.errors.includes(message)) {
    batch.errors.push(message);
  }
}

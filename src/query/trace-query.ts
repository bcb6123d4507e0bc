import type { SpanKind } from '../model/span.ts';

/** One `key=value` condition; it matches a span attribute or a resource attribute by text form. */
export interface AttributeCondition {
  readonly key: string;
  readonly value: string;
}

/**
 * A trace search. A trace matches when one of its spans meets every condition at once
 * (Jaeger's semantics). Time bounds apply to that span's start.
 */
export interface TraceQuery {
  readonly service?: string;
  readonly operation?: string;
  readonly spanKind?: SpanKind;
  readonly attributes: readonly AttributeCondition[];
  readonly minDurationNs?: bigint;
  readonly maxDurationNs?: bigint;
  readonly startTimeMinUnixNano?: bigint;
  readonly startTimeMaxUnixNano?: bigint;
  /** Matching span has error status. */
  readonly errorOnly?: boolean;
  /** At most this many traces, newest first. */
  readonly limit: number;
}

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 1500;

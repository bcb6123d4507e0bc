import type { SpanId, TraceId } from '../model/span.ts';

/** The detector names, exactly as they appear in `findings[].kind`. */
export const FINDING_KINDS = [
  'n_plus_one',
  'sequential_calls',
  'fan_out',
  'retry_storm',
  'silent_timeout',
  'cascading_latency',
  'error_origin',
  'client_server_gap',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One problem a detector found. Durations are integer nanoseconds. */
export interface Finding {
  readonly kind: FindingKind;
  readonly severity: Severity;
  readonly service: string;
  readonly operation: string;
  /** The spans involved; the first is the one a user should look at first. */
  readonly spanIds: readonly SpanId[];
  /** Estimated time a fix would save on the trace's end-to-end duration. */
  readonly impactNs: number;
  /** One line with numbers, e.g. "12 sequential SELECT ... under GET /cart took 240 ms". */
  readonly summary: string;
}

export interface ClockSkewAdjustment {
  readonly spanId: SpanId;
  /** Added to the span's start and end (and those of its subtree). */
  readonly shiftNs: number;
  readonly reason: string;
}

export interface CriticalPathSegment {
  readonly spanId: SpanId;
  readonly service: string;
  readonly operation: string;
  /** Time this span alone contributes to the end-to-end duration along the path. */
  readonly selfTimeNs: number;
}

export interface SelfTimeTotal {
  /** Service name, or `service operation` for operations. */
  readonly service: string;
  readonly operation?: string;
  readonly selfTimeNs: number;
  readonly spanCount: number;
}

/** What `GET /api/v1/traces/{traceId}/analysis` returns. */
export interface TraceAnalysis {
  readonly traceId: TraceId;
  readonly durationNs: number;
  readonly spanCount: number;
  readonly services: readonly string[];
  readonly incomplete: {
    readonly orphanSpanIds: readonly SpanId[];
    readonly missingParentIds: readonly SpanId[];
  };
  readonly clockSkewAdjustments: readonly ClockSkewAdjustment[];
  readonly criticalPath: readonly CriticalPathSegment[];
  /** Sorted by `impactNs`, largest first. */
  readonly findings: readonly Finding[];
  readonly whyChain: readonly string[];
  readonly selfTimeByService: readonly SelfTimeTotal[];
  readonly selfTimeByOperation: readonly SelfTimeTotal[];
  /** Things the analysis met and worked around (duplicate ids, cycles, ...); it never throws. */
  readonly problems: readonly string[];
}

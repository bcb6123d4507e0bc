/**
 * Every threshold the analysis uses, with the defaults documented in docs/analysis.md.
 * Durations are integer nanoseconds; fractions are between 0 and 1.
 */
export interface AnalysisOptions {
  readonly clockSkew: {
    /** Shift cross-service children back inside their parents (Jaeger's adjuster). */
    readonly enabled: boolean;
  };
  readonly nPlusOne: {
    /** Sequential sibling calls with one normalised statement or route needed to report. */
    readonly minCalls: number;
  };
  readonly sequentialCalls: {
    readonly minCalls: number;
    /** Each call in the run must take at least this long. */
    readonly minCallNs: number;
    /** Running the run in parallel must save at least this much... */
    readonly minSavingNs: number;
    /** ...and at least this fraction of the parent's duration. */
    readonly minSavingFraction: number;
  };
  readonly fanOut: {
    /** Overlapping children needed. */
    readonly minChildren: number;
    /** The slowest child must be at least this many times the median of its siblings. */
    readonly minSlowestToMedian: number;
  };
  readonly retryStorm: {
    /** Repeats after failures needed (3 retries = 4 attempts). */
    readonly minRetries: number;
  };
  readonly silentTimeout: {
    readonly minDurationNs: number;
    /** The span must cover at least this fraction of its parent. */
    readonly minParentFraction: number;
    /** Durations typical of configured timeouts. */
    readonly roundTimeoutsNs: readonly number[];
    /** How close to a round timeout a duration must be (relative). */
    readonly roundTolerance: number;
  };
  readonly cascadingLatency: {
    /** Nested spans in the chain, the cause included. */
    readonly minDepth: number;
    readonly minServices: number;
    /**
     * Each span above the cause spends at most this fraction of its duration outside the next
     * span of the chain (its own code and its other children).
     */
    readonly maxSelfFraction: number;
    /** The cause spends at least this fraction of its duration in its own code. */
    readonly minCauseSelfFraction: number;
    /** The chain's top span must take at least this long. */
    readonly minDurationNs: number;
  };
  readonly clientServerGap: {
    /** The gap must be at least this fraction of the client span... */
    readonly minGapFraction: number;
    /** ...and at least this long. */
    readonly minGapNs: number;
  };
  readonly severity: {
    /** Impact at least this fraction of the trace's duration is critical. */
    readonly criticalFraction: number;
    /** Impact at least this fraction of the trace's duration is a warning; below, info. */
    readonly warningFraction: number;
  };
}

/** Partial overrides, one level deep: `{ nPlusOne: { minCalls: 3 } }`. */
export type AnalysisOptionsInput = {
  readonly [K in keyof AnalysisOptions]?: Partial<AnalysisOptions[K]>;
};

const MS = 1_000_000;
const S = 1_000_000_000;

export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = {
  clockSkew: { enabled: true },
  nPlusOne: { minCalls: 5 },
  sequentialCalls: {
    minCalls: 3,
    minCallNs: 30 * MS,
    minSavingNs: 100 * MS,
    minSavingFraction: 0.1,
  },
  fanOut: { minChildren: 5, minSlowestToMedian: 2 },
  retryStorm: { minRetries: 3 },
  silentTimeout: {
    minDurationNs: 1 * S,
    minParentFraction: 0.9,
    roundTimeoutsNs: [1 * S, 2 * S, 5 * S, 10 * S, 30 * S, 60 * S],
    roundTolerance: 0.02,
  },
  cascadingLatency: {
    minDepth: 3,
    minServices: 3,
    maxSelfFraction: 0.1,
    minCauseSelfFraction: 0.5,
    minDurationNs: 100 * MS,
  },
  clientServerGap: { minGapFraction: 0.2, minGapNs: 10 * MS },
  severity: { criticalFraction: 0.3, warningFraction: 0.1 },
};

/** The defaults with `input`'s overrides applied; unknown keys and wrong types are ignored. */
export function resolveAnalysisOptions(input: AnalysisOptionsInput | undefined): AnalysisOptions {
  if (input === undefined || input === null || typeof input !== 'object') {
    return DEFAULT_ANALYSIS_OPTIONS;
  }
  const resolved: Record<string, unknown> = {};
  for (const [group, defaults] of Object.entries(DEFAULT_ANALYSIS_OPTIONS)) {
    const overrides = (input as Record<string, unknown>)[group];
    const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    if (overrides !== null && typeof overrides === 'object') {
      for (const [key, value] of Object.entries(overrides)) {
        const current = merged[key];
        if (current === undefined) continue;
        if (Array.isArray(current) ? Array.isArray(value) : typeof value === typeof current) {
          merged[key] = value;
        }
      }
    }
    resolved[group] = merged;
  }
  return resolved as unknown as AnalysisOptions;
}

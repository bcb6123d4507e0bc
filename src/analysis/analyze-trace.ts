import type { Span } from '../model/span.ts';
import {
  type AnalysisOptions,
  type AnalysisOptionsInput,
  resolveAnalysisOptions,
} from './analysis-options.ts';
import { assembleTraceTree } from './assemble-trace-tree.ts';
import { correctClockSkew } from './clock-skew.ts';
import { computeCriticalPath } from './critical-path.ts';
import { runDetectors } from './detectors/all-detectors.ts';
import type { Detection } from './detectors/detector.ts';
import { computeSelfTimes } from './self-time.ts';
import { FINDING_KINDS, type TraceAnalysis } from './trace-analysis.ts';
import type { TraceTree } from './trace-tree.ts';
import { buildWhyChain } from './why-chain.ts';

export {
  type AnalysisOptions,
  type AnalysisOptionsInput,
  DEFAULT_ANALYSIS_OPTIONS,
} from './analysis-options.ts';

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

/** Largest impact first; ties by severity, kind, then the anchor's place in the tree. */
function compareDetections(a: Detection, b: Detection): number {
  return (
    b.finding.impactNs - a.finding.impactNs ||
    SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] ||
    FINDING_KINDS.indexOf(a.finding.kind) - FINDING_KINDS.indexOf(b.finding.kind) ||
    a.anchor - b.anchor
  );
}

function emptyAnalysis(spans: readonly Span[], problems: string[]): TraceAnalysis {
  return {
    traceId: spans[0]?.traceId ?? '',
    durationNs: 0,
    spanCount: spans.length,
    services: [],
    incomplete: { orphanSpanIds: [], missingParentIds: [] },
    clockSkewAdjustments: [],
    criticalPath: [],
    findings: [],
    whyChain: [],
    selfTimeByService: [],
    selfTimeByOperation: [],
    problems,
  };
}

/** Latest end minus earliest start, after clock-skew correction. */
function traceDurationNs(tree: TraceTree): number {
  return tree.size > 0 ? latest(tree.endNs) - earliest(tree.startNs) : 0;
}

// The loops sit in functions of their own, with nothing after them: code after a loop the engine
// compiled while it ran would be deoptimised on every analysis (see tree-numbering.ts).

function earliest(values: Float64Array): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! < min) min = values[i]!;
  return min;
}

function latest(values: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

function analyze(spans: readonly Span[], options: AnalysisOptions): TraceAnalysis {
  const assembled = assembleTraceTree(spans);
  const problems = [...assembled.problems];
  const traceId = spans[0]?.traceId ?? '';
  if (assembled.mixedTraceIds)
    problems.push('spans from more than one trace were analysed together');
  const { tree, adjustments } = options.clockSkew.enabled
    ? correctClockSkew(assembled)
    : { tree: assembled, adjustments: [] };

  const durationNs = traceDurationNs(tree);

  const selfTimes = computeSelfTimes(tree);
  const detected = runDetectors({
    tree,
    selfTimeNs: selfTimes.bySpan,
    traceDurationNs: durationNs,
    options,
  });
  problems.push(...detected.problems);
  const detections = detected.detections.sort(compareDetections);
  // After the detectors, which do not need it: its thousands of segments, made earlier, would be
  // alive (and copied by the garbage collector) through all the detectors' allocations.
  const criticalPath = computeCriticalPath(tree);

  const services = selfTimes.byService.map((total) => total.service).sort();

  return {
    traceId,
    durationNs,
    spanCount: spans.length,
    services,
    incomplete: {
      orphanSpanIds: tree.orphanSpanIds,
      missingParentIds: tree.missingParentIds,
    },
    clockSkewAdjustments: adjustments,
    criticalPath: criticalPath.segments,
    findings: detections.map((detection) => detection.finding),
    whyChain: buildWhyChain(tree, criticalPath, selfTimes.bySpan, durationNs, detections),
    selfTimeByService: selfTimes.byService,
    selfTimeByOperation: selfTimes.byOperation,
    problems,
  };
}

/**
 * Analyses the spans of one trace: tree assembly, clock-skew correction, self time, critical
 * path, the detectors and the why-chain (see docs/analysis.md). `options` overrides the
 * documented defaults ({@link DEFAULT_ANALYSIS_OPTIONS}) group by group, e.g.
 * `{ nPlusOne: { minCalls: 3 } }`. Pure and total: the spans are never changed, durations are
 * integer nanoseconds, findings come largest impact first, and whatever the input (empty,
 * cyclic, duplicated, orphaned) it returns an analysis, with what it worked around in
 * `problems`, rather than throwing.
 */
export function analyzeTrace(
  spans: readonly Span[],
  options?: AnalysisOptionsInput,
): TraceAnalysis {
  try {
    return analyze(spans, resolveAnalysisOptions(options));
  } catch (error) {
    // A bug must not take the UI down: report it like any other problem met.
    const message = error instanceof Error ? error.message : String(error);
    return emptyAnalysis(Array.isArray(spans) ? spans : [], [`analysis failed: ${message}`]);
  }
}

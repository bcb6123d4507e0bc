import type { Span, SpanId } from '../model/span.ts';
import {
  type AnalysisOptions,
  type AnalysisOptionsInput,
  resolveAnalysisOptions,
} from './analysis-options.ts';
import { correctClockSkew } from './clock-skew.ts';
import { computeCriticalPath } from './critical-path.ts';
import { runDetectors } from './detectors/all-detectors.ts';
import type { Detection } from './detectors/detector.ts';
import { computeSelfTimes } from './self-time.ts';
import { FINDING_KINDS, type TraceAnalysis } from './trace-analysis.ts';
import { assembleTraceTree } from './trace-tree.ts';
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
    a.anchor.index - b.anchor.index
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
    selfTimeNsBySpan: {},
    selfTimeByService: [],
    selfTimeByOperation: [],
    problems,
  };
}

function analyze(spans: readonly Span[], options: AnalysisOptions): TraceAnalysis {
  const assembled = assembleTraceTree(spans);
  const problems = [...assembled.problems];
  const traceId = spans[0]?.traceId ?? '';
  // Indexed loops in the passes over every span: this code runs once per request, mostly before
  // the engine optimises it, when for...of allocates an iterator result per element.
  for (let i = 0; i < spans.length; i++) {
    if (spans[i]!.traceId !== traceId) {
      problems.push('spans from more than one trace were analysed together');
      break;
    }
  }
  const { tree, adjustments } = options.clockSkew.enabled
    ? correctClockSkew(assembled)
    : { tree: assembled, adjustments: [] };

  let traceStartNs = Number.POSITIVE_INFINITY;
  let traceEndNs = Number.NEGATIVE_INFINITY;
  const nodes = tree.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.startNs < traceStartNs) traceStartNs = node.startNs;
    if (node.endNs > traceEndNs) traceEndNs = node.endNs;
  }
  const durationNs = tree.nodes.length > 0 ? traceEndNs - traceStartNs : 0;

  const selfTimes = computeSelfTimes(tree);
  const criticalPath = computeCriticalPath(tree);
  const detected = runDetectors({
    tree,
    selfTimeNs: selfTimes.bySpan,
    traceDurationNs: durationNs,
    options,
  });
  problems.push(...detected.problems);
  const detections = detected.detections.sort(compareDetections);

  const selfTimeNsBySpan: Record<SpanId, number> = {};
  // A span id used twice keeps the first value; the check is only needed when ids repeat.
  const idsRepeat = tree.byId.size < tree.nodes.length;
  for (let i = 0; i < nodes.length; i++) {
    const spanId = nodes[i]!.spanId;
    if (!idsRepeat || !(spanId in selfTimeNsBySpan))
      selfTimeNsBySpan[spanId] = selfTimes.bySpan[i]!;
  }
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
    selfTimeNsBySpan,
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

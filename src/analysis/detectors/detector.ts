import type { AnalysisOptions } from '../analysis-options.ts';
import { compareCallShape } from '../span-facts.ts';
import type { Finding, FindingKind, Severity } from '../trace-analysis.ts';
import type { TraceNode, TraceTree } from '../trace-tree.ts';

/** What every detector gets: the assembled, skew-corrected tree and what was computed on it. */
export interface DetectorContext {
  readonly tree: TraceTree;
  /** Exclusive time per node, indexed by `TraceNode.index`. */
  readonly selfTimeNs: Float64Array;
  readonly traceDurationNs: number;
  readonly options: AnalysisOptions;
}

/** A finding plus the span the why-chain should lead to (e.g. the parent of an N+1 loop). */
export interface Detection {
  readonly finding: Finding;
  readonly anchor: TraceNode;
}

export type Detector = (context: DetectorContext) => Detection[];

/**
 * Severity from impact relative to the trace's duration: at least `criticalFraction` is
 * critical, at least `warningFraction` a warning, anything smaller info.
 */
export function severityOf(impactNs: number, context: DetectorContext): Severity {
  const { criticalFraction, warningFraction } = context.options.severity;
  if (!(context.traceDurationNs > 0)) return 'info';
  const share = impactNs / context.traceDurationNs;
  if (share >= criticalFraction) return 'critical';
  if (share >= warningFraction) return 'warning';
  return 'info';
}

export interface DetectionInput {
  readonly kind: FindingKind;
  /** The spans involved, the one to look at first first. */
  readonly nodes: readonly TraceNode[];
  readonly anchor: TraceNode;
  readonly impactNs: number;
  readonly summary: string;
  /** Defaults to the first node's service and operation. */
  readonly service?: string;
  readonly operation?: string;
  /** Defaults to {@link severityOf} the impact. */
  readonly severity?: Severity;
}

export function detection(context: DetectorContext, input: DetectionInput): Detection {
  const first = input.nodes[0] ?? input.anchor;
  const impactNs = Math.max(0, Math.round(input.impactNs));
  return {
    anchor: input.anchor,
    finding: {
      kind: input.kind,
      severity: input.severity ?? severityOf(impactNs, context),
      service: input.service ?? first.service,
      operation: input.operation ?? first.operation,
      spanIds: input.nodes.map((node) => node.spanId),
      impactNs,
      summary: input.summary,
    },
  };
}

export { callNameOf, clip, nameOf } from '../span-names.ts';

/**
 * True when `b` runs after `a` rather than alongside it. Overlap of up to 5% of the shorter span
 * is tolerated: instrumentation often ends a span a little after the next call has begun.
 */
export function runsAfter(a: TraceNode, b: TraceNode): boolean {
  const tolerance = 0.05 * Math.min(a.durationNs, b.durationNs);
  return b.startNs >= a.endNs - tolerance;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Groups calls doing the same thing (same shape, then same normalised statement or route), each
 * group in the original (start) order. Groups smaller than `minSize` are left out, and their
 * statements are never normalised.
 */
export function groupSameCalls(nodes: readonly TraceNode[], minSize: number): TraceNode[][] {
  if (nodes.length < minSize) return [];
  const groups: TraceNode[][] = [];
  for (const sameShape of groupByShape(nodes)) {
    if (sameShape.length < minSize) continue;
    for (const group of groupBy(sameShape, (node) => node.facts.callLabel).values()) {
      if (group.length >= minSize) groups.push(group);
    }
  }
  return groups;
}

/** Beyond this many shapes under one parent, sorting beats comparing with each shape seen. */
const MAX_LINEAR_SHAPES = 16;

/** Nodes split by call shape, each group in start order. */
function groupByShape(nodes: readonly TraceNode[]): TraceNode[][] {
  // Siblings come in few shapes (a loop, a few other calls): compare each with one node of every
  // shape seen so far, without sorting or building key strings.
  const groups: TraceNode[][] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    let group: TraceNode[] | undefined;
    for (let g = 0; g < groups.length; g++) {
      if (compareCallShape(groups[g]![0]!.facts, node.facts) === 0) {
        group = groups[g];
        break;
      }
    }
    if (group !== undefined) group.push(node);
    else if (groups.length < MAX_LINEAR_SHAPES) groups.push([node]);
    else return groupByShapeSorted(nodes);
  }
  return groups;
}

function groupByShapeSorted(nodes: readonly TraceNode[]): TraceNode[][] {
  const byShape = (a: TraceNode, b: TraceNode) => compareCallShape(a.facts, b.facts);
  // Array.prototype.sort is stable: each run keeps its start order.
  const sorted = [...nodes].sort(byShape);
  const groups: TraceNode[][] = [];
  let runStart = 0;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && byShape(sorted[runStart]!, sorted[i]!) === 0) continue;
    groups.push(sorted.slice(runStart, i));
    runStart = i;
  }
  return groups;
}

/** Groups nodes by a key, keeping each group's nodes in their original (start) order. */
export function groupBy(
  nodes: readonly TraceNode[],
  keyOf: (node: TraceNode) => string,
): Map<string, TraceNode[]> {
  // Siblings usually share one key (a loop, a fan-out of one call): no map work for them.
  const first = nodes[0];
  if (first !== undefined) {
    const firstKey = keyOf(first);
    let same = true;
    for (let i = 1; i < nodes.length && same; i++) same = keyOf(nodes[i]!) === firstKey;
    if (same) return new Map([[firstKey, [...nodes]]]);
  }
  const groups = new Map<string, TraceNode[]>();
  for (const node of nodes) {
    const key = keyOf(node);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [node]);
    else group.push(node);
  }
  return groups;
}

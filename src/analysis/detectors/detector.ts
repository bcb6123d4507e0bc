import type { AnalysisOptions } from '../analysis-options.ts';
import type { Finding, FindingKind, Severity } from '../trace-analysis.ts';
import type { TraceTree } from '../trace-tree.ts';

/**
 * What every detector gets: the assembled, skew-corrected tree and what was computed on it.
 * Spans are named by their node in the tree.
 */
export interface DetectorContext {
  readonly tree: TraceTree;
  /** Exclusive time per node. */
  readonly selfTimeNs: Float64Array;
  readonly traceDurationNs: number;
  readonly options: AnalysisOptions;
}

/** A finding plus the node the why-chain should lead to (e.g. the parent of an N+1 loop). */
export interface Detection {
  readonly finding: Finding;
  readonly anchor: number;
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
  /** The nodes involved, the one to look at first first. */
  readonly nodes: readonly number[];
  readonly anchor: number;
  readonly impactNs: number;
  readonly summary: string;
  /** Defaults to the first node's service and operation. */
  readonly service?: string;
  readonly operation?: string;
  /** Defaults to {@link severityOf} the impact. */
  readonly severity?: Severity;
}

export function detection(context: DetectorContext, input: DetectionInput): Detection {
  const { tree } = context;
  const first = input.nodes[0] ?? input.anchor;
  const impactNs = Math.max(0, Math.round(input.impactNs));
  return {
    anchor: input.anchor,
    finding: {
      kind: input.kind,
      severity: input.severity ?? severityOf(impactNs, context),
      service: input.service ?? tree.service(first),
      operation: input.operation ?? tree.operation(first),
      spanIds: input.nodes.map((node) => tree.spanId(node)),
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
export function runsAfter(tree: TraceTree, a: number, b: number): boolean {
  const { durationNs } = tree;
  const tolerance = 0.05 * Math.min(durationNs[a]!, durationNs[b]!);
  return tree.startNs[b]! >= tree.endNs[a]! - tolerance;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The calls among the children of `parent`, in start order, or undefined when there are fewer
 * than `minCalls`: most parents are turned away without allocating.
 */
export function callsAmong(
  tree: TraceTree,
  parent: number,
  minCalls: number,
): number[] | undefined {
  const { facts, subtreeEnd } = tree;
  const end = subtreeEnd[parent]!;
  let count = 0;
  for (let child = parent + 1; child < end; child = subtreeEnd[child]!) {
    if (facts.isCall(child)) count++;
  }
  if (count < minCalls) return undefined;
  // Sized once: pushing would copy the array each time it grows.
  const calls: number[] = new Array(count);
  let at = 0;
  for (let child = parent + 1; child < end; child = subtreeEnd[child]!) {
    if (facts.isCall(child)) calls[at++] = child;
  }
  return calls;
}

/**
 * Groups calls doing the same thing (same shape, then same normalised statement or route), each
 * group in the original (start) order. Groups smaller than `minSize` are left out, and their
 * statements are never normalised. A group may be `nodes` itself: callers must not change it.
 */
export function groupSameCalls(
  tree: TraceTree,
  nodes: readonly number[],
  minSize: number,
): (readonly number[])[] {
  if (nodes.length < minSize) return [];
  const groups: (readonly number[])[] = [];
  for (const sameShape of groupByShape(tree, nodes)) {
    if (sameShape.length < minSize) continue;
    for (const group of groupByLabel(tree, sameShape)) {
      if (group.length >= minSize) groups.push(group);
    }
  }
  return groups;
}

/** Beyond this many shapes under one parent, sorting beats comparing with each shape seen. */
const MAX_LINEAR_SHAPES = 16;

/** Nodes split by call shape, each group in start order, groups in order of first appearance. */
function groupByShape(tree: TraceTree, nodes: readonly number[]): (readonly number[])[] {
  const { facts } = tree;
  const first = nodes[0];
  if (first === undefined) return [];
  // Siblings come in few shapes (a loop, a few other calls), often one: compare each with one
  // node of every shape seen so far, without sorting or building key strings.
  let sameAsFirst = 1;
  while (sameAsFirst < nodes.length && facts.compareCallShape(first, nodes[sameAsFirst]!) === 0) {
    sameAsFirst++;
  }
  if (sameAsFirst === nodes.length) return [nodes];
  const groups: number[][] = [nodes.slice(0, sameAsFirst)];
  for (let i = sameAsFirst; i < nodes.length; i++) {
    const node = nodes[i]!;
    let group: number[] | undefined;
    for (let g = 0; g < groups.length; g++) {
      if (facts.compareCallShape(groups[g]![0]!, node) === 0) {
        group = groups[g];
        break;
      }
    }
    if (group !== undefined) group.push(node);
    else if (groups.length < MAX_LINEAR_SHAPES) groups.push([node]);
    else return groupByShapeSorted(tree, nodes);
  }
  return groups;
}

function groupByShapeSorted(tree: TraceTree, nodes: readonly number[]): number[][] {
  const byShape = (a: number, b: number) => tree.facts.compareCallShape(a, b);
  // Array.prototype.sort is stable: each run keeps its start order.
  const sorted = [...nodes].sort(byShape);
  const groups: number[][] = [];
  let runStart = 0;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && byShape(sorted[runStart]!, sorted[i]!) === 0) continue;
    groups.push(sorted.slice(runStart, i));
    runStart = i;
  }
  return groups;
}

/** Nodes of one shape split by call label, each group in start order, by first appearance. */
function groupByLabel(tree: TraceTree, nodes: readonly number[]): (readonly number[])[] {
  const { facts } = tree;
  // Calls of one shape usually share one label (a loop): no map and no copy for them.
  const firstLabel = facts.callLabel(nodes[0]!);
  let sameAsFirst = 1;
  while (sameAsFirst < nodes.length && facts.callLabel(nodes[sameAsFirst]!) === firstLabel) {
    sameAsFirst++;
  }
  if (sameAsFirst === nodes.length) return [nodes];
  const groups = new Map<string, number[]>([[firstLabel, nodes.slice(0, sameAsFirst)]]);
  for (let i = sameAsFirst; i < nodes.length; i++) {
    const node = nodes[i]!;
    const label = facts.callLabel(node);
    const group = groups.get(label);
    if (group === undefined) groups.set(label, [node]);
    else group.push(node);
  }
  return [...groups.values()];
}

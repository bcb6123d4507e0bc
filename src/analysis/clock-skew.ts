import { SpanKind } from '../model/span.ts';
import { formatDuration } from './format-duration.ts';
import type { ClockSkewAdjustment } from './trace-analysis.ts';
import type { TraceTree } from './trace-tree.ts';

export interface SkewCorrection {
  /** The tree with corrected times; use it instead of the tree passed in. */
  readonly tree: TraceTree;
  /** One entry per span that was moved, with its own shift (its subtree moves with it). */
  readonly adjustments: readonly ClockSkewAdjustment[];
}

interface Interval {
  readonly startNs: number;
  readonly endNs: number;
}

/**
 * The shift that puts `child` inside `parent`, as Jaeger's clock-skew adjuster computes it
 * (model/adjuster/clockskew.go): none if the child already fits; a child longer than its parent
 * is aligned with the parent's start when it starts too early (it may be asynchronous, so its end
 * is left alone); otherwise the child is centred, splitting the unexplained gap evenly between
 * request and response latency.
 */
export function skewShiftNs(parent: Interval, child: Interval): number {
  return shiftBetween(parent.startNs, parent.endNs, child.startNs, child.endNs);
}

/** {@link skewShiftNs} on plain numbers: only the spans it moves get interval objects. */
function shiftBetween(
  parentStartNs: number,
  parentEndNs: number,
  childStartNs: number,
  childEndNs: number,
): number {
  const parentDuration = parentEndNs - parentStartNs;
  const childDuration = childEndNs - childStartNs;
  if (childDuration > parentDuration) {
    return childStartNs < parentStartNs ? parentStartNs - childStartNs : 0;
  }
  if (childStartNs >= parentStartNs && childEndNs <= parentEndNs) return 0;
  const latency = Math.floor((parentDuration - childDuration) / 2);
  return parentStartNs + latency - childStartNs;
}

/** Messaging children may legitimately start after their producer ended: never moved. */
function isAsynchronous(tree: TraceTree, parent: number, child: number): boolean {
  return (
    tree.facts.kind(parent) === SpanKind.producer || tree.facts.kind(child) === SpanKind.consumer
  );
}

function describeShift(
  tree: TraceTree,
  parent: number,
  parentAt: Interval,
  child: number,
  childAt: Interval,
  shiftNs: number,
): string {
  const parentService = tree.service(parent);
  const childService = tree.service(child);
  const parentName = `${parentService} ${tree.operation(parent)}`;
  const how =
    childAt.startNs < parentAt.startNs
      ? `started ${formatDuration(parentAt.startNs - childAt.startNs)} before its parent ${parentName}`
      : `ended ${formatDuration(childAt.endNs - parentAt.endNs)} after its parent ${parentName}`;
  const what =
    tree.durationNs[child]! > tree.durationNs[parent]!
      ? 'aligning its start with the parent (it is longer than its parent)'
      : 'centring it in the parent (the unexplained time split evenly between request and response)';
  const sign = shiftNs > 0 ? '+' : '';
  return `${childService} ${tree.operation(child)} ${how}: the clocks of ${childService} and ${parentService} disagree; shifted ${sign}${formatDuration(shiftNs)}, ${what}`;
}

/**
 * Corrects clock skew between processes: a child span from another service (or host) that starts
 * before its parent or ends after it is shifted inside the parent, with its whole subtree.
 * Parents are corrected before their children, so shifts compose down the tree. Spans within one
 * process share a clock and are never moved; nor are messaging children (producer -> consumer).
 * The spans are never changed; the tree's columns (the analysis's working copies) are moved in
 * place, so the tree passed in must not be used afterwards.
 */
export function correctClockSkew(tree: TraceTree): SkewCorrection {
  const shiftNs = new Float64Array(tree.size);
  const adjustments = findShifts(tree, shiftNs);
  if (adjustments.length === 0) return { tree, adjustments };
  return { tree: tree.shiftTimes(shiftNs), adjustments };
}

/** Fills `shiftNs` with each node's shift (its parent's included); returns the adjustments. */
function findShifts(tree: TraceTree, shiftNs: Float64Array): ClockSkewAdjustment[] {
  const adjustments: ClockSkewAdjustment[] = [];
  const { startNs, endNs } = tree;
  // Nodes come in pre-order: a parent's shift is known before its children's.
  for (let node = 0; node < tree.size; node++) {
    const parent = tree.parent[node]!;
    if (parent < 0) continue;
    // A child moves with its parent first; then it may need its own shift.
    const inherited = shiftNs[parent]!;
    shiftNs[node] = inherited;
    if (!tree.runInDifferentProcesses(parent, node) || isAsynchronous(tree, parent, node)) {
      continue;
    }
    const parentStartNs = startNs[parent]! + inherited;
    const parentEndNs = endNs[parent]! + inherited;
    const childStartNs = startNs[node]! + inherited;
    const childEndNs = endNs[node]! + inherited;
    const own = shiftBetween(parentStartNs, parentEndNs, childStartNs, childEndNs);
    if (own === 0) continue;
    shiftNs[node] = inherited + own;
    const parentAt = { startNs: parentStartNs, endNs: parentEndNs };
    const childAt = { startNs: childStartNs, endNs: childEndNs };
    adjustments.push({
      spanId: tree.spanId(node),
      shiftNs: own,
      reason: describeShift(tree, parent, parentAt, node, childAt, own),
    });
  }
  return adjustments;
}

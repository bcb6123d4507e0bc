import { SpanKind } from '../model/span.ts';
import { formatDuration } from './format-duration.ts';
import type { ClockSkewAdjustment } from './trace-analysis.ts';
import {
  runInDifferentProcesses,
  shiftTimesInPlace,
  type TraceNode,
  type TraceTree,
} from './trace-tree.ts';

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
  const parentDuration = parent.endNs - parent.startNs;
  const childDuration = child.endNs - child.startNs;
  if (childDuration > parentDuration) {
    return child.startNs < parent.startNs ? parent.startNs - child.startNs : 0;
  }
  if (child.startNs >= parent.startNs && child.endNs <= parent.endNs) return 0;
  const latency = Math.floor((parentDuration - childDuration) / 2);
  return parent.startNs + latency - child.startNs;
}

/** Messaging children may legitimately start after their producer ended: never moved. */
function isAsynchronous(parent: TraceNode, child: TraceNode): boolean {
  return parent.facts.kind === SpanKind.producer || child.facts.kind === SpanKind.consumer;
}

function describeShift(
  parent: TraceNode,
  parentAt: Interval,
  child: TraceNode,
  childAt: Interval,
  shiftNs: number,
): string {
  const parentName = `${parent.service} ${parent.operation}`;
  const how =
    childAt.startNs < parentAt.startNs
      ? `started ${formatDuration(parentAt.startNs - childAt.startNs)} before its parent ${parentName}`
      : `ended ${formatDuration(childAt.endNs - parentAt.endNs)} after its parent ${parentName}`;
  const what =
    child.durationNs > parent.durationNs
      ? 'aligning its start with the parent (it is longer than its parent)'
      : 'centring it in the parent (the unexplained time split evenly between request and response)';
  const sign = shiftNs > 0 ? '+' : '';
  return `${child.service} ${child.operation} ${how}: the clocks of ${child.service} and ${parent.service} disagree; shifted ${sign}${formatDuration(shiftNs)}, ${what}`;
}

/**
 * Corrects clock skew between processes: a child span from another service (or host) that starts
 * before its parent or ends after it is shifted inside the parent, with its whole subtree.
 * Parents are corrected before their children, so shifts compose down the tree. Spans within one
 * process share a clock and are never moved; nor are messaging children (producer -> consumer).
 * The spans are never changed; the tree's nodes (the analysis's working copies) are moved in
 * place, so the tree passed in must not be used afterwards.
 */
export function correctClockSkew(tree: TraceTree): SkewCorrection {
  const shiftNs = new Float64Array(tree.nodes.length);
  const adjustments: ClockSkewAdjustment[] = [];
  for (let nodeIndex = 0; nodeIndex < tree.nodes.length; nodeIndex++) {
    const node = tree.nodes[nodeIndex]!;
    const parent = node.parent;
    if (parent === undefined) continue;
    // A child moves with its parent first; then it may need its own shift.
    const inherited = shiftNs[parent.index]!;
    shiftNs[node.index] = inherited;
    if (!runInDifferentProcesses(parent, node) || isAsynchronous(parent, node)) continue;
    const parentAt = { startNs: parent.startNs + inherited, endNs: parent.endNs + inherited };
    const childAt = { startNs: node.startNs + inherited, endNs: node.endNs + inherited };
    const own = skewShiftNs(parentAt, childAt);
    if (own === 0) continue;
    shiftNs[node.index] = inherited + own;
    adjustments.push({
      spanId: node.spanId,
      shiftNs: own,
      reason: describeShift(parent, parentAt, node, childAt, own),
    });
  }
  if (adjustments.length === 0) return { tree, adjustments };
  return { tree: shiftTimesInPlace(tree, shiftNs), adjustments };
}

import type { CriticalPathSegment } from './trace-analysis.ts';
import type { TraceNode, TraceTree } from './trace-tree.ts';

export interface CriticalPath {
  /** One segment per span that contributes, in tree order (a parent before its children). */
  readonly segments: readonly CriticalPathSegment[];
  /** Each node's contribution to the end-to-end duration, indexed by `TraceNode.index`. */
  readonly contributionNs: Float64Array;
  /** The same contribution summed over each node's subtree. */
  readonly subtreeContributionNs: Float64Array;
}

interface Frame {
  /** -1 for the virtual root that holds the trace's roots. */
  readonly node: number;
  readonly children: readonly TraceNode[];
  next: number;
  /** The time the path has reached, walking backwards from the end. */
  until: number;
}

/**
 * The critical path: the spans that decide the end-to-end duration, found by walking back from
 * the end as jaeger-ui's critical path does. At each span, the last-finishing child that ended
 * before the point reached owns the time from its end; the span owns the time between children;
 * children running in parallel with the chosen one are skipped. Children are first clipped to
 * their parent (a child that ends after its parent counts only up to the parent's end) and
 * zero-length spans own nothing. Several roots (or orphans) sit under a virtual root whose own
 * gaps belong to nobody. Iterative, so a 50,000-level chain cannot overflow the stack.
 */
export function computeCriticalPath(tree: TraceTree): CriticalPath {
  const count = tree.nodes.length;
  const clippedStart = new Float64Array(count);
  const clippedEnd = new Float64Array(count);
  for (let nodeIndex = 0; nodeIndex < tree.nodes.length; nodeIndex++) {
    const node = tree.nodes[nodeIndex]!;
    const parent = node.parent;
    let start = node.startNs;
    let end = node.endNs;
    if (parent !== undefined) {
      start = Math.max(start, clippedStart[parent.index]!);
      end = Math.min(end, clippedEnd[parent.index]!);
      if (end < start) end = start;
    }
    clippedStart[node.index] = start;
    clippedEnd[node.index] = end;
  }

  const byEndDescending = (nodes: readonly TraceNode[]) =>
    nodes
      .filter((n) => clippedEnd[n.index]! > clippedStart[n.index]!)
      .sort((a, b) => clippedEnd[b.index]! - clippedEnd[a.index]! || a.index - b.index);

  const contributionNs = new Float64Array(count);
  const addSection = (node: number, start: number, end: number) => {
    if (node >= 0 && end > start) contributionNs[node] = contributionNs[node]! + (end - start);
  };

  let traceEnd = Number.NEGATIVE_INFINITY;
  for (const root of tree.roots) traceEnd = Math.max(traceEnd, clippedEnd[root.index]!);
  const stack: Frame[] = [
    { node: -1, children: byEndDescending(tree.roots), next: 0, until: traceEnd },
  ];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    let chosen: TraceNode | undefined;
    while (frame.next < frame.children.length) {
      const candidate = frame.children[frame.next++]!;
      if (clippedEnd[candidate.index]! <= frame.until) {
        chosen = candidate;
        break;
      }
    }
    if (chosen !== undefined) {
      const chosenEnd = clippedEnd[chosen.index]!;
      addSection(frame.node, chosenEnd, frame.until);
      stack.push({
        node: chosen.index,
        children: byEndDescending(chosen.children),
        next: 0,
        until: chosenEnd,
      });
      continue;
    }
    stack.pop();
    if (frame.node < 0) break;
    const start = clippedStart[frame.node]!;
    addSection(frame.node, start, frame.until);
    stack[stack.length - 1]!.until = start;
  }

  const subtreeContributionNs = new Float64Array(count);
  for (let i = count - 1; i >= 0; i--) {
    const node = tree.nodes[i]!;
    let total = contributionNs[i]!;
    for (const child of node.children) total += subtreeContributionNs[child.index]!;
    subtreeContributionNs[i] = total;
  }

  const segments: CriticalPathSegment[] = [];
  for (let nodeIndex = 0; nodeIndex < tree.nodes.length; nodeIndex++) {
    const node = tree.nodes[nodeIndex]!;
    const selfTimeNs = contributionNs[node.index]!;
    if (selfTimeNs > 0) {
      segments.push({
        spanId: node.spanId,
        service: node.service,
        operation: node.operation,
        selfTimeNs,
      });
    }
  }
  return { segments, contributionNs, subtreeContributionNs };
}

import type { CriticalPathSegment } from './trace-analysis.ts';
import type { TraceTree } from './trace-tree.ts';

export interface CriticalPath {
  /** One segment per span that contributes, in tree order (a parent before its children). */
  readonly segments: readonly CriticalPathSegment[];
  /** Each node's contribution to the end-to-end duration. */
  readonly contributionNs: Float64Array;
  /** The same contribution summed over each node's subtree. */
  readonly subtreeContributionNs: Float64Array;
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
  const clipped = clippedToParents(tree);
  const contributionNs = walkBackFromTheEnd(tree, clipped);
  return {
    segments: segmentsOf(tree, contributionNs),
    contributionNs,
    subtreeContributionNs: subtreeSums(tree, contributionNs),
  };
}

interface Clipped {
  readonly startNs: Float64Array;
  readonly endNs: Float64Array;
}

/** Each span's times clipped to its (clipped) parent's; zero-length when it lies outside. */
function clippedToParents(tree: TraceTree): Clipped {
  const count = tree.size;
  // Built before the loop: code after a long loop runs first in code compiled without knowing
  // it, and would be deoptimised there on every call.
  const clipped = { startNs: new Float64Array(count), endNs: new Float64Array(count) };
  const { startNs: clippedStart, endNs: clippedEnd } = clipped;
  for (let node = 0; node < count; node++) {
    const parent = tree.parent[node]!;
    let start = tree.startNs[node]!;
    let end = tree.endNs[node]!;
    if (parent >= 0) {
      start = Math.max(start, clippedStart[parent]!);
      end = Math.min(end, clippedEnd[parent]!);
      if (end < start) end = start;
    }
    clippedStart[node] = start;
    clippedEnd[node] = end;
  }
  return clipped;
}

/** Each node's contribution to the end-to-end duration, walking back from the end. */
function walkBackFromTheEnd(tree: TraceTree, clipped: Clipped): Float64Array {
  const count = tree.size;
  const { startNs: clippedStart, endNs: clippedEnd } = clipped;
  const contributionNs = new Float64Array(count);
  const addSection = (node: number, start: number, end: number) => {
    if (node >= 0 && end > start) contributionNs[node] = contributionNs[node]! + (end - start);
  };

  // The walk keeps a stack of frames (a span, or -1 for the virtual root; where its children
  // wait in `pending`; the time reached within it) in typed arrays, and the children still to
  // visit of every open frame in one array, each frame's above its parent's: nothing is
  // allocated per span.
  const { subtreeEnd } = tree;
  const frameNode = new Int32Array(count + 1);
  const frameFrom = new Int32Array(count + 1);
  const frameUntil = new Float64Array(count + 1);
  const pending = new Int32Array(count);
  let frames = 0;
  let pendingTop = 0;
  /** Opens a frame for `node`, its children with a length waiting with the latest end on top. */
  const open = (node: number, until: number) => {
    frameNode[frames] = node;
    frameFrom[frames] = pendingTop;
    frameUntil[frames] = until;
    frames++;
    const from = pendingTop;
    const end = node < 0 ? count : subtreeEnd[node]!;
    // Children running one after another (the common case) already end in start order.
    let inEndOrder = true;
    let previousEnd = Number.NEGATIVE_INFINITY;
    for (let child = node + 1; child < end; child = subtreeEnd[child]!) {
      const childEnd = clippedEnd[child]!;
      if (childEnd <= clippedStart[child]!) continue;
      if (childEnd <= previousEnd) inEndOrder = false;
      previousEnd = childEnd;
      pending[pendingTop++] = child;
    }
    if (!inEndOrder) {
      // Taken from the top: latest end first, ties in tree order.
      pending.subarray(from, pendingTop).sort((a, b) => clippedEnd[a]! - clippedEnd[b]! || b - a);
    }
  };

  let traceEnd = Number.NEGATIVE_INFINITY;
  for (const root of tree.roots) traceEnd = Math.max(traceEnd, clippedEnd[root]!);
  open(-1, traceEnd);
  while (frames > 0) {
    const frame = frames - 1;
    const until = frameUntil[frame]!;
    let chosen = -1;
    while (pendingTop > frameFrom[frame]!) {
      const candidate = pending[--pendingTop]!;
      if (clippedEnd[candidate]! <= until) {
        chosen = candidate;
        break;
      }
    }
    if (chosen >= 0) {
      addSection(frameNode[frame]!, clippedEnd[chosen]!, until);
      open(chosen, clippedEnd[chosen]!);
      continue;
    }
    frames--;
    const node = frameNode[frame]!;
    if (node < 0) break;
    const start = clippedStart[node]!;
    addSection(node, start, until);
    frameUntil[frames - 1] = start;
  }
  return contributionNs;
}

/** The contributions summed over each node's subtree. */
function subtreeSums(tree: TraceTree, contributionNs: Float64Array): Float64Array {
  const { subtreeEnd } = tree;
  const sums = new Float64Array(tree.size);
  for (let node = tree.size - 1; node >= 0; node--) {
    let total = contributionNs[node]!;
    for (let child = node + 1; child < subtreeEnd[node]!; child = subtreeEnd[child]!) {
      total += sums[child]!;
    }
    sums[node] = total;
  }
  return sums;
}

function segmentsOf(tree: TraceTree, contributionNs: Float64Array): CriticalPathSegment[] {
  let count = 0;
  for (let node = 0; node < tree.size; node++) if (contributionNs[node]! > 0) count++;
  // Sized once: pushing thousands of segments would copy the array each time it grows.
  const segments: CriticalPathSegment[] = new Array(count);
  let at = 0;
  for (let node = 0; node < tree.size; node++) {
    const selfTimeNs = contributionNs[node]!;
    if (selfTimeNs > 0) {
      segments[at++] = {
        spanId: tree.spanId(node),
        service: tree.service(node),
        operation: tree.operation(node),
        selfTimeNs,
      };
    }
  }
  return segments;
}

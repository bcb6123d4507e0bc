import type { SelfTimeTotal } from './trace-analysis.ts';
import type { TraceNode, TraceTree } from './trace-tree.ts';

export interface SelfTimes {
  /** Exclusive time of each node, indexed by `TraceNode.index`. */
  readonly bySpan: Float64Array;
  /** Largest first. */
  readonly byService: readonly SelfTimeTotal[];
  /** Largest first. */
  readonly byOperation: readonly SelfTimeTotal[];
}

/**
 * A span's exclusive time: its duration minus the union of its children's intervals, each child
 * clipped to the span (children may overlap one another, or stick out after clock skew or when
 * asynchronous). Linear in the number of spans, since children come sorted by start.
 */
export function selfTimeNsOf(node: TraceNode): number {
  let covered = 0;
  let runStart = 0;
  let runEnd = Number.NEGATIVE_INFINITY;
  for (const child of node.children) {
    const start = Math.max(child.startNs, node.startNs);
    const end = Math.min(child.endNs, node.endNs);
    if (end <= start) continue;
    if (start > runEnd) {
      if (runEnd > runStart) covered += runEnd - runStart;
      runStart = start;
      runEnd = end;
    } else if (end > runEnd) {
      runEnd = end;
    }
  }
  if (runEnd > runStart) covered += runEnd - runStart;
  return Math.max(0, node.durationNs - covered);
}

interface Total {
  service: string;
  operation?: string;
  selfTimeNs: number;
  spanCount: number;
}

function sortedTotals(totals: Iterable<Total>): SelfTimeTotal[] {
  return [...totals].sort(
    (a, b) =>
      b.selfTimeNs - a.selfTimeNs ||
      (a.service < b.service ? -1 : a.service > b.service ? 1 : 0) ||
      ((a.operation ?? '') < (b.operation ?? '') ? -1 : 1),
  );
}

/** Exclusive time per span, and its totals per service and per (service, operation). */
export function computeSelfTimes(tree: TraceTree): SelfTimes {
  const bySpan = new Float64Array(tree.nodes.length);
  // Nested maps keyed by the span's own strings: no key is built per span.
  const services = new Map<string, { total: Total; operations: Map<string, Total> }>();
  for (let nodeIndex = 0; nodeIndex < tree.nodes.length; nodeIndex++) {
    const node = tree.nodes[nodeIndex]!;
    const selfNs = selfTimeNsOf(node);
    bySpan[node.index] = selfNs;
    let service = services.get(node.service);
    if (service === undefined) {
      service = {
        total: { service: node.service, selfTimeNs: 0, spanCount: 0 },
        operations: new Map(),
      };
      services.set(node.service, service);
    }
    service.total.selfTimeNs += selfNs;
    service.total.spanCount++;
    let operation = service.operations.get(node.operation);
    if (operation === undefined) {
      operation = { service: node.service, operation: node.operation, selfTimeNs: 0, spanCount: 0 };
      service.operations.set(node.operation, operation);
    }
    operation.selfTimeNs += selfNs;
    operation.spanCount++;
  }
  const serviceTotals = [...services.values()];
  return {
    bySpan,
    byService: sortedTotals(serviceTotals.map((service) => service.total)),
    byOperation: sortedTotals(serviceTotals.flatMap((service) => [...service.operations.values()])),
  };
}

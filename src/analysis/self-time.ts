import type { SelfTimeTotal } from './trace-analysis.ts';
import type { TraceTree } from './trace-tree.ts';

export interface SelfTimes {
  /** Exclusive time of each node. */
  readonly bySpan: Float64Array;
  /** Largest first. */
  readonly byService: readonly SelfTimeTotal[];
  /** Largest first. */
  readonly byOperation: readonly SelfTimeTotal[];
}

/**
 * A span's exclusive time: its duration minus the union of its children's intervals, each child
 * clipped to the span (children may overlap one another, or stick out after clock skew or when
 * asynchronous). Linear in the number of children, since they come sorted by start.
 */
export function selfTimeNsOf(tree: TraceTree, node: number): number {
  const { startNs, endNs, subtreeEnd } = tree;
  const nodeStart = startNs[node]!;
  const nodeEnd = endNs[node]!;
  let covered = 0;
  let runStart = 0;
  let runEnd = Number.NEGATIVE_INFINITY;
  for (let child = node + 1; child < subtreeEnd[node]!; child = subtreeEnd[child]!) {
    const start = Math.max(startNs[child]!, nodeStart);
    const end = Math.min(endNs[child]!, nodeEnd);
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
  return Math.max(0, tree.durationNs[node]! - covered);
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

interface ServiceTotals {
  readonly total: Total;
  readonly operations: Map<string, Total>;
}

/** Exclusive time per span, and its totals per service and per (service, operation). */
export function computeSelfTimes(tree: TraceTree): SelfTimes {
  const bySpan = new Float64Array(tree.size);
  const services = new Map<string, ServiceTotals>();
  addSelfTimes(tree, bySpan, services);
  const serviceTotals = [...services.values()];
  return {
    bySpan,
    byService: sortedTotals(serviceTotals.map((totals) => totals.total)),
    byOperation: sortedTotals(serviceTotals.flatMap((totals) => [...totals.operations.values()])),
  };
}

/** Fills `bySpan` and adds each span's self time to the totals of its service and operation. */
function addSelfTimes(
  tree: TraceTree,
  bySpan: Float64Array,
  services: Map<string, ServiceTotals>,
): void {
  // Nested maps keyed by the span's own strings: no key is built per span.
  let service: ServiceTotals | undefined;
  let operation: Total | undefined;
  for (let node = 0; node < tree.size; node++) {
    const selfNs = selfTimeNsOf(tree, node);
    bySpan[node] = selfNs;
    const serviceName = tree.service(node);
    const operationName = tree.operation(node);
    // The spans of a loop repeat the previous span's service and operation: no lookup for them.
    if (service?.total.service !== serviceName) {
      service = services.get(serviceName);
      if (service === undefined) {
        service = {
          total: { service: serviceName, selfTimeNs: 0, spanCount: 0 },
          operations: new Map(),
        };
        services.set(serviceName, service);
      }
      operation = undefined;
    }
    service.total.selfTimeNs += selfNs;
    service.total.spanCount++;
    if (operation?.operation !== operationName) {
      operation = service.operations.get(operationName);
      if (operation === undefined) {
        operation = { service: serviceName, operation: operationName, selfTimeNs: 0, spanCount: 0 };
        service.operations.set(operationName, operation);
      }
    }
    operation.selfTimeNs += selfNs;
    operation.spanCount++;
  }
}

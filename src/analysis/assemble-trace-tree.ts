import type { Span } from '../model/span.ts';
import { FactRows } from './fact-rows.ts';
import type { ProblemLog } from './problem-log.ts';
import { SpanFacts } from './span-facts.ts';
import { SpanIdIndex } from './span-id-index.ts';
import { readSpanRows, resolveParents } from './span-rows.ts';
import { TraceTree } from './trace-tree.ts';
import {
  type ChildLists,
  childLists,
  compareRows,
  type Numbering,
  numberFromRoots,
  type Rows,
  sortChildLists,
  sortIfNeeded,
  treeColumns,
} from './tree-numbering.ts';

const EMPTY_TREE = new TraceTree({
  size: 0,
  baseUnixNano: 0n,
  startNs: new Float64Array(0),
  endNs: new Float64Array(0),
  durationNs: new Float64Array(0),
  parent: new Int32Array(0),
  depth: new Int32Array(0),
  subtreeEnd: new Int32Array(0),
  childCount: new Int32Array(0),
  roots: [],
  facts: new SpanFacts(new FactRows([], []), new Int32Array(0)),
  spanRows: {
    spans: [],
    spanIds: [],
    names: [],
    processOf: new Int32Array(0),
    processes: [],
    serviceOfProcess: [],
  },
  rowOf: new Int32Array(0),
  nodeOfRow: new Int32Array(0),
  rowOfId: new SpanIdIndex(0, []),
  orphanSpanIds: [],
  missingParentIds: [],
  problems: [],
  mixedTraceIds: false,
});

/**
 * Assembles the spans of one trace into a tree. Never throws; what it repairs is listed in
 * `problems`:
 * - spans whose parent never arrived (orphans) become roots of their own subtree and are listed
 *   with the missing parent ids;
 * - an exact copy of a span (same id, name, times, parent, service: delivered twice) is dropped;
 * - the server half of a Zipkin shared span (same id as its client half) becomes the client's
 *   child, and spans naming that id as parent hang under the server half, as Jaeger's
 *   ZipkinSpanIDUniquifier does;
 * - other spans reusing an id are kept as separate nodes under their own parent (children
 *   naming the id attach to the first one seen), so no data is hidden;
 * - a span that ends before it starts is treated as zero-length at its start;
 * - parent cycles are cut at the span where the cycle is found, which becomes a root.
 */
export function assembleTraceTree(spans: readonly Span[]): TraceTree {
  if (spans.length === 0) return EMPTY_TREE;
  const { rows, problems } = readSpanRows(spans);
  const { parent, orphanSpanIds, missingParentIds } = resolveParents(rows, problems);
  // What numbering needs: times, and who is whose parent.
  const linked: Rows = {
    count: rows.count,
    spanIds: rows.spanIds,
    startNs: rows.startNs,
    endNs: rows.endNs,
    durationNs: rows.durationNs,
    parent,
  };
  const children = childLists(parent, rows.count);
  sortChildLists(children, linked);
  const roots = rootsOf(parent, rows.count);
  sortIfNeeded(roots, linked);

  let order = numberFromRoots(roots, children, rows.count);
  if (order.count < rows.count) {
    cutCycles(linked, children, order, roots, problems);
    roots.sort((a, b) => compareRows(linked, a, b));
    order = numberFromRoots(roots, withoutCutChildren(children, parent), rows.count);
  }
  return new TraceTree({
    ...treeColumns(linked, order),
    baseUnixNano: rows.baseUnixNano,
    // The rows of the nodes: only the first `order.count` entries are asked.
    facts: new SpanFacts(rows.facts, order.nodes),
    spanRows: rows,
    rowOf: order.nodes,
    nodeOfRow: order.nodeOfRow,
    rowOfId: rows.rowOfId,
    orphanSpanIds,
    missingParentIds,
    problems: problems.lines(),
    mixedTraceIds: rows.mixedTraceIds,
  });
}

/** The rows without a parent. */
function rootsOf(parent: Int32Array, count: number): number[] {
  const roots: number[] = [];
  for (let row = 0; row < count; row++) if (parent[row]! < 0) roots.push(row);
  return roots;
}

/**
 * Whatever no root reaches hangs off a parent cycle (every span in it names another as parent):
 * each cycle is cut where a walk up the parents finds it, and that row becomes a root (its
 * parent set to -1, in `rows.parent`).
 */
function cutCycles(
  rows: Rows,
  children: ChildLists,
  numbered: Numbering,
  roots: number[],
  problems: ProblemLog,
): void {
  const parent = rows.parent;
  const reached = new Uint8Array(rows.count);
  for (let node = 0; node < numbered.count; node++) reached[numbered.nodes[node]!] = 1;
  for (let start = 0; start < rows.count; start++) {
    if (reached[start]) continue;
    const seen = new Set<number>();
    let row = start;
    while (parent[row]! >= 0 && !reached[row] && !seen.has(row)) {
      seen.add(row);
      row = parent[row]!;
    }
    if (reached[row]) continue;
    const cutFrom = parent[row]!;
    if (cutFrom >= 0) {
      parent[row] = -1;
      problems.add(
        'parent cycles',
        `span ${rows.spanIds[row]} is in a cycle of parents (its parent ${rows.spanIds[cutFrom]} descends from it); cut above it`,
      );
    }
    roots.push(row);
    // Mark the freed subtree as reached, so that its other members are not cut again.
    const stack = [row];
    while (stack.length > 0) {
      const freed = stack.pop()!;
      reached[freed] = 1;
      for (let c = children.start[freed]!; c < children.start[freed + 1]!; c++) {
        const child = children.rows[c]!;
        if (parent[child] === freed) stack.push(child);
      }
    }
  }
}

/** The child lists without the children cut from their parent (now -1), in the same order. */
function withoutCutChildren(children: ChildLists, parent: Int32Array): ChildLists {
  const start = new Int32Array(children.start.length);
  const rows: number[] = [];
  for (let row = 0; row + 1 < start.length; row++) {
    for (let c = children.start[row]!; c < children.start[row + 1]!; c++) {
      const child = children.rows[c]!;
      if (parent[child] === row) rows.push(child);
    }
    start[row + 1] = rows.length;
  }
  return { start, rows: Int32Array.from(rows) };
}

/**
 * Numbering a trace tree: spans held in "rows" of any order (assembly reads them in input order)
 * become nodes in depth-first pre-order, with their times and links in node order.
 *
 * Each loop over every span sits in a function of its own, with nothing after it: the engine
 * compiles a long loop while it runs, before the code after it has ever run, and such code would
 * be deoptimised on every call until the whole function is compiled again, which for code
 * called once per analysis takes several analyses.
 */
import type { SpanId } from '../model/span.ts';
import type { NodeColumns } from './trace-tree.ts';

/** What numbering needs of the spans kept for the tree, by row. */
export interface Rows {
  readonly count: number;
  /** For ties in start and end. */
  readonly spanIds: readonly SpanId[];
  readonly startNs: Float64Array;
  readonly endNs: Float64Array;
  readonly durationNs: Float64Array;
  /** Row of the parent, -1 for roots. */
  readonly parent: Int32Array;
}

/** The children of each row: row r's are `rows[start[r]]` up to `rows[start[r + 1]]`. */
export interface ChildLists {
  readonly start: Int32Array;
  readonly rows: Int32Array;
}

/** Rows in depth-first pre-order, with their depth and subtree end by node. */
export interface Numbering {
  /** The row of each node; only the first `count` entries are used. */
  readonly nodes: Int32Array;
  readonly count: number;
  /** The node of each row (unreached rows: 0). */
  readonly nodeOfRow: Int32Array;
  readonly depth: Int32Array;
  readonly subtreeEnd: Int32Array;
}

/** By start, then end, then span id. */
export function compareRows(
  rows: Pick<Rows, 'startNs' | 'endNs' | 'spanIds'>,
  a: number,
  b: number,
): number {
  return (
    rows.startNs[a]! - rows.startNs[b]! ||
    rows.endNs[a]! - rows.endNs[b]! ||
    (rows.spanIds[a]! < rows.spanIds[b]! ? -1 : 1)
  );
}

/** Sorts rows by start unless already sorted, as spans usually arrive; true if it moved any. */
export function sortIfNeeded(list: number[], rows: Rows): boolean {
  for (let i = 1; i < list.length; i++) {
    if (compareRows(rows, list[i - 1]!, list[i]!) > 0) {
      const before = [...list];
      list.sort((a, b) => compareRows(rows, a, b));
      return list.some((row, k) => row !== before[k]);
    }
  }
  return false;
}

/** The children of each row, in row order. */
export function childLists(parent: Int32Array, count: number): ChildLists {
  const start = childListStarts(parent, count);
  const next = start.slice(0, count);
  const rows = new Int32Array(start[count]!);
  for (let row = 0; row < count; row++) {
    const p = parent[row]!;
    if (p >= 0) rows[next[p]!++] = row;
  }
  return { start, rows };
}

/** Where each row's children start in a list of all children, and (last) their number. */
function childListStarts(parent: Int32Array, count: number): Int32Array {
  const start = new Int32Array(count + 1);
  for (let row = 0; row < count; row++) {
    const p = parent[row]!;
    if (p >= 0) start[p + 1]!++;
  }
  for (let row = 0; row < count; row++) start[row + 1]! += start[row]!;
  return start;
}

/** Sorts each row's children by start (then end, then id). */
export function sortChildLists(children: ChildLists, rows: Rows): void {
  const { start, rows: list } = children;
  const byStart = (a: number, b: number) => compareRows(rows, a, b);
  for (let row = 0; row < rows.count; row++) {
    const from = start[row]!;
    const to = start[row + 1]!;
    for (let i = from + 1; i < to; i++) {
      if (compareRows(rows, list[i - 1]!, list[i]!) <= 0) continue;
      if (to - from <= MAX_INSERTION_SORT) {
        insertionSort(list, from, to, rows);
        break;
      }
      // Out of order: sort a copy (a plain array, whose sort is stable) and write it back. Copied
      // by index: Array.from would go through an iterator.
      const siblings: number[] = new Array(to - from);
      for (let k = from; k < to; k++) siblings[k - from] = list[k]!;
      siblings.sort(byStart);
      list.set(siblings, from);
      break;
    }
  }
}

/** Up to this many siblings are sorted in place, without the copies Array.prototype.sort makes. */
const MAX_INSERTION_SORT = 32;

/**
 * Sorts `list[from..to)` in place by {@link compareRows}, stably as Array.prototype.sort does:
 * a row moves before another only if it compares below it, so that rows comparing equal (the
 * same id, start and end) keep their order.
 */
function insertionSort(list: Int32Array, from: number, to: number, rows: Rows): void {
  for (let i = from + 1; i < to; i++) {
    const row = list[i]!;
    let at = i;
    while (at > from && compareRows(rows, row, list[at - 1]!) < 0) {
      list[at] = list[at - 1]!;
      at--;
    }
    list[at] = row;
  }
}

/**
 * Numbers the rows reachable from `roots` in depth-first pre-order (children in list order).
 * Iterative, so a chain 50,000 spans deep cannot overflow the stack.
 */
export function numberFromRoots(
  roots: readonly number[],
  children: ChildLists,
  count: number,
): Numbering {
  const nodes = new Int32Array(count);
  const depthOfRow = new Int32Array(count);
  const numbered = visitInPreorder(roots, children, nodes, depthOfRow);
  const nodeOfRow = new Int32Array(count);
  const depth = new Int32Array(numbered);
  for (let node = 0; node < numbered; node++) {
    const row = nodes[node]!;
    nodeOfRow[row] = node;
    depth[node] = depthOfRow[row]!;
  }
  return {
    nodes,
    count: numbered,
    nodeOfRow,
    depth,
    subtreeEnd: subtreeEnds(nodes, numbered, nodeOfRow, children),
  };
}

/** Writes the rows in pre-order to `nodes` and their depth to `depthOfRow`; returns how many. */
function visitInPreorder(
  roots: readonly number[],
  children: ChildLists,
  nodes: Int32Array,
  depthOfRow: Int32Array,
): number {
  const stack = new Int32Array(nodes.length);
  let top = 0;
  for (let r = roots.length - 1; r >= 0; r--) stack[top++] = roots[r]!;
  let numbered = 0;
  while (top > 0) {
    const row = stack[--top]!;
    nodes[numbered++] = row;
    const depth = depthOfRow[row]! + 1;
    for (let c = children.start[row + 1]! - 1; c >= children.start[row]!; c--) {
      const child = children.rows[c]!;
      depthOfRow[child] = depth;
      stack[top++] = child;
    }
  }
  return numbered;
}

/** Where each node's subtree ends: after its last child's, or right after it for a leaf. */
function subtreeEnds(
  nodes: Int32Array,
  numbered: number,
  nodeOfRow: Int32Array,
  children: ChildLists,
): Int32Array {
  const subtreeEnd = new Int32Array(numbered);
  for (let node = numbered - 1; node >= 0; node--) {
    const row = nodes[node]!;
    const lastChild = children.start[row + 1]! - 1;
    subtreeEnd[node] =
      lastChild < children.start[row]!
        ? node + 1
        : subtreeEnd[nodeOfRow[children.rows[lastChild]!]!]!;
  }
  return subtreeEnd;
}

/** The columns of a numbered tree in node order, from its rows. */
export function treeColumns(rows: Rows, order: Numbering): NodeColumns {
  const size = order.count;
  const columns = {
    size,
    startNs: new Float64Array(size),
    endNs: new Float64Array(size),
    durationNs: new Float64Array(size),
    parent: new Int32Array(size),
    depth: order.depth,
    subtreeEnd: order.subtreeEnd,
    childCount: new Int32Array(size),
    roots: [] as number[],
  };
  fillNodeColumns(rows, order, columns);
  return columns;
}

function fillNodeColumns(
  rows: Rows,
  order: Numbering,
  columns: NodeColumns & { readonly roots: number[] },
): void {
  const { nodes, nodeOfRow } = order;
  const { startNs, endNs, durationNs, parent, childCount, roots } = columns;
  for (let node = 0; node < order.count; node++) {
    const row = nodes[node]!;
    startNs[node] = rows.startNs[row]!;
    endNs[node] = rows.endNs[row]!;
    durationNs[node] = rows.durationNs[row]!;
    const parentRow = rows.parent[row]!;
    if (parentRow < 0) {
      parent[node] = -1;
      roots.push(node);
    } else {
      const parentNode = nodeOfRow[parentRow]!;
      parent[node] = parentNode;
      childCount[parentNode]!++;
    }
  }
}

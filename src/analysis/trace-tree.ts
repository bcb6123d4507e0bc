import { findAttribute } from '../model/attributes.ts';
import type { Resource, Span, SpanId } from '../model/span.ts';
import type { SpanFacts } from './span-facts.ts';
import type { SpanIdIndex } from './span-id-index.ts';
import { childLists, numberFromRoots, type Rows, treeColumns } from './tree-numbering.ts';

/**
 * The spans of one trace as a tree (build one with `assembleTraceTree`), stored as columns
 * indexed by node: a node is a number, its position in depth-first pre-order (roots by start
 * time, children by start time), so the subtree of `node` is the range
 * `[node, subtreeEnd[node])`, and its children are `node + 1` and each next one where the
 * previous one's subtree ends:
 *
 *   for (let child = node + 1; child < subtreeEnd[node]; child = subtreeEnd[child]) ...
 *
 * Times are nanoseconds relative to `baseUnixNano` (plain numbers: exact for traces shorter
 * than 104 days), after any clock-skew shift. Columns rather than an object per span: a
 * 50,000-span trace costs a few dozen arrays instead of 100,000 objects for the garbage
 * collector to copy. What the spans say (ids, names, services) stays in the order assembly read
 * them, asked by node through {@link TraceTree.span} and its siblings.
 */
export class TraceTree {
  declare readonly size: number;
  /** The earliest start among the spans (0n for an empty trace). */
  declare readonly baseUnixNano: bigint;
  declare readonly startNs: Float64Array;
  declare readonly endNs: Float64Array;
  declare readonly durationNs: Float64Array;
  /** -1 for roots. */
  declare readonly parent: Int32Array;
  declare readonly depth: Int32Array;
  declare readonly subtreeEnd: Int32Array;
  declare readonly childCount: Int32Array;
  /** Real roots and orphans (spans whose parent never arrived), by start time. */
  declare readonly roots: readonly number[];
  declare readonly facts: SpanFacts;
  declare readonly orphanSpanIds: readonly SpanId[];
  declare readonly missingParentIds: readonly SpanId[];
  declare readonly problems: readonly string[];
  /** True when some spans carry another trace id than the first one. */
  declare readonly mixedTraceIds: boolean;
  declare private readonly spanRows: SpanRows;
  /** The row of each node in `spanRows`. */
  declare private readonly rowOf: Int32Array;
  declare private readonly nodeOfRow: Int32Array;
  /** Span id to the row of the first span with that id. */
  declare private readonly rowOfId: SpanIdIndex;
  #linkedFrom: Map<SpanId, SpanId[]> | undefined;

  constructor(columns: TraceTreeColumns) {
    // Every field assigned here, in one order: trees then share one shape, which the engine's
    // compiled code relies on (properties copied from an object literal in varying order would
    // give trees shapes that come and go).
    this.size = columns.size;
    this.baseUnixNano = columns.baseUnixNano;
    this.startNs = columns.startNs;
    this.endNs = columns.endNs;
    this.durationNs = columns.durationNs;
    this.parent = columns.parent;
    this.depth = columns.depth;
    this.subtreeEnd = columns.subtreeEnd;
    this.childCount = columns.childCount;
    this.roots = columns.roots;
    this.facts = columns.facts;
    this.orphanSpanIds = columns.orphanSpanIds;
    this.missingParentIds = columns.missingParentIds;
    this.problems = columns.problems;
    this.mixedTraceIds = columns.mixedTraceIds;
    this.spanRows = columns.spanRows;
    this.rowOf = columns.rowOf;
    this.nodeOfRow = columns.nodeOfRow;
    this.rowOfId = columns.rowOfId;
    this.#linkedFrom = undefined;
  }

  span(node: number): Span {
    return this.spanRows.spans[this.rowOf[node]!]!;
  }

  spanId(node: number): SpanId {
    return this.spanRows.spanIds[this.rowOf[node]!]!;
  }

  service(node: number): string {
    const { serviceOfProcess, processOf } = this.spanRows;
    return serviceOfProcess[processOf[this.rowOf[node]!]!]!;
  }

  /** The span name. */
  operation(node: number): string {
    return this.spanRows.names[this.rowOf[node]!]!;
  }

  /** The children of `node` in start order, as a new array. */
  children(node: number): number[] {
    const { subtreeEnd } = this;
    const children: number[] = [];
    for (let child = node + 1; child < subtreeEnd[node]!; child = subtreeEnd[child]!) {
      children.push(child);
    }
    return children;
  }

  /** The node of the first span with this id, or -1. */
  nodeOf(spanId: SpanId): number {
    const row = this.rowOfId.get(spanId);
    return row < 0 ? -1 : this.nodeOfRow[row]!;
  }

  /** True when `node` is `ancestor` or lies in its subtree. */
  isInSubtree(node: number, ancestor: number): boolean {
    return node >= ancestor && node < this.subtreeEnd[ancestor]!;
  }

  /** True when the two spans ran in different processes, whose clocks may disagree. */
  runInDifferentProcesses(a: number, b: number): boolean {
    const { serviceOfProcess, processOf, processes } = this.spanRows;
    const processA = processOf[this.rowOf[a]!]!;
    const processB = processOf[this.rowOf[b]!]!;
    if (processA === processB) return false;
    if (serviceOfProcess[processA] !== serviceOfProcess[processB]) return true;
    const resourceA = processes[processA]!;
    const resourceB = processes[processB]!;
    const hostA = hostOf(resourceA);
    const hostB = hostOf(resourceB);
    return hostA !== undefined && hostB !== undefined && hostA !== hostB;
  }

  /**
   * For each span id, the spans of this trace that link to it. Indexed when first asked: it
   * means reading every span's links, which no detector needs yet.
   */
  get linkedFrom(): ReadonlyMap<SpanId, readonly SpanId[]> {
    this.#linkedFrom ??= this.#indexLinks();
    return this.#linkedFrom;
  }

  #indexLinks(): Map<SpanId, SpanId[]> {
    const linkedFrom = new Map<SpanId, SpanId[]>();
    for (let node = 0; node < this.size; node++) {
      const span = this.span(node);
      for (const link of span.links) {
        if (link.traceId !== span.traceId) continue;
        const list = linkedFrom.get(link.spanId);
        if (list === undefined) linkedFrom.set(link.spanId, [span.spanId]);
        else list.push(span.spanId);
      }
    }
    return linkedFrom;
  }

  /**
   * Moves each node by `shiftNs[node]` (a shift must already include the shift of the node's
   * parent, so that subtrees move together) and renumbers the tree if the order of siblings
   * changed. For speed this works in place: the columns are the analysis's own working copies
   * (the spans are never touched), and this tree must not be used afterwards; use the tree
   * returned.
   */
  shiftTimes(shiftNs: Float64Array): TraceTree {
    const resort = this.#moveBy(shiftNs);
    const sorted = new Map<number, number[]>();
    let reordered = false;
    for (const parent of resort) {
      const siblings = parent < 0 ? [...this.roots] : this.children(parent);
      const before = [...siblings];
      siblings.sort((a, b) => this.#compare(a, b));
      if (siblings.some((node, i) => node !== before[i])) reordered = true;
      sorted.set(parent, siblings);
    }
    return reordered ? this.#renumbered(sorted) : this;
  }

  /** By start, then end, then span id: the order of siblings (as `compareRows`). */
  #compare(a: number, b: number): number {
    const { startNs, endNs } = this;
    return (
      startNs[a]! - startNs[b]! ||
      endNs[a]! - endNs[b]! ||
      (this.spanId(a) < this.spanId(b) ? -1 : 1)
    );
  }

  /** Shifts the times; returns the parents (-1 for roots) of nodes moved apart from them. */
  #moveBy(shiftNs: Float64Array): Set<number> {
    const { startNs, endNs, parent } = this;
    // Only a node moved apart from its parent can change places among its siblings.
    const resort = new Set<number>();
    for (let node = 0; node < this.size; node++) {
      const shift = shiftNs[node]!;
      if (shift === 0) continue;
      startNs[node] = startNs[node]! + shift;
      endNs[node] = endNs[node]! + shift;
      const parentShift = parent[node]! < 0 ? 0 : shiftNs[parent[node]!]!;
      if (shift !== parentShift) resort.add(parent[node]!);
    }
    return resort;
  }

  /**
   * The tree numbered again, the old nodes serving as rows: child lists in their current order,
   * but for the re-sorted ones in `sorted` (by parent, -1 for the roots).
   */
  #renumbered(sorted: ReadonlyMap<number, number[]>): TraceTree {
    const rows: Rows = {
      count: this.size,
      spanIds: Array.from({ length: this.size }, (_, node) => this.spanId(node)),
      startNs: this.startNs,
      endNs: this.endNs,
      durationNs: this.durationNs,
      parent: this.parent,
    };
    const children = childLists(this.parent, this.size);
    for (const [parent, siblings] of sorted) {
      if (parent >= 0) children.rows.set(siblings, children.start[parent]!);
    }
    const order = numberFromRoots(sorted.get(-1) ?? this.roots, children, this.size);
    const rowOf = new Int32Array(this.size);
    const nodeOfRow = new Int32Array(this.nodeOfRow.length);
    for (let node = 0; node < this.size; node++) {
      rowOf[node] = this.rowOf[order.nodes[node]!]!;
      nodeOfRow[rowOf[node]!] = node;
    }
    return new TraceTree({
      ...treeColumns(rows, order),
      baseUnixNano: this.baseUnixNano,
      facts: this.facts.renumbered(order.nodes),
      spanRows: this.spanRows,
      rowOf,
      nodeOfRow,
      rowOfId: this.rowOfId,
      orphanSpanIds: this.orphanSpanIds,
      missingParentIds: this.missingParentIds,
      problems: this.problems,
      mixedTraceIds: this.mixedTraceIds,
    });
  }
}

/** What the spans of a tree say, by row: their place in the order assembly read them. */
export interface SpanRows {
  readonly spans: readonly Span[];
  readonly spanIds: readonly SpanId[];
  /** The span names. */
  readonly names: readonly string[];
  /** The process (resource) of each row, an index into `processes`. */
  readonly processOf: Int32Array;
  /** Each distinct resource, in the order first read. */
  readonly processes: readonly Resource[];
  /** The service name of each process. */
  readonly serviceOfProcess: readonly string[];
}

/** The columns of a tree in node order, as `treeColumns` numbers them. */
export interface NodeColumns {
  readonly size: number;
  readonly startNs: Float64Array;
  readonly endNs: Float64Array;
  readonly durationNs: Float64Array;
  readonly parent: Int32Array;
  readonly depth: Int32Array;
  readonly subtreeEnd: Int32Array;
  readonly childCount: Int32Array;
  readonly roots: readonly number[];
}

/** Everything a {@link TraceTree} holds, as the constructor takes it. */
export interface TraceTreeColumns extends NodeColumns {
  readonly baseUnixNano: bigint;
  readonly facts: SpanFacts;
  readonly spanRows: SpanRows;
  readonly rowOf: Int32Array;
  readonly nodeOfRow: Int32Array;
  readonly rowOfId: SpanIdIndex;
  readonly orphanSpanIds: readonly SpanId[];
  readonly missingParentIds: readonly SpanId[];
  readonly problems: readonly string[];
  readonly mixedTraceIds: boolean;
}

function hostOf(resource: Resource): string | undefined {
  const host = findAttribute(resource.attributes, 'host.name');
  return typeof host === 'string' ? host : undefined;
}

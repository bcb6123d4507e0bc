import { findAttribute } from '../model/attributes.ts';
import { type Resource, type Span, type SpanId, SpanKind, serviceNameOf } from '../model/span.ts';
import { SpanFacts } from './span-facts.ts';

/**
 * One span in the assembled tree. Times are nanoseconds relative to the tree's `baseUnixNano`
 * (plain numbers: exact for traces shorter than 104 days), after any clock-skew shift.
 */
export interface TraceNode {
  /** Position in `TraceTree.nodes` (depth-first pre-order): a subtree is `[index, subtreeEnd)`. */
  readonly index: number;
  readonly span: Span;
  readonly spanId: SpanId;
  readonly service: string;
  /** The span name. */
  readonly operation: string;
  readonly startNs: number;
  readonly endNs: number;
  readonly durationNs: number;
  readonly parent: TraceNode | undefined;
  /** Sorted by start, then end. */
  readonly children: readonly TraceNode[];
  readonly depth: number;
  readonly subtreeEnd: number;
  readonly facts: SpanFacts;
}

export interface TraceTree {
  /** The earliest start among the spans (0n for an empty trace). */
  readonly baseUnixNano: bigint;
  /** Depth-first pre-order, roots by start time, children by start time. */
  readonly nodes: readonly TraceNode[];
  /** Real roots and orphans (spans whose parent never arrived), by start time. */
  readonly roots: readonly TraceNode[];
  /** The first node seen for each span id. */
  readonly byId: ReadonlyMap<SpanId, TraceNode>;
  readonly orphanSpanIds: readonly SpanId[];
  readonly missingParentIds: readonly SpanId[];
  /** For each span id, the spans of this trace that link to it. */
  readonly linkedFrom: ReadonlyMap<SpanId, readonly SpanId[]>;
  readonly problems: readonly string[];
}

interface MutableNode {
  index: number;
  span: Span;
  spanId: SpanId;
  service: string;
  operation: string;
  startNs: number;
  endNs: number;
  durationNs: number;
  parent: MutableNode | undefined;
  children: MutableNode[];
  depth: number;
  subtreeEnd: number;
  facts: SpanFacts;
}

const MAX_LISTED_PROBLEMS = 20;
/** Leaves share this array until they get a child: most spans are leaves. */
const NO_CHILDREN: MutableNode[] = [];

/** Collects problems, keeping the list short when a broken trace repeats one many times. */
class ProblemLog {
  readonly #lines: string[] = [];
  readonly #counts = new Map<string, number>();

  add(category: string, line: string): void {
    const count = (this.#counts.get(category) ?? 0) + 1;
    this.#counts.set(category, count);
    if (count <= MAX_LISTED_PROBLEMS) this.#lines.push(line);
  }

  lines(): string[] {
    const extra = [...this.#counts].filter(([, count]) => count > MAX_LISTED_PROBLEMS);
    return [
      ...this.#lines,
      ...extra.map(([category, count]) => `${count - MAX_LISTED_PROBLEMS} more: ${category}`),
    ];
  }
}

function compareNodes(a: MutableNode, b: MutableNode): number {
  return a.startNs - b.startNs || a.endNs - b.endNs || (a.spanId < b.spanId ? -1 : 1);
}

/** Sorts by start unless already sorted, as spans usually arrive. */
function sortIfNeeded(nodes: MutableNode[]): void {
  for (let i = 1; i < nodes.length; i++) {
    if (compareNodes(nodes[i - 1]!, nodes[i]!) > 0) {
      nodes.sort(compareNodes);
      return;
    }
  }
}

function hostOf(resource: Resource): string | undefined {
  const host = findAttribute(resource.attributes, 'host.name');
  return typeof host === 'string' ? host : undefined;
}

function isExactDuplicate(a: Span, b: Span): boolean {
  return (
    a.name === b.name &&
    a.kind === b.kind &&
    a.parentSpanId === b.parentSpanId &&
    a.startTimeUnixNano === b.startTimeUnixNano &&
    a.endTimeUnixNano === b.endTimeUnixNano &&
    serviceNameOf(a.resource) === serviceNameOf(b.resource)
  );
}

/** True when `b` is the server half of a Zipkin shared span whose client half is `a`. */
function isSharedServerHalf(a: Span, b: Span): boolean {
  return (
    b.kind === SpanKind.server &&
    (a.kind === SpanKind.client || findAttribute(b.attributes, 'zipkin.shared') === true)
  );
}

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
  const problems = new ProblemLog();
  if (spans.length === 0) {
    return {
      baseUnixNano: 0n,
      nodes: [],
      roots: [],
      byId: new Map(),
      orphanSpanIds: [],
      missingParentIds: [],
      linkedFrom: new Map(),
      problems: [],
    };
  }

  let base = spans[0]!.startTimeUnixNano;
  for (let i = 1; i < spans.length; i++) {
    const start = spans[i]!.startTimeUnixNano;
    if (start < base) base = start;
  }

  const serviceByResource = new Map<Resource, string>();
  const byId = new Map<SpanId, MutableNode>();
  // Spans naming a Zipkin shared id as parent belong under its server half.
  const sharedServerById = new Map<SpanId, MutableNode>();
  const nodes: MutableNode[] = [];
  let exactDuplicates = 0;
  let duplicatesSeen = false;
  /**
   * Registers `node` under `spanId` unless a node already has that id, which it returns. Ids are
   * almost always unique, so this sets first and checks the map's size (one map operation, not
   * two); after the first duplicate it looks up first, so a trace full of duplicates stays linear.
   */
  const firstWithId = (spanId: SpanId, node: MutableNode): MutableNode | undefined => {
    if (duplicatesSeen) {
      const first = byId.get(spanId);
      if (first === undefined) byId.set(spanId, node);
      return first;
    }
    const sizeBefore = byId.size;
    byId.set(spanId, node);
    if (byId.size > sizeBefore) return undefined;
    duplicatesSeen = true;
    const first = nodes.find((earlier) => earlier.spanId === spanId)!;
    byId.set(spanId, first);
    return first;
  };

  // Indexed loops over every span: this runs once per request, mostly before the engine
  // optimises it, when for...of allocates an iterator result per element.
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    let service = serviceByResource.get(span.resource);
    if (service === undefined) {
      service = serviceNameOf(span.resource);
      serviceByResource.set(span.resource, service);
    }
    const startNs = Number(span.startTimeUnixNano - base);
    let endNs = Number(span.endTimeUnixNano - base);
    if (endNs < startNs) {
      problems.add(
        'spans ending before they start',
        `span ${span.spanId} ends before it starts; treated as zero-length`,
      );
      endNs = startNs;
    }
    const node: MutableNode = {
      index: -1,
      span,
      spanId: span.spanId,
      service,
      operation: span.name,
      startNs,
      endNs,
      durationNs: endNs - startNs,
      parent: undefined,
      children: NO_CHILDREN,
      depth: 0,
      subtreeEnd: -1,
      facts: new SpanFacts(span),
    };
    const first = firstWithId(span.spanId, node);
    if (first !== undefined) {
      if (isExactDuplicate(first.span, span)) {
        exactDuplicates++;
        continue;
      }
      if (isSharedServerHalf(first.span, span) && !sharedServerById.has(span.spanId)) {
        sharedServerById.set(span.spanId, node);
      } else {
        problems.add(
          'spans reusing an id',
          `span id ${span.spanId} is used by more than one span; kept apart`,
        );
      }
    }
    nodes.push(node);
  }
  if (nodes.some((node) => node.endNs > Number.MAX_SAFE_INTEGER)) {
    problems.add(
      'time range',
      'spans lie more than 104 days apart (a clock or a zero start time is wrong): times beyond that are rounded to a few hundred nanoseconds',
    );
  }
  if (exactDuplicates > 0) {
    problems.add(
      'exact duplicates',
      `${exactDuplicates} exact duplicate span(s) (delivered twice) ignored`,
    );
  }

  const roots: MutableNode[] = [];
  const orphanSpanIds: SpanId[] = [];
  const missingParentIds = new Set<SpanId>();
  const anyShared = sharedServerById.size > 0;
  for (let nodeIndex = 0; nodeIndex < nodes.length; nodeIndex++) {
    const node = nodes[nodeIndex]!;
    const parentId = node.span.parentSpanId;
    let parent: MutableNode | undefined;
    if (anyShared && sharedServerById.get(node.spanId) === node) {
      parent = byId.get(node.spanId);
    } else if (parentId !== '') {
      parent = (anyShared ? sharedServerById.get(parentId) : undefined) ?? byId.get(parentId);
      if (parent === undefined) {
        orphanSpanIds.push(node.spanId);
        missingParentIds.add(parentId);
      }
    }
    if (parent === node) {
      problems.add('parent cycles', `span ${node.spanId} is its own parent; treated as a root`);
      parent = undefined;
    }
    node.parent = parent;
    if (parent === undefined) roots.push(node);
    else if (parent.children === NO_CHILDREN) parent.children = [node];
    else parent.children.push(node);
  }
  if (orphanSpanIds.length > 0) {
    problems.add(
      'orphans',
      `${orphanSpanIds.length} span(s) whose parent never arrived are analysed as roots`,
    );
  }

  for (let i = 0; i < nodes.length; i++) sortIfNeeded(nodes[i]!.children);
  sortIfNeeded(roots);

  let ordered = numberFromRoots(roots);
  if (ordered.length < nodes.length) {
    cutCycles(nodes, roots, problems);
    roots.sort(compareNodes);
    ordered = numberFromRoots(roots);
  }

  return {
    baseUnixNano: base,
    nodes: ordered,
    roots,
    byId,
    orphanSpanIds,
    missingParentIds: [...missingParentIds],
    linkedFrom: indexLinks(ordered),
    problems: problems.lines(),
  };
}

/**
 * Whatever no root reaches hangs off a parent cycle (every span in it names another as parent):
 * each cycle is cut where a walk up the parents finds it, and that span becomes a root.
 * Nodes reached from a root carry `index >= 0` after {@link numberFromRoots}.
 */
function cutCycles(
  nodes: readonly MutableNode[],
  roots: MutableNode[],
  problems: ProblemLog,
): void {
  for (let nodeIndex = 0; nodeIndex < nodes.length; nodeIndex++) {
    const start = nodes[nodeIndex]!;
    if (start.index >= 0) continue;
    const seen = new Set<MutableNode>();
    let node = start;
    while (node.parent !== undefined && node.index < 0 && !seen.has(node)) {
      seen.add(node);
      node = node.parent;
    }
    if (node.index >= 0) continue;
    const parent = node.parent;
    if (parent !== undefined) {
      parent.children.splice(parent.children.indexOf(node), 1);
      node.parent = undefined;
      problems.add(
        'parent cycles',
        `span ${node.spanId} is in a cycle of parents (its parent ${parent.spanId} descends from it); cut above it`,
      );
    }
    roots.push(node);
    // Mark the freed subtree as reached, so that its other members are not cut again.
    const stack = [node];
    while (stack.length > 0) {
      const reached = stack.pop()!;
      reached.index = 0;
      for (const child of reached.children) stack.push(child);
    }
  }
}

/**
 * Numbers the nodes reachable from `roots` in depth-first pre-order (children in their array
 * order), setting `index`, `depth` and `subtreeEnd`; unreachable nodes get `index` -1.
 */
function numberFromRoots(roots: readonly MutableNode[]): MutableNode[] {
  const ordered: MutableNode[] = [];
  const stack: MutableNode[] = [];
  for (let r = roots.length - 1; r >= 0; r--) {
    const root = roots[r]!;
    root.depth = 0;
    stack.push(root);
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    node.index = ordered.length;
    ordered.push(node);
    const children = node.children;
    for (let c = children.length - 1; c >= 0; c--) {
      const child = children[c]!;
      child.depth = node.depth + 1;
      stack.push(child);
    }
  }
  for (let i = ordered.length - 1; i >= 0; i--) {
    const node = ordered[i]!;
    const last = node.children[node.children.length - 1];
    node.subtreeEnd = last === undefined ? i + 1 : last.subtreeEnd;
  }
  return ordered;
}

function indexLinks(nodes: readonly MutableNode[]): Map<SpanId, SpanId[]> {
  const linkedFrom = new Map<SpanId, SpanId[]>();
  for (let nodeIndex = 0; nodeIndex < nodes.length; nodeIndex++) {
    const node = nodes[nodeIndex]!;
    for (const link of node.span.links) {
      if (link.traceId !== node.span.traceId) continue;
      const list = linkedFrom.get(link.spanId);
      if (list === undefined) linkedFrom.set(link.spanId, [node.spanId]);
      else list.push(node.spanId);
    }
  }
  return linkedFrom;
}

/**
 * Moves node `i` by `shiftNs[i]` (indexed by `TraceNode.index`; a shift must already include the
 * shift of the node's parent, so that subtrees move together), re-sorts the siblings of moved
 * nodes and renumbers the tree if their order changed. For speed this works in place: the nodes
 * are the analysis's own working copies (the spans are never touched), and `tree` must not be
 * used afterwards; use the tree returned.
 */
export function shiftTimesInPlace(tree: TraceTree, shiftNs: Float64Array): TraceTree {
  const nodes = tree.nodes as readonly MutableNode[];
  const resort = new Set<MutableNode[]>();
  for (let nodeIndex = 0; nodeIndex < nodes.length; nodeIndex++) {
    const node = nodes[nodeIndex]!;
    const shift = shiftNs[node.index] ?? 0;
    if (shift === 0) continue;
    node.startNs += shift;
    node.endNs += shift;
    const parentShift = node.parent === undefined ? 0 : (shiftNs[node.parent.index] ?? 0);
    if (shift !== parentShift) {
      resort.add(node.parent === undefined ? (tree.roots as MutableNode[]) : node.parent.children);
    }
  }
  let reordered = false;
  for (const siblings of resort) {
    const before = [...siblings];
    siblings.sort(compareNodes);
    if (siblings.some((node, i) => node !== before[i])) reordered = true;
  }
  if (!reordered) return tree;
  return { ...tree, nodes: numberFromRoots(tree.roots as readonly MutableNode[]) };
}

/** True when the two spans ran in different processes, whose clocks may disagree. */
export function runInDifferentProcesses(a: TraceNode, b: TraceNode): boolean {
  if (a.service !== b.service) return true;
  if (a.span.resource === b.span.resource) return false;
  const hostA = hostOf(a.span.resource);
  const hostB = hostOf(b.span.resource);
  return hostA !== undefined && hostB !== undefined && hostA !== hostB;
}

/** True when `node` is `ancestor` or lies in its subtree. */
export function isInSubtree(node: TraceNode, ancestor: TraceNode): boolean {
  return node.index >= ancestor.index && node.index < ancestor.subtreeEnd;
}

import { type Resource, type Span, StatusCode, serviceNameOf } from '../model/span.ts';

/** One span placed in its trace: tree position and times relative to the trace start. */
export interface ViewSpan {
  readonly span: Span;
  readonly service: string;
  /** Nanoseconds from the earliest start in the trace. */
  readonly startNs: number;
  readonly durationNs: number;
  readonly depth: number;
  /** Index in {@link TraceView.spans} of the parent, -1 for a top-level span. */
  readonly parent: number;
  /** Spans in this subtree, itself included: the subtree is `spans[i .. i + subtreeSize)`. */
  readonly subtreeSize: number;
  readonly childCount: number;
  readonly isError: boolean;
  /** Its parent id names a span the trace does not hold (not yet arrived, or lost). */
  readonly orphan: boolean;
}

export interface ServiceCount {
  readonly name: string;
  readonly spanCount: number;
}

/** A trace ready for display, built once from its spans. */
export interface TraceView {
  readonly traceId: string;
  /** Depth first, siblings by start time: every subtree is one contiguous run. */
  readonly spans: readonly ViewSpan[];
  readonly indexById: ReadonlyMap<string, number>;
  readonly startUnixNano: bigint;
  readonly durationNs: number;
  /** In order of first appearance, the root's service first. */
  readonly services: readonly ServiceCount[];
  /** Deepest nesting level; a root is level 0, so a lone span has depth 1. */
  readonly depth: number;
  readonly errorCount: number;
  /** What was odd about the spans and how it is shown (orphans, duplicate ids, cycles). */
  readonly problems: readonly string[];
}

/**
 * Arranges the spans of one trace as a tree, in display order. Never throws: orphans (their
 * parent is missing) are shown at the top level after the root, a span sharing an id with an
 * earlier one keeps its place but gets no children, and spans in a parent cycle are cut loose
 * at the top level; each case is listed in `problems`.
 */
export function buildTraceView(spans: readonly Span[]): TraceView {
  const n = spans.length;
  if (n === 0) {
    return {
      traceId: '',
      spans: [],
      indexById: new Map(),
      startUnixNano: 0n,
      durationNs: 0,
      services: [],
      depth: 0,
      errorCount: 0,
      problems: [],
    };
  }
  let startUnixNano = spans[0]!.startTimeUnixNano;
  let endUnixNano = spans[0]!.endTimeUnixNano;
  for (const span of spans) {
    if (span.startTimeUnixNano < startUnixNano) startUnixNano = span.startTimeUnixNano;
    if (span.endTimeUnixNano > endUnixNano) endUnixNano = span.endTimeUnixNano;
  }
  // Typed arrays indexed by input position throughout: a 50,000-span trace is laid out with
  // a handful of allocations instead of one array or object per span.
  const problems: string[] = [];
  const startOffset = new Float64Array(n);
  const durationOf = new Float64Array(n);
  const firstById = new Map<string, number>();
  let duplicates = 0;
  for (let i = 0; i < n; i++) {
    const span = spans[i]!;
    startOffset[i] = Number(span.startTimeUnixNano - startUnixNano);
    durationOf[i] = Math.max(0, Number(span.endTimeUnixNano - span.startTimeUnixNano));
    if (firstById.has(span.spanId)) duplicates++;
    else firstById.set(span.spanId, i);
  }
  if (duplicates > 0) problems.push(`${duplicates} span(s) reuse an id another span already has`);

  // Children as one list grouped by parent (`childList[childStart[p] .. childStart[p + 1])`).
  const parentOf = new Int32Array(n).fill(-1);
  const orphan = new Uint8Array(n);
  const childStart = new Int32Array(n + 1);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    const parentId = spans[i]!.parentSpanId;
    const parent = parentId === '' ? undefined : firstById.get(parentId);
    if (parent === undefined || parent === i) {
      if (parentId !== '') orphan[i] = 1;
      roots.push(i);
    } else {
      parentOf[i] = parent;
      childStart[parent + 1]!++;
    }
  }
  for (let i = 0; i < n; i++) childStart[i + 1]! += childStart[i]!;
  const childList = new Int32Array(childStart[n]!);
  const filled = childStart.slice(0, n);
  for (let i = 0; i < n; i++) {
    const parent = parentOf[i]!;
    if (parent >= 0) childList[filled[parent]!++] = i;
  }
  // Ties keep input order (the lists are filled in it).
  const byStart = (a: number, b: number) =>
    startOffset[a]! - startOffset[b]! || spans[a]!.name.localeCompare(spans[b]!.name) || a - b;
  for (let i = 0; i < n; i++) {
    if (childStart[i + 1]! - childStart[i]! > 1) {
      childList.subarray(childStart[i]!, childStart[i + 1]!).sort(byStart);
    }
  }
  // True roots first, then orphans: the request's entry point heads the waterfall.
  roots.sort((a, b) => orphan[a]! - orphan[b]! || byStart(a, b));
  const orphans = roots.filter((i) => orphan[i] === 1).length;
  if (orphans > 0) {
    problems.push(
      `${orphans} span(s) have a parent the trace does not hold; shown at the top level`,
    );
  }

  const order = new Int32Array(n);
  let placed = 0;
  const depthOf = new Int32Array(n);
  const visited = new Uint8Array(n);
  // Each span is pushed once at most, by its one parent, so n slots always suffice.
  const stack = new Int32Array(n);
  const walk = (root: number) => {
    let top = 0;
    stack[top++] = root;
    depthOf[root] = 0;
    while (top > 0) {
      const i = stack[--top]!;
      if (visited[i]) continue;
      visited[i] = 1;
      order[placed++] = i;
      for (let k = childStart[i + 1]! - 1; k >= childStart[i]!; k--) {
        const child = childList[k]!;
        if (!visited[child]) {
          depthOf[child] = depthOf[i]! + 1;
          stack[top++] = child;
        }
      }
    }
  };
  for (const root of roots) walk(root);
  if (placed < n) {
    const before = placed;
    for (let i = 0; i < n; i++) {
      if (!visited[i]) {
        orphan[i] = 1;
        walk(i);
      }
    }
    problems.push(`${placed - before} span(s) form a parent cycle; cut at the top level`);
  }

  const position = new Int32Array(n);
  for (let p = 0; p < n; p++) position[order[p]!] = p;
  const parentPos = new Int32Array(n).fill(-1);
  for (let p = 0; p < n; p++) {
    const i = order[p]!;
    if (parentOf[i]! >= 0 && !orphan[i]) parentPos[p] = position[parentOf[i]!]!;
  }
  const size = new Int32Array(n).fill(1);
  const childCount = new Int32Array(n);
  for (let p = n - 1; p >= 0; p--) {
    const parent = parentPos[p]!;
    if (parent >= 0) {
      size[parent]! += size[p]!;
      childCount[parent]!++;
    }
  }

  // Spans of one batch share their resource object: its service name is looked up once.
  const serviceOf = new Map<Resource, string>();
  const serviceCounts = new Map<string, { spanCount: number }>();
  let lastResource: Resource | undefined;
  let lastCount = { spanCount: 0 };
  let service = '';
  let errorCount = 0;
  let maxDepth = 0;
  const viewSpans: ViewSpan[] = new Array(n);
  for (let p = 0; p < n; p++) {
    const i = order[p]!;
    const span = spans[i]!;
    if (span.resource !== lastResource) {
      lastResource = span.resource;
      let name = serviceOf.get(lastResource);
      if (name === undefined) {
        name = serviceNameOf(lastResource);
        serviceOf.set(lastResource, name);
      }
      if (name !== service || p === 0) {
        service = name;
        let count = serviceCounts.get(service);
        if (count === undefined) {
          count = { spanCount: 0 };
          serviceCounts.set(service, count);
        }
        lastCount = count;
      }
    }
    lastCount.spanCount++;
    const isError = span.status.code === StatusCode.error;
    if (isError) errorCount++;
    const depth = depthOf[i]!;
    if (depth + 1 > maxDepth) maxDepth = depth + 1;
    viewSpans[p] = {
      span,
      service,
      startNs: startOffset[i]!,
      durationNs: durationOf[i]!,
      depth,
      parent: parentPos[p]!,
      subtreeSize: size[p]!,
      childCount: childCount[p]!,
      isError,
      orphan: orphan[i] === 1,
    };
  }
  // The first of spans sharing an id in display order, as a click on a link expects.
  let indexById: Map<string, number>;
  if (duplicates === 0) {
    // Positions replace input indices in place: no second map of every id.
    indexById = firstById;
    for (let i = 0; i < n; i++) indexById.set(spans[i]!.spanId, position[i]!);
  } else {
    indexById = new Map();
    for (let p = 0; p < n; p++) {
      const id = spans[order[p]!]!.spanId;
      if (!indexById.has(id)) indexById.set(id, p);
    }
  }
  return {
    traceId: spans[0]!.traceId,
    spans: viewSpans,
    indexById,
    startUnixNano,
    durationNs: Number(endUnixNano - startUnixNano),
    services: [...serviceCounts].map(([name, { spanCount }]) => ({ name, spanCount })),
    depth: maxDepth,
    errorCount,
    problems,
  };
}

/** Groups spans by trace id, in order of each trace's first span. */
export function groupByTrace(spans: readonly Span[]): Span[][] {
  const byTrace = new Map<string, Span[]>();
  for (const span of spans) {
    let group = byTrace.get(span.traceId);
    if (group === undefined) {
      group = [];
      byTrace.set(span.traceId, group);
    }
    group.push(span);
  }
  return [...byTrace.values()];
}

/**
 * Time a span spends not waiting on any child: its duration minus the union of its children's
 * intervals clipped to it (so overlapping children count once). Used when no analysis gives it.
 */
export function selfTimeNs(view: TraceView, index: number): number {
  const span = view.spans[index];
  if (span === undefined) return 0;
  const start = span.startNs;
  const end = span.startNs + span.durationNs;
  const intervals: [number, number][] = [];
  for (let i = index + 1; i < index + span.subtreeSize; ) {
    const child = view.spans[i]!;
    const s = Math.max(start, child.startNs);
    const e = Math.min(end, child.startNs + child.durationNs);
    if (e > s) intervals.push([s, e]);
    i += child.subtreeSize;
  }
  intervals.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let runStart = -1;
  let runEnd = -1;
  for (const [s, e] of intervals) {
    if (s > runEnd) {
      covered += runEnd - runStart;
      runStart = s;
      runEnd = e;
    } else if (e > runEnd) {
      runEnd = e;
    }
  }
  covered += runEnd - runStart;
  return span.durationNs - covered;
}

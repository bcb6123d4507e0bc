/**
 * Reading the spans of a trace into rows (their place in input order) for tree assembly: times,
 * services, ids and attributes in one pass, then each row's parent.
 */
import { findAttribute } from '../model/attributes.ts';
import { type Resource, type Span, type SpanId, SpanKind, serviceNameOf } from '../model/span.ts';
import { FactRows } from './fact-rows.ts';
import { NanoOffsets } from './nano-offsets.ts';
import { ProblemLog } from './problem-log.ts';
import { SpanIdIndex } from './span-id-index.ts';
import type { SpanRows } from './trace-tree.ts';

/** The spans kept, by row (input order, exact duplicates dropped), before parents are known. */
export type ReadRows = Readonly<RowBuffers>;

/**
 * The spans of a trace, read into rows, with the problems met on the way. Times are read against
 * the first span's start, which spares a pass over the spans to find the earliest; spans more
 * than 104 days apart (a broken clock) lose exactness, and are read again against the earliest
 * start, rounded as they always were.
 */
export function readSpanRows(spans: readonly Span[]): { rows: ReadRows; problems: ProblemLog } {
  const problems = new ProblemLog();
  const rows = readRows(spans, problems, spans[0]!.startTimeUnixNano, false);
  if (rows !== undefined) return { rows, problems };
  const again = new ProblemLog();
  return { rows: readRows(spans, again, earliestStart(spans), true)!, problems: again };
}

function earliestStart(spans: readonly Span[]): bigint {
  let earliest = spans[0]!.startTimeUnixNano;
  for (let i = 1; i < spans.length; i++) {
    const start = spans[i]!.startTimeUnixNano;
    if (start < earliest) earliest = start;
  }
  return earliest;
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
 * The columns {@link readSpans} fills, sized for every span (duplicates leave ends unused), and
 * what it finds. Made at one place, with every field, so that it always has the same shape.
 */
interface RowBuffers extends SpanRows {
  count: number;
  baseUnixNano: bigint;
  mixedTraceIds: boolean;
  readonly spans: Span[];
  readonly spanIds: SpanId[];
  readonly names: string[];
  readonly parentIds: SpanId[];
  readonly processOf: Int32Array;
  /** Each resource met, to the index it is numbered with in `processOf`. */
  readonly processOfResource: Map<Resource, number>;
  /** Filled from `processOfResource` once the spans are read. */
  processes: Resource[];
  serviceOfProcess: string[];
  readonly startNs: Float64Array;
  readonly endNs: Float64Array;
  readonly durationNs: Float64Array;
  readonly rowOfId: SpanIdIndex;
  /** Server halves of Zipkin shared spans, by their (shared) id. */
  readonly sharedServerById: Map<SpanId, number>;
  readonly facts: FactRows;
}

/** What {@link readSpans} saw besides the rows. */
interface SpansRead {
  readonly count: number;
  readonly exactDuplicates: number;
  /** Relative to the base the spans were read against. */
  readonly earliestStartNs: number;
  readonly latestEndNs: number;
  readonly mixedTraceIds: boolean;
}

/**
 * The spans kept, with times relative to the earliest start, reading them against `base`.
 * Unless `base` is the earliest start, gives up (undefined) when the times would not all be
 * exact.
 */
function readRows(
  spans: readonly Span[],
  problems: ProblemLog,
  base: bigint,
  baseIsEarliest: boolean,
): ReadRows | undefined {
  const capacity = spans.length;
  // Sized up front: growing arrays copy.
  const kept: Span[] = new Array(capacity);
  const spanIds: SpanId[] = new Array(capacity);
  const names: string[] = new Array(capacity);
  const rows: RowBuffers = {
    count: 0,
    baseUnixNano: base,
    mixedTraceIds: false,
    spans: kept,
    spanIds,
    names,
    parentIds: new Array(capacity),
    processOf: new Int32Array(capacity),
    processOfResource: new Map(),
    processes: [],
    serviceOfProcess: [],
    startNs: new Float64Array(capacity),
    endNs: new Float64Array(capacity),
    durationNs: new Float64Array(capacity),
    rowOfId: new SpanIdIndex(capacity, spanIds),
    sharedServerById: new Map(),
    facts: new FactRows(kept, names),
  };
  const read = readSpans(spans, problems, base, baseIsEarliest, rows);
  if (read === undefined) return undefined;
  // Filled here rather than while reading: arrays growing from empty inside the loop over the
  // spans change their kind of elements, which throws the loop's compiled code away.
  rows.processes = [...rows.processOfResource.keys()];
  rows.serviceOfProcess = rows.processes.map(serviceNameOf);
  const { earliestStartNs } = read;
  let { latestEndNs } = read;
  if (earliestStartNs < 0) {
    if (latestEndNs - earliestStartNs > Number.MAX_SAFE_INTEGER) return undefined;
    relativeTo(earliestStartNs, rows.startNs, rows.endNs, read.count);
    latestEndNs -= earliestStartNs;
    base += BigInt(earliestStartNs);
  }
  if (latestEndNs > Number.MAX_SAFE_INTEGER) {
    problems.add(
      'time range',
      'spans lie more than 104 days apart (a clock or a zero start time is wrong): times beyond that are rounded to a few hundred nanoseconds',
    );
  }
  if (read.exactDuplicates > 0) {
    problems.add(
      'exact duplicates',
      `${read.exactDuplicates} exact duplicate span(s) (delivered twice) ignored`,
    );
  }
  rows.count = read.count;
  rows.baseUnixNano = base;
  rows.mixedTraceIds = read.mixedTraceIds;
  return rows;
}

/**
 * One pass over the spans: times against `base`, services, ids (dropping exact duplicates,
 * noting shared and reused ids), into `rows`. Gives up (undefined) on a time too far from `base`
 * to be exact, unless `base` is the earliest start.
 */
function readSpans(
  spans: readonly Span[],
  problems: ProblemLog,
  base: bigint,
  baseIsEarliest: boolean,
  rows: RowBuffers,
): SpansRead | undefined {
  const { spanIds, names, parentIds, processOf, startNs, endNs, durationNs } = rows;
  const { rowOfId, sharedServerById, facts, processOfResource } = rows;
  const kept = rows.spans;
  const offsets = new NanoOffsets(base);
  let count = 0;
  let exactDuplicates = 0;
  let earliestStartNs = 0;
  let latestEndNs = 0;
  const traceId = spans[0]!.traceId;
  let mixedTraceIds = false;
  let lastResource: Resource | undefined;
  let lastProcess = -1;
  // Indexed loops over every span: this runs once per request, mostly before the engine
  // optimises it, when for...of allocates an iterator result per element.
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    if (span.traceId !== traceId) mixedTraceIds = true;
    // Spans of one process usually come together: look the process up when the resource changes.
    if (span.resource !== lastResource) {
      lastResource = span.resource;
      lastProcess = processIndex(processOfResource, lastResource);
    }
    const spanStartNs = offsetFrom(offsets, span.startTimeUnixNano, base);
    let spanEndNs = offsetFrom(offsets, span.endTimeUnixNano, base);
    if (
      !baseIsEarliest &&
      (spanStartNs < -Number.MAX_SAFE_INTEGER || spanEndNs > Number.MAX_SAFE_INTEGER)
    ) {
      return undefined;
    }
    if (spanEndNs < spanStartNs) {
      problems.add(
        'spans ending before they start',
        `span ${span.spanId} ends before it starts; treated as zero-length`,
      );
      spanEndNs = spanStartNs;
    }
    const row = count;
    const spanId = span.spanId;
    const first = rowOfId.addIfAbsent(spanId, row);
    if (first >= 0) {
      if (isExactDuplicate(kept[first]!, span)) {
        exactDuplicates++;
        continue;
      }
      if (isSharedServerHalf(kept[first]!, span) && !sharedServerById.has(spanId)) {
        sharedServerById.set(spanId, row);
      } else {
        problems.add(
          'spans reusing an id',
          `span id ${spanId} is used by more than one span; kept apart`,
        );
      }
    }
    count++;
    kept[row] = span;
    spanIds[row] = spanId;
    names[row] = span.name;
    parentIds[row] = span.parentSpanId;
    processOf[row] = lastProcess;
    startNs[row] = spanStartNs;
    endNs[row] = spanEndNs;
    durationNs[row] = spanEndNs - spanStartNs;
    if (spanStartNs < earliestStartNs) earliestStartNs = spanStartNs;
    if (spanEndNs > latestEndNs) latestEndNs = spanEndNs;
    // Read while the span is at hand; the facts are asked in tree order later.
    facts.read(row);
  }
  return { count, exactDuplicates, earliestStartNs, latestEndNs, mixedTraceIds };
}

/** The index of `resource` among the processes met so far, numbering it when first met. */
function processIndex(known: Map<Resource, number>, resource: Resource): number {
  let process = known.get(resource);
  if (process === undefined) {
    process = known.size;
    known.set(resource, process);
  }
  return process;
}

/** `Number(time - base)`, without allocating for times that fit 64 bits unsigned. */
function offsetFrom(offsets: NanoOffsets, time: bigint, base: bigint): number {
  const offset = offsets.offsetOf(time);
  return Number.isNaN(offset) ? Number(time - base) : offset;
}

/** Makes times read against a later base relative to the earliest start, `originNs` (< 0). */
function relativeTo(originNs: number, startNs: Float64Array, endNs: Float64Array, count: number) {
  for (let row = 0; row < count; row++) {
    startNs[row] = startNs[row]! - originNs;
    endNs[row] = endNs[row]! - originNs;
  }
}

export interface Parents {
  /** Each row's parent row, -1 for roots. */
  readonly parent: Int32Array;
  readonly orphanSpanIds: SpanId[];
  readonly missingParentIds: SpanId[];
}

/** Each row's parent row, with the orphans (spans whose parent never arrived) found on the way. */
export function resolveParents(rows: ReadRows, problems: ProblemLog): Parents {
  const parent = new Int32Array(rows.count);
  const orphanSpanIds: SpanId[] = [];
  const missingParentIds = new Set<SpanId>();
  findParents(rows, parent, orphanSpanIds, missingParentIds, problems);
  if (orphanSpanIds.length > 0) {
    problems.add(
      'orphans',
      `${orphanSpanIds.length} span(s) whose parent never arrived are analysed as roots`,
    );
  }
  return { parent, orphanSpanIds, missingParentIds: [...missingParentIds] };
}

function findParents(
  rows: ReadRows,
  parent: Int32Array,
  orphanSpanIds: SpanId[],
  missingParentIds: Set<SpanId>,
  problems: ProblemLog,
): void {
  const { rowOfId, sharedServerById, spanIds, parentIds } = rows;
  const anyShared = sharedServerById.size > 0;
  // Siblings usually come together, and a child right after its parent: the last parent found,
  // and the row before (when no id is used twice, the row of its id), spare most lookups.
  const idsUnique = rowOfId.size === rows.count;
  let lastParentId: SpanId | undefined;
  let lastParentRow = -1;
  for (let row = 0; row < rows.count; row++) {
    const spanId = spanIds[row]!;
    const parentId = parentIds[row]!;
    let parentRow = -1;
    if (anyShared && sharedServerById.get(spanId) === row) {
      parentRow = rowOfId.get(spanId);
    } else if (parentId !== '') {
      if (anyShared) {
        parentRow = sharedServerById.get(parentId) ?? rowOfId.get(parentId);
      } else {
        if (parentId === lastParentId) parentRow = lastParentRow;
        else if (idsUnique && row > 0 && parentId === spanIds[row - 1]) parentRow = row - 1;
        else parentRow = rowOfId.get(parentId);
        lastParentId = parentId;
        lastParentRow = parentRow;
      }
      if (parentRow < 0) {
        orphanSpanIds.push(spanId);
        missingParentIds.add(parentId);
      }
    }
    if (parentRow === row) {
      problems.add('parent cycles', `span ${spanId} is its own parent; treated as a root`);
      parentRow = -1;
    }
    parent[row] = parentRow;
  }
}

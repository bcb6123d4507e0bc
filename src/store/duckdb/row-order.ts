import type { RowBatch } from './row-batch.ts';

/**
 * The order a commit stores its rows in, and each row's place within its trace. Rows are named
 * by their index across the commit's batches: batch 0's rows first, then batch 1's, and so on.
 */
export interface RowOrder {
  /** Per row of the commit, its batch and its row within that batch. */
  readonly batchOf: Uint32Array;
  readonly rowOf: Uint32Array;
  /**
   * Per row of the commit, its ids as eight 32-bit words in the store's byte order (RowBatch
   * `ids`): trace id 0-3, span id 4-5, parent span id 6-7.
   */
  readonly ids: Uint32Array;
  /** The commit's rows sorted by trace id; a trace's rows keep their arrival order. */
  readonly sorted: Uint32Array;
  /** Per position in `sorted`: the row's number among its trace's rows of this commit. */
  readonly ordinal: Uint32Array;
  /** Per position in `sorted`: the parent's ordinal there, or -1 (another commit, or a root). */
  readonly parent: Int32Array;
}

/** Rows that sort by one number: the first 32 bits of the trace id above the row's index. */
const MAX_PACKED_ROWS = 2 ** 21;
/** Traces up to this many rows of a commit find parents by a scan; larger ones by a Map. */
const SCAN_PARENTS_UP_TO = 32;

/**
 * Sorts the rows of `batches` by trace id, so that a trace's rows sit together (its repeated id
 * compresses, and the trace locator finds it in one place), and numbers them within their trace.
 */
export function orderRows(batches: readonly RowBatch[]): RowOrder {
  let total = 0;
  for (const batch of batches) total += batch.count;
  const batchOf = new Uint32Array(total);
  const rowOf = new Uint32Array(total);
  const words = new Uint32Array(total * 4);
  const ids = new Uint32Array(total * 8);
  let at = 0;
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!;
    batchOf.fill(b, at, at + batch.count);
    for (let row = 0; row < batch.count; row++) rowOf[at + row] = row;
    words.set(batch.traceWords.subarray(0, batch.count * 4), at * 4);
    ids.set(new Uint32Array(batch.ids.buffer, batch.ids.byteOffset, batch.count * 8), at * 8);
    at += batch.count;
  }
  const sorted = total <= MAX_PACKED_ROWS ? packedSort(words, total) : comparedSort(words, total);
  const { ordinal, parent } = ordinalsOf(sorted, words, ids, batches, batchOf, rowOf);
  return { batchOf, rowOf, ids, sorted, ordinal, parent };
}

function compareRows(words: Uint32Array, x: number, y: number): number {
  for (let w = 0; w < 4; w++) {
    const a = words[x * 4 + w]!;
    const b = words[y * 4 + w]!;
    if (a !== b) return a < b ? -1 : 1;
  }
  return x - y;
}

function sameTrace(words: Uint32Array, x: number, y: number): boolean {
  const a = x * 4;
  const b = y * 4;
  return (
    words[a] === words[b] &&
    words[a + 1] === words[b + 1] &&
    words[a + 2] === words[b + 2] &&
    words[a + 3] === words[b + 3]
  );
}

function comparedSort(words: Uint32Array, total: number): Uint32Array {
  const rows = Array.from({ length: total }, (_, i) => i);
  rows.sort((x, y) => compareRows(words, x, y));
  return Uint32Array.from(rows);
}

/**
 * A numeric sort of (first trace-id word, row index) packed into one double: native and without
 * a comparator call per comparison. Rows whose traces share the first word but differ after it
 * (rare: two of a commit's thousands of traces) are then put in full order.
 */
function packedSort(words: Uint32Array, total: number): Uint32Array {
  const keys = new Float64Array(total);
  for (let i = 0; i < total; i++) keys[i] = words[i * 4]! * MAX_PACKED_ROWS + i;
  keys.sort();
  const sorted = new Uint32Array(total);
  for (let i = 0; i < total; i++) sorted[i] = keys[i]! % MAX_PACKED_ROWS;
  for (let start = 0; start < total; ) {
    let end = start + 1;
    let mixed = false;
    while (end < total && words[sorted[end]! * 4] === words[sorted[start]! * 4]) {
      if (!sameTrace(words, sorted[end]!, sorted[start]!)) mixed = true;
      end++;
    }
    if (mixed) {
      const run = Array.from(sorted.subarray(start, end)).sort((x, y) => compareRows(words, x, y));
      sorted.set(run, start);
    }
    start = end;
  }
  return sorted;
}

/**
 * Each row's number within its trace's rows of this commit, and its parent's number there. A
 * repeated span id keeps its first number: a parent reference means that span. `ids` as in
 * {@link RowOrder.ids}.
 */
function ordinalsOf(
  sorted: Uint32Array,
  words: Uint32Array,
  ids: Uint32Array,
  batches: readonly RowBatch[],
  batchOf: Uint32Array,
  rowOf: Uint32Array,
): { ordinal: Uint32Array; parent: Int32Array } {
  const total = sorted.length;
  const ordinal = new Uint32Array(total);
  const parent = new Int32Array(total).fill(-1);
  const byId = new Map<string, number>();
  for (let start = 0; start < total; ) {
    let end = start + 1;
    while (end < total && sameTrace(words, sorted[end]!, sorted[start]!)) end++;
    for (let i = start; i < end; i++) ordinal[i] = i - start;
    const scan = end - start <= SCAN_PARENTS_UP_TO;
    if (!scan) {
      byId.clear();
      for (let i = end - 1; i >= start; i--) byId.set(idKey(ids, sorted[i]! * 8 + 4), i - start);
    }
    for (let i = start; i < end; i++) {
      const row = sorted[i]!;
      if (!batches[batchOf[row]!]!.hasParent[rowOf[row]!]) continue;
      const lo = ids[row * 8 + 6]!;
      const hi = ids[row * 8 + 7]!;
      if (scan) {
        for (let j = start; j < end; j++) {
          const other = sorted[j]! * 8;
          if (ids[other + 4] === lo && ids[other + 5] === hi) {
            parent[i] = j - start;
            break;
          }
        }
      } else {
        parent[i] = byId.get(idKey(ids, row * 8 + 6)) ?? -1;
      }
    }
    start = end;
  }
  return { ordinal, parent };
}

function idKey(ids: Uint32Array, at: number): string {
  return `${ids[at]}:${ids[at + 1]}`;
}

/**
 * Finds the commits ("batches") that stored spans of a trace, so that a trace is read from the
 * row groups of those commits only: with random trace ids, DuckDB's min/max zone maps on
 * `trace_id` cannot skip anything, but zone maps on `batch` skip all but a row group or two.
 *
 * It keeps the first 32 bits of each stored trace id with its commit number, in memory only
 * (rebuilt from the table when the store opens). The pairs live in sorted runs, merged as a
 * binary counter merges its digits: a new commit adds a small run, and two runs of about the
 * same size become one, so there are at most about log2(traces) runs and a lookup is a binary
 * search in each. Each pair is merged about log2(traces) times over its life. Two trace ids
 * sharing their first 32 bits only cost a wasted look at one more commit; the query still
 * compares the whole id.
 *
 * The pairs are most of what the store's memory grows by as spans are stored, so they are
 * packed: a commit is kept as an offset from the run's first one (2 bytes while a run covers
 * fewer than 65,536 commits), and a large run keeps only the low 16 bits of each prefix, with
 * the high 16 bits given by an index of where each of their 65,536 values starts. A pair of a
 * large run takes 4 bytes instead of 8 (4.35 on average over 2.4M pairs). The price is in the
 * rare merges of the largest runs, which unpack and pack again: the merge into a run of 2.4M
 * pairs took 66-74 ms on the event loop instead of 41-45.
 */
export class TraceLocator {
  /** Oldest (largest) run first. */
  readonly #runs: Run[] = [];

  /** Records that commit `batch` stored spans of these traces (any order, repeats allowed). */
  add(batch: number, traceIds: Iterable<string>): void {
    this.addPrefixes(batch, Uint32Array.from(traceIds, prefixOf));
  }

  /** Like {@link add}, with the 32-bit prefixes already computed (any order, repeats allowed). */
  addPrefixes(batch: number, prefixes: Uint32Array): void {
    prefixes.sort();
    let unique = 0;
    for (let i = 0; i < prefixes.length; i++) {
      if (i === 0 || prefixes[i] !== prefixes[unique - 1]) prefixes[unique++] = prefixes[i]!;
    }
    if (unique === 0) return;
    let run: Run = new PlainRun(prefixes.slice(0, unique), batch, batch, new Uint16Array(unique));
    for (;;) {
      const last = this.#runs.at(-1);
      if (!last || last.length > 2 * run.length) break;
      this.#runs.pop();
      run = merge(last, run);
    }
    this.#runs.push(run);
  }

  /** The commits that may hold spans of these traces, ascending; empty when none can. */
  batchesOf(traceIds: readonly string[]): number[] {
    const found = new Set<number>();
    for (const traceId of traceIds) {
      const prefix = prefixOf(traceId);
      for (const run of this.#runs) run.collect(prefix, found);
    }
    return [...found].sort((a, b) => a - b);
  }

  /** Approximate heap bytes held, for diagnostics. */
  get bytes(): number {
    return this.#runs.reduce((n, run) => n + run.bytes, 0);
  }
}

/** Runs of at least this many pairs keep 16 bits of each prefix (see {@link PackedRun}). */
export const PACKED_RUN_PAIRS = 1 << 17;

/** Pairs of a prefix and a commit, ascending by prefix (a prefix repeats across commits). */
interface Run {
  readonly length: number;
  readonly firstBatch: number;
  readonly lastBatch: number;
  /** Each pair's commit, as an offset from {@link firstBatch}. */
  readonly batches: BatchOffsets;
  readonly bytes: number;
  /** Adds the commits paired with `prefix` to `found`. */
  collect(prefix: number, found: Set<number>): void;
  /** Each pair's whole prefix (a new array for a packed run). */
  prefixes(): Uint32Array;
}

/** Commits as offsets from the first: 2 bytes each while the run covers fewer than 65,536. */
type BatchOffsets = Uint16Array | Uint32Array;

function batchOffsets(length: number, firstBatch: number, lastBatch: number): BatchOffsets {
  return lastBatch - firstBatch < 0x10000 ? new Uint16Array(length) : new Uint32Array(length);
}

/** A run with whole prefixes. */
class PlainRun implements Run {
  readonly #prefixes: Uint32Array;

  constructor(
    prefixes: Uint32Array,
    readonly firstBatch: number,
    readonly lastBatch: number,
    readonly batches: BatchOffsets,
  ) {
    this.#prefixes = prefixes;
  }

  get length(): number {
    return this.#prefixes.length;
  }

  get bytes(): number {
    return this.#prefixes.byteLength + this.batches.byteLength + 64;
  }

  collect(prefix: number, found: Set<number>): void {
    const prefixes = this.#prefixes;
    for (let i = lowerBound(prefixes, prefix, 0, prefixes.length); prefixes[i] === prefix; i++) {
      found.add(this.firstBatch + this.batches[i]!);
    }
  }

  prefixes(): Uint32Array {
    return this.#prefixes;
  }
}

/**
 * A large run: the low 16 bits of each prefix, and where the pairs of each value of the high 16
 * bits start (`starts[h]` to `starts[h + 1]`).
 */
class PackedRun implements Run {
  readonly #starts: Uint32Array;
  readonly #lows: Uint16Array;

  constructor(
    starts: Uint32Array,
    lows: Uint16Array,
    readonly firstBatch: number,
    readonly lastBatch: number,
    readonly batches: BatchOffsets,
  ) {
    this.#starts = starts;
    this.#lows = lows;
  }

  get length(): number {
    return this.#lows.length;
  }

  get bytes(): number {
    return this.#starts.byteLength + this.#lows.byteLength + this.batches.byteLength + 64;
  }

  collect(prefix: number, found: Set<number>): void {
    const high = prefix >>> 16;
    const low = prefix & 0xffff;
    const end = this.#starts[high + 1]!;
    for (let i = lowerBound(this.#lows, low, this.#starts[high]!, end); i < end; i++) {
      if (this.#lows[i] !== low) break;
      found.add(this.firstBatch + this.batches[i]!);
    }
  }

  prefixes(): Uint32Array {
    const whole = new Uint32Array(this.#lows.length);
    for (let high = 0; high < 0x10000; high++) {
      const top = high << 16;
      for (let i = this.#starts[high]!; i < this.#starts[high + 1]!; i++) {
        whole[i] = (top | this.#lows[i]!) >>> 0;
      }
    }
    return whole;
  }
}

/** Both runs' pairs in one run, ascending by prefix; packed when large. */
function merge(a: Run, b: Run): Run {
  const length = a.length + b.length;
  const firstBatch = Math.min(a.firstBatch, b.firstBatch);
  const lastBatch = Math.max(a.lastBatch, b.lastBatch);
  const prefixes = new Uint32Array(length);
  const batches = batchOffsets(length, firstBatch, lastBatch);
  const [ap, bp] = [a.prefixes(), b.prefixes()];
  const [aShift, bShift] = [a.firstBatch - firstBatch, b.firstBatch - firstBatch];
  let i = 0;
  let j = 0;
  for (let k = 0; k < length; k++) {
    if (j >= bp.length || (i < ap.length && ap[i]! <= bp[j]!)) {
      prefixes[k] = ap[i]!;
      batches[k] = a.batches[i++]! + aShift;
    } else {
      prefixes[k] = bp[j]!;
      batches[k] = b.batches[j++]! + bShift;
    }
  }
  if (length < PACKED_RUN_PAIRS) return new PlainRun(prefixes, firstBatch, lastBatch, batches);
  const starts = new Uint32Array(0x10001);
  const lows = new Uint16Array(length);
  let nextHigh = 0;
  for (let k = 0; k < length; k++) {
    // The pairs of every high value up to this one's start here at the latest.
    const high = prefixes[k]! >>> 16;
    while (nextHigh <= high) starts[nextHigh++] = k;
    lows[k] = prefixes[k]! & 0xffff;
  }
  while (nextHigh <= 0x10000) starts[nextHigh++] = length;
  return new PackedRun(starts, lows, firstBatch, lastBatch, batches);
}

/** The first index in [from, to) whose value is at least `value` (`to` when there is none). */
function lowerBound(sorted: Uint32Array | Uint16Array, value: number, from: number, to: number) {
  let low = from;
  let high = to;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first 32 bits of a trace id (32 lowercase hex digits), as an unsigned number. */
export function prefixOf(traceId: string): number {
  return Number.parseInt(traceId.slice(0, 8), 16) >>> 0;
}

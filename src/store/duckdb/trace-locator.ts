/**
 * Finds the commits ("batches") that stored spans of a trace, so that a trace is read from the
 * row groups of those commits only: with random trace ids, DuckDB's min/max zone maps on
 * `trace_id` cannot skip anything, but zone maps on `batch` skip all but a row group or two.
 *
 * It keeps the first 32 bits of each stored trace id with its commit number: 8 bytes per trace
 * and commit, in memory only (rebuilt from the table when the store opens). The pairs live in
 * sorted runs, merged as a binary counter merges its digits: a new commit adds a small run, and
 * two runs of about the same size become one, so there are at most about log2(traces) runs and
 * a lookup is a binary search in each. Each pair is merged about log2(traces) times over its
 * life. Two trace ids sharing their first 32 bits only cost a wasted look at one more commit;
 * the query still compares the whole id.
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
    let run: Run = {
      prefixes: prefixes.slice(0, unique),
      batches: new Uint32Array(unique).fill(batch),
    };
    for (;;) {
      const last = this.#runs.at(-1);
      if (!last || last.prefixes.length > 2 * run.prefixes.length) break;
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
      for (const run of this.#runs) {
        for (let i = lowerBound(run.prefixes, prefix); run.prefixes[i] === prefix; i++) {
          found.add(run.batches[i]!);
        }
      }
    }
    return [...found].sort((a, b) => a - b);
  }

  /** Approximate heap bytes held, for diagnostics. */
  get bytes(): number {
    return this.#runs.reduce((n, r) => n + r.prefixes.byteLength + r.batches.byteLength + 64, 0);
  }
}

/** Prefixes ascending, each with the commit that stored it (a prefix repeats across commits). */
interface Run {
  readonly prefixes: Uint32Array;
  readonly batches: Uint32Array;
}

function merge(a: Run, b: Run): Run {
  const length = a.prefixes.length + b.prefixes.length;
  const prefixes = new Uint32Array(length);
  const batches = new Uint32Array(length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < length; k++) {
    if (j >= b.prefixes.length || (i < a.prefixes.length && a.prefixes[i]! <= b.prefixes[j]!)) {
      prefixes[k] = a.prefixes[i]!;
      batches[k] = a.batches[i++]!;
    } else {
      prefixes[k] = b.prefixes[j]!;
      batches[k] = b.batches[j++]!;
    }
  }
  return { prefixes, batches };
}

/** The first index whose value is at least `value` (the length when there is none). */
function lowerBound(sorted: Uint32Array, value: number): number {
  let low = 0;
  let high = sorted.length;
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

/**
 * Finds the commits ("batches") that stored spans of a trace, so that a trace is read from the
 * row groups of those commits only: with random trace ids, DuckDB's min/max zone maps on
 * `trace_id` cannot skip anything, but zone maps on `batch` skip all but a row group or two.
 *
 * It keeps, per commit, the sorted first 32 bits of the trace ids it stored: 4 bytes per trace
 * and commit, in memory only (rebuilt from the table when the store opens). A lookup binary-
 * searches each commit's list. Two trace ids sharing their first 32 bits only cost a wasted
 * look at one more commit; the query still compares the whole id.
 */
export class TraceLocator {
  readonly #batches: number[] = [];
  readonly #prefixes: Uint32Array[] = [];

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
    this.#batches.push(batch);
    this.#prefixes.push(prefixes.slice(0, unique));
  }

  /** The commits that may hold spans of these traces, ascending; empty when none can. */
  batchesOf(traceIds: readonly string[]): number[] {
    const found: number[] = [];
    const wanted = traceIds.map(prefixOf);
    for (let b = 0; b < this.#batches.length; b++) {
      const prefixes = this.#prefixes[b]!;
      if (wanted.some((prefix) => contains(prefixes, prefix))) found.push(this.#batches[b]!);
    }
    return found.sort((a, b) => a - b);
  }

  /** Approximate heap bytes held, for diagnostics. */
  get bytes(): number {
    return this.#prefixes.reduce((n, p) => n + p.byteLength + 64, 0);
  }
}

/** The first 32 bits of a trace id (32 lowercase hex digits), as an unsigned number. */
export function prefixOf(traceId: string): number {
  return Number.parseInt(traceId.slice(0, 8), 16) >>> 0;
}

function contains(sorted: Uint32Array, value: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = sorted[mid]!;
    if (at === value) return true;
    if (at < value) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

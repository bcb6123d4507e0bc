import type { SpanId } from '../model/span.ts';

/** Slots per expected id: at most half full, so probe runs stay short. */
const SLOTS_PER_ID = 2;
/**
 * Ids are hashed on their last characters only, which differ between random and sequential ids
 * alike (reading characters is most of the cost). Ids alike at the end (a crafted or odd id
 * scheme) would all collide: after this many collisions the index rehashes on every character.
 */
const TAIL_CHARS = 8;
const MAX_TAIL_COLLISIONS = 64;

/** FNV-1a over the id's characters from `from`. */
function hashOf(id: SpanId, from: number): number {
  let hash = 0x811c9dc5;
  for (let i = from; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash ^ (hash >>> 15);
}

/**
 * Span id to row number (a span's position during tree assembly), the first row added for each
 * id winning. An open-addressing hash table sized once for the whole trace: a Map grows by
 * doubling, rehashing every id it holds each time, which makes building one for 50,000 span ids
 * markedly slower than this.
 */
export class SpanIdIndex {
  readonly #idOfRow: readonly (SpanId | undefined)[];
  /**
   * Two entries per slot, side by side so that a probe reads one cache line: row + 1 (0 for an
   * empty slot), then the id's hash.
   */
  readonly #slots: Int32Array;
  readonly #mask: number;
  #size = 0;
  /** How many characters from the end are hashed: TAIL_CHARS, or all of them. */
  #hashedChars = TAIL_CHARS;
  #collisions = 0;

  /**
   * Room for `capacity` ids. The index keeps rows, not ids: `idOfRow[row]` must hold the id
   * added for `row` (set right after adding it) for as long as the index is used.
   */
  constructor(capacity: number, idOfRow: readonly (SpanId | undefined)[]) {
    let slots = 16;
    while (slots < capacity * SLOTS_PER_ID) slots *= 2;
    this.#idOfRow = idOfRow;
    this.#slots = new Int32Array(slots * 2);
    this.#mask = slots - 1;
  }

  /** How many different ids were added. */
  get size(): number {
    return this.#size;
  }

  #hash(id: SpanId): number {
    return hashOf(id, Math.max(0, id.length - this.#hashedChars));
  }

  /** Adds `id` for `row` unless it is there already: returns the row it had, else -1. */
  addIfAbsent(id: SpanId, row: number): number {
    const slots = this.#slots;
    const hash = this.#hash(id);
    for (let slot = hash & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const found = slots[2 * slot]!;
      if (found === 0) {
        slots[2 * slot] = row + 1;
        slots[2 * slot + 1] = hash;
        this.#size++;
        return -1;
      }
      if (slots[2 * slot + 1] === hash) {
        if (this.#idOfRow[found - 1] === id) return found - 1;
        if (++this.#collisions > MAX_TAIL_COLLISIONS && this.#hashedChars === TAIL_CHARS) {
          this.#rehashOnEveryCharacter();
          return this.addIfAbsent(id, row);
        }
      }
    }
  }

  /** The row of `id`, or -1. */
  get(id: SpanId): number {
    const slots = this.#slots;
    const hash = this.#hash(id);
    for (let slot = hash & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const found = slots[2 * slot]!;
      if (found === 0) return -1;
      if (slots[2 * slot + 1] === hash && this.#idOfRow[found - 1] === id) return found - 1;
    }
  }

  #rehashOnEveryCharacter(): void {
    this.#hashedChars = Number.POSITIVE_INFINITY;
    const added: number[] = [];
    for (let slot = 0; slot <= this.#mask; slot++) {
      const row = this.#slots[2 * slot]!;
      if (row !== 0) added.push(row - 1);
    }
    this.#slots.fill(0);
    this.#size = 0;
    // Rows in the order they were added, so that the first row for an id still wins.
    added.sort((a, b) => a - b);
    for (const row of added) this.addIfAbsent(this.#idOfRow[row]!, row);
  }
}

import type { AnyValue, Attribute } from '../../model/attributes.ts';
import type { InstrumentationScope, Resource, Span } from '../../model/span.ts';
import type { RawRow } from '../raw-row.ts';
import { attributesToTyped } from '../typed-json.ts';
import { SLOT_COUNT } from './attribute-slots.ts';
import { extrasToJson } from './span-json.ts';

/** Attribute value types in a row: the scalar types, and REST for "in the rest JSON". */
export const ValueType = { string: 0, int: 1, double: 2, bool: 3, rest: 4 } as const;

export interface Origin {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

const HEX_VALUE = new Uint8Array(128);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

/**
 * Spans of one write, held as columns until their commit: ids already in the byte order DuckDB
 * keeps (little-endian integers), times as 32-bit halves, attribute values as text or as byte
 * ranges of the request that brought them (no copies). Rows come either from the protobuf fast
 * path ({@link addRaw}) or from Span objects ({@link addSpan}); both end up the same.
 */
export class RowBatch {
  count = 0;
  #capacity: number;
  /** Per row: 16 bytes trace id, 8 span id, 8 parent id (DuckDB's little-endian order). */
  ids: Uint8Array;
  /** Per row: the trace id as four big-endian 32-bit words, to sort by. */
  traceWords: Uint32Array;
  hasParent: Uint8Array;
  /** Per row: start low, start high, end low, end high (unsigned 32-bit halves). */
  times: Uint32Array;
  kinds: Uint8Array;
  statusCodes: Uint8Array;
  flags: Uint32Array;
  origins: Uint32Array;
  attributeStart: Uint32Array;
  attributeCount: Uint8Array;
  readonly names: string[] = [];
  readonly extras: (string | null)[] = [];
  readonly rests: (string | null)[] = [];
  /** Request bodies the byte ranges point into, per row (an index into `bodies`). */
  bodyOf: Uint16Array;
  readonly bodies: Uint8Array[] = [];
  readonly originList: Origin[] = [];
  #origin = -1;

  /** Attributes of all rows, back to back. */
  attributeTotal = 0;
  readonly keys: string[] = [];
  valueTypes: Uint8Array;
  readonly texts: (string | null)[] = [];
  valueStarts: Int32Array;
  valueEnds: Int32Array;

  constructor(expectedRows = 1024) {
    this.#capacity = Math.max(16, expectedRows);
    const n = this.#capacity;
    this.ids = new Uint8Array(n * 32);
    this.traceWords = new Uint32Array(n * 4);
    this.hasParent = new Uint8Array(n);
    this.times = new Uint32Array(n * 4);
    this.kinds = new Uint8Array(n);
    this.statusCodes = new Uint8Array(n);
    this.flags = new Uint32Array(n);
    this.origins = new Uint32Array(n);
    this.attributeStart = new Uint32Array(n);
    this.attributeCount = new Uint8Array(n);
    this.bodyOf = new Uint16Array(n);
    this.valueTypes = new Uint8Array(n * SLOT_COUNT);
    this.valueStarts = new Int32Array(n * SLOT_COUNT);
    this.valueEnds = new Int32Array(n * SLOT_COUNT);
  }

  /** The resource and scope of the rows added next. */
  setOrigin(resource: Resource, scope: InstrumentationScope): void {
    const last = this.originList[this.#origin];
    if (last && last.resource === resource && last.scope === scope) return;
    this.originList.push({ resource, scope });
    this.#origin = this.originList.length - 1;
  }

  /** A plain span; false when it has more attributes than slots (add it as a Span instead). */
  addRaw(raw: RawRow): boolean {
    if (raw.attributeCount > SLOT_COUNT) return false;
    const row = this.#newRow();
    const buf = raw.buf;
    if (this.bodies.at(-1) !== buf) this.bodies.push(buf);
    this.bodyOf[row] = this.bodies.length - 1;
    const ids = this.ids;
    const at = row * 32;
    for (let i = 0; i < 16; i++) ids[at + 15 - i] = buf[raw.traceIdAt + i]!;
    for (let i = 0; i < 8; i++) ids[at + 23 - i] = buf[raw.spanIdAt + i]!;
    if (raw.parentSpanIdAt >= 0) {
      for (let i = 0; i < 8; i++) ids[at + 31 - i] = buf[raw.parentSpanIdAt + i]!;
      this.hasParent[row] = 1;
    }
    for (let w = 0; w < 4; w++) {
      const b = raw.traceIdAt + 4 * w;
      this.traceWords[row * 4 + w] =
        ((buf[b]! << 24) | (buf[b + 1]! << 16) | (buf[b + 2]! << 8) | buf[b + 3]!) >>> 0;
    }
    this.times[row * 4] = u32(buf, raw.startAt);
    this.times[row * 4 + 1] = u32(buf, raw.startAt + 4);
    this.times[row * 4 + 2] = u32(buf, raw.endAt);
    this.times[row * 4 + 3] = u32(buf, raw.endAt + 4);
    this.names[row] = raw.name;
    this.kinds[row] = raw.kind;
    this.statusCodes[row] = raw.statusCode;
    this.flags[row] = raw.flags;
    this.extras[row] = null;
    this.rests[row] = null;
    const first = this.#reserveAttributes(row, raw.attributeCount);
    for (let i = 0; i < raw.attributeCount; i++) {
      const a = raw.attributes[i]!;
      this.keys[first + i] = a.key;
      this.valueTypes[first + i] = a.type;
      this.texts[first + i] = a.text;
      this.valueStarts[first + i] = a.valueStart;
      this.valueEnds[first + i] = a.valueEnd;
    }
    return true;
  }

  /** A validated span, whatever it holds. */
  addSpan(span: Span): void {
    this.setOrigin(span.resource, span.scope);
    const row = this.#newRow();
    const at = row * 32;
    writeHexId(span.traceId, this.ids, at, 16);
    writeHexId(span.spanId, this.ids, at + 16, 8);
    if (span.parentSpanId !== '') {
      writeHexId(span.parentSpanId, this.ids, at + 24, 8);
      this.hasParent[row] = 1;
    }
    for (let w = 0; w < 4; w++) {
      this.traceWords[row * 4 + w] = Number.parseInt(span.traceId.slice(8 * w, 8 * w + 8), 16);
    }
    const start = span.startTimeUnixNano;
    const end = span.endTimeUnixNano;
    this.times[row * 4] = Number(start & 0xffffffffn);
    this.times[row * 4 + 1] = Number(start >> 32n);
    this.times[row * 4 + 2] = Number(end & 0xffffffffn);
    this.times[row * 4 + 3] = Number(end >> 32n);
    this.names[row] = span.name;
    this.kinds[row] = span.kind;
    this.statusCodes[row] = span.status.code;
    this.flags[row] = span.flags;
    this.extras[row] = extrasToJson({
      statusMessage: span.status.message,
      traceState: span.traceState,
      events: span.events,
      links: span.links,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    });
    const attributes = span.attributes;
    const slotted = Math.min(attributes.length, SLOT_COUNT);
    const first = this.#reserveAttributes(row, slotted);
    const rest: Attribute[] = [];
    for (let i = 0; i < attributes.length; i++) {
      const a = attributes[i]!;
      if (i >= SLOT_COUNT) {
        rest.push(a);
        continue;
      }
      const type = scalarTypeOf(a.value);
      this.keys[first + i] = a.key;
      this.valueTypes[first + i] = type;
      if (type === ValueType.rest) {
        this.texts[first + i] = null;
        rest.push(a);
      } else {
        this.texts[first + i] = type === ValueType.string ? (a.value as string) : String(a.value);
      }
    }
    this.rests[row] = rest.length === 0 ? null : JSON.stringify(attributesToTyped(rest));
  }

  /** The row's start time and duration in nanoseconds, as 32-bit halves into `out[at..at+3]`. */
  startAndDuration(row: number, out: Uint32Array, at: number): void {
    const t = this.times;
    const startLo = t[row * 4]!;
    const startHi = t[row * 4 + 1]!;
    const endLo = t[row * 4 + 2]!;
    const endHi = t[row * 4 + 3]!;
    out[at] = startLo;
    out[at + 1] = startHi;
    const borrow = endLo < startLo ? 1 : 0;
    out[at + 2] = (endLo - startLo) >>> 0;
    out[at + 3] = (endHi - startHi - borrow) >>> 0;
  }

  /** The start of a row, for the store's newest / oldest bookkeeping. */
  startOf(row: number): bigint {
    return (BigInt(this.times[row * 4 + 1]!) << 32n) | BigInt(this.times[row * 4]!);
  }

  #newRow(): number {
    if (this.count === this.#capacity) this.#grow();
    const row = this.count++;
    this.origins[row] = this.#origin;
    this.hasParent[row] = 0;
    return row;
  }

  #reserveAttributes(row: number, count: number): number {
    const first = this.attributeTotal;
    while (first + count > this.valueTypes.length) {
      this.valueTypes = grown(this.valueTypes, this.valueTypes.length * 2);
      this.valueStarts = grown(this.valueStarts, this.valueStarts.length * 2);
      this.valueEnds = grown(this.valueEnds, this.valueEnds.length * 2);
    }
    this.attributeStart[row] = first;
    this.attributeCount[row] = count;
    this.attributeTotal += count;
    return first;
  }

  #grow(): void {
    const n = this.#capacity * 2;
    this.ids = grown(this.ids, n * 32);
    this.traceWords = grown(this.traceWords, n * 4);
    this.hasParent = grown(this.hasParent, n);
    this.times = grown(this.times, n * 4);
    this.kinds = grown(this.kinds, n);
    this.statusCodes = grown(this.statusCodes, n);
    this.flags = grown(this.flags, n);
    this.origins = grown(this.origins, n);
    this.attributeStart = grown(this.attributeStart, n);
    this.attributeCount = grown(this.attributeCount, n);
    this.bodyOf = grown(this.bodyOf, n);
    this.#capacity = n;
  }
}

function grown<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(
  array: T,
  length: number,
): T {
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}

function u32(buf: Uint8Array, at: number): number {
  return (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
}

/** A hex id as DuckDB's little-endian integer bytes: the id's bytes reversed. */
function writeHexId(hex: string, out: Uint8Array, at: number, bytes: number): void {
  for (let i = 0; i < bytes; i++) {
    out[at + bytes - 1 - i] =
      (HEX_VALUE[hex.charCodeAt(2 * i)]! << 4) | HEX_VALUE[hex.charCodeAt(2 * i + 1)]!;
  }
}

/**
 * The type a slot keeps, or REST when the value's text form would not give it back: bytes,
 * arrays, key-value lists, null and -0.
 */
function scalarTypeOf(value: AnyValue): number {
  switch (typeof value) {
    case 'string':
      return ValueType.string;
    case 'bigint':
      return ValueType.int;
    case 'boolean':
      return ValueType.bool;
    case 'number':
      return Object.is(value, -0) ? ValueType.rest : ValueType.double;
    default:
      return ValueType.rest;
  }
}

import { InvalidInputError } from '../../model/errors.ts';

/** Protobuf wire types, as in https://protobuf.dev/programming-guides/encoding/#structure */
export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  startGroup: 3,
  endGroup: 4,
  fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const WIRE_TYPE_NAMES = [
  'varint',
  'fixed64',
  'length-delimited',
  'start-group',
  'end-group',
  'fixed32',
];

/** Groups are deprecated and never used by OTLP; the bound keeps a hostile nesting off the stack. */
const MAX_GROUP_DEPTH = 64;

const textDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Below this length a plain loop beats the fixed cost of a TextDecoder call. */
const SHORT_STRING_BYTES = 32;

/**
 * A forward-only reader of the protobuf wire format over one Uint8Array, without copying.
 *
 * Nested messages are read in place: {@link enter} narrows the readable range to the message
 * and returns the outer limit, which {@link leave} restores after checking the message was read
 * exactly to its end. Every read is bounds-checked against the current limit, so a field can
 * never run past the message that contains it. Malformed input throws InvalidInputError naming
 * the problem and its byte offset.
 */
export class ProtobufReader {
  readonly buf: Uint8Array;
  /** Offset of the next byte to read. */
  pos: number;
  /** End (exclusive) of the message being read. */
  limit: number;
  private readonly view: DataView;
  /** Low and high 32 bits of the last 64-bit varint read, unsigned. */
  private lo = 0;
  private hi = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.pos = 0;
    this.limit = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** True while the current message has bytes left. */
  more(): boolean {
    return this.pos < this.limit;
  }

  fail(what: string, at = this.pos): never {
    throw new InvalidInputError(`invalid protobuf: ${what} at byte offset ${at}`);
  }

  /** Reads a field tag (`fieldNumber << 3 | wireType`), rejecting field 0 and wire types 6 and 7. */
  tag(): number {
    const at = this.pos;
    const tag = this.uint32();
    if (tag >>> 3 === 0) this.fail('field number 0', at);
    if ((tag & 7) > 5) this.fail(`unknown wire type ${tag & 7}`, at);
    return tag;
  }

  /**
   * A varint truncated to its low 32 bits, unsigned: the protobuf meaning of uint32, and of
   * int32/enum after `| 0`. Longer varints (negative int32s take 10 bytes) are consumed whole.
   */
  uint32(): number {
    const buf = this.buf;
    const limit = this.limit;
    let pos = this.pos;
    let value = 0;
    for (let shift = 0; shift < 32; shift += 7) {
      if (pos >= limit) this.fail('truncated varint', pos);
      const b = buf[pos++]!;
      value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    // Bits 35..63 do not fit a uint32; skip the remaining bytes of a 10-byte varint.
    for (let i = 5; i < 10; i++) {
      if (pos >= limit) this.fail('truncated varint', pos);
      if (buf[pos++]! < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    return this.fail('varint longer than 10 bytes', pos);
  }

  /** A varint as a signed 64-bit integer (int64, two's complement for negatives). */
  int64(): bigint {
    this.varint64();
    if (this.hi === 0) return BigInt(this.lo);
    if (this.hi < 0x200000) return BigInt(this.hi * 0x100000000 + this.lo);
    return BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo));
  }

  /** A varint as an unsigned 64-bit integer. */
  uint64(): bigint {
    this.varint64();
    if (this.hi < 0x200000) return BigInt(this.hi * 0x100000000 + this.lo);
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  bool(): boolean {
    this.varint64();
    return (this.lo | this.hi) !== 0;
  }

  fixed32(): number {
    const at = this.need(4, 'fixed32');
    return this.view.getUint32(at, true);
  }

  fixed64(): bigint {
    const at = this.need(8, 'fixed64');
    return this.view.getBigUint64(at, true);
  }

  /** Moves past a fixed64 and returns where its 8 little-endian bytes start (no BigInt made). */
  fixed64Offset(): number {
    return this.need(8, 'fixed64');
  }

  double(): number {
    const at = this.need(8, 'double');
    return this.view.getFloat64(at, true);
  }

  /**
   * Reads a length prefix, moves past the payload and returns where it starts: the payload is
   * `buf[start, pos)`. For callers that look at raw bytes in place (ids) without a copy.
   */
  delimited(): number {
    const at = this.pos;
    const length = this.uint32();
    if (length > this.limit - this.pos) {
      this.fail(`length ${length} runs past the end of its message`, at);
    }
    const start = this.pos;
    this.pos += length;
    return start;
  }

  /** Copies out a length-delimited bytes field (copied, so the request buffer can be freed). */
  bytes(): Uint8Array {
    const start = this.delimited();
    return this.buf.slice(start, this.pos);
  }

  /** A length-delimited UTF-8 string; invalid sequences become U+FFFD. */
  string(): string {
    const start = this.delimited();
    return decodeUtf8(this.buf, start, this.pos);
  }

  /**
   * Enters a length-delimited sub-message: narrows {@link limit} to it and returns the outer
   * limit to pass to {@link leave}.
   */
  enter(): number {
    const start = this.delimited();
    const outer = this.limit;
    this.limit = this.pos;
    this.pos = start;
    return outer;
  }

  /** Leaves a sub-message entered with {@link enter}, which must have been read to its end. */
  leave(outer: number): void {
    if (this.pos !== this.limit) this.fail('sub-message not read to its end');
    this.limit = outer;
  }

  /**
   * Skips the field whose tag was just read. `knownFields` has bit N set for every field number
   * N the caller understands: one of those arriving here came with the wrong wire type, which
   * makes the message unusable rather than merely newer than us.
   */
  skipUnknown(tag: number, knownFields: number, message: string): void {
    const field = tag >>> 3;
    if (field < 32 && (knownFields & (1 << field)) !== 0) {
      this.fail(
        `${message} field ${field} has wire type ${WIRE_TYPE_NAMES[tag & 7]}`,
        // Point at the tag rather than at what follows it.
        this.pos - varintSize(tag),
      );
    }
    this.skip(tag, 0);
  }

  /** Skips the value of a field of any wire type, including (deprecated) groups. */
  skip(tag: number, depth: number): void {
    switch (tag & 7) {
      case WireType.varint:
        this.uint32();
        return;
      case WireType.fixed64:
        this.need(8, 'fixed64');
        return;
      case WireType.lengthDelimited:
        this.delimited();
        return;
      case WireType.fixed32:
        this.need(4, 'fixed32');
        return;
      case WireType.startGroup: {
        if (depth >= MAX_GROUP_DEPTH) this.fail('groups nested too deeply');
        for (;;) {
          if (this.pos >= this.limit) this.fail(`unterminated group ${tag >>> 3}`);
          const at = this.pos;
          const inner = this.tag();
          if ((inner & 7) === WireType.endGroup) {
            if (inner >>> 3 !== tag >>> 3)
              this.fail(`end of group ${inner >>> 3} inside group ${tag >>> 3}`, at);
            return;
          }
          this.skip(inner, depth + 1);
        }
      }
      default:
        this.fail(`unexpected ${WIRE_TYPE_NAMES[tag & 7] ?? 'unknown'} wire type`);
    }
  }

  private varint64(): void {
    const buf = this.buf;
    const limit = this.limit;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    // Bytes 1-4 carry bits 0..27.
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= limit) this.fail('truncated varint', pos);
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.setVarint64(pos, lo, 0);
        return;
      }
    }
    // Byte 5 carries bits 28..34, split across both halves.
    if (pos >= limit) this.fail('truncated varint', pos);
    b = buf[pos++]!;
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >>> 4;
    if (b < 0x80) {
      this.setVarint64(pos, lo, hi);
      return;
    }
    // Bytes 6-10 carry bits 35..63.
    for (let shift = 3; shift < 38; shift += 7) {
      if (pos >= limit) this.fail('truncated varint', pos);
      b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.setVarint64(pos, lo, hi);
        return;
      }
    }
    this.fail('varint longer than 10 bytes', pos);
  }

  private setVarint64(pos: number, lo: number, hi: number): void {
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** Advances past `size` bytes and returns where they start. */
  private need(size: number, what: string): number {
    const at = this.pos;
    if (size > this.limit - at) this.fail(`truncated ${what}`, at);
    this.pos = at + size;
    return at;
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/**
 * Scratch arrays of char codes, one per length, reused by every short string: building a flat
 * string from them in one String.fromCharCode call beats both concatenation, which builds a
 * rope V8 must flatten later, and TextDecoder's fixed cost per call.
 */
const CHAR_CODES: number[][] = Array.from({ length: SHORT_STRING_BYTES + 1 }, (_, n) =>
  new Array<number>(n).fill(0),
);

/** UTF-8 bytes `buf[start, end)` as a string; invalid sequences become U+FFFD. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= SHORT_STRING_BYTES) {
    const codes = CHAR_CODES[length]!;
    for (let i = 0; i < length; i++) {
      const b = buf[start + i]!;
      if (b >= 0x80) return textDecoder.decode(buf.subarray(start, end));
      codes[i] = b;
    }
    return String.fromCharCode(...codes);
  }
  return textDecoder.decode(buf.subarray(start, end));
}

const textEncoder = new TextEncoder();

/**
 * A protobuf message under construction that remembers where chosen values landed, so that a
 * payload encoded once can have its ids, times and a few values rewritten in place before each
 * send. Messages are built inside-out: {@link message} embeds a finished child and carries its
 * marks along, shifted to their new offsets.
 */
export class ProtoBuilder<Mark> {
  readonly bytes: number[] = [];
  readonly marks: { at: number; mark: Mark }[] = [];

  varint(field: number, value: number): this {
    this.#varint(field << 3);
    this.#varint(value);
    return this;
  }

  fixed32(field: number, value: number): this {
    this.#varint((field << 3) | 5);
    for (let i = 0; i < 4; i++) this.bytes.push((value >>> (8 * i)) & 0xff);
    return this;
  }

  fixed64(field: number, value: bigint, mark?: Mark): this {
    this.#varint((field << 3) | 1);
    this.#mark(mark);
    for (let i = 0n; i < 8n; i++) this.bytes.push(Number((value >> (8n * i)) & 0xffn));
    return this;
  }

  /** A length-delimited field; `mark` points at the first payload byte. */
  raw(field: number, payload: Uint8Array, mark?: Mark): this {
    this.#varint((field << 3) | 2);
    this.#varint(payload.length);
    this.#mark(mark);
    for (const b of payload) this.bytes.push(b);
    return this;
  }

  string(field: number, text: string, mark?: Mark): this {
    return this.raw(field, textEncoder.encode(text), mark);
  }

  message(field: number, inner: ProtoBuilder<Mark>): this {
    this.#varint((field << 3) | 2);
    this.#varint(inner.bytes.length);
    const base = this.bytes.length;
    for (const { at, mark } of inner.marks) this.marks.push({ at: base + at, mark });
    for (const b of inner.bytes) this.bytes.push(b);
    return this;
  }

  #mark(mark: Mark | undefined): void {
    if (mark !== undefined) this.marks.push({ at: this.bytes.length, mark });
  }

  #varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
  }
}

/** A varint as bytes, for values written with {@link ProtoBuilder.raw}-style patches. */
export function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

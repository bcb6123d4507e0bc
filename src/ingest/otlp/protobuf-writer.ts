const textEncoder = new TextEncoder();

/**
 * A minimal protobuf writer for the few small messages we send (export responses,
 * `google.rpc.Status`): varint and length-delimited fields, nested messages built inside-out.
 */
export class ProtobufWriter {
  readonly #bytes: number[] = [];

  /** A varint field; `value` must be a non-negative integer below 2^53. */
  varint(field: number, value: number): this {
    pushVarint(this.#bytes, field << 3);
    pushVarint(this.#bytes, value);
    return this;
  }

  bytes(field: number, bytes: Uint8Array): this {
    pushVarint(this.#bytes, (field << 3) | 2);
    pushVarint(this.#bytes, bytes.length);
    for (const byte of bytes) this.#bytes.push(byte);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, textEncoder.encode(text));
  }

  message(field: number, inner: ProtobufWriter): this {
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

function pushVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`cannot encode ${value} as a varint`);
  }
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { InvalidInputError } from '../../model/errors.ts';
import { ProtobufReader } from './protobuf-reader.ts';

const written = (build: (w: protobuf.Writer) => void): ProtobufReader => {
  const w = protobuf.Writer.create();
  build(w);
  return new ProtobufReader(w.finish());
};

describe('ProtobufReader', () => {
  it('reads uint32 varints of every length', () => {
    const values = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 21, 2 ** 28, 2 ** 32 - 1];
    const r = written((w) => {
      for (const v of values) w.uint32(v);
    });
    assert.deepEqual(
      values.map(() => r.uint32()),
      values,
    );
    assert.equal(r.more(), false);
  });

  it('reads a negative int32 (a 10-byte varint) as its low 32 bits', () => {
    const r = written((w) => w.int32(-2).int32(7));
    assert.equal(r.uint32() | 0, -2);
    assert.equal(r.uint32(), 7);
  });

  it('reads int64 and uint64 varints across their whole range as bigints', () => {
    const signed = [
      '0',
      '1',
      '-1',
      '9007199254740991',
      '9007199254740993',
      '-9223372036854775808',
      '9223372036854775807',
      '4294967296',
    ];
    const r = written((w) => {
      for (const v of signed) w.int64(v);
      w.uint64('18446744073709551615');
      w.uint64('9007199254740993');
    });
    assert.deepEqual(
      signed.map(() => r.int64()),
      signed.map(BigInt),
    );
    assert.equal(r.uint64(), 18446744073709551615n);
    assert.equal(r.uint64(), 9007199254740993n);
  });

  it('reads bools, fixed32, fixed64 and doubles little-endian', () => {
    const r = written((w) =>
      w.bool(true).bool(false).fixed32(0xdeadbeef).fixed64('18446744073709551615').double(-1.5),
    );
    assert.equal(r.bool(), true);
    assert.equal(r.bool(), false);
    assert.equal(r.fixed32(), 0xdeadbeef);
    assert.equal(r.fixed64(), 18446744073709551615n);
    assert.equal(r.double(), -1.5);
  });

  it('reads from a Uint8Array that is a view into a larger buffer', () => {
    const backing = new Uint8Array(16);
    backing.set([0x08, 0x96, 0x01], 5);
    const r = new ProtobufReader(backing.subarray(5, 8));
    assert.equal(r.tag(), 0x08);
    assert.equal(r.uint32(), 150);
    assert.equal(r.more(), false);
  });

  it('reads ASCII, multi-byte and invalid UTF-8 strings', () => {
    const r = written((w) =>
      w
        .string('plain')
        .string('ünïcödé ☃')
        .string(`${'x'.repeat(40)}日本`)
        .bytes(Uint8Array.of(0x61, 0xff, 0x62)),
    );
    assert.equal(r.string(), 'plain');
    assert.equal(r.string(), 'ünïcödé ☃');
    assert.equal(r.string(), `${'x'.repeat(40)}日本`);
    assert.equal(r.string(), 'a\uFFFDb');
  });

  it('copies bytes fields out of the request buffer', () => {
    const body = Uint8Array.of(0x03, 1, 2, 3);
    const bytes = new ProtobufReader(body).bytes();
    body[1] = 99;
    assert.deepEqual(bytes, Uint8Array.of(1, 2, 3));
  });

  it('confines reads to the sub-message it entered, and restores the outer limit', () => {
    const r = new ProtobufReader(Uint8Array.of(0x02, 0x08, 0x01, 0x10, 0x02));
    const outer = r.enter();
    assert.equal(r.limit, 3);
    assert.equal(r.uint32(), 8);
    assert.equal(r.uint32(), 1);
    assert.equal(r.more(), false);
    r.leave(outer);
    assert.equal(r.limit, 5);
    assert.equal(r.uint32(), 0x10);
  });

  it('throws when a value would read past the sub-message it belongs to', () => {
    const r = new ProtobufReader(Uint8Array.of(0x01, 0x80, 0x01));
    r.enter();
    assert.throws(() => r.uint32(), /truncated varint at byte offset 2/);
  });

  it('throws when leaving a sub-message that was not read to its end', () => {
    const r = new ProtobufReader(Uint8Array.of(0x02, 0x08, 0x01));
    const outer = r.enter();
    r.uint32();
    assert.throws(() => r.leave(outer), /sub-message not read to its end at byte offset 2/);
  });

  it('throws InvalidInputError with the byte offset for truncated values', () => {
    const cases: [Uint8Array, (r: ProtobufReader) => unknown, RegExp][] = [
      [Uint8Array.of(0x80, 0x80), (r) => r.uint32(), /truncated varint at byte offset 2/],
      [Uint8Array.of(0xff), (r) => r.int64(), /truncated varint at byte offset 1/],
      [Uint8Array.of(1, 2, 3), (r) => r.fixed32(), /truncated fixed32 at byte offset 0/],
      [
        Uint8Array.of(1, 2, 3, 4, 5, 6, 7),
        (r) => r.fixed64(),
        /truncated fixed64 at byte offset 0/,
      ],
      [Uint8Array.of(1, 2, 3, 4, 5, 6, 7), (r) => r.double(), /truncated double at byte offset 0/],
      [
        Uint8Array.of(0x05, 0x61),
        (r) => r.string(),
        /length 5 runs past the end of its message at byte offset 0/,
      ],
      [Uint8Array.of(0x05, 0x61), (r) => r.enter(), /length 5 runs past/],
    ];
    for (const [bytes, read, message] of cases) {
      assert.throws(
        () => read(new ProtobufReader(bytes)),
        (error: unknown) => error instanceof InvalidInputError && message.test(error.message),
      );
    }
  });

  it('throws for a varint longer than 10 bytes', () => {
    const bytes = new Uint8Array(11).fill(0x80);
    assert.throws(() => new ProtobufReader(bytes).uint32(), /varint longer than 10 bytes/);
    assert.throws(() => new ProtobufReader(bytes).int64(), /varint longer than 10 bytes/);
  });

  it('rejects field number 0 and wire types 6 and 7 in tags', () => {
    assert.throws(
      () => new ProtobufReader(Uint8Array.of(0x00)).tag(),
      /field number 0 at byte offset 0/,
    );
    assert.throws(() => new ProtobufReader(Uint8Array.of(0x0e)).tag(), /unknown wire type 6/);
  });

  it('skips fields of every wire type, including nested groups', () => {
    const r = written((w) => {
      w.uint32((1 << 3) | 0).int64('-1');
      w.uint32((2 << 3) | 1).fixed64(5);
      w.uint32((3 << 3) | 2).string('skip me');
      w.uint32((4 << 3) | 5).fixed32(5);
      w.uint32((5 << 3) | 3);
      w.uint32((6 << 3) | 3)
        .uint32((7 << 3) | 0)
        .uint32(1)
        .uint32((6 << 3) | 4);
      w.uint32((5 << 3) | 4);
      w.uint32((8 << 3) | 0).uint32(42);
    });
    while (r.more()) {
      const tag = r.tag();
      if (tag >>> 3 === 8) assert.equal(r.uint32(), 42);
      else r.skip(tag, 0);
    }
  });

  it('throws for a group closed by the wrong end tag, or left open', () => {
    const mismatched = new ProtobufReader(Uint8Array.of((5 << 3) | 3, (6 << 3) | 4));
    assert.throws(() => mismatched.skip(mismatched.tag(), 0), /end of group 6 inside group 5/);
    const open = new ProtobufReader(Uint8Array.of((5 << 3) | 3, 0x08, 0x01));
    assert.throws(() => open.skip(open.tag(), 0), /unterminated group 5/);
  });

  it('reports a known field with an unexpected wire type, and skips unknown ones', () => {
    const known = new ProtobufReader(Uint8Array.of(0x00, 0x08, 0x01));
    known.pos = 1;
    assert.throws(
      () => known.skipUnknown(known.tag(), 1 << 1, 'Thing'),
      /Thing field 1 has wire type varint at byte offset 1/,
    );
    const unknown = new ProtobufReader(Uint8Array.of(0x18, 0x01));
    unknown.skipUnknown(unknown.tag(), 1 << 1, 'Thing');
    assert.equal(unknown.more(), false);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NanoOffsets } from './nano-offsets.ts';

const BASE = 1_763_700_000_123_456_789n;

describe('NanoOffsets', () => {
  it('gives the exact offset of times near the base, before or after it', () => {
    const offsets = new NanoOffsets(BASE);
    assert.equal(offsets.offsetOf(BASE), 0);
    assert.equal(offsets.offsetOf(BASE + 1n), 1);
    assert.equal(offsets.offsetOf(BASE - 1n), -1);
    assert.equal(offsets.offsetOf(BASE + 4_294_967_297n), 4_294_967_297);
    assert.equal(offsets.offsetOf(BASE - 9_007_199_254_740_991n), -9_007_199_254_740_991);
  });

  it('rounds offsets beyond 2^53 exactly as Number(time - base) does', () => {
    const offsets = new NanoOffsets(3n);
    for (const time of [2n ** 53n + 4n, 2n ** 60n + 12_345n, 2n ** 64n - 1n]) {
      assert.equal(offsets.offsetOf(time), Number(time - 3n));
    }
  });

  it('answers NaN for times that are not unsigned 64-bit values', () => {
    assert.ok(Number.isNaN(new NanoOffsets(BASE).offsetOf(-1n)));
    assert.ok(Number.isNaN(new NanoOffsets(BASE).offsetOf(2n ** 64n)));
    assert.ok(Number.isNaN(new NanoOffsets(-5n).offsetOf(BASE)));
  });
});

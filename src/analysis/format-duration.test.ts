import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, formatShare } from './format-duration.ts';

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0 ns'],
    [95, '95 ns'],
    [850_000, '850 µs'],
    [1_500, '1.5 µs'],
    [12_340_000, '12.3 ms'],
    [240_000_000, '240 ms'],
    [2_400_000_000, '2.4 s'],
    [2_000_000_000, '2 s'],
    [999_960, '1 ms'],
    [125_000_000_000, '125 s'],
    [-3_000_000, '-3 ms'],
    [Number.NaN, '0 ns'],
  ];
  for (const [ns, expected] of cases) {
    it(`formats ${ns} ns as ${expected}`, () => assert.equal(formatDuration(ns), expected));
  }
});

describe('formatShare', () => {
  it('rounds to a whole percentage and survives a zero whole', () => {
    assert.equal(formatShare(754, 1000), '75%');
    assert.equal(formatShare(1, 0), '0%');
  });
});

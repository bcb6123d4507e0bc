import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatAxisTimeMs,
  formatDurationNs,
  formatPercent,
  formatRelativeTime,
  plural,
} from './format.ts';

describe('formatDurationNs', () => {
  const cases: [number, string][] = [
    [0, '0 ns'],
    [850, '850 ns'],
    [1_000, '1.00 µs'],
    [850_000, '850 µs'],
    [12_345_678, '12.3 ms'],
    [999_960_000, '1.00 s'],
    [2_400_000_000, '2.40 s'],
    [59_990_000_000, '1 min 00 s'],
    [125_000_000_000, '2 min 05 s'],
    [3_720_000_000_000, '1 h 02 min'],
    [-1_500_000, '-1.50 ms'],
    [Number.NaN, '–'],
  ];
  for (const [ns, text] of cases) {
    it(`prints ${ns} ns as ${text}`, () => assert.equal(formatDurationNs(ns), text));
  }
});

describe('formatRelativeTime', () => {
  it('says how long ago in the largest whole unit', () => {
    const now = 1_000_000_000;
    assert.equal(formatRelativeTime(now - 2_000, now), 'just now');
    assert.equal(formatRelativeTime(now - 30_000, now), '30 s ago');
    assert.equal(formatRelativeTime(now - 5 * 60_000, now), '5 min ago');
    assert.equal(formatRelativeTime(now - 3 * 3_600_000, now), '3 h ago');
    assert.equal(formatRelativeTime(now - 2 * 86_400_000, now), '2 d ago');
  });
});

describe('plural and formatPercent', () => {
  it('picks singular or plural and groups thousands', () => {
    assert.equal(plural(1, 'span'), '1 span');
    assert.equal(plural(12_345, 'span'), '12,345 spans');
    assert.equal(plural(2, 'child', 'children'), '2 children');
  });

  it('rounds percentages to one decimal', () => {
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(0.025), '2.5%');
    assert.equal(formatPercent(1), '100%');
  });
});

describe('formatAxisTimeMs', () => {
  it('shows seconds over short ranges and the date over long ones, on a 24-hour clock', () => {
    const ms = new Date(2025, 10, 21, 14, 5, 30).getTime();
    assert.equal(formatAxisTimeMs(ms, 60_000), '14:05:30');
    assert.equal(formatAxisTimeMs(ms, 3_600_000), '14:05');
    assert.equal(formatAxisTimeMs(ms, 7 * 86_400_000), '11-21 14:05');
  });
});

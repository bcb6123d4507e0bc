import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  forEachSlotKey,
  keyCodeOf,
  MAX_ATTRIBUTE_KEYS,
  REST_SLOT,
  readAttributeSlots,
} from './attribute-slots.ts';

const KEYS = ['zero', 'http.method', 'http.status_code', 'ratio', 'cached'];
const keyOf = (id: number) => KEYS[id]!;

describe('attribute slots', () => {
  it('gives every key number two characters of its own', () => {
    const codes = new Set(Array.from({ length: MAX_ATTRIBUTE_KEYS }, (_, id) => keyCodeOf(id)));
    assert.equal(codes.size, MAX_ATTRIBUTE_KEYS);
    for (const code of codes) assert.match(code, /^[A-Za-z0-9_~]{2}$/);
  });

  it('reads values back in their type, in layout order', () => {
    const layout = `${keyCodeOf(1)}s${keyCodeOf(2)}i${keyCodeOf(3)}d${keyCodeOf(4)}b`;
    const values = ['GET', '500', '0.25', 'false'];
    assert.deepEqual(
      readAttributeSlots(layout, null, (slot) => values[slot] ?? null, keyOf),
      [
        { key: 'http.method', value: 'GET' },
        { key: 'http.status_code', value: 500n },
        { key: 'ratio', value: 0.25 },
        { key: 'cached', value: false },
      ],
    );
  });

  it('takes the rest JSON in place of rest slots, and after the last slot', () => {
    const layout = `${keyCodeOf(1)}s${REST_SLOT}`;
    const rest = JSON.stringify({ blob: { b: 'AAE=' }, later: 'x' });
    assert.deepEqual(
      readAttributeSlots(layout, rest, (slot) => (slot === 0 ? 'GET' : null), keyOf),
      [
        { key: 'http.method', value: 'GET' },
        { key: 'blob', value: new Uint8Array([0, 1]) },
        { key: 'later', value: 'x' },
      ],
    );
  });

  it('reads only the rest JSON when there is no layout', () => {
    assert.deepEqual(
      readAttributeSlots(null, '{"a":1}', () => null, keyOf),
      [{ key: 'a', value: 1n }],
    );
    assert.deepEqual(
      readAttributeSlots(null, null, () => null, keyOf),
      [],
    );
  });

  it('names the key of each filled slot', () => {
    const seen: [number, number][] = [];
    forEachSlotKey(`${keyCodeOf(2)}i${REST_SLOT}${keyCodeOf(4)}b`, (id, slot) =>
      seen.push([id, slot]),
    );
    assert.deepEqual(seen, [
      [2, 0],
      [4, 2],
    ]);
  });
});

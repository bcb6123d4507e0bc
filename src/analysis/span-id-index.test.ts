import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanIdIndex } from './span-id-index.ts';

/** Adds each id in turn as row 0, 1, 2, ..., as tree assembly does. */
function indexOf(ids: readonly string[]): { index: SpanIdIndex; firstRows: number[] } {
  const idOfRow: string[] = [];
  const index = new SpanIdIndex(ids.length, idOfRow);
  const firstRows = ids.map((id, row) => {
    const first = index.addIfAbsent(id, row);
    idOfRow[row] = id;
    return first;
  });
  return { index, firstRows };
}

describe('SpanIdIndex', () => {
  it('finds the first row of each id and tells a repeated id', () => {
    const { index, firstRows } = indexOf([
      '00000000000000a1',
      '00000000000000b2',
      '00000000000000a1',
    ]);
    assert.deepEqual(firstRows, [-1, -1, 0]);
    assert.equal(index.get('00000000000000b2'), 1);
    assert.equal(index.get('00000000000000a1'), 0);
    assert.equal(index.get('00000000000000c3'), -1);
    assert.equal(index.size, 2);
  });

  it('stays correct when thousands of ids end alike', () => {
    // Alike in their last eight characters: the index must fall back to hashing all of them.
    const ids = Array.from(
      { length: 5_000 },
      (_, i) => `${i.toString(16).padStart(8, '0')}00000000`,
    );
    const { index, firstRows } = indexOf([...ids, ids[42]!]);
    assert.ok(firstRows.slice(0, -1).every((row) => row === -1));
    assert.equal(firstRows.at(-1), 42);
    for (const [row, id] of ids.entries()) assert.equal(index.get(id), row);
    assert.equal(index.size, ids.length);
  });

  it('takes ids of any length', () => {
    const { index } = indexOf(['', 'a', 'bb', 'not-hex-at-all-and-rather-long']);
    assert.equal(index.get(''), 0);
    assert.equal(index.get('bb'), 2);
    assert.equal(index.get('not-hex-at-all-and-rather-long'), 3);
  });
});

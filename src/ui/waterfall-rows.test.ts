import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASE_TIME_NS, MS, makeSpan } from '../../test/support/make-span.ts';
import { buildTraceView } from './trace-view.ts';
import {
  ancestorsOf,
  expandToShow,
  moveCursor,
  rowOf,
  visibleRows,
  type WaterfallCursor,
} from './waterfall-rows.ts';

// root(0) -> a(1) -> a1(2), a2(3); root -> b(4)
const TRACE = 'c'.repeat(32);
const id = (n: number) => String(n).padStart(16, '0');
const node = (n: number, parent: number | null, startMs: number) =>
  makeSpan({
    traceId: TRACE,
    spanId: id(n),
    parentSpanId: parent === null ? '' : id(parent),
    startTimeUnixNano: BASE_TIME_NS + BigInt(startMs) * MS,
    endTimeUnixNano: BASE_TIME_NS + BigInt(startMs + 5) * MS,
  });
const view = buildTraceView([
  node(1, null, 0),
  node(2, 1, 1),
  node(3, 2, 2),
  node(4, 2, 3),
  node(5, 1, 4),
]);

describe('visibleRows', () => {
  it('lists every span when nothing is collapsed', () => {
    assert.deepEqual(visibleRows(view, new Set()), [0, 1, 2, 3, 4]);
  });

  it('skips the subtree of a collapsed span but keeps the span itself', () => {
    assert.deepEqual(visibleRows(view, new Set([1])), [0, 1, 4]);
    assert.deepEqual(visibleRows(view, new Set([0])), [0]);
  });
});

describe('ancestorsOf and expandToShow', () => {
  it('walks up to the root, nearest first', () => {
    assert.deepEqual(ancestorsOf(view, 3), [1, 0]);
    assert.deepEqual(ancestorsOf(view, 0), []);
  });

  it('opens the collapsed ancestors of a span and leaves other spans collapsed', () => {
    const collapsed = new Set([0, 1, 4]);
    assert.deepEqual([...expandToShow(view, collapsed, [2])].sort(), [4]);
    const untouched = new Set([4]);
    assert.equal(expandToShow(view, untouched, [2]), untouched);
  });
});

describe('rowOf', () => {
  it('finds a span among the visible rows by binary search', () => {
    assert.equal(rowOf([0, 1, 4, 7], 4), 2);
    assert.equal(rowOf([0, 1, 4, 7], 3), -1);
  });
});

describe('moveCursor', () => {
  const rows = visibleRows(view, new Set());
  const at = (selected: number, collapsed: number[] = []): WaterfallCursor => ({
    selected,
    collapsed: new Set(collapsed),
  });

  it('moves up and down between visible rows, stopping at the ends', () => {
    assert.equal(moveCursor(view, rows, at(1), 'down').selected, 2);
    assert.equal(moveCursor(view, rows, at(1), 'up').selected, 0);
    assert.equal(moveCursor(view, rows, at(0), 'up').selected, 0);
    assert.equal(moveCursor(view, rows, at(4), 'down').selected, 4);
    assert.equal(moveCursor(view, rows, at(2), 'end').selected, 4);
  });

  it('collapses with left, then moves to the parent', () => {
    const collapsed = moveCursor(view, rows, at(1), 'left');
    assert.deepEqual([...collapsed.collapsed], [1]);
    assert.equal(collapsed.selected, 1);
    assert.equal(
      moveCursor(view, visibleRows(view, collapsed.collapsed), collapsed, 'left').selected,
      0,
    );
  });

  it('expands with right, then moves to the first child', () => {
    const closed = at(1, [1]);
    const opened = moveCursor(view, visibleRows(view, closed.collapsed), closed, 'right');
    assert.equal(opened.collapsed.size, 0);
    assert.equal(moveCursor(view, rows, opened, 'right').selected, 2);
  });

  it('selects the first row when the selection is not visible', () => {
    assert.equal(moveCursor(view, [0, 1, 4], at(2), 'down').selected, 0);
  });
});

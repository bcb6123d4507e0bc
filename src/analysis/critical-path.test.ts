import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceBuilder } from '../../test/support/trace-builder.ts';
import { assembleTraceTree } from './assemble-trace-tree.ts';
import { computeCriticalPath } from './critical-path.ts';

const MS = 1_000_000;

/** The critical path as `name: contribution in ms`, in tree order. */
function pathOf(t: TraceBuilder): string[] {
  return computeCriticalPath(assembleTraceTree(t.spans)).segments.map(
    (s) => `${s.operation}: ${s.selfTimeNs / MS}`,
  );
}

describe('computeCriticalPath', () => {
  it('runs through sequential children and the parent time between them', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'root', startMs: 0, durationMs: 100 });
    t.span({ parent: root, name: 'a', startMs: 10, durationMs: 30 });
    t.span({ parent: root, name: 'b', startMs: 40, durationMs: 50 });
    assert.deepEqual(pathOf(t), ['root: 20', 'a: 30', 'b: 50']);
  });

  it('follows the last-finishing of parallel children and skips the others', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'root', startMs: 0, durationMs: 100 });
    t.span({ parent: root, name: 'fast', startMs: 10, durationMs: 20 });
    t.span({ parent: root, name: 'slow', startMs: 10, durationMs: 80 });
    t.span({ parent: root, name: 'medium', startMs: 12, durationMs: 50 });
    assert.deepEqual(pathOf(t), ['root: 20', 'slow: 80']);
  });

  it('takes a child that ended before a parallel one started, as jaeger-ui does', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'root', startMs: 0, durationMs: 100 });
    t.span({ parent: root, name: 'first', startMs: 0, durationMs: 40 });
    t.span({ parent: root, name: 'overlaps both', startMs: 30, durationMs: 40 });
    t.span({ parent: root, name: 'last', startMs: 50, durationMs: 50 });
    assert.deepEqual(pathOf(t), ['root: 10', 'first: 40', 'last: 50']);
  });

  it('counts a child that ends after its parent only up to the parent end', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'root', startMs: 0, durationMs: 100 });
    t.span({ parent: root, name: 'async', startMs: 60, durationMs: 500 });
    assert.deepEqual(pathOf(t), ['root: 60', 'async: 40']);
  });

  it('gives zero-length spans nothing and sums to the trace duration', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'root', startMs: 0, durationMs: 100 });
    t.span({ parent: root, name: 'instant', startMs: 50, durationMs: 0 });
    const child = t.span({ parent: root, name: 'child', startMs: 20, durationMs: 30 });
    t.span({ parent: child, name: 'grandchild', startMs: 25, durationMs: 10 });
    const path = computeCriticalPath(assembleTraceTree(t.spans));
    assert.equal(
      path.segments.reduce((sum, s) => sum + s.selfTimeNs, 0),
      100 * MS,
    );
    assert.ok(!path.segments.some((s) => s.operation === 'instant'));
  });

  it('walks several roots back from the end, leaving the gaps between them to nobody', () => {
    const t = new TraceBuilder();
    t.span({ name: 'first root', startMs: 0, durationMs: 30 });
    t.span({ name: 'orphan', parent: 'dddddddddddddddd', startMs: 50, durationMs: 50 });
    t.span({ name: 'inside the orphan', startMs: 60, durationMs: 10 });
    assert.deepEqual(pathOf(t), ['first root: 30', 'orphan: 50']);
  });

  it('handles a 50,000-level chain without overflowing the stack', () => {
    const t = new TraceBuilder();
    let parent = t.span({ startMs: 0, durationMs: 100_000 });
    for (let i = 1; i < 50_000; i++) {
      parent = t.span({ parent, startMs: i / 1000, durationMs: 100_000 - i / 500 });
    }
    const path = computeCriticalPath(assembleTraceTree(t.spans));
    assert.equal(path.segments.length, 50_000);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceBuilder } from '../../test/support/trace-builder.ts';
import { assembleTraceTree } from './assemble-trace-tree.ts';
import { computeSelfTimes } from './self-time.ts';

const MS = 1_000_000;

function selfTimesOf(t: TraceBuilder) {
  const tree = assembleTraceTree(t.spans);
  const selfTimes = computeSelfTimes(tree);
  const bySpanId = new Map(
    Array.from(selfTimes.bySpan, (selfNs, node) => [tree.spanId(node), selfNs] as const),
  );
  return { selfTimes, bySpanId };
}

describe('computeSelfTimes', () => {
  it('subtracts the union of overlapping children, not their sum', () => {
    const t = new TraceBuilder();
    const root = t.span({ startMs: 0, durationMs: 100 });
    t.span({ parent: root, startMs: 10, durationMs: 40 });
    t.span({ parent: root, startMs: 20, durationMs: 40 });
    t.span({ parent: root, startMs: 80, durationMs: 10 });
    const { bySpanId } = selfTimesOf(t);
    assert.equal(bySpanId.get(root.spanId), 40 * MS);
  });

  it('clips children sticking out of the parent and never goes negative', () => {
    const t = new TraceBuilder();
    const root = t.span({ startMs: 0, durationMs: 100 });
    t.span({ parent: root, startMs: 90, durationMs: 50 });
    t.span({ parent: root, startMs: -20, durationMs: 30 });
    const outlier = t.span({ parent: root, startMs: 0, durationMs: 500 });
    const { bySpanId } = selfTimesOf(t);
    assert.equal(bySpanId.get(root.spanId), 0);
    assert.equal(bySpanId.get(outlier.spanId), 500 * MS);
  });

  it('totals self time per service and per operation, largest first', () => {
    const t = new TraceBuilder();
    const root = t.span({ service: 'frontend', name: 'GET /', startMs: 0, durationMs: 100 });
    t.span({ parent: root, service: 'db', name: 'SELECT', startMs: 0, durationMs: 30 });
    t.span({ parent: root, service: 'db', name: 'SELECT', startMs: 40, durationMs: 50 });
    const { selfTimes } = selfTimesOf(t);
    assert.deepEqual(selfTimes.byService, [
      { service: 'db', selfTimeNs: 80 * MS, spanCount: 2 },
      { service: 'frontend', selfTimeNs: 20 * MS, spanCount: 1 },
    ]);
    assert.deepEqual(selfTimes.byOperation[0], {
      service: 'db',
      operation: 'SELECT',
      selfTimeNs: 80 * MS,
      spanCount: 2,
    });
  });
});

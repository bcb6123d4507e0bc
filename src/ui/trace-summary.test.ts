import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASE_TIME_NS, MS, makeSpan } from '../../test/support/make-span.ts';
import { findingLabel, sortSummaries, summariseTrace } from './trace-summary.ts';
import { buildTraceView } from './trace-view.ts';

function trace(id: string, startMs: number, durationMs: number, spanCount: number) {
  const traceId = id.repeat(32);
  const rootId = '1'.repeat(16);
  const start = BASE_TIME_NS + BigInt(startMs) * MS;
  const spans = [
    makeSpan({
      traceId,
      spanId: rootId,
      name: 'GET /cart',
      service: 'frontend',
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(durationMs) * MS,
    }),
  ];
  for (let i = 1; i < spanCount; i++) {
    spans.push(
      makeSpan({
        traceId,
        parentSpanId: rootId,
        service: 'db',
        startTimeUnixNano: start,
        endTimeUnixNano: start + MS,
      }),
    );
  }
  return summariseTrace(buildTraceView(spans));
}

describe('summariseTrace', () => {
  it('takes the root span for service and operation and counts spans', () => {
    const summary = trace('a', 0, 120, 3);
    assert.equal(summary.rootService, 'frontend');
    assert.equal(summary.rootOperation, 'GET /cart');
    assert.equal(summary.rootMissing, false);
    assert.equal(summary.spanCount, 3);
    assert.equal(summary.durationNs, 120 * Number(MS));
    assert.deepEqual(
      summary.services.map((s) => s.name),
      ['frontend', 'db'],
    );
  });
});

describe('sortSummaries', () => {
  const a = trace('a', 0, 300, 2);
  const b = trace('b', 1000, 100, 9);
  const c = trace('c', 2000, 200, 1);

  it('sorts newest first, longest first or by span count', () => {
    const ids = (order: Parameters<typeof sortSummaries>[1]) =>
      sortSummaries([a, b, c], order).map((s) => s.traceId[0]);
    assert.deepEqual(ids('recent'), ['c', 'b', 'a']);
    assert.deepEqual(ids('longest'), ['a', 'c', 'b']);
    assert.deepEqual(ids('most-spans'), ['b', 'a', 'c']);
  });

  it('labels finding kinds for badges, known or not', () => {
    assert.equal(findingLabel('n_plus_one'), 'N+1 queries');
    assert.equal(findingLabel('new_detector'), 'new detector');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASE_TIME_NS, MS, makeSpan } from '../../test/support/make-span.ts';
import { StatusCode } from '../model/span.ts';
import { buildTraceView, groupByTrace, selfTimeNs } from './trace-view.ts';

const TRACE = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const at = (ms: number) => BASE_TIME_NS + BigInt(ms) * MS;

function span(id: string, parent: string, startMs: number, endMs: number, service = 'frontend') {
  return makeSpan({
    traceId: TRACE,
    spanId: id.padStart(16, '0'),
    parentSpanId: parent === '' ? '' : parent.padStart(16, '0'),
    name: `op-${id}`,
    service,
    startTimeUnixNano: at(startMs),
    endTimeUnixNano: at(endMs),
  });
}

describe('buildTraceView', () => {
  it('orders spans depth first with siblings by start time, whatever the input order', () => {
    const view = buildTraceView([
      span('3', '1', 50, 90, 'db'),
      span('2', '1', 10, 40, 'api'),
      span('4', '2', 20, 30, 'db'),
      span('1', '', 0, 100),
    ]);
    assert.deepEqual(
      view.spans.map((s) => [s.span.name, s.depth, s.parent, s.subtreeSize]),
      [
        ['op-1', 0, -1, 4],
        ['op-2', 1, 0, 2],
        ['op-4', 2, 1, 1],
        ['op-3', 1, 0, 1],
      ],
    );
    assert.equal(view.durationNs, 100 * Number(MS));
    assert.equal(view.depth, 3);
    assert.deepEqual(view.services, [
      { name: 'frontend', spanCount: 1 },
      { name: 'api', spanCount: 1 },
      { name: 'db', spanCount: 2 },
    ]);
    assert.equal(view.spans[2]!.startNs, 20 * Number(MS));
    assert.equal(view.indexById.get('0000000000000003'), 3);
  });

  it('shows orphans at the top level after the root and says so', () => {
    const view = buildTraceView([span('5', '9', 5, 6), span('1', '', 0, 10)]);
    assert.deepEqual(
      view.spans.map((s) => [s.span.name, s.orphan]),
      [
        ['op-1', false],
        ['op-5', true],
      ],
    );
    assert.match(view.problems.join(), /1 span\(s\) have a parent/);
  });

  it('indexes a reused id by the first of its spans in display order', () => {
    const view = buildTraceView([
      span('1', '', 0, 100),
      span('7', '1', 80, 90),
      span('7', '1', 10, 20),
      span('8', '7', 82, 85),
    ]);
    assert.deepEqual(
      view.spans.map((s) => [s.span.spanId.slice(-1), s.startNs / Number(MS), s.depth]),
      [
        ['1', 0, 0],
        ['7', 10, 1],
        ['7', 80, 1],
        ['8', 82, 2],
      ],
    );
    assert.equal(view.indexById.get('0000000000000007'), 1);
    assert.match(view.problems.join(), /1 span\(s\) reuse an id/);
  });

  it('cuts a parent cycle instead of looping or losing spans', () => {
    const view = buildTraceView([span('1', '2', 0, 10), span('2', '1', 1, 5)]);
    assert.equal(view.spans.length, 2);
    assert.match(view.problems.join(), /cycle/);
  });

  it('counts error spans and handles an empty trace', () => {
    const failed = makeSpan({
      ...span('1', '', 0, 1),
      status: { code: StatusCode.error, message: 'boom' },
    });
    assert.equal(buildTraceView([failed]).errorCount, 1);
    assert.equal(buildTraceView([]).spans.length, 0);
  });

  it('keeps a 50,000-span chain without overflowing the stack', () => {
    const spans = Array.from({ length: 50_000 }, (_, i) =>
      span(String(i + 1), i === 0 ? '' : String(i), i, 100_000 - i),
    );
    const view = buildTraceView(spans);
    assert.equal(view.depth, 50_000);
    assert.equal(view.spans[0]!.subtreeSize, 50_000);
  });
});

describe('groupByTrace', () => {
  it('groups spans of several traces in order of first appearance', () => {
    const a = makeSpan({ traceId: TRACE });
    const b = makeSpan({ traceId: 'b'.repeat(32) });
    const a2 = makeSpan({ traceId: TRACE });
    assert.deepEqual(groupByTrace([a, b, a2]), [[a, a2], [b]]);
  });
});

describe('selfTimeNs', () => {
  it('subtracts the union of the children, counting overlaps once and clipping overhangs', () => {
    const view = buildTraceView([
      span('1', '', 0, 100),
      span('2', '1', 10, 40),
      span('3', '1', 30, 60),
      span('4', '2', 12, 14),
      span('5', '1', 90, 120),
    ]);
    assert.equal(selfTimeNs(view, 0), (100 - 50 - 10) * Number(MS));
    assert.equal(selfTimeNs(view, view.indexById.get('0000000000000004')!), 2 * Number(MS));
  });
});

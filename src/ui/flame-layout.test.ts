import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASE_TIME_NS, MS, makeSpan } from '../../test/support/make-span.ts';
import { boxAt, flameBoxes } from './flame-layout.ts';
import { buildTraceView } from './trace-view.ts';

const TRACE = 'f'.repeat(32);
const id = (n: number) => String(n).padStart(16, '0');
const span = (n: number, parent: number | null, startMs: number, endMs: number) =>
  makeSpan({
    traceId: TRACE,
    spanId: id(n),
    parentSpanId: parent === null ? '' : id(parent),
    startTimeUnixNano: BASE_TIME_NS + BigInt(startMs) * MS,
    endTimeUnixNano:
      BASE_TIME_NS + BigInt(startMs) * MS + BigInt(Math.round((endMs - startMs) * 1e6)),
  });

const ms = Number(MS);

describe('flameBoxes', () => {
  const view = buildTraceView([
    span(1, null, 0, 100),
    span(2, 1, 0, 50),
    span(3, 2, 10, 10.001),
    span(4, 1, 60, 100),
  ]);

  it('places each span by start and duration, one row per depth', () => {
    const boxes = flameBoxes(view, { startNs: 0, endNs: 100 * ms, widthPx: 1000 });
    assert.deepEqual(
      boxes.map((b) => [b.index, Math.round(b.x), Math.round(b.width), b.depth]),
      [
        [0, 0, 1000, 0],
        [1, 0, 500, 1],
        [3, 600, 400, 1],
      ],
    );
  });

  it('clips boxes to a zoomed viewport and leaves out those outside it', () => {
    const boxes = flameBoxes(view, { startNs: 50 * ms, endNs: 100 * ms, widthPx: 500 });
    assert.deepEqual(
      boxes.map((b) => [b.index, Math.round(b.x), Math.round(b.width)]),
      [
        [0, 0, 500],
        [3, 100, 400],
      ],
    );
  });

  it('finds the box under the pointer', () => {
    const boxes = flameBoxes(view, { startNs: 0, endNs: 100 * ms, widthPx: 1000 });
    assert.equal(boxAt(boxes, 700, 25, 20)?.index, 3);
    assert.equal(boxAt(boxes, 550, 25, 20), undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeSpan, randomId } from '../../../test/support/make-span.ts';
import type { Span } from '../../model/span.ts';
import { RowBatch } from './row-batch.ts';
import { orderRows } from './row-order.ts';

function batchOf(spans: readonly Span[]): RowBatch {
  const batch = new RowBatch(spans.length);
  for (const span of spans) batch.addSpan(span);
  return batch;
}

/** The commit's spans in stored order, with their ordinal and parent ordinal. */
function ordered(batches: readonly Span[][]) {
  const order = orderRows(batches.map(batchOf));
  return Array.from(order.sorted, (ref, i) => ({
    span: batches[order.batchOf[ref]!]![order.rowOf[ref]!]!,
    ordinal: order.ordinal[i]!,
    parent: order.parent[i]!,
  }));
}

/** A trace of `count` spans: span 0 the root, span i a child of span floor((i - 1) / 2). */
function trace(traceId: string, count: number): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < count; i++) {
    const parentSpanId = i === 0 ? '' : spans[Math.floor((i - 1) / 2)]!.spanId;
    spans.push(makeSpan({ traceId, spanId: randomId(8), parentSpanId, name: `s${i}` }));
  }
  return spans;
}

describe('orderRows', () => {
  it('puts a trace together across batches, in arrival order, numbered with parents', () => {
    const a = trace('bb000000000000000000000000000001', 3);
    const b = trace('aa000000000000000000000000000001', 2);
    const rows = ordered([
      [a[0]!, b[0]!, a[1]!],
      [b[1]!, a[2]!],
    ]);
    assert.deepEqual(
      rows.map((r) => [r.span.name, r.span.traceId.slice(0, 2), r.ordinal, r.parent]),
      [
        ['s0', 'aa', 0, -1],
        ['s1', 'aa', 1, 0],
        ['s0', 'bb', 0, -1],
        ['s1', 'bb', 1, 0],
        ['s2', 'bb', 2, 0],
      ],
    );
  });

  it('keeps traces apart that share the first 32 bits of their ids', () => {
    const ids = [
      '0af76519ffffffff0000000000000002',
      '0af7651900000000ffffffffffffffff',
      '0af76519ffffffff0000000000000001',
    ];
    const traces = ids.map((id) => trace(id, 2));
    // Interleaved arrivals: every trace's rows must still end up together, in full id order.
    const rows = ordered([
      [traces[0]![0]!, traces[1]![0]!, traces[2]![0]!],
      [traces[2]![1]!, traces[1]![1]!, traces[0]![1]!],
    ]);
    assert.deepEqual(
      rows.map((r) => [r.span.traceId, r.ordinal, r.parent]),
      [
        [ids[1], 0, -1],
        [ids[1], 1, 0],
        [ids[2], 0, -1],
        [ids[2], 1, 0],
        [ids[0], 0, -1],
        [ids[0], 1, 0],
      ],
    );
  });

  it('finds parents in a large trace, and marks parents stored in another commit', () => {
    const big = trace(randomId(16), 300);
    const orphan = makeSpan({ traceId: big[0]!.traceId, parentSpanId: randomId(8) });
    const rows = ordered([big.slice(0, 150), [orphan, ...big.slice(150)]]);
    const ordinalOf = new Map(rows.map((r) => [r.span.spanId, r.ordinal]));
    for (const row of rows) {
      const expected =
        row.span === orphan || row.span === big[0] ? -1 : ordinalOf.get(row.span.parentSpanId);
      assert.equal(row.parent, expected, row.span.name);
    }
    assert.deepEqual(
      rows.map((r) => r.ordinal),
      rows.map((_, i) => i),
    );
  });

  it('points a parent reference at the first of repeated span ids, in small and large traces', () => {
    for (const size of [4, 100]) {
      const spans = trace(randomId(16), size);
      const twin = makeSpan({ traceId: spans[0]!.traceId, spanId: spans[0]!.spanId, name: 'twin' });
      const rows = ordered([[...spans.slice(0, 2), twin, ...spans.slice(2)]]);
      const child = rows.find((r) => r.span === spans[1]);
      assert.equal(child?.parent, 0);
      assert.equal(rows.find((r) => r.span === twin)?.ordinal, 2);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpCall, TraceBuilder } from '../../../test/support/trace-builder.ts';
import type { AnalysisOptionsInput } from '../analysis-options.ts';
import { analyzeTrace } from '../analyze-trace.ts';

const MS = 1_000_000;
const found = (t: TraceBuilder, options?: AnalysisOptionsInput) =>
  analyzeTrace(t.spans, options).findings.filter((f) => f.kind === 'sequential_calls');

/** A page calling each `[service, path, ms]` in turn, 1 ms apart; the parent lasts `parentMs`. */
function page(calls: [string, string, number][], parentMs?: number) {
  const t = new TraceBuilder();
  const total = calls.reduce((sum, [, , ms]) => sum + ms + 1, 0);
  const root = t.span({
    name: 'GET /product',
    kind: 'server',
    startMs: 0,
    durationMs: parentMs ?? total + 10,
  });
  let at = 2;
  const clients = calls.map(([to, path, ms]) => {
    const { client } = httpCall(t, root, to, path, at, ms);
    at += ms + 1;
    return client;
  });
  return { t, root, clients };
}

describe('sequential_calls', () => {
  it('reports three calls to different services one after another', () => {
    const { t, root, clients } = page([
      ['catalog', '/products/42', 50],
      ['reviews', '/products/42/reviews', 60],
      ['recommendations', '/recommendations', 70],
    ]);
    const [finding, ...rest] = found(t);
    assert.equal(rest.length, 0);
    assert.deepEqual(finding!.spanIds, [...clients.map((c) => c.spanId), root.spanId]);
    assert.equal(finding!.impactNs, 110 * MS);
    assert.equal(finding!.service, 'frontend');
    assert.equal(finding!.operation, 'GET /product');
  });

  const healthy: [string, () => TraceBuilder][] = [
    [
      'three fast different calls in a row',
      () =>
        page([
          ['a', '/a', 10],
          ['b', '/b', 12],
          ['c', '/c', 9],
        ]).t,
    ],
    [
      'calls whose parallel saving is under 100 ms',
      () =>
        page([
          ['a', '/a', 40],
          ['b', '/b', 40],
          ['c', '/c', 40],
        ]).t,
    ],
    [
      'calls whose saving is under 10% of a long parent',
      () =>
        page(
          [
            ['a', '/a', 50],
            ['b', '/b', 60],
            ['c', '/c', 70],
          ],
          2_000,
        ).t,
    ],
    [
      'the same call repeated (a loop, not a sequence)',
      () =>
        page([
          ['a', '/items/1', 60],
          ['a', '/items/2', 60],
          ['a', '/items/3', 60],
        ]).t,
    ],
    [
      'calls that already run in parallel',
      () => {
        const t = new TraceBuilder();
        const root = t.span({ startMs: 0, durationMs: 200 });
        httpCall(t, root, 'a', '/a', 5, 150);
        httpCall(t, root, 'b', '/b', 6, 150);
        httpCall(t, root, 'c', '/c', 7, 150);
        return t;
      },
    ],
  ];
  for (const [name, build] of healthy) {
    it(`stays quiet for ${name}`, () => assert.deepEqual(found(build()), []));
  }

  it('takes its thresholds from the options', () => {
    const { t } = page([
      ['a', '/a', 40],
      ['b', '/b', 40],
      ['c', '/c', 40],
    ]);
    assert.equal(found(t, { sequentialCalls: { minSavingNs: 50 * MS } }).length, 1);
  });
});

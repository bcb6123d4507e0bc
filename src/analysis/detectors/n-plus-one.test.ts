import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbCall, httpCall, TraceBuilder } from '../../../test/support/trace-builder.ts';
import type { AnalysisOptionsInput } from '../analysis-options.ts';
import { analyzeTrace } from '../analyze-trace.ts';

const MS = 1_000_000;
const found = (t: TraceBuilder, options?: AnalysisOptionsInput) =>
  analyzeTrace(t.spans, options).findings.filter((f) => f.kind === 'n_plus_one');

/** A handler running `count` queries one after another, `statementOf(i)` each. */
function loop(count: number, statementOf: (i: number) => string, gapMs = 1, durationMs = 4) {
  const t = new TraceBuilder();
  const root = t.span({ name: 'GET /cart', kind: 'server', startMs: 0, durationMs: 500 });
  // The first call is 2 ms longer than the others.
  const calls = Array.from({ length: count }, (_, i) =>
    dbCall(
      t,
      root,
      10 + i * (durationMs + gapMs) + (i === 0 ? 0 : 2),
      durationMs + (i === 0 ? 2 : 0),
      statementOf(i),
    ),
  );
  return { t, root, calls };
}

describe('n_plus_one', () => {
  it('reports five sequential queries differing only by literals, with calls and parent', () => {
    const { t, root, calls } = loop(5, (i) => `SELECT * FROM items WHERE id = ${i + 40}`);
    const [finding, ...rest] = found(t);
    assert.equal(rest.length, 0);
    assert.deepEqual(finding!.spanIds, [...calls.map((c) => c.spanId), root.spanId]);
    // Sum (6 + 4 * 4 = 22 ms) minus the longest (6 ms).
    assert.equal(finding!.impactNs, 16 * MS);
    assert.match(
      finding!.summary,
      /^5 sequential postgresql queries "SELECT \* FROM items WHERE id = \?"/,
    );
  });

  it('reports calls to one route with ids in the path', () => {
    const t = new TraceBuilder();
    const root = t.span({ service: 'orders', kind: 'server', startMs: 0, durationMs: 200 });
    for (const [i, id] of [123, 456, 789, 1011, 2042].entries()) {
      httpCall(t, root, 'users', `/users/${id}`, 5 + i * 12, 10);
    }
    assert.equal(found(t).length, 1);
  });

  const healthy: [string, () => TraceBuilder][] = [
    [
      'four queries, one below the threshold',
      () => loop(4, (i) => `SELECT * FROM items WHERE id = ${i}`).t,
    ],
    [
      'a pagination loop of two queries',
      () => loop(2, (i) => `SELECT * FROM items LIMIT 50 OFFSET ${i * 50}`).t,
    ],
    [
      'five different statements',
      () => loop(5, (i) => `SELECT * FROM ${['a', 'b', 'c', 'd', 'e'][i]} WHERE id = 1`).t,
    ],
    [
      'five identical queries run in parallel',
      () => {
        const t = new TraceBuilder();
        const root = t.span({ startMs: 0, durationMs: 100 });
        for (let i = 0; i < 5; i++) dbCall(t, root, 10, 20, `SELECT * FROM items WHERE id = ${i}`);
        return t;
      },
    ],
    [
      'a failed query retried',
      () => {
        const t = new TraceBuilder();
        const root = t.span({ startMs: 0, durationMs: 100 });
        for (let i = 0; i < 4; i++) {
          dbCall(t, root, 10 + i * 10, 5, 'UPDATE carts SET v = v + 1 WHERE id = 7', {
            error: 'serialization failure',
          });
        }
        dbCall(t, root, 60, 5, 'UPDATE carts SET v = v + 1 WHERE id = 7');
        return t;
      },
    ],
  ];
  for (const [name, build] of healthy) {
    it(`stays quiet for ${name}`, () => assert.deepEqual(found(build()), []));
  }

  it('takes its threshold from the options', () => {
    const { t } = loop(3, (i) => `SELECT * FROM items WHERE id = ${i}`);
    assert.equal(found(t).length, 0);
    assert.equal(found(t, { nPlusOne: { minCalls: 3 } }).length, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCorpus } from '../../test/fixtures/analysis-corpus/corpus.fixtures.ts';
import { scoreCorpus } from '../../test/fixtures/analysis-corpus/score.fixtures.ts';
import { BASE_TIME_NS } from '../../test/support/make-span.ts';
import { dbCall, TraceBuilder } from '../../test/support/trace-builder.ts';
import type { Span } from '../model/span.ts';
import { analyzeTrace, DEFAULT_ANALYSIS_OPTIONS } from './analyze-trace.ts';
import type { TraceAnalysis } from './trace-analysis.ts';

/** Everything the result promises, whatever the input. */
function assertWellFormed(analysis: TraceAnalysis): void {
  const integers = [
    analysis.durationNs,
    ...analysis.criticalPath.map((s) => s.selfTimeNs),
    ...analysis.findings.map((f) => f.impactNs),
    ...analysis.clockSkewAdjustments.map((a) => a.shiftNs),
    ...analysis.selfTimeByService.map((t) => t.selfTimeNs),
    ...analysis.selfTimeByOperation.map((t) => t.selfTimeNs),
  ];
  // Past 2^53 ns (traces spanning 104 days: broken clocks) integers cannot all be exact.
  const isInteger = analysis.problems.some((p) => p.includes('104 days'))
    ? Number.isInteger
    : Number.isSafeInteger;
  for (const value of integers) assert.ok(isInteger(value), `${value} is not an integer`);
  for (let i = 1; i < analysis.findings.length; i++) {
    assert.ok(analysis.findings[i - 1]!.impactNs >= analysis.findings[i]!.impactNs);
  }
  assert.doesNotThrow(() => JSON.stringify(analysis));
}

/** A small realistic trace: a request with a loop of queries. */
function cartTrace(): TraceBuilder {
  const t = new TraceBuilder();
  const root = t.span({ name: 'GET /cart', kind: 'server', startMs: 0, durationMs: 100 });
  for (let i = 0; i < 6; i++)
    dbCall(t, root, 5 + i * 12, 10, `SELECT * FROM items WHERE id = ${i}`);
  return t;
}

describe('analyzeTrace', () => {
  it('fills in the whole result for a simple trace', () => {
    const t = cartTrace();
    const analysis = analyzeTrace(t.spans);
    assertWellFormed(analysis);
    assert.equal(analysis.traceId, t.traceId);
    assert.equal(analysis.durationNs, 100_000_000);
    assert.equal(analysis.spanCount, 7);
    assert.deepEqual(analysis.services, ['frontend']);
    assert.deepEqual(
      analysis.findings.map((f) => f.kind),
      ['n_plus_one'],
    );
    assert.equal(analysis.criticalPath[0]!.operation, 'GET /cart');
    assert.equal(
      analysis.selfTimeByOperation.reduce((count, total) => count + total.spanCount, 0),
      7,
    );
    assert.deepEqual(analysis.problems, []);
  });

  it('applies option overrides and never changes the defaults', () => {
    const analysis = analyzeTrace(cartTrace().spans, { nPlusOne: { minCalls: 10 } });
    assert.deepEqual(analysis.findings, []);
    assert.equal(DEFAULT_ANALYSIS_OPTIONS.nPlusOne.minCalls, 5);
  });

  const broken: [string, () => Span[]][] = [
    ['an empty trace', () => []],
    [
      'a single span',
      () =>
        new TraceBuilder().spans.concat([new TraceBuilder().span({ startMs: 0, durationMs: 1 })]),
    ],
    [
      'a span that is its own parent',
      () => {
        const t = new TraceBuilder();
        t.span({
          spanId: 'aaaaaaaaaaaaaaaa',
          parent: 'aaaaaaaaaaaaaaaa',
          startMs: 0,
          durationMs: 10,
        });
        return t.spans;
      },
    ],
    [
      'a two-span cycle',
      () => {
        const t = new TraceBuilder();
        t.span({
          spanId: 'aaaaaaaaaaaaaaaa',
          parent: 'bbbbbbbbbbbbbbbb',
          startMs: 0,
          durationMs: 10,
        });
        t.span({
          spanId: 'bbbbbbbbbbbbbbbb',
          parent: 'aaaaaaaaaaaaaaaa',
          startMs: 1,
          durationMs: 5,
        });
        return t.spans;
      },
    ],
    [
      'duplicate span ids',
      () => {
        const t = cartTrace();
        const first = t.spans[1]!;
        return [...t.spans, { ...first, name: 'other' }, { ...first }];
      },
    ],
    [
      'zero-duration and negative-duration spans',
      () => {
        const t = new TraceBuilder();
        const root = t.span({ startMs: 0, durationMs: 0 });
        t.span({ parent: root, startMs: 0, durationMs: -5 });
        return t.spans;
      },
    ],
    [
      'only orphans',
      () => {
        const t = new TraceBuilder();
        for (let i = 0; i < 3; i++)
          t.span({ parent: `${i}`.repeat(16), startMs: i, durationMs: 5 });
        return t.spans;
      },
    ],
    ['spans of two traces', () => [...cartTrace().spans, ...cartTrace().spans]],
    [
      'times decades apart',
      () => {
        const t = cartTrace();
        return [
          ...t.spans,
          {
            ...t.spans[0]!,
            spanId: 'eeeeeeeeeeeeeeee',
            startTimeUnixNano: 0n,
            endTimeUnixNano: 1n,
          },
        ];
      },
    ],
  ];
  for (const [name, spans] of broken) {
    it(`never throws on ${name}`, () => assertWellFormed(analyzeTrace(spans())));
  }

  it('warns when spans lie too far apart for exact nanoseconds', () => {
    const t = cartTrace();
    const epoch = {
      ...t.spans[0]!,
      spanId: 'eeeeeeeeeeeeeeee',
      startTimeUnixNano: 0n,
      endTimeUnixNano: 1n,
    };
    assert.match(analyzeTrace([...t.spans, epoch]).problems.join('\n'), /104 days apart/);
  });

  it('reports the repairs it made', () => {
    const t = new TraceBuilder();
    t.span({ spanId: 'aaaaaaaaaaaaaaaa', parent: 'bbbbbbbbbbbbbbbb', startMs: 0, durationMs: 10 });
    t.span({ spanId: 'bbbbbbbbbbbbbbbb', parent: 'aaaaaaaaaaaaaaaa', startMs: 1, durationMs: 5 });
    t.span({ parent: 'cccccccccccccccc', startMs: 2, durationMs: 1 });
    const analysis = analyzeTrace(t.spans);
    assert.match(analysis.problems.join('\n'), /cycle/);
    assert.deepEqual(analysis.incomplete.missingParentIds, ['cccccccccccccccc']);
    assert.equal(analysis.incomplete.orphanSpanIds.length, 1);
  });

  it('never throws on randomly broken traces', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let round = 0; round < 200; round++) {
      const t = new TraceBuilder();
      const ids: string[] = [];
      const count = 1 + Math.floor(random() * 40);
      for (let i = 0; i < count; i++) {
        const spanId =
          random() < 0.1 && ids.length > 0
            ? ids[Math.floor(random() * ids.length)]!
            : (i + 1).toString(16).padStart(16, '0');
        const parent =
          random() < 0.15
            ? undefined
            : random() < 0.1
              ? 'ffffffffffffffff'
              : ids[Math.floor(random() * (ids.length + 3))];
        t.span({
          spanId,
          ...(parent !== undefined && { parent }),
          service: ['a', 'b', 'c'][Math.floor(random() * 3)]!,
          kind: (['client', 'server', 'internal', 'producer', 'consumer'] as const)[
            Math.floor(random() * 5)
          ]!,
          startMs: random() * 2_000 - 200,
          durationMs: random() < 0.1 ? -random() * 10 : random() * 1_500,
          ...(random() < 0.2 && { error: 'boom' }),
          attributes:
            random() < 0.3
              ? { 'db.system': 'postgresql', 'db.query.text': `SELECT ${Math.floor(random() * 3)}` }
              : {},
        });
        ids.push(spanId);
      }
      const analysis = analyzeTrace(t.spans);
      assertWellFormed(analysis);
      assert.ok(
        !analysis.problems.some((p) => p.startsWith('analysis failed') || p.startsWith('detector')),
        analysis.problems.join('\n'),
      );
    }
  });

  it('scores at least 0.95 precision and recall per detector on the scenario corpus in memory', () => {
    const corpus = buildCorpus(BASE_TIME_NS);
    const score = scoreCorpus(
      corpus.map((built) => ({ built, findings: analyzeTrace(built.spans).findings })),
    );
    for (const detector of score.detectors) {
      assert.ok(detector.precision >= 0.95 && detector.recall >= 0.95, JSON.stringify(detector));
    }
  });
});

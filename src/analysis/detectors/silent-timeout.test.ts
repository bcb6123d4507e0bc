import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SpanSpec, TraceBuilder } from '../../../test/support/trace-builder.ts';
import type { AnalysisOptionsInput } from '../analysis-options.ts';
import { analyzeTrace } from '../analyze-trace.ts';
import { roundTimeoutNear } from './silent-timeout.ts';

const S = 1_000_000_000;
const found = (t: TraceBuilder, options?: AnalysisOptionsInput) =>
  analyzeTrace(t.spans, options).findings.filter((f) => f.kind === 'silent_timeout');

/** A caller of `parentMs` with one leaf call; `leaf` overrides the leaf's spec. */
function waiting(parentMs: number, leaf: Partial<SpanSpec>) {
  const t = new TraceBuilder();
  const root = t.span({ name: 'POST /checkout', kind: 'server', startMs: 0, durationMs: parentMs });
  const call = t.span({
    parent: root,
    name: 'POST',
    kind: 'client',
    startMs: 2,
    durationMs: parentMs - 5,
    ...leaf,
  });
  return { t, root, call };
}

describe('roundTimeoutNear', () => {
  it('matches a duration within 2% of a round timeout', () => {
    const rounds = [1 * S, 2 * S, 5 * S];
    assert.equal(roundTimeoutNear(2.03 * S, rounds, 0.02), 2 * S);
    assert.equal(roundTimeoutNear(2.05 * S, rounds, 0.02), undefined);
    assert.equal(roundTimeoutNear(0.99 * S, rounds, 0.02), 1 * S);
  });
});

describe('silent_timeout', () => {
  it('reports a long leaf that ended in an error, with its duration as the impact', () => {
    const { t, call } = waiting(1_520, { durationMs: 1_500, error: 'socket hang up' });
    const [finding, ...rest] = found(t);
    assert.equal(rest.length, 0);
    assert.deepEqual(finding!.spanIds, [call.spanId]);
    assert.equal(finding!.impactNs, 1.5 * S);
    assert.match(finding!.summary, /ended in an error/);
  });

  it('reports a leaf that lasted a round timeout without any error', () => {
    const { t } = waiting(30_130, { durationMs: 30_010 });
    const [finding] = found(t);
    assert.match(finding!.summary, /ended right on a 30 s limit/);
  });

  it('reports a gRPC deadline as a timeout', () => {
    const { t } = waiting(2_060, {
      durationMs: 2_000,
      attributes: { 'rpc.grpc.status_code': 4 },
      error: '',
    });
    assert.match(found(t)[0]!.summary, /timed out \(a 2 s limit\)/);
  });

  const healthy: [string, number, Partial<SpanSpec>][] = [
    ['a slow leaf that succeeded off a round value', 1_520, { durationMs: 1_500 }],
    ['an error after less than a second', 900, { durationMs: 880, error: 'boom' }],
    ['a leaf that is only half of its parent', 4_000, { durationMs: 2_000, error: 'boom' }],
    [
      'a leaf with an exception event',
      2_060,
      { durationMs: 2_000, error: 'boom', events: ['exception'] },
    ],
  ];
  for (const [name, parentMs, leaf] of healthy) {
    it(`stays quiet for ${name}`, () => assert.deepEqual(found(waiting(parentMs, leaf).t), []));
  }

  it('stays quiet for a slow span whose children explain its time', () => {
    const { t, call } = waiting(5_020, { durationMs: 5_000 });
    for (let i = 0; i < 4; i++) t.span({ parent: call, startMs: 3 + i * 1_200, durationMs: 1_190 });
    assert.deepEqual(found(t), []);
  });

  it('takes its thresholds from the options', () => {
    const { t } = waiting(520, { durationMs: 500, error: 'boom' });
    assert.equal(found(t, { silentTimeout: { minDurationNs: 0.5 * S } }).length, 1);
  });
});

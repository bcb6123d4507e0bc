import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpCall, TraceBuilder } from '../../../test/support/trace-builder.ts';
import type { AnalysisOptionsInput } from '../analysis-options.ts';
import { analyzeTrace } from '../analyze-trace.ts';

const MS = 1_000_000;
const found = (t: TraceBuilder, options?: AnalysisOptionsInput) =>
  analyzeTrace(t.spans, options).findings.filter((f) => f.kind === 'fan_out');

/** A parent starting calls of the given durations together (0.2 ms apart). */
function fanOut(durationsMs: number[]) {
  const t = new TraceBuilder();
  const root = t.span({
    name: 'GET /',
    kind: 'server',
    startMs: 0,
    durationMs: Math.max(...durationsMs) + 5,
  });
  const clients = durationsMs.map(
    (ms, i) => httpCall(t, root, `service-${i}`, `/part/${i}`, 1 + i * 0.2, ms).client,
  );
  return { t, root, clients };
}

describe('fan_out', () => {
  it('reports the straggler of a parallel fan-out, then the parent and the others', () => {
    const { t, root, clients } = fanOut([20, 22, 18, 21, 60]);
    const [finding, ...rest] = found(t);
    assert.equal(rest.length, 0);
    assert.equal(finding!.spanIds[0], clients[4]!.spanId);
    assert.equal(finding!.spanIds[1], root.spanId);
    assert.equal(finding!.spanIds.length, 6);
    // 60 ms against a median of 20.5 ms.
    assert.equal(finding!.impactNs, 39.5 * MS);
  });

  const healthy: [string, number[]][] = [
    ['a balanced fan-out', [100, 104, 98, 101, 99, 103]],
    ['four parallel calls, one below the threshold', [20, 20, 20, 80]],
    ['a slowest call under twice the median', [20, 22, 18, 21, 39]],
  ];
  for (const [name, durations] of healthy) {
    it(`stays quiet for ${name}`, () => assert.deepEqual(found(fanOut(durations).t), []));
  }

  it('stays quiet when a later sibling, not the slowest, decides when the parent ends', () => {
    const t = new TraceBuilder();
    const root = t.span({ startMs: 0, durationMs: 200 });
    httpCall(t, root, 'slow', '/slow', 1, 60);
    for (let i = 0; i < 4; i++) httpCall(t, root, `s${i}`, `/s${i}`, 2, 20);
    httpCall(t, root, 'late', '/late', 50, 20);
    assert.deepEqual(found(t), []);
  });

  it('takes its thresholds from the options', () => {
    const { t } = fanOut([20, 22, 18, 21, 39]);
    assert.equal(found(t, { fanOut: { minSlowestToMedian: 1.5 } }).length, 1);
  });
});

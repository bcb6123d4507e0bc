import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type HttpCallOptions,
  httpCall,
  TraceBuilder,
} from '../../../test/support/trace-builder.ts';
import type { Span } from '../../model/span.ts';
import type { AnalysisOptionsInput } from '../analysis-options.ts';
import { analyzeTrace } from '../analyze-trace.ts';

const MS = 1_000_000;
const found = (t: TraceBuilder, options?: AnalysisOptionsInput) =>
  analyzeTrace(t.spans, options).findings.filter((f) => f.kind === 'retry_storm');

/** Attempts of one call, 30 ms each with 20 ms of backoff, with the given statuses. */
function attempts(
  t: TraceBuilder,
  parent: Span,
  statuses: number[],
  extra: (i: number) => HttpCallOptions = () => ({}),
) {
  return statuses.map(
    (status, i) =>
      httpCall(t, parent, 'payment', '/charges', 5 + i * 50, 30, {
        method: 'POST',
        status,
        ...extra(i),
      }).client,
  );
}

describe('retry_storm', () => {
  it('reports three retries after 503s, and counts the failed time', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'POST /checkout', kind: 'server', startMs: 0, durationMs: 300 });
    const calls = attempts(t, root, [503, 503, 503, 201]);
    const [finding, ...rest] = found(t);
    assert.equal(rest.length, 0);
    assert.deepEqual(finding!.spanIds, [...calls.map((c) => c.spanId), root.spanId]);
    // From the first attempt's start (5 ms) to the end of the last failed one (135 ms).
    assert.equal(finding!.impactNs, 130 * MS);
    assert.match(
      finding!.summary,
      /tried frontend → payment POST \/charges 4 times after HTTP 503, the last succeeded/,
    );
  });

  it('counts resends as retries, but not redirects', () => {
    const t = new TraceBuilder();
    const root = t.span({ startMs: 0, durationMs: 300 });
    attempts(t, root, [200, 200, 200, 200], (i) => (i > 0 ? { resendCount: i } : {}));
    assert.equal(found(t).length, 1);
    const redirects = new TraceBuilder();
    const root2 = redirects.span({ startMs: 0, durationMs: 300 });
    attempts(redirects, root2, [302, 302, 302, 200], (i) => (i > 0 ? { resendCount: i } : {}));
    assert.deepEqual(found(redirects), []);
  });

  it('reports retries that multiply across levels as one finding', () => {
    const t = new TraceBuilder();
    const root = t.span({ service: 'frontend', startMs: 0, durationMs: 1_000 });
    const inner: Span[] = [];
    for (let a = 0; a < 2; a++) {
      const { client, server } = httpCall(t, root, 'checkout', '/orders', 10 + a * 200, 150, {
        method: 'POST',
        status: 503,
      });
      assert.ok(client && server);
      for (let b = 0; b < 2; b++) {
        inner.push(
          httpCall(t, server, 'inventory', '/reservations', 12 + a * 200 + b * 60, 40, {
            method: 'POST',
            status: 503,
          }).client,
        );
      }
    }
    // Two attempts at each level: no level alone has three retries, but 2 x 2 = 4 calls below.
    const findings = found(t, { retryStorm: { minRetries: 3 } });
    assert.equal(findings.length, 1);
    for (const call of inner) assert.ok(findings[0]!.spanIds.includes(call.spanId));
    assert.match(findings[0]!.summary, /multiply across 2 levels to 4 attempts/);
  });

  const healthy: [string, number[]][] = [
    ['a call that succeeded on the first try', [200]],
    ['two retries, one below the threshold', [503, 503, 200]],
    ['repeated successful calls (a loop, not retries)', [200, 200, 200, 200, 200]],
  ];
  for (const [name, statuses] of healthy) {
    it(`stays quiet for ${name}`, () => {
      const t = new TraceBuilder();
      attempts(t, t.span({ startMs: 0, durationMs: 400 }), statuses);
      assert.deepEqual(found(t), []);
    });
  }

  it('takes its threshold from the options', () => {
    const t = new TraceBuilder();
    attempts(t, t.span({ startMs: 0, durationMs: 400 }), [503, 503, 200]);
    assert.equal(found(t, { retryStorm: { minRetries: 2 } }).length, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type HttpCallOptions,
  httpCall,
  TraceBuilder,
} from '../../../test/support/trace-builder.ts';
import type { AnalysisOptionsInput } from '../analysis-options.ts';
import { analyzeTrace } from '../analyze-trace.ts';

const MS = 1_000_000;
const found = (t: TraceBuilder, options?: AnalysisOptionsInput) =>
  analyzeTrace(t.spans, options).findings.filter((f) => f.kind === 'client_server_gap');

function call(clientMs: number, options: HttpCallOptions & { to?: string } = {}) {
  const t = new TraceBuilder();
  const root = t.span({ name: 'GET /cart', kind: 'server', startMs: 0, durationMs: clientMs + 5 });
  const { client, server } = httpCall(
    t,
    root,
    options.to ?? 'cart',
    '/api/cart/77',
    2,
    clientMs,
    options,
  );
  return { t, client, server };
}

describe('client_server_gap', () => {
  it('reports a client span much longer than the server span below it', () => {
    const { t, client, server } = call(55, { serverMs: 42 });
    const [finding, ...rest] = found(t);
    assert.equal(rest.length, 0);
    assert.deepEqual(finding!.spanIds, [client.spanId, server!.spanId]);
    assert.equal(finding!.impactNs, 13 * MS);
    assert.match(
      finding!.summary,
      /^frontend → cart GET \/api\/cart\/\{id\} took 55 ms but cart GET/,
    );
  });

  const healthy: [string, number, HttpCallOptions & { to?: string }][] = [
    ['a gap of a few milliseconds', 40, { serverMs: 35 }],
    ['a 15 ms gap under 20% of a long call', 150, { serverMs: 135 }],
    ['a call to an uninstrumented service', 100, { noServer: true }],
    ['a server span in the same service (in-process)', 100, { serverMs: 50, to: 'frontend' }],
  ];
  for (const [name, clientMs, options] of healthy) {
    it(`stays quiet for ${name}`, () => assert.deepEqual(found(call(clientMs, options).t), []));
  }

  it('measures the gap after clock-skew correction, so skew alone is no gap', () => {
    const t = new TraceBuilder();
    const root = t.span({ startMs: 0, durationMs: 100 });
    const client = t.span({ parent: root, kind: 'client', startMs: 10, durationMs: 50 });
    // The server's clock runs 40 ms ahead.
    t.span({ parent: client, service: 'cart', kind: 'server', startMs: 50.5, durationMs: 49 });
    const analysis = analyzeTrace(t.spans);
    assert.equal(analysis.clockSkewAdjustments.length, 1);
    assert.deepEqual(
      analysis.findings.filter((f) => f.kind === 'client_server_gap'),
      [],
    );
  });

  it('takes its thresholds from the options', () => {
    assert.equal(
      found(call(40, { serverMs: 35 }).t, {
        clientServerGap: { minGapNs: 4 * MS, minGapFraction: 0.1 },
      }).length,
      1,
    );
  });
});

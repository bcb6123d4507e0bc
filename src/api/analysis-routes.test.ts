import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeWithCartTrace, traceIdRouteTests } from '../../test/support/trace-route-tests.ts';
import type { TraceAnalysis } from '../analysis/trace-analysis.ts';
import { analysisRoutes } from './analysis-routes.ts';
import type { Logger } from './logger.ts';

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

async function appWithTrace() {
  const { store, traceId, rootId } = await storeWithCartTrace();
  return { app: analysisRoutes({ reader: store, logger: quiet }), traceId, rootId };
}

describe('GET /api/v1/traces/{traceId}/analysis', () => {
  it('answers the analysis of a stored trace, durations in integer nanoseconds', async () => {
    const { app, traceId, rootId } = await appWithTrace();
    const response = await app.request(`/api/v1/traces/${traceId}/analysis`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const analysis = (await response.json()) as TraceAnalysis;
    assert.equal(analysis.traceId, traceId);
    assert.equal(analysis.spanCount, 2);
    assert.equal(analysis.durationNs, 40_000_000);
    assert.deepEqual(analysis.services, ['frontend']);
    assert.deepEqual(analysis.incomplete, { orphanSpanIds: [], missingParentIds: [] });
    assert.equal(analysis.criticalPath[0]?.spanId, rootId);
    assert.ok(Array.isArray(analysis.findings));
    assert.ok(analysis.whyChain.length > 0);
  });

  traceIdRouteTests('analysis', appWithTrace);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MS, makeResource, makeSpan, randomId } from '../../test/support/make-span.ts';
import type { TraceAnalysis } from '../analysis/trace-analysis.ts';
import { MemoryStore } from '../store/memory/memory-store.ts';
import { analysisRoutes } from './analysis-routes.ts';
import type { Logger } from './logger.ts';

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

async function appWithTrace() {
  const store = new MemoryStore();
  const traceId = randomId(16);
  const rootId = randomId(8);
  const start = BigInt(Date.now()) * MS;
  await store.write([
    makeSpan({
      traceId,
      spanId: rootId,
      name: 'GET /cart',
      startTimeUnixNano: start,
      endTimeUnixNano: start + 40n * MS,
    }),
    makeSpan({
      traceId,
      parentSpanId: rootId,
      name: 'SELECT carts',
      kind: 3,
      resource: makeResource('frontend'),
      startTimeUnixNano: start + 5n * MS,
      endTimeUnixNano: start + 30n * MS,
    }),
  ]);
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

  it('finds a trace by an id typed in upper case', async () => {
    const { app, traceId } = await appWithTrace();
    const response = await app.request(`/api/v1/traces/${traceId.toUpperCase()}/analysis`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as TraceAnalysis).traceId, traceId);
  });

  it('answers 404 in the Jaeger error envelope for an unknown trace', async () => {
    const { app } = await appWithTrace();
    const response = await app.request('/api/v1/traces/0af7651916cd43dd8448eb211c80319c/analysis');
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), {
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 404, msg: 'trace 0af7651916cd43dd8448eb211c80319c not found' }],
    });
  });

  it('answers 400 naming the parameter for a malformed trace id', async () => {
    const { app } = await appWithTrace();
    const response = await app.request('/api/v1/traces/xyz-not-hex/analysis');
    assert.equal(response.status, 400);
    const body = (await response.json()) as { errors: { code: number; msg: string }[] };
    assert.equal(body.errors[0]?.code, 400);
    assert.match(body.errors[0]?.msg ?? '', /^traceId: 'xyz-not-hex' is not a trace id/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bySpanId, MS, makeSpan, randomId } from '../../test/support/make-span.ts';
import { traceIdRouteTests } from '../../test/support/trace-route-tests.ts';
import { decodeTraceColumns, TRACE_COLUMNS_FORMAT } from '../model/trace-columns.ts';
import { MemoryStore } from '../store/memory/memory-store.ts';
import type { Logger } from './logger.ts';
import { traceColumnsRoutes } from './trace-columns-routes.ts';

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

async function appWithTrace() {
  const store = new MemoryStore();
  const traceId = randomId(16);
  const rootId = randomId(8);
  const start = BigInt(Date.now()) * MS;
  const spans = [
    makeSpan({
      traceId,
      spanId: rootId,
      name: 'GET /cart',
      startTimeUnixNano: start,
      endTimeUnixNano: start + 40n * MS,
      attributes: [{ key: 'http.response.status_code', value: 200n }],
    }),
    makeSpan({
      traceId,
      parentSpanId: rootId,
      name: 'SELECT carts',
      kind: 3,
      startTimeUnixNano: start + 5n * MS,
      endTimeUnixNano: start + 30n * MS,
    }),
  ];
  await store.write(spans);
  // Another trace in the same store, which the answer must leave out.
  await store.write([makeSpan({ startTimeUnixNano: start })]);
  return { app: traceColumnsRoutes({ reader: store, logger: quiet }), traceId, spans };
}

describe('GET /api/v1/traces/{traceId}/columns', () => {
  it('answers the spans of a stored trace as columns that decode back to them', async () => {
    const { app, traceId, spans } = await appWithTrace();
    const response = await app.request(`/api/v1/traces/${traceId}/columns`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const body = (await response.json()) as { format: string; traceId: string };
    assert.equal(body.format, TRACE_COLUMNS_FORMAT);
    assert.equal(body.traceId, traceId);
    const decoded = decodeTraceColumns(body);
    if (!decoded.ok) assert.fail(decoded.error);
    assert.deepEqual(bySpanId(decoded.spans), bySpanId(spans));
  });

  traceIdRouteTests('columns', appWithTrace);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bySpanId } from '../../test/support/make-span.ts';
import { storeWithCartTrace, traceIdRouteTests } from '../../test/support/trace-route-tests.ts';
import { decodeTraceColumns, TRACE_COLUMNS_FORMAT } from '../model/trace-columns.ts';
import type { Logger } from './logger.ts';
import { traceColumnsRoutes } from './trace-columns-routes.ts';

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

async function appWithTrace() {
  const { store, traceId, spans } = await storeWithCartTrace();
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

import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Span } from '../../src/model/span.ts';
import { MemoryStore } from '../../src/store/memory/memory-store.ts';
import { MS, makeResource, makeSpan, randomId } from './make-span.ts';

/**
 * A store holding a two-span trace (`GET /cart` 40 ms, `SELECT carts` 25 ms under it, both of
 * service frontend) and one other trace, which answers about the first must leave out.
 */
export async function storeWithCartTrace() {
  const store = new MemoryStore();
  const traceId = randomId(16);
  const rootId = randomId(8);
  const start = BigInt(Date.now()) * MS;
  const spans: Span[] = [
    makeSpan({
      traceId,
      spanId: rootId,
      name: 'GET /cart',
      resource: makeResource('frontend'),
      startTimeUnixNano: start,
      endTimeUnixNano: start + 40n * MS,
      attributes: [{ key: 'http.response.status_code', value: 200n }],
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
  ];
  await store.write(spans);
  await store.write([makeSpan({ startTimeUnixNano: start })]);
  return { store, traceId, rootId, spans };
}

/** A route app (Hono's `request`) with one stored trace. */
export interface AppWithTrace {
  readonly app: { request(path: string): Response | Promise<Response> };
  readonly traceId: string;
}

/**
 * What every `/api/v1/traces/{traceId}/<suffix>` route promises about the id: found in any case,
 * 404 in the Jaeger error envelope for an unknown trace, 400 naming the parameter for a bad id.
 * Call inside the route's `describe`.
 */
export function traceIdRouteTests(suffix: string, appWithTrace: () => Promise<AppWithTrace>) {
  it('finds a trace by an id typed in upper case', async () => {
    const { app, traceId } = await appWithTrace();
    const response = await app.request(`/api/v1/traces/${traceId.toUpperCase()}/${suffix}`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { traceId: string }).traceId, traceId);
  });

  it('answers 404 in the Jaeger error envelope for an unknown trace', async () => {
    const { app } = await appWithTrace();
    const response = await app.request(`/api/v1/traces/0af7651916cd43dd8448eb211c80319c/${suffix}`);
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
    const response = await app.request(`/api/v1/traces/xyz-not-hex/${suffix}`);
    assert.equal(response.status, 400);
    const body = (await response.json()) as { errors: { code: number; msg: string }[] };
    assert.equal(body.errors[0]?.code, 400);
    assert.match(body.errors[0]?.msg ?? '', /^traceId: 'xyz-not-hex' is not a trace id/);
  });
}

import { Hono } from 'hono';
import { encodeTraceColumns } from '../model/trace-columns.ts';
import { failureOf } from './error-mapping.ts';
import { errorEnvelope, type QueryRouteOptions } from './jaeger-routes.ts';
import { loadTrace } from './trace-lookup.ts';

/**
 * `GET /api/v1/traces/{traceId}/columns`: one trace in the columns format of
 * src/model/trace-columns.ts, the compact form the web UI opens traces with (a 50,000-span trace
 * is about 4 MB instead of OTLP/JSON's 18 MB, and decodes several times faster). The OTLP/JSON
 * of `/api/v3/traces/{id}` stays the public format. A malformed id answers 400 and an unknown
 * trace 404, in the Jaeger error envelope the other `/api` routes use.
 */
export function traceColumnsRoutes({ reader, logger }: QueryRouteOptions): Hono {
  const app = new Hono();

  app.get('/api/v1/traces/:traceId/columns', async (c) => {
    const spans = await loadTrace(reader, c.req.param('traceId'));
    return c.json(encodeTraceColumns(spans[0]!.traceId, spans));
  });

  app.onError((error, c) => {
    const failure = failureOf(error, logger);
    return c.json(errorEnvelope(failure.httpStatus, failure.message), failure.httpStatus as 400);
  });
  return app;
}

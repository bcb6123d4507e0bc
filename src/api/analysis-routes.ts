import { Hono } from 'hono';
import { analyzeTrace } from '../analysis/analyze-trace.ts';
import { failureOf } from './error-mapping.ts';
import { errorEnvelope, type QueryRouteOptions } from './jaeger-routes.ts';
import { loadTrace } from './trace-lookup.ts';

/**
 * `GET /api/v1/traces/{traceId}/analysis`: the automatic diagnosis of one trace (critical path,
 * clock-skew adjustments, findings largest impact first, why-chain) as a `TraceAnalysis` in JSON,
 * durations in integer nanoseconds. A malformed id answers 400 and an unknown trace 404, both in
 * the Jaeger error envelope the other `/api` routes use.
 */
export function analysisRoutes({ reader, logger }: QueryRouteOptions): Hono {
  const app = new Hono();

  app.get('/api/v1/traces/:traceId/analysis', async (c) => {
    const spans = await loadTrace(reader, c.req.param('traceId'));
    return c.json(analyzeTrace(spans));
  });

  app.onError((error, c) => {
    const failure = failureOf(error, logger);
    return c.json(errorEnvelope(failure.httpStatus, failure.message), failure.httpStatus as 400);
  });
  return app;
}

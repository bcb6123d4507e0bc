import { Hono } from 'hono';
import { encodeOtlpTracesJson } from '../ingest/otlp/encode-json.ts';
import { InvalidInputError } from '../model/errors.ts';
import { failureOf } from './error-mapping.ts';
import { parseJaegerV3QueryParams } from './jaeger/search-params.ts';
import { type QueryRouteOptions, spanKindName, spanKindParam } from './jaeger-routes.ts';
import { loadTrace, searchTraces } from './trace-lookup.ts';

/**
 * Jaeger's api_v3 over HTTP (its grpc-gateway): traces come back as OTLP/JSON under `result`.
 * @see https://github.com/jaegertracing/jaeger/blob/main/cmd/jaeger/internal/extension/jaegerquery/internal/apiv3/http_gateway.go
 */
export function jaegerV3Routes({ reader, logger }: QueryRouteOptions): Hono {
  const app = new Hono();

  app.get('/api/v3/services', async (c) => c.json({ services: await reader.getServices() }));

  app.get('/api/v3/operations', async (c) => {
    const service = c.req.query('service');
    if (!service) throw new InvalidInputError('parameter required', 'service');
    const kind = spanKindParam(c.req.query('span_kind') ?? c.req.query('spanKind'), 'span_kind');
    const operations = await reader.getOperations(service, kind);
    return c.json({
      operations: operations.map((op) => ({ name: op.name, spanKind: spanKindName(op.spanKind) })),
    });
  });

  app.get('/api/v3/traces/:traceId', async (c) => {
    const spans = await loadTrace(reader, c.req.param('traceId'));
    return c.json({ result: encodeOtlpTracesJson(spans) });
  });

  app.get('/api/v3/traces', async (c) => {
    const query = parseJaegerV3QueryParams(new URL(c.req.url).searchParams);
    const traces = await searchTraces(reader, query);
    return c.json({ result: encodeOtlpTracesJson(traces.flat()) });
  });

  app.onError((error, c) => {
    const failure = failureOf(error, logger);
    return c.json(
      { error: { httpCode: failure.httpStatus, message: failure.message } },
      failure.httpStatus as 400,
    );
  });
  return app;
}

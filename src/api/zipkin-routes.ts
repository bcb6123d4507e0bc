import { Hono } from 'hono';
import { errorMessageOf } from '../ingest/otlp/export-response.ts';
import { readBody } from '../ingest/read-body.ts';
import { decodeZipkinSpans } from '../ingest/zipkin/decode-zipkin.ts';
import { UnsupportedMediaTypeError } from '../model/errors.ts';
import { failureOf } from './error-mapping.ts';
import type { IngestRouteOptions } from './otlp-http-routes.ts';
import { assertContentLength, mediaTypeOf, parseJsonBody } from './otlp-http-routes.ts';

/**
 * Zipkin v2 JSON receiver (`POST /api/v2/spans`), answering 202 like Zipkin once the spans are
 * stored. Zipkin has no partial success: when some spans are invalid the valid ones are stored
 * and the answer is 400 naming the rejected ones, so nothing is dropped without the client knowing.
 */
export function zipkinRoutes({ writer, maxRequestBytes, logger }: IngestRouteOptions): Hono {
  const app = new Hono();
  app.post('/api/v2/spans', async (c) => {
    try {
      const contentType = mediaTypeOf(c.req.header('content-type'));
      if (contentType !== 'application/json' && contentType !== '') {
        throw new UnsupportedMediaTypeError(contentType, ['application/json']);
      }
      assertContentLength(c.req.header('content-length'), maxRequestBytes);
      const body = await readBody(
        c.req.raw.body,
        c.req.header('content-encoding'),
        maxRequestBytes,
      );
      const batch = decodeZipkinSpans(parseJsonBody(body));
      await writer.write(batch.spans);
      if (batch.rejectedSpans > 0) {
        return c.json(
          {
            message: `stored ${batch.spans.length} spans, rejected ${batch.rejectedSpans}: ${errorMessageOf(batch)}`,
          },
          400,
        );
      }
      return c.body(null, 202);
    } catch (error) {
      const failure = failureOf(error, logger);
      if (failure.retryAfterSeconds !== undefined) {
        c.header('retry-after', String(failure.retryAfterSeconds));
      }
      return c.json({ message: failure.message }, failure.httpStatus as 400);
    }
  });
  return app;
}

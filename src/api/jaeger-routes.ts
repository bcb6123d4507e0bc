import { Hono } from 'hono';
import { InvalidInputError } from '../model/errors.ts';
import { SPAN_KIND_NAMES, type SpanKind } from '../model/span.ts';
import { parseGoDuration } from '../query/go-duration.ts';
import type { SpanReader } from '../query/span-reader.ts';
import { failureOf } from './error-mapping.ts';
import type { JaegerResponse } from './jaeger/jaeger-types.ts';
import { parseJaegerSearchRequest } from './jaeger/search-params.ts';
import { toJaegerDependencies, toJaegerTrace } from './jaeger/to-jaeger.ts';
import type { Logger } from './logger.ts';
import { loadTrace, loadTraces, searchTraces } from './trace-lookup.ts';

export interface QueryRouteOptions {
  readonly reader: SpanReader;
  readonly logger: Logger;
}

function envelope<T>(data: T, total = Array.isArray(data) ? data.length : 0): JaegerResponse<T> {
  return { data, total, limit: 0, offset: 0, errors: null };
}

const DAY_MS = 86_400_000;

/**
 * Jaeger's query API (`/api/...`), the one jaeger-ui and Grafana's Jaeger data source call.
 * @see https://github.com/jaegertracing/jaeger/blob/main/cmd/jaeger/internal/extension/jaegerquery/internal/http_handler.go
 */
export function jaegerRoutes({ reader, logger }: QueryRouteOptions): Hono {
  const app = new Hono();

  app.get('/api/services', async (c) => c.json(envelope(await reader.getServices())));

  app.get('/api/services/:service/operations', async (c) => {
    const operations = await reader.getOperations(c.req.param('service'));
    return c.json(envelope([...new Set(operations.map((op) => op.name))]));
  });

  app.get('/api/operations', async (c) => {
    const service = c.req.query('service');
    if (!service) throw new InvalidInputError('parameter required', 'service');
    const operations = await reader.getOperations(service, spanKindParam(c.req.query('spanKind')));
    return c.json(
      envelope(operations.map((op) => ({ name: op.name, spanKind: spanKindName(op.spanKind) }))),
    );
  });

  app.get('/api/traces/:traceId', async (c) => {
    const spans = await loadTrace(reader, c.req.param('traceId'));
    return c.json(envelope([toJaegerTrace(spans)]));
  });

  app.get('/api/traces', async (c) => {
    const { query, traceIds } = parseJaegerSearchRequest(new URL(c.req.url).searchParams);
    const traces =
      traceIds.length > 0 ? await loadTraces(reader, traceIds) : await searchTraces(reader, query);
    return c.json(envelope(traces.map(toJaegerTrace)));
  });

  app.get('/api/dependencies', async (c) => {
    const endMs = millisParam(c.req.query('endTs'), 'endTs') ?? Date.now();
    const lookbackMs = millisParam(c.req.query('lookback'), 'lookback') ?? DAY_MS;
    const endNs = BigInt(endMs) * 1_000_000n;
    const links = await reader.getDependencies(endNs - BigInt(lookbackMs) * 1_000_000n, endNs);
    return c.json(envelope(toJaegerDependencies(links)));
  });

  app.notFound((c) =>
    c.json(errorEnvelope(404, `no route for ${c.req.method} ${c.req.path}`), 404),
  );
  app.onError((error, c) => {
    const failure = failureOf(error, logger);
    return c.json(errorEnvelope(failure.httpStatus, failure.message), failure.httpStatus as 400);
  });
  return app;
}

export function errorEnvelope(code: number, msg: string): JaegerResponse<null> {
  return { data: null, total: 0, limit: 0, offset: 0, errors: [{ code, msg }] };
}

/** `server`, `client`, ... as Jaeger names span kinds; '' for unspecified. */
export function spanKindName(kind: SpanKind): string {
  return kind === 0 ? '' : SPAN_KIND_NAMES[kind];
}

/** A span kind by Jaeger's name (`server`) or OTLP's (`SPAN_KIND_SERVER`); undefined for all kinds. */
export function spanKindParam(text: string | undefined, param = 'spanKind'): SpanKind | undefined {
  if (text === undefined || text === '') return undefined;
  const name = text.toLowerCase().replace(/^span_kind_/, '');
  const entry = Object.entries(SPAN_KIND_NAMES).find(([, n]) => n === name);
  if (!entry) {
    throw new InvalidInputError(
      `unknown span kind '${text}'; use server, client, producer, consumer or internal`,
      param,
    );
  }
  return Number(entry[0]) as SpanKind;
}

/** Milliseconds as Jaeger's dependencies endpoint takes them; a Go duration is accepted too. */
function millisParam(text: string | undefined, param: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  try {
    return Number(parseGoDuration(text) / 1_000_000n);
  } catch {
    throw new InvalidInputError(`expected milliseconds, got '${text}'`, param);
  }
}

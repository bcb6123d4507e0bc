import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MySQLInstrumentation } from '@opentelemetry/instrumentation-mysql';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { WinstonInstrumentation } from '@opentelemetry/instrumentation-winston';

/** The short names `OTEL_NODE_DISABLED_INSTRUMENTATIONS` accepts, as the contrib packages use. */
export const INSTRUMENTATION_NAMES = [
  'http',
  'undici',
  'express',
  'fastify',
  'pg',
  'mysql',
  'redis',
  'ioredis',
  'pino',
  'winston',
] as const;
export type InstrumentationName = (typeof INSTRUMENTATION_NAMES)[number];

export interface InstrumentationChoice {
  readonly instrumentations: Instrumentation[];
  readonly names: InstrumentationName[];
  readonly warning?: string;
}

/**
 * The automatic instrumentations: each patches its library only if the application loads it, so
 * listing one whose library is absent costs nothing. `OTEL_NODE_DISABLED_INSTRUMENTATIONS`
 * (comma-separated short names, e.g. `fastify,mysql`) leaves some out.
 *
 * Express gets spans for route handlers only, not for each middleware, unless
 * `TRACEHOUND_EXPRESS_MIDDLEWARE_SPANS=true`.
 *
 * Log correlation: pino and winston records get `trace_id`, `span_id` and `trace_flags`.
 * Sending the records themselves as OpenTelemetry logs stays off unless `OTEL_LOGS_EXPORTER` is
 * set, since Tracehound stores traces, not logs.
 */
export function instrumentationsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): InstrumentationChoice {
  const disabled = new Set(
    (env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
  const unknown = [...disabled].filter(
    (name) => !(INSTRUMENTATION_NAMES as readonly string[]).includes(name),
  );
  const disableLogSending = !env.OTEL_LOGS_EXPORTER?.trim();
  const factories: Record<InstrumentationName, () => Instrumentation> = {
    http: () => new HttpInstrumentation(),
    undici: () => new UndiciInstrumentation(),
    // A span per middleware (body parsing, CORS, ...) adds cost and clutter to every request and
    // rarely explains a slow one; the route and its handler are kept.
    express: () =>
      new ExpressInstrumentation(
        env.TRACEHOUND_EXPRESS_MIDDLEWARE_SPANS === 'true'
          ? {}
          : { ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] },
      ),
    // Registers itself with each Fastify instance as it is created (diagnostics channel).
    fastify: () =>
      new FastifyOtelInstrumentation({ registerOnInitialization: true }) as Instrumentation,
    pg: () => new PgInstrumentation(),
    mysql: () => new MySQLInstrumentation(),
    redis: () => new RedisInstrumentation(),
    ioredis: () => new IORedisInstrumentation(),
    pino: () => new PinoInstrumentation({ disableLogSending }),
    winston: () => new WinstonInstrumentation({ disableLogSending }),
  };
  const names = INSTRUMENTATION_NAMES.filter((name) => !disabled.has(name));
  return {
    instrumentations: names.map((name) => factories[name]()),
    names,
    ...(unknown.length > 0
      ? {
          warning: `OTEL_NODE_DISABLED_INSTRUMENTATIONS names unknown instrumentations: ${unknown.join(', ')} (known: ${INSTRUMENTATION_NAMES.join(', ')})`,
        }
      : {}),
  };
}

import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { instrumentationsFromEnv } from './instrumentations.ts';
import { propagatorFromEnv } from './propagators.ts';
import { serviceAttributes } from './resource.ts';
import { samplerFromEnv } from './sampler.ts';
import { flushOnExit } from './shutdown.ts';
import { traceExporterFromEnv } from './trace-exporter.ts';

export interface StartOptions {
  /** For the distro's own choices (default `process.env`); the SDK reads `process.env` itself. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The application's entry script, where the search for its package.json starts. */
  readonly entryScript?: string;
  readonly cwd?: string;
  /** Where configuration warnings go; stderr by default. */
  readonly warn?: (message: string) => void;
  /** Flush on exit and on SIGINT/SIGTERM (default true). */
  readonly flushOnExit?: boolean;
}

export interface Instrumentation {
  /** Undefined when `OTEL_SDK_DISABLED=true`. */
  readonly sdk: NodeSDK | undefined;
  /** Flushes and stops; spans ended afterwards are dropped. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK the way `tracehound/register` promises: OTLP to Tracehound
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, default `http://localhost:4318`, protocol from
 * `OTEL_EXPORTER_OTLP_PROTOCOL`; for the default, protobuf, a cheaper encoder of the same bytes)
 * through a batch span processor, flushed on exit; resource with
 * `service.name`/`service.version` from the environment or the app's package.json plus host and
 * process; propagation that joins W3C, B3 and Jaeger traces; a parent-based ratio sampler; and the
 * automatic instrumentations. Metrics and logs exporters stay off unless `OTEL_METRICS_EXPORTER`
 * or `OTEL_LOGS_EXPORTER` asks for them (Tracehound receives traces only).
 *
 * Call it before the application's modules load: instrumentations patch libraries as they are
 * first required or imported. `OTEL_SDK_DISABLED=true` makes it do nothing.
 */
export function startInstrumentation(options: StartOptions = {}): Instrumentation {
  const env = options.env ?? process.env;
  // Checked before anything is made: instrumentations patch libraries as soon as they exist.
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    return { sdk: undefined, shutdown: async () => {} };
  }
  const warn =
    options.warn ??
    ((message: string) => process.stderr.write(`tracehound/register: ${message}\n`));
  const sampler = samplerFromEnv(env);
  const instrumentations = instrumentationsFromEnv(env);
  for (const warning of [sampler.warning, instrumentations.warning]) {
    if (warning !== undefined) warn(warning);
  }
  const resource = defaultResource().merge(
    resourceFromAttributes(
      serviceAttributes(env, options.entryScript ?? process.argv[1], options.cwd ?? process.cwd()),
    ),
  );
  const propagator = propagatorFromEnv(env);
  const traceExporter = traceExporterFromEnv(env);
  const sdk = new NodeSDK({
    resource,
    // Handed over, it still goes through the batch span processor that the OTEL_BSP_* variables set.
    ...(traceExporter === undefined ? {} : { traceExporter }),
    instrumentations: instrumentations.instrumentations,
    ...(sampler.sampler === undefined ? {} : { sampler: sampler.sampler }),
    ...(propagator === undefined ? {} : { textMapPropagator: propagator }),
    ...(env.OTEL_METRICS_EXPORTER?.trim() ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER?.trim() ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  if (options.flushOnExit !== false) flushOnExit(sdk);
  return { sdk, shutdown: () => sdk.shutdown() };
}

import {
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';

/** What {@link samplerFromEnv} decided, with a warning when the environment was wrong. */
export interface SamplerChoice {
  /** Undefined: `OTEL_TRACES_SAMPLER` is set and the SDK builds the sampler it names. */
  readonly sampler: Sampler | undefined;
  readonly warning?: string;
}

/**
 * The sampler: parent-based, so a service follows the decision of the service that called it,
 * with a trace-id ratio for the traces it starts. The ratio is `OTEL_TRACES_SAMPLER_ARG`
 * (0 to 1, default 1: keep everything, which is what a debugging tool wants by default).
 *
 * When `OTEL_TRACES_SAMPLER` is set (`always_on`, `always_off`, `traceidratio`,
 * `parentbased_always_on`, `parentbased_always_off`, `parentbased_traceidratio`), the SDK builds
 * that sampler itself, reading `OTEL_TRACES_SAMPLER_ARG` as the specification says.
 *
 * @see https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#general-sdk-configuration
 */
export function samplerFromEnv(env: Readonly<Record<string, string | undefined>>): SamplerChoice {
  if (env.OTEL_TRACES_SAMPLER?.trim()) return { sampler: undefined };
  const raw = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  let ratio = 1;
  let warning: string | undefined;
  if (raw) {
    const parsed = Number(raw);
    if (Number.isFinite(parsed) && parsed >= 0 && parsed <= 1) ratio = parsed;
    else warning = `OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, not '${raw}'; using 1`;
  }
  const sampler = new ParentBasedSampler({
    root: new TraceIdRatioBasedSampler(ratio),
  });
  return warning === undefined ? { sampler } : { sampler, warning };
}

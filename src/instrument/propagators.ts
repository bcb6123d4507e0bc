import {
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';

/**
 * Joins a trace whatever format the caller used, and continues it in the standard one.
 *
 * Extract: W3C baggage, then the first trace-context format present, in the order W3C
 * `traceparent`, B3 (`b3` single header or `X-B3-*` multi header), Jaeger `uber-trace-id` (with
 * its `uberctx-*` baggage). W3C comes first so that a request carrying several formats (a proxy
 * that adds its own) follows the standard one.
 *
 * Inject: W3C `traceparent`/`tracestate` and `baggage` only, so outgoing requests do not carry
 * three copies of the same context. To send B3 or Jaeger headers too, set `OTEL_PROPAGATORS`.
 *
 * @see https://www.w3.org/TR/trace-context/
 * @see https://github.com/openzipkin/b3-propagation
 */
export class AnyFormatPropagator implements TextMapPropagator {
  readonly #traceContext = new W3CTraceContextPropagator();
  readonly #baggage = new W3CBaggagePropagator();
  readonly #fallbacks: readonly TextMapPropagator[] = [new B3Propagator(), new JaegerPropagator()];

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.#traceContext.inject(context, carrier, setter);
    this.#baggage.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const withBaggage = this.#baggage.extract(context, carrier, getter);
    const before = trace.getSpanContext(withBaggage);
    for (const format of [this.#traceContext, ...this.#fallbacks]) {
      const extracted = format.extract(withBaggage, carrier, getter);
      // Each propagator returns its input unchanged when its headers are absent or invalid.
      if (trace.getSpanContext(extracted) !== before) return extracted;
    }
    return withBaggage;
  }

  fields(): string[] {
    const all = [this.#traceContext, this.#baggage, ...this.#fallbacks].flatMap((p) => p.fields());
    return [...new Set(all)];
  }
}

/**
 * The propagator to install: {@link AnyFormatPropagator} unless `OTEL_PROPAGATORS` is set, in
 * which case undefined, and the SDK builds exactly what it lists (`tracecontext`, `baggage`,
 * `b3`, `b3multi`, `jaeger`, `none`).
 */
export function propagatorFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): TextMapPropagator | undefined {
  return env.OTEL_PROPAGATORS?.trim() ? undefined : new AnyFormatPropagator();
}

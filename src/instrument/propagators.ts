import {
  type Baggage,
  type Context,
  defaultTextMapGetter,
  propagation,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import {
  isTracingSuppressed,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';

/** The header each fallback format cannot do without: absent, it cannot yield a span context. */
const B3_SINGLE_HEADER = 'b3';
const B3_TRACE_ID_HEADER = 'x-b3-traceid';
const JAEGER_HEADER = 'uber-trace-id';
const BAGGAGE_HEADER = 'baggage';
/** How many distinct incoming `baggage` headers are remembered, oldest forgotten first. */
const PARSED_BAGGAGE_LIMIT = 256;

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
 * Both run on every request, so each format is asked only when its own header is there (the
 * Jaeger propagator would otherwise scan every header for `uberctx-` ones), and baggage, which is
 * immutable, is parsed and serialised once per distinct value: the same `baggage` header arriving
 * again yields the same Baggage, whose outgoing header is remembered. What is read and written is
 * exactly what the OpenTelemetry propagators read and write.
 *
 * @see https://www.w3.org/TR/trace-context/
 * @see https://www.w3.org/TR/baggage/
 * @see https://github.com/openzipkin/b3-propagation
 */
export class AnyFormatPropagator implements TextMapPropagator {
  readonly #traceContext = new W3CTraceContextPropagator();
  readonly #baggage = new W3CBaggagePropagator();
  readonly #b3 = new B3Propagator();
  readonly #jaeger = new JaegerPropagator();
  /** Baggage is immutable (every change makes a new one), so its header never goes stale. */
  readonly #baggageHeaders = new WeakMap<Baggage, string | undefined>();
  readonly #parsedBaggage = new Map<string, Baggage | undefined>();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.#traceContext.inject(context, carrier, setter);
    const baggage = propagation.getBaggage(context);
    if (baggage === undefined || isTracingSuppressed(context)) return;
    let header = this.#baggageHeaders.get(baggage);
    if (header === undefined && !this.#baggageHeaders.has(baggage)) {
      header = serializedBaggage(this.#baggage, context);
      this.#baggageHeaders.set(baggage, header);
    }
    if (header !== undefined) setter.set(carrier, BAGGAGE_HEADER, header);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const withBaggage = this.#extractBaggage(context, carrier, getter);
    const before = trace.getSpanContext(withBaggage);
    // Each propagator returns its input unchanged when its headers are absent or invalid.
    let extracted = this.#traceContext.extract(withBaggage, carrier, getter);
    if (trace.getSpanContext(extracted) !== before) return extracted;
    if (
      getter.get(carrier, B3_SINGLE_HEADER) !== undefined ||
      getter.get(carrier, B3_TRACE_ID_HEADER) !== undefined
    ) {
      extracted = this.#b3.extract(withBaggage, carrier, getter);
      if (trace.getSpanContext(extracted) !== before) return extracted;
    }
    if (getter.get(carrier, JAEGER_HEADER) !== undefined) {
      extracted = this.#jaeger.extract(withBaggage, carrier, getter);
      if (trace.getSpanContext(extracted) !== before) return extracted;
    }
    return withBaggage;
  }

  #extractBaggage(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = getter.get(carrier, BAGGAGE_HEADER);
    if (typeof header !== 'string') return this.#baggage.extract(context, carrier, getter);
    let baggage = this.#parsedBaggage.get(header);
    if (baggage === undefined && !this.#parsedBaggage.has(header)) {
      const parsed = this.#baggage.extract(
        ROOT_CONTEXT,
        { [BAGGAGE_HEADER]: header },
        defaultTextMapGetter,
      );
      baggage = propagation.getBaggage(parsed);
      if (this.#parsedBaggage.size >= PARSED_BAGGAGE_LIMIT) {
        this.#parsedBaggage.delete(this.#parsedBaggage.keys().next().value!);
      }
      this.#parsedBaggage.set(header, baggage);
    }
    return baggage === undefined ? context : propagation.setBaggage(context, baggage);
  }

  fields(): string[] {
    const all = [this.#traceContext, this.#baggage, this.#b3, this.#jaeger].flatMap((p) =>
      p.fields(),
    );
    return [...new Set(all)];
  }
}

/** The `baggage` header the W3C propagator writes for the context's baggage, if any. */
function serializedBaggage(propagator: W3CBaggagePropagator, context: Context): string | undefined {
  let header: string | undefined;
  propagator.inject(context, undefined, {
    set: (_carrier, key, value) => {
      if (key === BAGGAGE_HEADER) header = value;
    },
  });
  return header;
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

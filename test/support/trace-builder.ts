import type { Attribute } from '../../src/model/attributes.ts';
import { type Span, type SpanEvent, SpanKind, StatusCode } from '../../src/model/span.ts';
import { BASE_TIME_NS, makeResource, makeSpan, randomId } from './make-span.ts';

type KindName = keyof typeof SpanKind;
type AttributeInput = string | number | boolean | bigint;

export interface SpanSpec {
  readonly parent?: Span | string;
  readonly service?: string;
  readonly name?: string;
  readonly kind?: KindName;
  /** Milliseconds after the trace's base time (fractions allowed). */
  readonly startMs: number;
  readonly durationMs: number;
  /** Whole numbers become OTLP ints (bigint), others doubles. */
  readonly attributes?: Readonly<Record<string, AttributeInput>>;
  readonly error?: boolean | string;
  readonly events?: readonly string[];
  readonly spanId?: string;
}

const NS_PER_MS = 1_000_000;

function toAttributes(input: Readonly<Record<string, AttributeInput>> = {}): Attribute[] {
  return Object.entries(input).map(([key, value]) => ({
    key,
    value: typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value,
  }));
}

/** Builds the spans of one trace in milliseconds, for analysis tests and fixtures. */
export class TraceBuilder {
  readonly traceId = randomId(16);
  readonly spans: Span[] = [];
  readonly #services = new Map<Span, string>();

  /** The service a span of this builder belongs to. */
  serviceOf(span: Span): string {
    return this.#services.get(span) ?? 'frontend';
  }

  span(spec: SpanSpec): Span {
    const start = BASE_TIME_NS + BigInt(Math.round(spec.startMs * NS_PER_MS));
    const end = start + BigInt(Math.round(spec.durationMs * NS_PER_MS));
    const parentSpanId =
      spec.parent === undefined
        ? ''
        : typeof spec.parent === 'string'
          ? spec.parent
          : spec.parent.spanId;
    const events: SpanEvent[] = (spec.events ?? []).map((name) => ({
      timeUnixNano: start,
      name,
      attributes: [],
      droppedAttributesCount: 0,
    }));
    const span = makeSpan({
      traceId: this.traceId,
      spanId: spec.spanId ?? randomId(8),
      parentSpanId,
      name: spec.name ?? 'operation',
      kind: SpanKind[spec.kind ?? 'internal'],
      startTimeUnixNano: start,
      endTimeUnixNano: end,
      attributes: toAttributes(spec.attributes),
      events,
      status:
        spec.error === undefined || spec.error === false
          ? { code: StatusCode.unset, message: '' }
          : { code: StatusCode.error, message: spec.error === true ? '' : spec.error },
      resource: makeResource(spec.service ?? 'frontend'),
    });
    this.spans.push(span);
    this.#services.set(span, spec.service ?? 'frontend');
    return span;
  }
}

/** A SQL client span under `parent`, as database instrumentation records it. */
export function dbCall(
  t: TraceBuilder,
  parent: Span,
  startMs: number,
  durationMs: number,
  statement: string,
  extra: Partial<SpanSpec> = {},
): Span {
  return t.span({
    parent,
    service: extra.service ?? t.serviceOf(parent),
    name: `${statement.split(' ')[0]} items`,
    kind: 'client',
    startMs,
    durationMs,
    attributes: { 'db.system': 'postgresql', 'db.query.text': statement, ...extra.attributes },
    ...(extra.error !== undefined && { error: extra.error }),
  });
}

export interface HttpCallOptions {
  readonly method?: string;
  readonly status?: number;
  /** The server span's duration; by default 1 ms shorter than the call, centred. */
  readonly serverMs?: number;
  readonly noServer?: boolean;
  readonly resendCount?: number;
  readonly error?: string;
}

/** An HTTP call: a client span in `from` and, under it, the server span of `to`. */
export function httpCall(
  t: TraceBuilder,
  parent: Span,
  to: string,
  path: string,
  startMs: number,
  durationMs: number,
  options: HttpCallOptions = {},
): { client: Span; server: Span | undefined } {
  const method = options.method ?? 'GET';
  const status = options.status ?? 200;
  const failed = status >= 500 || options.error !== undefined;
  const client = t.span({
    parent,
    service: t.serviceOf(parent),
    name: method,
    kind: 'client',
    startMs,
    durationMs,
    attributes: {
      'http.request.method': method,
      'url.full': `http://${to}:8080${path}`,
      'server.address': to,
      'http.response.status_code': status,
      ...(options.resendCount !== undefined && {
        'http.request.resend_count': options.resendCount,
      }),
    },
    ...(failed && { error: options.error ?? '' }),
  });
  if (options.noServer) return { client, server: undefined };
  const serverMs = options.serverMs ?? Math.max(0, durationMs - 1);
  const server = t.span({
    parent: client,
    service: to,
    name: `${method} ${path.replace(/\d+/g, ':id')}`,
    kind: 'server',
    startMs: startMs + (durationMs - serverMs) / 2,
    durationMs: serverMs,
    attributes: {
      'http.request.method': method,
      'url.path': path,
      'http.response.status_code': status,
    },
    ...(status >= 500 && { error: '' }),
  });
  return { client, server };
}

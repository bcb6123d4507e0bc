import { Hono } from 'hono';
import { type AnyValue, type Attribute, isKeyValueList } from '../model/attributes.ts';
import { bytesToBase64 } from '../model/bytes.ts';
import type { InstrumentationScope, Resource, Span, TraceId } from '../model/span.ts';
import { failureOf } from './error-mapping.ts';
import { errorEnvelope, type QueryRouteOptions } from './jaeger-routes.ts';
import { loadTrace } from './trace-lookup.ts';

/** Names the format and its version; the web UI refuses a body without it. */
export const TRACE_COLUMNS_FORMAT = 'tracehound.trace-columns.v1';

/**
 * How an AnyValue is tagged in {@link EncodedAttributes}; the payload after each tag is:
 * string: index in `strings`; bool: 0 or 1; int: a number when exact, else decimal text;
 * double: a number, or text for NaN, ±Infinity and -0 (JSON has no such numbers);
 * bytes: base64 text; array: flat [tag, payload, ...]; kvlist: {@link EncodedAttributes};
 * empty (no value set): 0.
 */
export const ValueTag = {
  string: 0,
  bool: 1,
  int: 2,
  double: 3,
  bytes: 4,
  array: 5,
  kvlist: 6,
  empty: 7,
} as const;
export type ValueTag = (typeof ValueTag)[keyof typeof ValueTag];

/** Attributes flattened as key (index in `strings`), tag, payload; repeated. */
export type EncodedAttributes = (number | string | EncodedPayload)[];
type EncodedPayload = number | string | (number | string | EncodedPayload)[];

/** Nanoseconds as a number when exact (below 2^53, about 104 days), else decimal text. */
export type EncodedNanos = number | string;

/** [attributes, droppedAttributesCount, schemaUrl (index)] */
export type EncodedResource = [EncodedAttributes, number, number];
/** [name, version, attributes, droppedAttributesCount, schemaUrl]; strings as indices. */
export type EncodedScope = [number, number, EncodedAttributes, number, number];
/** [time (ns after `baseUnixNano`), name (index), attributes, droppedAttributesCount] */
export type EncodedEvent = [EncodedNanos, number, EncodedAttributes, number];
/** [traceId, spanId, traceState (indices), attributes, droppedAttributesCount, flags] */
export type EncodedLink = [number, number, number, EncodedAttributes, number, number];

/**
 * One trace as columns, for the web UI: about a quarter of the size of OTLP/JSON, and read by
 * the browser without one object per field. Column `c[i]` belongs to span `i`; strings that
 * repeat (names, keys, values, messages) are indices into `strings`, whose entry 0 is ''.
 * Events, links and dropped counts are rare, so they are listed by span index instead.
 * Decodes back to equal spans with the UI's `decodeTraceColumns`.
 */
export interface TraceColumnsJson {
  readonly format: typeof TRACE_COLUMNS_FORMAT;
  readonly traceId: TraceId;
  /** The earliest start in the trace, as decimal nanoseconds since the Unix epoch. */
  readonly baseUnixNano: string;
  readonly strings: string[];
  readonly resources: EncodedResource[];
  readonly scopes: EncodedScope[];
  readonly spanIds: string[];
  /** The parent's index in the columns; -1 for a root; the id itself when the trace lacks it. */
  readonly parents: (number | string)[];
  readonly names: number[];
  readonly kinds: number[];
  /** Nanoseconds after `baseUnixNano`. */
  readonly starts: EncodedNanos[];
  /** End minus start (negative when a clock made the span end before it started). */
  readonly durations: EncodedNanos[];
  readonly statusCodes: number[];
  readonly statusMessages: number[];
  readonly traceStates: number[];
  readonly flags: number[];
  /** Index in `resources` and in `scopes`. */
  readonly resourceOf: number[];
  readonly scopeOf: number[];
  readonly attributes: EncodedAttributes[];
  /** [span index, events] for each span that has events. */
  readonly events: [number, EncodedEvent[]][];
  /** [span index, links] for each span that has links. */
  readonly links: [number, EncodedLink[]][];
  /** [span index, dropped attributes, dropped events, dropped links] where any is not 0. */
  readonly dropped: [number, number, number, number][];
}

/** Assigns each distinct string an index, in order of first use; '' is always 0. */
class StringTable {
  readonly list: string[] = [''];
  readonly #index = new Map<string, number>([['', 0]]);

  of(text: string): number {
    if (text === '') return 0;
    let index = this.#index.get(text);
    if (index === undefined) {
      index = this.list.length;
      this.list.push(text);
      this.#index.set(text, index);
    }
    return index;
  }
}

function encodeNanos(ns: bigint): EncodedNanos {
  const value = Number(ns);
  return Number.isSafeInteger(value) ? value : ns.toString();
}

function encodeAttributes(
  attributes: readonly Attribute[],
  strings: StringTable,
): EncodedAttributes {
  const out: EncodedAttributes = [];
  for (const { key, value } of attributes) {
    out.push(strings.of(key));
    pushValue(value, out, strings);
  }
  return out;
}

/** Appends tag and payload of one value. */
function pushValue(value: AnyValue, out: EncodedAttributes, strings: StringTable): void {
  if (value === null) {
    out.push(ValueTag.empty, 0);
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(ValueTag.string, strings.of(value));
      return;
    case 'boolean':
      out.push(ValueTag.bool, value ? 1 : 0);
      return;
    case 'bigint':
      out.push(ValueTag.int, encodeNanos(value));
      return;
    case 'number':
      // JSON writes NaN and the infinities as null and -0 as 0; their text keeps them.
      if (Number.isFinite(value) && !Object.is(value, -0)) out.push(ValueTag.double, value);
      else out.push(ValueTag.double, Object.is(value, -0) ? '-0' : String(value));
      return;
  }
  if (value instanceof Uint8Array) {
    out.push(ValueTag.bytes, bytesToBase64(value));
  } else if (isKeyValueList(value)) {
    out.push(ValueTag.kvlist, encodeAttributes(value.kvlist, strings));
  } else {
    const items: EncodedAttributes = [];
    for (const item of value as readonly AnyValue[]) pushValue(item, items, strings);
    out.push(ValueTag.array, items);
  }
}

/**
 * Writes the spans of one trace as {@link TraceColumnsJson}. Resources and scopes are listed
 * once per distinct object, as the store and the decoders share them among a batch's spans.
 */
export function encodeTraceColumns(traceId: TraceId, spans: readonly Span[]): TraceColumnsJson {
  const n = spans.length;
  let base = spans[0]?.startTimeUnixNano ?? 0n;
  for (const span of spans) if (span.startTimeUnixNano < base) base = span.startTimeUnixNano;

  const strings = new StringTable();
  const resourceIndex = new Map<Resource, number>();
  const resources: EncodedResource[] = [];
  const scopeIndex = new Map<InstrumentationScope, number>();
  const scopes: EncodedScope[] = [];
  const firstById = new Map<string, number>();
  const spanIds: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const spanId = spans[i]!.spanId;
    spanIds[i] = spanId;
    if (!firstById.has(spanId)) firstById.set(spanId, i);
  }

  const parents: (number | string)[] = new Array(n);
  const names: number[] = new Array(n);
  const kinds: number[] = new Array(n);
  const starts: EncodedNanos[] = new Array(n);
  const durations: EncodedNanos[] = new Array(n);
  const statusCodes: number[] = new Array(n);
  const statusMessages: number[] = new Array(n);
  const traceStates: number[] = new Array(n);
  const flags: number[] = new Array(n);
  const resourceOf: number[] = new Array(n);
  const scopeOf: number[] = new Array(n);
  const attributes: EncodedAttributes[] = new Array(n);
  const events: [number, EncodedEvent[]][] = [];
  const links: [number, EncodedLink[]][] = [];
  const dropped: [number, number, number, number][] = [];
  let lastResource: Resource | undefined;
  let lastScope: InstrumentationScope | undefined;
  for (let i = 0; i < n; i++) {
    const span = spans[i]!;
    const parentId = span.parentSpanId;
    parents[i] = parentId === '' ? -1 : (firstById.get(parentId) ?? parentId);
    names[i] = strings.of(span.name);
    kinds[i] = span.kind;
    starts[i] = encodeNanos(span.startTimeUnixNano - base);
    durations[i] = encodeNanos(span.endTimeUnixNano - span.startTimeUnixNano);
    statusCodes[i] = span.status.code;
    statusMessages[i] = strings.of(span.status.message);
    traceStates[i] = strings.of(span.traceState);
    flags[i] = span.flags;

    // Spans of one batch share their resource and scope and mostly come together: the last
    // ones seen answer without a lookup.
    let resource =
      span.resource === lastResource ? resourceOf[i - 1] : resourceIndex.get(span.resource);
    if (resource === undefined) {
      resource = resources.length;
      resourceIndex.set(span.resource, resource);
      const r = span.resource;
      resources.push([
        encodeAttributes(r.attributes, strings),
        r.droppedAttributesCount,
        strings.of(r.schemaUrl),
      ]);
    }
    resourceOf[i] = resource;
    lastResource = span.resource;
    let scope = span.scope === lastScope ? scopeOf[i - 1] : scopeIndex.get(span.scope);
    if (scope === undefined) {
      scope = scopes.length;
      scopeIndex.set(span.scope, scope);
      const s = span.scope;
      scopes.push([
        strings.of(s.name),
        strings.of(s.version),
        encodeAttributes(s.attributes, strings),
        s.droppedAttributesCount,
        strings.of(s.schemaUrl),
      ]);
    }
    scopeOf[i] = scope;
    lastScope = span.scope;

    attributes[i] = encodeAttributes(span.attributes, strings);
    if (span.events.length > 0) {
      events.push([
        i,
        span.events.map((event) => [
          encodeNanos(event.timeUnixNano - base),
          strings.of(event.name),
          encodeAttributes(event.attributes, strings),
          event.droppedAttributesCount,
        ]),
      ]);
    }
    if (span.links.length > 0) {
      links.push([
        i,
        span.links.map((link) => [
          strings.of(link.traceId),
          strings.of(link.spanId),
          strings.of(link.traceState),
          encodeAttributes(link.attributes, strings),
          link.droppedAttributesCount,
          link.flags,
        ]),
      ]);
    }
    if (
      span.droppedAttributesCount !== 0 ||
      span.droppedEventsCount !== 0 ||
      span.droppedLinksCount !== 0
    ) {
      dropped.push([
        i,
        span.droppedAttributesCount,
        span.droppedEventsCount,
        span.droppedLinksCount,
      ]);
    }
  }
  return {
    format: TRACE_COLUMNS_FORMAT,
    traceId,
    baseUnixNano: base.toString(),
    strings: strings.list,
    resources,
    scopes,
    spanIds,
    parents,
    names,
    kinds,
    starts,
    durations,
    statusCodes,
    statusMessages,
    traceStates,
    flags,
    resourceOf,
    scopeOf,
    attributes,
    events,
    links,
    dropped,
  };
}

/**
 * `GET /api/v1/traces/{traceId}/columns`: one trace as {@link TraceColumnsJson}, the compact
 * form the web UI opens traces with (a 50,000-span trace is about 4 MB instead of OTLP/JSON's
 * 18 MB, and decodes several times faster). The OTLP/JSON of `/api/v3/traces/{id}` stays the
 * public format. A malformed id answers 400 and an unknown trace 404, in the Jaeger error
 * envelope the other `/api` routes use.
 */
export function traceColumnsRoutes({ reader, logger }: QueryRouteOptions): Hono {
  const app = new Hono();

  app.get('/api/v1/traces/:traceId/columns', async (c) => {
    const spans = await loadTrace(reader, c.req.param('traceId'));
    return c.json(encodeTraceColumns(spans[0]!.traceId, spans));
  });

  app.onError((error, c) => {
    const failure = failureOf(error, logger);
    return c.json(errorEnvelope(failure.httpStatus, failure.message), failure.httpStatus as 400);
  });
  return app;
}

/**
 * The columns format of `GET /api/v1/traces/{id}/columns`, in one place for both sides: the
 * server encodes a trace with {@link encodeTraceColumns}, the web UI decodes it with
 * {@link decodeTraceColumns}. Pure (no `node:` modules, no packages), so the UI bundles it.
 */
import { type AnyValue, type Attribute, isKeyValueList } from './attributes.ts';
import { base64ToBytes, bytesToBase64 } from './bytes.ts';
import type {
  InstrumentationScope,
  Resource,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  SpanStatus,
  StatusCode,
  TraceId,
} from './span.ts';

/** Names the format and its version; {@link decodeTraceColumns} refuses a body without it. */
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
 * {@link decodeTraceColumns} reads it back to equal spans.
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

export type TraceColumnsResult =
  | { readonly ok: true; readonly spans: Span[] }
  | { readonly ok: false; readonly error: string };

/** Thrown inside the decoder only; {@link decodeTraceColumns} turns it into its result. */
class MalformedColumns extends Error {}

function fail(message: string): never {
  throw new MalformedColumns(message);
}

/** Where a field is: a span's index (its text is only built for an error), or a description. */
type Where = number | string;

function placeOf(where: Where): string {
  return typeof where === 'number' ? `span ${where}` : where;
}

const NO_ATTRIBUTES: readonly Attribute[] = Object.freeze([]);
const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);
const DECIMAL_RE = /^-?\d+$/;
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity', '-0']);
const MAX_KIND = 5;
const MAX_STATUS = 2;

/** Reads strings and values by their index in the body's string table. */
class Reader {
  constructor(private readonly strings: readonly unknown[]) {}

  text(index: unknown, where: Where): string {
    const value = typeof index === 'number' ? this.strings[index] : undefined;
    return typeof value === 'string'
      ? value
      : fail(`${placeOf(where)}: ${index} is not a string index`);
  }

  attributes(encoded: unknown, where: Where): readonly Attribute[] {
    if (!Array.isArray(encoded) || encoded.length % 3 !== 0) {
      fail(`${placeOf(where)}: expected [key, tag, value, ...]`);
    }
    if (encoded.length === 0) return NO_ATTRIBUTES;
    const out: Attribute[] = new Array(encoded.length / 3);
    for (let i = 0, a = 0; i < encoded.length; i += 3, a++) {
      out[a] = {
        key: this.text(encoded[i], where),
        value: this.value(encoded[i + 1], encoded[i + 2], where),
      };
    }
    return out;
  }

  value(tag: unknown, payload: unknown, where: Where): AnyValue {
    switch (tag) {
      case ValueTag.string:
        return this.text(payload, where);
      case ValueTag.bool:
        if (payload === 0 || payload === 1) return payload === 1;
        break;
      case ValueTag.int:
        return nanos(payload, where);
      case ValueTag.double:
        if (typeof payload === 'number') return payload;
        if (typeof payload === 'string' && NON_FINITE.has(payload)) return Number(payload);
        break;
      case ValueTag.bytes: {
        const bytes = typeof payload === 'string' ? base64ToBytes(payload) : null;
        if (bytes !== null) return bytes;
        break;
      }
      case ValueTag.array:
        if (Array.isArray(payload) && payload.length % 2 === 0) {
          const items: AnyValue[] = new Array(payload.length / 2);
          for (let i = 0; i < payload.length; i += 2) {
            items[i / 2] = this.value(payload[i], payload[i + 1], where);
          }
          return items;
        }
        break;
      case ValueTag.kvlist:
        return { kvlist: this.attributes(payload, where) };
      case ValueTag.empty:
        return null;
    }
    return fail(`${placeOf(where)}: ${JSON.stringify(payload)} is not a value of tag ${tag}`);
  }
}

/** An integer (nanoseconds, or an OTLP int) that was sent as a number or as decimal text. */
function nanos(value: unknown, where: Where): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && DECIMAL_RE.test(value)) return BigInt(value);
  return fail(`${placeOf(where)}: ${JSON.stringify(value)} is not an integer`);
}

function count(value: unknown, where: Where): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    ? value
    : fail(`${placeOf(where)}: ${JSON.stringify(value)} is not a count`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A column of the body: an array with one entry per span. */
function column(body: Record<string, unknown>, name: string, length: number): unknown[] {
  const value = body[name];
  if (!Array.isArray(value) || value.length !== length) {
    fail(`${name}: expected an array of ${length} entries, one per span`);
  }
  return value;
}

/** A list of [span index, ...] entries (events, links, dropped counts), by span index. */
function bySpan(
  body: Record<string, unknown>,
  name: string,
  spanCount: number,
): Map<number, unknown[]> {
  const value = body[name];
  if (!Array.isArray(value)) fail(`${name}: expected an array`);
  const out = new Map<number, unknown[]>();
  for (const entry of value) {
    const index = Array.isArray(entry) ? entry[0] : undefined;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= spanCount) {
      fail(`${name}: expected [span index, ...] entries`);
    }
    out.set(index, entry as unknown[]);
  }
  return out;
}

function tuple(value: unknown, length: number, where: string): unknown[] {
  if (!Array.isArray(value) || value.length !== length) fail(`${where}: expected ${length} fields`);
  return value;
}

/**
 * Reads the body of `GET /api/v1/traces/{id}/columns` (JSON-parsed) back into spans, equal to
 * those {@link encodeTraceColumns} wrote. The body comes over the network, so every field is
 * checked; anything out of place makes the whole body an error that names the field.
 */
export function decodeTraceColumns(body: unknown): TraceColumnsResult {
  try {
    return { ok: true, spans: decode(body) };
  } catch (error) {
    if (error instanceof MalformedColumns) {
      return { ok: false, error: `unreadable trace columns: ${error.message}` };
    }
    throw error;
  }
}

function decode(body: unknown): Span[] {
  if (!isRecord(body) || body.format !== TRACE_COLUMNS_FORMAT) {
    fail(`expected an object with format '${TRACE_COLUMNS_FORMAT}'`);
  }
  const traceId = body.traceId;
  if (typeof traceId !== 'string') fail('traceId: expected a string');
  if (typeof body.baseUnixNano !== 'string' || !DECIMAL_RE.test(body.baseUnixNano)) {
    fail('baseUnixNano: expected decimal nanoseconds');
  }
  const base = BigInt(body.baseUnixNano);
  if (!Array.isArray(body.strings)) fail('strings: expected an array');
  const read = new Reader(body.strings);

  if (!Array.isArray(body.resources)) fail('resources: expected an array');
  const resources = body.resources.map((entry: unknown, r): Resource => {
    const [attributes, dropped, schemaUrl] = tuple(entry, 3, `resources[${r}]`);
    return {
      attributes: read.attributes(attributes, `resources[${r}]`),
      droppedAttributesCount: count(dropped, `resources[${r}]`),
      schemaUrl: read.text(schemaUrl, `resources[${r}]`),
    };
  });
  if (!Array.isArray(body.scopes)) fail('scopes: expected an array');
  const scopes = body.scopes.map((entry: unknown, s): InstrumentationScope => {
    const [name, version, attributes, dropped, schemaUrl] = tuple(entry, 5, `scopes[${s}]`);
    return {
      name: read.text(name, `scopes[${s}]`),
      version: read.text(version, `scopes[${s}]`),
      attributes: read.attributes(attributes, `scopes[${s}]`),
      droppedAttributesCount: count(dropped, `scopes[${s}]`),
      schemaUrl: read.text(schemaUrl, `scopes[${s}]`),
    };
  });

  if (!Array.isArray(body.spanIds)) fail('spanIds: expected an array');
  const spanIds = body.spanIds as unknown[];
  const n = spanIds.length;
  const parents = column(body, 'parents', n);
  const names = column(body, 'names', n);
  const kinds = column(body, 'kinds', n);
  const starts = column(body, 'starts', n);
  const durations = column(body, 'durations', n);
  const statusCodes = column(body, 'statusCodes', n);
  const statusMessages = column(body, 'statusMessages', n);
  const traceStates = column(body, 'traceStates', n);
  const flags = column(body, 'flags', n);
  const resourceOf = column(body, 'resourceOf', n);
  const scopeOf = column(body, 'scopeOf', n);
  const attributes = column(body, 'attributes', n);
  const events = bySpan(body, 'events', n);
  const links = bySpan(body, 'links', n);
  const dropped = bySpan(body, 'dropped', n);
  // Most spans share a handful of statuses; one object each keeps the heap small.
  const statuses = new Map<number, SpanStatus>();

  const spans: Span[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const spanId = spanIds[i];
    if (typeof spanId !== 'string') fail(`spanIds[${i}]: expected a string`);
    const parent = parents[i];
    let parentSpanId: string;
    if (typeof parent === 'string') parentSpanId = parent;
    else if (parent === -1) parentSpanId = '';
    else {
      const id = typeof parent === 'number' ? spanIds[parent] : undefined;
      parentSpanId = typeof id === 'string' ? id : fail(`parents[${i}]: no span ${parent}`);
    }
    const kind = kinds[i];
    if (typeof kind !== 'number' || !Number.isInteger(kind) || kind < 0 || kind > MAX_KIND) {
      fail(`kinds[${i}]: ${kind} is not a span kind`);
    }
    const code = statusCodes[i];
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > MAX_STATUS) {
      fail(`statusCodes[${i}]: ${code} is not a status code`);
    }
    const messageIndex = statusMessages[i];
    const statusKey = code + (MAX_STATUS + 1) * (messageIndex as number);
    let status = statuses.get(statusKey);
    if (status === undefined) {
      status = { code: code as StatusCode, message: read.text(messageIndex, i) };
      statuses.set(statusKey, status);
    }
    const resource = resources[resourceOf[i] as number];
    const scope = scopes[scopeOf[i] as number];
    if (resource === undefined || scope === undefined) fail(`span ${i}: no such resource or scope`);
    const startTimeUnixNano = base + nanos(starts[i], i);
    const drops = dropped.get(i);
    spans[i] = {
      traceId,
      spanId,
      parentSpanId,
      traceState: read.text(traceStates[i], i),
      flags: count(flags[i], i),
      name: read.text(names[i], i),
      kind: kind as SpanKind,
      startTimeUnixNano,
      endTimeUnixNano: startTimeUnixNano + nanos(durations[i], i),
      attributes: read.attributes(attributes[i], i),
      droppedAttributesCount: drops === undefined ? 0 : count(drops[1], `dropped of span ${i}`),
      events: events.has(i) ? decodeEvents(events.get(i)![1], base, read, i) : NO_EVENTS,
      droppedEventsCount: drops === undefined ? 0 : count(drops[2], `dropped of span ${i}`),
      links: links.has(i) ? decodeLinks(links.get(i)![1], read, i) : NO_LINKS,
      droppedLinksCount: drops === undefined ? 0 : count(drops[3], `dropped of span ${i}`),
      status,
      resource,
      scope,
    };
  }
  return spans;
}

function decodeEvents(encoded: unknown, base: bigint, read: Reader, span: number): SpanEvent[] {
  const where = `an event of span ${span}`;
  if (!Array.isArray(encoded)) fail(`${where}: expected an array`);
  return encoded.map((entry: unknown) => {
    const [time, name, attributes, dropped] = tuple(entry, 4, where);
    return {
      timeUnixNano: base + nanos(time, where),
      name: read.text(name, where),
      attributes: read.attributes(attributes, where),
      droppedAttributesCount: count(dropped, where),
    };
  });
}

function decodeLinks(encoded: unknown, read: Reader, span: number): SpanLink[] {
  const where = `a link of span ${span}`;
  if (!Array.isArray(encoded)) fail(`${where}: expected an array`);
  return encoded.map((entry: unknown) => {
    const [traceId, spanId, traceState, attributes, dropped, flags] = tuple(entry, 6, where);
    return {
      traceId: read.text(traceId, where),
      spanId: read.text(spanId, where),
      traceState: read.text(traceState, where),
      attributes: read.attributes(attributes, where),
      droppedAttributesCount: count(dropped, where),
      flags: count(flags, where),
    };
  });
}

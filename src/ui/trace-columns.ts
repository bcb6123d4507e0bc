import type { AnyValue, Attribute } from '../model/attributes.ts';
import { base64ToBytes } from '../model/bytes.ts';
import type {
  InstrumentationScope,
  Resource,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  SpanStatus,
  StatusCode,
} from '../model/span.ts';

/**
 * The columns format of `GET /api/v1/traces/{id}/columns`, which the server writes with
 * `encodeTraceColumns` (src/api/trace-columns-routes.ts documents every column). The web UI may
 * not import server code, so the name and the value tags are repeated here; the round-trip test
 * beside this file checks that both sides agree.
 */
export const TRACE_COLUMNS_FORMAT = 'tracehound.trace-columns.v1';

/** How an attribute value is tagged in the columns. */
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
 * Reads the body of `GET /api/v1/traces/{id}/columns` back into spans, equal to those the server
 * encoded. The body comes over the network, so every field is checked; anything out of place
 * makes the whole body an error that names the field.
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

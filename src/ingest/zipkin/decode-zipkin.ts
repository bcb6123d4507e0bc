import {
  type Attribute,
  type InstrumentationScope,
  InvalidInputError,
  type Resource,
  type Span,
  type SpanEvent,
  SpanKind,
  type SpanStatus,
  StatusCode,
} from '../../model/index.ts';
import { type DecodedBatch, MAX_REPORTED_ERRORS } from '../decoded-batch.ts';
import { problemWithSpan } from '../validate-span.ts';

/**
 * Decodes a Zipkin v2 JSON span list (the body of `POST /api/v2/spans`, already `JSON.parse`d)
 * into model spans. See https://zipkin.io/zipkin-api/ (`zipkin2-api.yaml`, `ListOfSpans`).
 *
 * Mapping, besides the obvious fields:
 * - Ids shorter than their width are left-padded with zeros, as Zipkin itself does (a 64-bit
 *   trace id `463ac35c9f6413ad` is the 128-bit id `0000000000000000463ac35c9f6413ad`); upper-case
 *   hex is folded to lower case.
 * - `timestamp`, `duration` and annotation timestamps are microseconds, possibly fractional
 *   (OpenTelemetry's Zipkin exporter sends sub-microsecond parts); they become exact nanoseconds.
 *   A span without `timestamp` is rejected: it cannot be placed in time. No `duration` means 0.
 * - No `kind` means {@link SpanKind.internal}: the OpenTelemetry Zipkin exporter writes internal
 *   spans without a kind, so reading absence as internal makes the round trip exact (the
 *   collector's Zipkin receiver reads it the same way).
 * - `localEndpoint` becomes the resource: `service.name`, `host.ip` (a string array, ipv4 then
 *   ipv6, the resource convention's type) and `network.local.port` (no resource convention
 *   names a port; the span convention's name keeps it findable). Spans with equal local
 *   endpoints share one Resource object.
 * - `remoteEndpoint` becomes span attributes `peer.service`, `network.peer.address` (ipv4, or
 *   ipv6 without one; when both are set ipv6 is kept as `zipkin.remote_endpoint.ipv6`) and
 *   `network.peer.port`.
 * - Tags become string attributes (numbers and booleans some clients send are turned into their
 *   text), except these, which land in their model fields instead: `otel.status_code` and
 *   `otel.status_description` (status), `otel.scope.name`/`otel.library.name` and their
 *   `.version` (the scope, else scope `zipkin`), `w3c.tracestate`, and `otel.dropped_*_count`.
 *   An `error` tag makes the status ERROR with the tag value as message (unless
 *   `otel.status_code` says otherwise) and is kept as an attribute too.
 * - Annotations become events named by their value. `shared: true` and `debug: true` are kept as
 *   attributes `zipkin.shared` and `zipkin.debug`. A reported span was sampled, so every span
 *   gets the W3C sampled flag.
 *
 * A span with a field of the wrong type, a bad id or an impossible time is rejected on its own,
 * counted in `rejectedSpans` with an error naming its path (`[3].traceId`).
 *
 * @throws InvalidInputError when `body` is not an array.
 */
export function decodeZipkinSpans(body: unknown): DecodedBatch {
  if (!Array.isArray(body)) {
    throw new InvalidInputError(
      `expected a JSON array of Zipkin v2 spans, got ${describeType(body)}`,
    );
  }
  const context = new DecodeContext();
  const spans: Span[] = [];
  const errors = new Set<string>();
  let rejectedSpans = 0;
  for (const [index, item] of body.entries()) {
    const path = `[${index}]`;
    let problem: string | null;
    try {
      const span = decodeSpan(item, path, context);
      problem = problemWithSpan(span, path);
      if (problem === null) spans.push(span);
    } catch (error) {
      if (!(error instanceof SpanProblem)) throw error;
      problem = error.message;
    }
    if (problem !== null) {
      rejectedSpans++;
      if (errors.size < MAX_REPORTED_ERRORS) errors.add(problem);
    }
  }
  return { spans, rejectedSpans, errors: [...errors] };
}

/** Rejects one span; caught per span, never escapes the decoder. */
class SpanProblem extends Error {}

const KINDS: Readonly<Record<string, SpanKind>> = {
  CLIENT: SpanKind.client,
  SERVER: SpanKind.server,
  PRODUCER: SpanKind.producer,
  CONSUMER: SpanKind.consumer,
};

/** W3C `sampled`. */
const SAMPLED_FLAG = 0x01;

/** Tags that fill model fields rather than becoming attributes. */
const STATUS_CODE_TAG = 'otel.status_code';
const STATUS_CODES: ReadonlySet<string> = new Set(['OK', 'ERROR', 'UNSET']);
const STATUS_DESCRIPTION_TAG = 'otel.status_description';
const ERROR_TAG = 'error';
const SCOPE_NAME_TAGS = ['otel.scope.name', 'otel.library.name'] as const;
const SCOPE_VERSION_TAGS = ['otel.scope.version', 'otel.library.version'] as const;
const TRACE_STATE_TAG = 'w3c.tracestate';
const DROPPED_ATTRIBUTES_TAG = 'otel.dropped_attributes_count';
const DROPPED_EVENTS_TAG = 'otel.dropped_events_count';
const DROPPED_LINKS_TAG = 'otel.dropped_links_count';
const FIELD_TAGS: ReadonlySet<string> = new Set([
  STATUS_CODE_TAG,
  STATUS_DESCRIPTION_TAG,
  ...SCOPE_NAME_TAGS,
  ...SCOPE_VERSION_TAGS,
  TRACE_STATE_TAG,
  DROPPED_ATTRIBUTES_TAG,
  DROPPED_EVENTS_TAG,
  DROPPED_LINKS_TAG,
]);

const DEFAULT_SCOPE_NAME = 'zipkin';

/** Shares Resource and scope objects between the spans of one request. */
class DecodeContext {
  readonly #resources = new Map<string, Resource>();
  readonly #scopes = new Map<string, InstrumentationScope>();

  resource(endpoint: Endpoint | undefined): Resource {
    const key = JSON.stringify([
      endpoint?.serviceName,
      endpoint?.ipv4,
      endpoint?.ipv6,
      endpoint?.port,
    ]);
    let resource = this.#resources.get(key);
    if (resource === undefined) {
      const attributes: Attribute[] = [];
      if (endpoint?.serviceName) {
        attributes.push({ key: 'service.name', value: endpoint.serviceName });
      }
      const ips = [endpoint?.ipv4, endpoint?.ipv6].filter((ip): ip is string => !!ip);
      if (ips.length > 0) attributes.push({ key: 'host.ip', value: ips });
      if (endpoint?.port !== undefined) {
        attributes.push({ key: 'network.local.port', value: BigInt(endpoint.port) });
      }
      resource = { attributes, droppedAttributesCount: 0, schemaUrl: '' };
      this.#resources.set(key, resource);
    }
    return resource;
  }

  scope(name: string, version: string): InstrumentationScope {
    const key = JSON.stringify([name, version]);
    let scope = this.#scopes.get(key);
    if (scope === undefined) {
      scope = { name, version, attributes: [], droppedAttributesCount: 0, schemaUrl: '' };
      this.#scopes.set(key, scope);
    }
    return scope;
  }
}

interface Endpoint {
  readonly serviceName?: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly port?: number;
}

function decodeSpan(item: unknown, path: string, context: DecodeContext): Span {
  const span = asObject(item, path);
  const traceId = decodeId(span.traceId, `${path}.traceId`, 32);
  const spanId = decodeId(span.id, `${path}.id`, 16);
  const parentId = isAbsent(span.parentId) ? '' : decodeId(span.parentId, `${path}.parentId`, 16);
  const name = optionalString(span.name, `${path}.name`) ?? '';
  const kind = decodeKind(span.kind, `${path}.kind`);

  if (isAbsent(span.timestamp)) {
    throw new SpanProblem(
      `${path}.timestamp: must be set; a span without a start cannot be placed`,
    );
  }
  const startTimeUnixNano = microsToNanos(span.timestamp, `${path}.timestamp`);
  const durationNs = isAbsent(span.duration)
    ? 0n
    : microsToNanos(span.duration, `${path}.duration`);

  const localEndpoint = decodeEndpoint(span.localEndpoint, `${path}.localEndpoint`);
  const remoteEndpoint = decodeEndpoint(span.remoteEndpoint, `${path}.remoteEndpoint`);
  const tags = decodeTags(span.tags, `${path}.tags`);
  const events = decodeAnnotations(span.annotations, `${path}.annotations`);
  const shared = optionalBoolean(span.shared, `${path}.shared`);
  const debug = optionalBoolean(span.debug, `${path}.debug`);

  const attributes: Attribute[] = [];
  for (const [key, value] of tags) {
    if (!FIELD_TAGS.has(key)) attributes.push({ key, value });
    // A status code we cannot read is kept rather than silently dropped.
    else if (key === STATUS_CODE_TAG && !STATUS_CODES.has(value.toUpperCase())) {
      attributes.push({ key, value });
    }
  }
  if (remoteEndpoint !== undefined) attributes.push(...remoteEndpointAttributes(remoteEndpoint));
  if (shared === true) attributes.push({ key: 'zipkin.shared', value: true });
  if (debug === true) attributes.push({ key: 'zipkin.debug', value: true });

  const scopeName = firstTag(tags, SCOPE_NAME_TAGS) ?? DEFAULT_SCOPE_NAME;
  const scopeVersion = firstTag(tags, SCOPE_VERSION_TAGS) ?? '';

  return {
    traceId,
    spanId,
    parentSpanId: parentId,
    traceState: tags.get(TRACE_STATE_TAG) ?? '',
    flags: SAMPLED_FLAG,
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano: startTimeUnixNano + durationNs,
    attributes,
    droppedAttributesCount: countTag(tags, DROPPED_ATTRIBUTES_TAG),
    events,
    droppedEventsCount: countTag(tags, DROPPED_EVENTS_TAG),
    links: [],
    droppedLinksCount: countTag(tags, DROPPED_LINKS_TAG),
    status: statusOf(tags),
    resource: context.resource(localEndpoint),
    scope: context.scope(scopeName, scopeVersion),
  };
}

/**
 * `otel.status_code` (as the OpenTelemetry Zipkin exporter writes it) decides when present;
 * otherwise an `error` tag means ERROR, Zipkin's convention, with its value as the message.
 */
function statusOf(tags: ReadonlyMap<string, string>): SpanStatus {
  const code = tags.get(STATUS_CODE_TAG)?.toUpperCase();
  const description = tags.get(STATUS_DESCRIPTION_TAG);
  const errorTag = tags.get(ERROR_TAG);
  if (code === 'OK') return { code: StatusCode.ok, message: '' };
  if (code === 'ERROR' || (code !== 'UNSET' && errorTag !== undefined)) {
    return { code: StatusCode.error, message: description ?? errorTag ?? '' };
  }
  return { code: StatusCode.unset, message: '' };
}

function remoteEndpointAttributes(endpoint: Endpoint): Attribute[] {
  const attributes: Attribute[] = [];
  if (endpoint.serviceName) attributes.push({ key: 'peer.service', value: endpoint.serviceName });
  const address = endpoint.ipv4 || endpoint.ipv6;
  if (address) attributes.push({ key: 'network.peer.address', value: address });
  if (endpoint.ipv4 && endpoint.ipv6) {
    attributes.push({ key: 'zipkin.remote_endpoint.ipv6', value: endpoint.ipv6 });
  }
  if (endpoint.port !== undefined) {
    attributes.push({ key: 'network.peer.port', value: BigInt(endpoint.port) });
  }
  return attributes;
}

function decodeId(value: unknown, path: string, width: 16 | 32): string {
  if (typeof value !== 'string') {
    throw new SpanProblem(`${path}: must be a hex string, got ${describeType(value)}`);
  }
  if (!/^[0-9a-fA-F]+$/.test(value) || value.length > width) {
    throw new SpanProblem(`${path}: must be 1 to ${width} hex characters (got '${value}')`);
  }
  // Zipkin pads short ids; our model keeps every trace id at 128 bits.
  const id = value.toLowerCase().padStart(width, '0');
  if (/^0+$/.test(id)) throw new SpanProblem(`${path}: must not be all zero`);
  return id;
}

function decodeKind(value: unknown, path: string): SpanKind {
  if (isAbsent(value)) return SpanKind.internal;
  if (typeof value !== 'string') {
    throw new SpanProblem(`${path}: must be a string, got ${describeType(value)}`);
  }
  const kind = KINDS[value.toUpperCase()];
  if (kind === undefined) {
    throw new SpanProblem(`${path}: must be CLIENT, SERVER, PRODUCER or CONSUMER (got '${value}')`);
  }
  return kind;
}

function decodeEndpoint(value: unknown, path: string): Endpoint | undefined {
  if (isAbsent(value)) return undefined;
  const endpoint = asObject(value, path);
  const port = endpoint.port;
  if (
    !isAbsent(port) &&
    !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)
  ) {
    throw new SpanProblem(`${path}.port: must be an integer from 0 to 65535 (got ${String(port)})`);
  }
  const serviceName = optionalString(endpoint.serviceName, `${path}.serviceName`);
  const ipv4 = optionalString(endpoint.ipv4, `${path}.ipv4`);
  const ipv6 = optionalString(endpoint.ipv6, `${path}.ipv6`);
  return {
    ...(serviceName ? { serviceName } : {}),
    ...(ipv4 ? { ipv4 } : {}),
    ...(ipv6 ? { ipv6 } : {}),
    // Zipkin documents port 0 as "unknown".
    ...(typeof port === 'number' && port !== 0 ? { port } : {}),
  };
}

function decodeTags(value: unknown, path: string): Map<string, string> {
  const tags = new Map<string, string>();
  if (isAbsent(value)) return tags;
  for (const [key, tag] of Object.entries(asObject(value, path))) {
    if (typeof tag === 'string') tags.set(key, tag);
    // Zipkin's schema says strings, but some clients send numbers and booleans unquoted.
    else if (typeof tag === 'number' || typeof tag === 'boolean') tags.set(key, String(tag));
    else {
      throw new SpanProblem(
        `${path}[${JSON.stringify(key)}]: must be a string, got ${describeType(tag)}`,
      );
    }
  }
  return tags;
}

function decodeAnnotations(value: unknown, path: string): SpanEvent[] {
  if (isAbsent(value)) return [];
  if (!Array.isArray(value)) {
    throw new SpanProblem(`${path}: must be an array, got ${describeType(value)}`);
  }
  return value.map((item, i) => {
    const annotation = asObject(item, `${path}[${i}]`);
    const name = optionalString(annotation.value, `${path}[${i}].value`) ?? '';
    if (isAbsent(annotation.timestamp)) {
      throw new SpanProblem(`${path}[${i}].timestamp: must be set`);
    }
    return {
      timeUnixNano: microsToNanos(annotation.timestamp, `${path}[${i}].timestamp`),
      name,
      attributes: [],
      droppedAttributesCount: 0,
    };
  });
}

/**
 * Microseconds, possibly fractional, to nanoseconds. The fraction is read from the number's
 * shortest decimal form (what the sender wrote), not from its binary value: at today's epoch
 * a float64 resolves only about 0.25 µs, so binary arithmetic would invent digits.
 */
function microsToNanos(value: unknown, path: string): bigint {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SpanProblem(
      `${path}: must be a non-negative number of microseconds (got ${
        typeof value === 'number' ? value : describeType(value)
      })`,
    );
  }
  if (Number.isInteger(value)) return BigInt(value) * 1000n;
  const decimal = /^(\d+)\.(\d+)$/.exec(String(value));
  if (decimal === null) {
    // Exponent notation: tiny values, far from any real timestamp; binary arithmetic will do.
    return BigInt(Math.round(value * 1000));
  }
  const [, whole = '0', fraction = ''] = decimal;
  const nanos = Number(`${fraction.slice(0, 3).padEnd(3, '0')}.${fraction.slice(3) || '0'}`);
  return BigInt(whole) * 1000n + BigInt(Math.round(nanos));
}

/** A non-negative integer count from a tag; a count that is not one is ignored, not fatal. */
function countTag(tags: ReadonlyMap<string, string>, key: string): number {
  const text = tags.get(key);
  if (text === undefined || !/^\d{1,9}$/.test(text)) return 0;
  return Number(text);
}

function firstTag(tags: ReadonlyMap<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = tags.get(key);
    if (value !== undefined) return value;
  }
  return undefined;
}

function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SpanProblem(`${path}: must be an object, got ${describeType(value)}`);
  }
  return value as Record<string, unknown>;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') {
    throw new SpanProblem(`${path}: must be a string, got ${describeType(value)}`);
  }
  return value;
}

function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') {
    throw new SpanProblem(`${path}: must be a boolean, got ${describeType(value)}`);
  }
  return value;
}

/** Zipkin clients write `null` for absent optional fields as often as they leave them out. */
function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

import type { AnyValue, Attribute } from '../../model/attributes.ts';
import { base64ToBytes } from '../../model/bytes.ts';
import { InvalidInputError } from '../../model/errors.ts';
import type {
  InstrumentationScope,
  Resource,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  SpanStatus,
  StatusCode,
} from '../../model/span.ts';
import type { DecodedBatch } from '../decoded-batch.ts';
import { problemWithSpan } from '../validate-span.ts';
import { type BatchInProgress, newBatch, recordRejection } from './batch-in-progress.ts';
import { MAX_ANY_VALUE_DEPTH } from './limits.ts';

/**
 * A bad field inside one span: the span is rejected, the rest of the request goes on.
 * Never escapes this module.
 */
class SpanFieldError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

type JsonObject = Record<string, unknown>;
/** Reports a type error at a path: throws InvalidInputError or SpanFieldError. */
type Fail = (path: string, message: string) => never;

const failEnvelope: Fail = (path, message) => {
  throw new InvalidInputError(message, path);
};
const failSpan: Fail = (path, message) => {
  throw new SpanFieldError(path, message);
};

const SPAN_KIND_NAMES: Readonly<Record<string, SpanKind>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const STATUS_CODE_NAMES: Readonly<Record<string, StatusCode>> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const SIGNED_RE = /^-?\d+$/;
/** A JSON number literal; proto3 JSON lets doubles come as strings too. */
const DECIMAL_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest`, already parsed with JSON.parse, into
 * Tracehound spans, following the OTLP/JSON rules: lowerCamelCase field names (the original
 * snake_case names are accepted as well, as protobuf JSON parsers do), trace and span ids as
 * hex (any case), enums as integers or names (`SPAN_KIND_SERVER`), 64-bit integers as decimal
 * strings or numbers, bytes as base64, doubles as numbers or "NaN"/"Infinity"/"-Infinity".
 * Missing fields and `null` take their proto3 defaults; unknown fields are ignored.
 *
 * A span with a field of the wrong type, or one that breaks a rule of {@link problemWithSpan},
 * is rejected alone: counted in `rejectedSpans`, with a message naming the field's path
 * (`resourceSpans[0].scopeSpans[0].spans[2].name: must be a string`).
 *
 * @throws InvalidInputError naming the JSON path when the envelope is not an export request:
 *   the body, a ResourceSpans, ScopeSpans or Span not an object, `resourceSpans`, `scopeSpans`
 *   or `spans` not an array, or a bad field in a resource or scope (which every span of the
 *   group shares).
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
export function decodeOtlpTracesJson(body: unknown): DecodedBatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError(
      `an OTLP/JSON export request must be an object (got ${describe(body)})`,
    );
  }
  const request = body as JsonObject;
  const batch = newBatch();
  const resourceSpansList = arrayField(
    request,
    'resourceSpans',
    'resource_spans',
    '',
    failEnvelope,
  );
  for (let i = 0; i < resourceSpansList.length; i++) {
    decodeResourceSpans(resourceSpansList[i], batch, `resourceSpans[${i}]`);
  }
  return batch;
}

function decodeResourceSpans(value: unknown, batch: BatchInProgress, path: string): void {
  const resourceSpans = asObject(value, path, failEnvelope);
  const schemaUrl = stringField(resourceSpans, 'schemaUrl', 'schema_url', path, failEnvelope);
  const resource = decodeResource(
    field(resourceSpans, 'resource', 'resource'),
    schemaUrl,
    `${path}.resource`,
  );
  const scopeSpansList = arrayField(resourceSpans, 'scopeSpans', 'scope_spans', path, failEnvelope);
  for (let i = 0; i < scopeSpansList.length; i++) {
    decodeScopeSpans(scopeSpansList[i], batch, resource, `${path}.scopeSpans[${i}]`);
  }
}

function decodeResource(value: unknown, schemaUrl: string, path: string): Resource {
  if (value === undefined || value === null) {
    return { attributes: [], droppedAttributesCount: 0, schemaUrl };
  }
  const resource = asObject(value, path, failEnvelope);
  return {
    attributes: attributesField(resource, 'attributes', 'attributes', path, failEnvelope),
    droppedAttributesCount: uint32Field(
      resource,
      'droppedAttributesCount',
      'dropped_attributes_count',
      path,
      failEnvelope,
    ),
    schemaUrl,
  };
}

function decodeScopeSpans(
  value: unknown,
  batch: BatchInProgress,
  resource: Resource,
  path: string,
): void {
  const scopeSpans = asObject(value, path, failEnvelope);
  const schemaUrl = stringField(scopeSpans, 'schemaUrl', 'schema_url', path, failEnvelope);
  const scope = decodeScope(field(scopeSpans, 'scope', 'scope'), schemaUrl, `${path}.scope`);
  const spans = arrayField(scopeSpans, 'spans', 'spans', path, failEnvelope);
  for (let i = 0; i < spans.length; i++) {
    const spanPath = `${path}.spans[${i}]`;
    const object = asObject(spans[i], spanPath, failEnvelope);
    let span: Span;
    try {
      span = decodeSpan(object, resource, scope, spanPath);
    } catch (error) {
      if (!(error instanceof SpanFieldError)) throw error;
      recordRejection(batch, `${error.path}: ${error.message}`);
      continue;
    }
    const problem = problemWithSpan(span, spanPath);
    if (problem === null) batch.spans.push(span);
    else recordRejection(batch, problem);
  }
}

function decodeScope(value: unknown, schemaUrl: string, path: string): InstrumentationScope {
  if (value === undefined || value === null) {
    return { name: '', version: '', attributes: [], droppedAttributesCount: 0, schemaUrl };
  }
  const scope = asObject(value, path, failEnvelope);
  return {
    name: stringField(scope, 'name', 'name', path, failEnvelope),
    version: stringField(scope, 'version', 'version', path, failEnvelope),
    attributes: attributesField(scope, 'attributes', 'attributes', path, failEnvelope),
    droppedAttributesCount: uint32Field(
      scope,
      'droppedAttributesCount',
      'dropped_attributes_count',
      path,
      failEnvelope,
    ),
    schemaUrl,
  };
}

function decodeSpan(
  span: JsonObject,
  resource: Resource,
  scope: InstrumentationScope,
  path: string,
): Span {
  const fail = failSpan;
  let parentSpanId = idField(span, 'parentSpanId', 'parent_span_id', path);
  // Some bridges (OpenCensus, older Zipkin and Jaeger converters) mark a root span with an
  // all-zero parent instead of none. W3C Trace Context defines an all-zero id as invalid,
  // i.e. "no parent", so this is a root span and is kept as one.
  if (parentSpanId === '0000000000000000') parentSpanId = '';
  const statusValue = field(span, 'status', 'status');
  return {
    traceId: idField(span, 'traceId', 'trace_id', path),
    spanId: idField(span, 'spanId', 'span_id', path),
    parentSpanId,
    traceState: stringField(span, 'traceState', 'trace_state', path, fail),
    flags: uint32Field(span, 'flags', 'flags', path, fail),
    name: stringField(span, 'name', 'name', path, fail),
    kind: enumField(span, 'kind', 'kind', SPAN_KIND_NAMES, path) as SpanKind,
    startTimeUnixNano: uint64Field(span, 'startTimeUnixNano', 'start_time_unix_nano', path),
    endTimeUnixNano: uint64Field(span, 'endTimeUnixNano', 'end_time_unix_nano', path),
    attributes: attributesField(span, 'attributes', 'attributes', path, fail),
    droppedAttributesCount: uint32Field(
      span,
      'droppedAttributesCount',
      'dropped_attributes_count',
      path,
      fail,
    ),
    events: arrayField(span, 'events', 'events', path, fail).map((event, i) =>
      decodeEvent(event, `${path}.events[${i}]`),
    ),
    droppedEventsCount: uint32Field(span, 'droppedEventsCount', 'dropped_events_count', path, fail),
    links: arrayField(span, 'links', 'links', path, fail).map((link, i) =>
      decodeLink(link, `${path}.links[${i}]`),
    ),
    droppedLinksCount: uint32Field(span, 'droppedLinksCount', 'dropped_links_count', path, fail),
    status:
      statusValue === undefined || statusValue === null
        ? { code: 0, message: '' }
        : decodeStatus(statusValue, `${path}.status`),
    resource,
    scope,
  };
}

function decodeEvent(value: unknown, path: string): SpanEvent {
  const event = asObject(value, path, failSpan);
  return {
    timeUnixNano: uint64Field(event, 'timeUnixNano', 'time_unix_nano', path),
    name: stringField(event, 'name', 'name', path, failSpan),
    attributes: attributesField(event, 'attributes', 'attributes', path, failSpan),
    droppedAttributesCount: uint32Field(
      event,
      'droppedAttributesCount',
      'dropped_attributes_count',
      path,
      failSpan,
    ),
  };
}

function decodeLink(value: unknown, path: string): SpanLink {
  const link = asObject(value, path, failSpan);
  return {
    traceId: idField(link, 'traceId', 'trace_id', path),
    spanId: idField(link, 'spanId', 'span_id', path),
    traceState: stringField(link, 'traceState', 'trace_state', path, failSpan),
    attributes: attributesField(link, 'attributes', 'attributes', path, failSpan),
    droppedAttributesCount: uint32Field(
      link,
      'droppedAttributesCount',
      'dropped_attributes_count',
      path,
      failSpan,
    ),
    flags: uint32Field(link, 'flags', 'flags', path, failSpan),
  };
}

function decodeStatus(value: unknown, path: string): SpanStatus {
  const status = asObject(value, path, failSpan);
  return {
    code: enumField(status, 'code', 'code', STATUS_CODE_NAMES, path) as StatusCode,
    message: stringField(status, 'message', 'message', path, failSpan),
  };
}

function attributesField(
  object: JsonObject,
  camel: string,
  snake: string,
  path: string,
  fail: Fail,
): Attribute[] {
  const list = arrayField(object, camel, snake, path, fail);
  const attributes: Attribute[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    attributes[i] = decodeKeyValue(list[i], `${path}.${camel}[${i}]`, fail, 0);
  }
  return attributes;
}

function decodeKeyValue(value: unknown, path: string, fail: Fail, depth: number): Attribute {
  const keyValue = asObject(value, path, fail);
  return {
    key: stringField(keyValue, 'key', 'key', path, fail),
    value: decodeAnyValue(field(keyValue, 'value', 'value'), `${path}.value`, fail, depth),
  };
}

/** The AnyValue oneof: at most one member may be set; none set means an empty value. */
function decodeAnyValue(value: unknown, path: string, fail: Fail, depth: number): AnyValue {
  if (value === undefined || value === null) return null;
  if (depth >= MAX_ANY_VALUE_DEPTH) {
    fail(path, `attribute values nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  }
  const anyValue = asObject(value, path, fail);
  let result: AnyValue = null;
  let found = '';
  const member = (camel: string, snake: string): unknown => {
    const v = field(anyValue, camel, snake);
    if (v === undefined || v === null) return undefined;
    if (found !== '') fail(path, `sets both ${found} and ${camel}; AnyValue holds one value`);
    found = camel;
    return v;
  };

  const stringValue = member('stringValue', 'string_value');
  if (stringValue !== undefined) {
    if (typeof stringValue !== 'string') fail(`${path}.stringValue`, 'must be a string');
    result = stringValue;
  }
  const boolValue = member('boolValue', 'bool_value');
  if (boolValue !== undefined) {
    if (typeof boolValue !== 'boolean') fail(`${path}.boolValue`, 'must be true or false');
    result = boolValue;
  }
  const intValue = member('intValue', 'int_value');
  if (intValue !== undefined) {
    result = parseInteger(intValue, INT64_MIN, INT64_MAX, `${path}.intValue`, fail, 'an int64');
  }
  const doubleValue = member('doubleValue', 'double_value');
  if (doubleValue !== undefined) result = parseDouble(doubleValue, `${path}.doubleValue`, fail);
  const arrayValue = member('arrayValue', 'array_value');
  if (arrayValue !== undefined) {
    const arrayPath = `${path}.arrayValue`;
    const values = arrayField(
      asObject(arrayValue, arrayPath, fail),
      'values',
      'values',
      arrayPath,
      fail,
    );
    result = values.map((item, i) =>
      decodeAnyValue(item, `${arrayPath}.values[${i}]`, fail, depth + 1),
    );
  }
  const kvlistValue = member('kvlistValue', 'kvlist_value');
  if (kvlistValue !== undefined) {
    const listPath = `${path}.kvlistValue`;
    const values = arrayField(
      asObject(kvlistValue, listPath, fail),
      'values',
      'values',
      listPath,
      fail,
    );
    result = {
      kvlist: values.map((item, i) =>
        decodeKeyValue(item, `${listPath}.values[${i}]`, fail, depth + 1),
      ),
    };
  }
  const bytesValue = member('bytesValue', 'bytes_value');
  if (bytesValue !== undefined) {
    const bytes = typeof bytesValue === 'string' ? base64ToBytes(bytesValue) : null;
    if (bytes === null) fail(`${path}.bytesValue`, 'must be a base64 string');
    result = bytes;
  }
  return result;
}

/** Proto3 JSON: a field may be named in lowerCamelCase or as in the .proto file. */
function field(object: JsonObject, camel: string, snake: string): unknown {
  const value = object[camel];
  return value === undefined && snake !== camel ? object[snake] : value;
}

function asObject(value: unknown, path: string, fail: Fail): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(path, `must be an object (got ${describe(value)})`);
  }
  return value as JsonObject;
}

function arrayField(
  object: JsonObject,
  camel: string,
  snake: string,
  path: string,
  fail: Fail,
): readonly unknown[] {
  const value = field(object, camel, snake);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(join(path, camel), `must be an array (got ${describe(value)})`);
  return value;
}

function stringField(
  object: JsonObject,
  camel: string,
  snake: string,
  path: string,
  fail: Fail,
): string {
  const value = field(object, camel, snake);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string')
    fail(join(path, camel), `must be a string (got ${describe(value)})`);
  return value;
}

/** Trace and span ids are hex in OTLP/JSON, unlike other bytes fields (base64). */
function idField(object: JsonObject, camel: string, snake: string, path: string): string {
  const value = stringField(object, camel, snake, path, failSpan);
  if (!HEX_RE.test(value)) {
    failSpan(join(path, camel), `must be a hex string (got '${value.slice(0, 64)}')`);
  }
  return value.toLowerCase();
}

function uint32Field(
  object: JsonObject,
  camel: string,
  snake: string,
  path: string,
  fail: Fail,
): number {
  const value = field(object, camel, snake);
  if (value === undefined || value === null) return 0;
  return Number(parseInteger(value, 0n, 0xffffffffn, join(path, camel), fail, 'a uint32'));
}

function uint64Field(object: JsonObject, camel: string, snake: string, path: string): bigint {
  const value = field(object, camel, snake);
  if (value === undefined || value === null) return 0n;
  return parseInteger(value, 0n, UINT64_MAX, join(path, camel), failSpan, 'a uint64');
}

/** An enum as its integer or its name; unknown integers pass, for problemWithSpan to name. */
function enumField(
  object: JsonObject,
  camel: string,
  snake: string,
  names: Readonly<Record<string, number>>,
  path: string,
): number {
  const value = field(object, camel, snake);
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string' && Object.hasOwn(names, value)) return names[value]!;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return failSpan(
    join(path, camel),
    `must be one of ${Object.keys(names).join(', ')} or an integer (got ${describe(value)})`,
  );
}

/** Proto3 JSON 64-bit (and 32-bit) integers: a decimal string or a JSON number. */
function parseInteger(
  value: unknown,
  min: bigint,
  max: bigint,
  path: string,
  fail: Fail,
  type: string,
): bigint {
  let result: bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) result = BigInt(value);
  else if (typeof value === 'string' && SIGNED_RE.test(value)) result = BigInt(value);
  if (result === undefined || result < min || result > max) {
    const hint = min === 0n ? 'a non-negative integer' : 'an integer';
    return fail(
      path,
      `must be ${type}, ${hint} as a number or decimal string (got ${describe(value)})`,
    );
  }
  return result;
}

function parseDouble(value: unknown, path: string, fail: Fail): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN;
    if (value === 'Infinity') return Number.POSITIVE_INFINITY;
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
    if (DECIMAL_RE.test(value)) return Number(value);
  }
  return fail(path, `must be a number, "NaN", "Infinity" or "-Infinity" (got ${describe(value)})`);
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `'${value.length > 64 ? `${value.slice(0, 64)}...` : value}'`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

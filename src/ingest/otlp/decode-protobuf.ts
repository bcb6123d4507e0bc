import type { AnyValue, Attribute } from '../../model/attributes.ts';
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
import { newBatch, recordRejection } from './batch-in-progress.ts';
import { MAX_ANY_VALUE_DEPTH } from './limits.ts';
import { ProtobufReader } from './protobuf-reader.ts';

/*
 * Tags below are written as literals, `(fieldNumber << 3) | wireType`, with the field named in a
 * comment: wire types are 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
 * Each message also has a mask of the field numbers it knows, so that a known field arriving
 * with another wire type is reported as malformed instead of being skipped as unknown.
 */

const NO_ATTRIBUTES: readonly Attribute[] = Object.freeze([]);
const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);
const UNSET_STATUS: SpanStatus = Object.freeze({ code: 0, message: '' });

const fields = (...numbers: number[]): number => numbers.reduce((mask, n) => mask | (1 << n), 0);
const REQUEST_FIELDS = fields(1);
const RESOURCE_SPANS_FIELDS = fields(1, 2, 3);
const RESOURCE_FIELDS = fields(1, 2);
const SCOPE_SPANS_FIELDS = fields(1, 2, 3);
const SCOPE_FIELDS = fields(1, 2, 3, 4);
const SPAN_FIELDS = fields(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
const EVENT_FIELDS = fields(1, 2, 3, 4);
const LINK_FIELDS = fields(1, 2, 3, 4, 5, 6);
const STATUS_FIELDS = fields(2, 3);
const KEY_VALUE_FIELDS = fields(1, 2);
const ANY_VALUE_FIELDS = fields(1, 2, 3, 4, 5, 6, 7);
const LIST_FIELDS = fields(1);

/** Longest id worth printing in an error message; longer ones are wrong anyway. */
const MAX_ID_BYTES_SHOWN = 32;

const HEX_DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Scratch char codes for ids, one array per byte length (reused: decoding is synchronous). */
const HEX_CHAR_CODES: number[][] = Array.from({ length: MAX_ID_BYTES_SHOWN + 1 }, (_, n) =>
  new Array<number>(2 * n).fill(0),
);

/**
 * Decodes an OTLP/protobuf `ExportTraceServiceRequest`
 * (opentelemetry/proto/collector/trace/v1/trace_service.proto) into Tracehound spans.
 *
 * Spans that decode but break a rule of {@link problemWithSpan} (a wrong-length or all-zero id,
 * an end before the start, ...) are counted in `rejectedSpans` with a message naming their path
 * (`resourceSpans[0].scopeSpans[1].spans[3].traceId: ...`); the other spans are kept. Spans of
 * one ResourceSpans share one Resource object, and of one ScopeSpans one InstrumentationScope.
 * Unknown fields are skipped, as proto3 requires.
 *
 * @throws InvalidInputError when `body` is not a well-formed message: truncated, a length or
 *   varint running past its message, an invalid wire type, or a known field with the wrong one.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp-request
 */
export function decodeOtlpTracesProtobuf(body: Uint8Array): DecodedBatch {
  const batch = newBatch();
  walkOtlpTracesProtobuf(body, {
    scope: () => {},
    span: (r, resource, scope, path) => {
      const span = decodeSpan(r, resource, scope);
      const problem = problemWithSpan(span, path());
      if (problem === null) batch.spans.push(span);
      else recordRejection(batch, problem);
    },
  });
  return batch;
}

/** What a walk over an export request does at each ScopeSpans and each span. */
export interface SpanVisitor {
  /** A ScopeSpans begins: its spans follow. */
  scope(resource: Resource, scope: InstrumentationScope): void;
  /**
   * One span: `r` is at its length prefix and must be left just past the span (`decodeSpan`
   * does that). `path()` names it for error messages: `resourceSpans[0].scopeSpans[1].spans[3]`.
   */
  span(
    r: ProtobufReader,
    resource: Resource,
    scope: InstrumentationScope,
    path: () => string,
  ): void;
}

/**
 * Walks an OTLP/protobuf `ExportTraceServiceRequest`, decoding resources and scopes and handing
 * each span to `visitor` undecoded; for decoders that build something other than Span objects.
 * @throws InvalidInputError for a malformed envelope, as {@link decodeOtlpTracesProtobuf}.
 */
export function walkOtlpTracesProtobuf(body: Uint8Array, visitor: SpanVisitor): void {
  const r = new ProtobufReader(body);
  let resourceSpansIndex = 0;
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x0a) {
      // 1 resource_spans
      decodeResourceSpans(r, visitor, `resourceSpans[${resourceSpansIndex++}]`);
    } else {
      r.skipUnknown(tag, REQUEST_FIELDS, 'ExportTraceServiceRequest');
    }
  }
}

/**
 * ResourceSpans and ScopeSpans share a shape: field 1 is the resource or scope, field 2 the
 * repeated children, field 3 the schema URL. Fields may come in any order and the children need
 * field 1, so the first pass finds field 1 and the schema URL, stepping over the children (which
 * only costs reading their lengths), and `forEachChild` makes the second pass.
 */
function scanHeader(
  r: ProtobufReader,
  knownFields: number,
  messageName: string,
): { headerAt: number; schemaUrl: string } {
  let headerAt = -1;
  let schemaUrl = '';
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: // 1 resource / scope
        headerAt = r.pos;
        r.delimited();
        break;
      case 0x12: // 2 scope_spans / spans
        r.delimited();
        break;
      case 0x1a: // 3 schema_url
        schemaUrl = r.string();
        break;
      default:
        r.skipUnknown(tag, knownFields, messageName);
    }
  }
  return { headerAt, schemaUrl };
}

/** The second pass: calls `decodeChild` at each field 2 from `start` to the message's end. */
function forEachChild(
  r: ProtobufReader,
  start: number,
  decodeChild: (index: number) => void,
): void {
  r.pos = start;
  let index = 0;
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x12) decodeChild(index++);
    else r.skip(tag, 0); // checked in the first pass
  }
}

function decodeResourceSpans(r: ProtobufReader, visitor: SpanVisitor, path: string): void {
  const outer = r.enter();
  const start = r.pos;
  const { headerAt, schemaUrl } = scanHeader(r, RESOURCE_SPANS_FIELDS, 'ResourceSpans');
  let resource: Resource;
  if (headerAt < 0) {
    resource = { attributes: NO_ATTRIBUTES, droppedAttributesCount: 0, schemaUrl };
  } else {
    r.pos = headerAt;
    resource = decodeResource(r, schemaUrl);
  }
  forEachChild(r, start, (i) => decodeScopeSpans(r, visitor, resource, `${path}.scopeSpans[${i}]`));
  r.leave(outer);
}

function decodeResource(r: ProtobufReader, schemaUrl: string): Resource {
  const outer = r.enter();
  let attributes: Attribute[] | null = null;
  let droppedAttributesCount = 0;
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: // 1 attributes
        attributes ??= [];
        attributes.push(decodeKeyValue(r, 0));
        break;
      case 0x10: // 2 dropped_attributes_count
        droppedAttributesCount = r.uint32();
        break;
      default: // 3 entity_refs and anything newer
        r.skipUnknown(tag, RESOURCE_FIELDS, 'Resource');
    }
  }
  r.leave(outer);
  return { attributes: attributes ?? NO_ATTRIBUTES, droppedAttributesCount, schemaUrl };
}

function decodeScopeSpans(
  r: ProtobufReader,
  visitor: SpanVisitor,
  resource: Resource,
  path: string,
): void {
  const outer = r.enter();
  const start = r.pos;
  const { headerAt, schemaUrl } = scanHeader(r, SCOPE_SPANS_FIELDS, 'ScopeSpans');
  let scope: InstrumentationScope;
  if (headerAt < 0) {
    scope = {
      name: '',
      version: '',
      attributes: NO_ATTRIBUTES,
      droppedAttributesCount: 0,
      schemaUrl,
    };
  } else {
    r.pos = headerAt;
    scope = decodeScope(r, schemaUrl);
  }
  visitor.scope(resource, scope);
  forEachChild(r, start, (i) => visitor.span(r, resource, scope, () => `${path}.spans[${i}]`));
  r.leave(outer);
}

function decodeScope(r: ProtobufReader, schemaUrl: string): InstrumentationScope {
  const outer = r.enter();
  let name = '';
  let version = '';
  let attributes: Attribute[] | null = null;
  let droppedAttributesCount = 0;
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: // 1 name
        name = r.string();
        break;
      case 0x12: // 2 version
        version = r.string();
        break;
      case 0x1a: // 3 attributes
        attributes ??= [];
        attributes.push(decodeKeyValue(r, 0));
        break;
      case 0x20: // 4 dropped_attributes_count
        droppedAttributesCount = r.uint32();
        break;
      default:
        r.skipUnknown(tag, SCOPE_FIELDS, 'InstrumentationScope');
    }
  }
  r.leave(outer);
  return {
    name,
    version,
    attributes: attributes ?? NO_ATTRIBUTES,
    droppedAttributesCount,
    schemaUrl,
  };
}

/** One span, from its length prefix; not validated (see problemWithSpan). */
export function decodeSpan(
  r: ProtobufReader,
  resource: Resource,
  scope: InstrumentationScope,
): Span {
  const outer = r.enter();
  let traceId = '';
  let spanId = '';
  let traceState = '';
  let parentSpanId = '';
  let flags = 0;
  let name = '';
  let kind = 0;
  let startTimeUnixNano = 0n;
  let endTimeUnixNano = 0n;
  let attributes: Attribute[] | null = null;
  let droppedAttributesCount = 0;
  let events: SpanEvent[] | null = null;
  let droppedEventsCount = 0;
  let links: SpanLink[] | null = null;
  let droppedLinksCount = 0;
  let status = UNSET_STATUS;
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: // 1 trace_id
        traceId = readId(r);
        break;
      case 0x12: // 2 span_id
        spanId = readId(r);
        break;
      case 0x1a: // 3 trace_state
        traceState = r.string();
        break;
      case 0x22: // 4 parent_span_id
        parentSpanId = readId(r);
        // Some bridges (OpenCensus, older Zipkin and Jaeger converters) mark a root span with
        // an all-zero parent instead of none. W3C Trace Context defines an all-zero id as
        // invalid, i.e. "no parent", so this is a root span and is kept as one.
        if (parentSpanId === '0000000000000000') parentSpanId = '';
        break;
      case 0x2a: // 5 name
        name = r.string();
        break;
      case 0x30: // 6 kind
        kind = r.uint32() | 0;
        break;
      case 0x39: // 7 start_time_unix_nano
        startTimeUnixNano = r.fixed64();
        break;
      case 0x41: // 8 end_time_unix_nano
        endTimeUnixNano = r.fixed64();
        break;
      case 0x4a: // 9 attributes
        attributes ??= [];
        attributes.push(decodeKeyValue(r, 0));
        break;
      case 0x50: // 10 dropped_attributes_count
        droppedAttributesCount = r.uint32();
        break;
      case 0x5a: // 11 events
        events ??= [];
        events.push(decodeEvent(r));
        break;
      case 0x60: // 12 dropped_events_count
        droppedEventsCount = r.uint32();
        break;
      case 0x6a: // 13 links
        links ??= [];
        links.push(decodeLink(r));
        break;
      case 0x70: // 14 dropped_links_count
        droppedLinksCount = r.uint32();
        break;
      case 0x7a: // 15 status
        status = decodeStatus(r);
        break;
      case 0x85: // 16 flags
        flags = r.fixed32();
        break;
      default:
        r.skipUnknown(tag, SPAN_FIELDS, 'Span');
    }
  }
  r.leave(outer);
  return {
    traceId,
    spanId,
    parentSpanId,
    traceState,
    flags,
    name,
    // Out-of-range kinds are kept here so that problemWithSpan can name them.
    kind: kind as SpanKind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes: attributes ?? NO_ATTRIBUTES,
    droppedAttributesCount,
    events: events ?? NO_EVENTS,
    droppedEventsCount,
    links: links ?? NO_LINKS,
    droppedLinksCount,
    status,
    resource,
    scope,
  };
}

function decodeEvent(r: ProtobufReader): SpanEvent {
  const outer = r.enter();
  let timeUnixNano = 0n;
  let name = '';
  let attributes: Attribute[] | null = null;
  let droppedAttributesCount = 0;
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x09: // 1 time_unix_nano
        timeUnixNano = r.fixed64();
        break;
      case 0x12: // 2 name
        name = r.string();
        break;
      case 0x1a: // 3 attributes
        attributes ??= [];
        attributes.push(decodeKeyValue(r, 0));
        break;
      case 0x20: // 4 dropped_attributes_count
        droppedAttributesCount = r.uint32();
        break;
      default:
        r.skipUnknown(tag, EVENT_FIELDS, 'Span.Event');
    }
  }
  r.leave(outer);
  return { timeUnixNano, name, attributes: attributes ?? NO_ATTRIBUTES, droppedAttributesCount };
}

function decodeLink(r: ProtobufReader): SpanLink {
  const outer = r.enter();
  let traceId = '';
  let spanId = '';
  let traceState = '';
  let attributes: Attribute[] | null = null;
  let droppedAttributesCount = 0;
  let flags = 0;
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: // 1 trace_id
        traceId = readId(r);
        break;
      case 0x12: // 2 span_id
        spanId = readId(r);
        break;
      case 0x1a: // 3 trace_state
        traceState = r.string();
        break;
      case 0x22: // 4 attributes
        attributes ??= [];
        attributes.push(decodeKeyValue(r, 0));
        break;
      case 0x28: // 5 dropped_attributes_count
        droppedAttributesCount = r.uint32();
        break;
      case 0x35: // 6 flags
        flags = r.fixed32();
        break;
      default:
        r.skipUnknown(tag, LINK_FIELDS, 'Span.Link');
    }
  }
  r.leave(outer);
  return {
    traceId,
    spanId,
    traceState,
    attributes: attributes ?? NO_ATTRIBUTES,
    droppedAttributesCount,
    flags,
  };
}

function decodeStatus(r: ProtobufReader): SpanStatus {
  const outer = r.enter();
  let message = '';
  let code = 0;
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x12: // 2 message
        message = r.string();
        break;
      case 0x18: // 3 code
        code = r.uint32() | 0;
        break;
      default: // 1 was deprecated_code, now reserved
        r.skipUnknown(tag, STATUS_FIELDS, 'Status');
    }
  }
  r.leave(outer);
  if (code === 0 && message === '') return UNSET_STATUS;
  // Out-of-range codes are kept here so that problemWithSpan can name them.
  return { code: code as StatusCode, message };
}

function decodeKeyValue(r: ProtobufReader, depth: number): Attribute {
  const outer = r.enter();
  let key = '';
  let value: AnyValue = null;
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: // 1 key
        key = r.string();
        break;
      case 0x12: // 2 value
        value = decodeAnyValue(r, depth);
        break;
      default:
        r.skipUnknown(tag, KEY_VALUE_FIELDS, 'KeyValue');
    }
  }
  r.leave(outer);
  return { key, value };
}

function decodeAnyValue(r: ProtobufReader, depth: number): AnyValue {
  if (depth >= MAX_ANY_VALUE_DEPTH) {
    r.fail(`attribute values nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  }
  const outer = r.enter();
  // An AnyValue with nothing set is legal and means "empty"; for a oneof the last one wins.
  let value: AnyValue = null;
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: // 1 string_value
        value = r.string();
        break;
      case 0x10: // 2 bool_value
        value = r.bool();
        break;
      case 0x18: // 3 int_value
        value = r.int64();
        break;
      case 0x21: // 4 double_value
        value = r.double();
        break;
      case 0x2a: // 5 array_value
        value = decodeList(r, depth + 1, decodeAnyValue, 'ArrayValue');
        break;
      case 0x32: // 6 kvlist_value
        value = { kvlist: decodeList(r, depth + 1, decodeKeyValue, 'KeyValueList') };
        break;
      case 0x3a: // 7 bytes_value
        value = r.bytes();
        break;
      default:
        r.skipUnknown(tag, ANY_VALUE_FIELDS, 'AnyValue');
    }
  }
  r.leave(outer);
  return value;
}

/** ArrayValue and KeyValueList: one repeated message in field 1. */
function decodeList<T>(
  r: ProtobufReader,
  depth: number,
  decodeItem: (r: ProtobufReader, depth: number) => T,
  message: string,
): T[] {
  const outer = r.enter();
  const items: T[] = [];
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x0a) items.push(decodeItem(r, depth));
    else r.skipUnknown(tag, LIST_FIELDS, message);
  }
  r.leave(outer);
  return items;
}

/**
 * A bytes id as lowercase hex, whatever its length: problemWithSpan checks the length and
 * names the bad id in its message (shortened, since an id longer than this is wrong anyway).
 */
function readId(r: ProtobufReader): string {
  const start = r.delimited();
  const length = r.pos - start;
  const shown = Math.min(length, MAX_ID_BYTES_SHOWN);
  const codes = HEX_CHAR_CODES[shown]!;
  const buf = r.buf;
  for (let i = 0; i < shown; i++) {
    const b = buf[start + i]!;
    codes[2 * i] = HEX_DIGITS[b >>> 4]!;
    codes[2 * i + 1] = HEX_DIGITS[b & 15]!;
  }
  // One fromCharCode call makes a flat string, which the id checks' regular expressions
  // read faster than the rope that concatenating pairs of digits would build.
  const hex = String.fromCharCode(...codes);
  return shown < length ? `${hex}...` : hex;
}

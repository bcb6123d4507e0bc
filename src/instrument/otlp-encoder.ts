import type { Attributes, AttributeValue, HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

/*
 * Field tags are written as literals, `(fieldNumber << 3) | wireType`, with the field named in a
 * comment: wire types are 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
 * See opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto.
 */

type Scope = ReadableSpan['instrumentationScope'];

/** Span.flags bits saying whether the parent was remote (trace.proto, SpanFlags). */
const SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE = 0x100;
const SPAN_FLAGS_CONTEXT_IS_REMOTE = 0x200;
const NANOS_PER_SECOND = 1_000_000_000;
const INT64_MIN = -(2 ** 63);
const INT64_MAX_EXCLUSIVE = 2 ** 63;
/** Below this many UTF-16 units, a string is first tried as ASCII, copied in a loop. */
const SHORT_STRING = 64;
/** Attribute keys whose encoding is remembered; beyond this, keys are encoded each time. */
const KEY_CACHE_LIMIT = 2048;

/**
 * Encodes spans as an OTLP/protobuf `ExportTraceServiceRequest`, byte for byte what the
 * OpenTelemetry exporter (`ProtobufTraceSerializer` of `@opentelemetry/otlp-transformer`) sends for
 * the same spans: grouped by resource and instrumentation scope in order of first appearance,
 * the same fields in the same order, the same rules for numbers (an integer within int64 is
 * `int_value`, any other number `double_value`) and for values it cannot encode (an empty
 * AnyValue).
 *
 * It is cheaper per span: resources and scopes are encoded once and remembered, attribute keys
 * too, strings and ids are written by Buffer's native encoders, and there is one pass instead of
 * a size estimate followed by the write. Meant to be long-lived, one per exporter.
 *
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 */
export class OtlpTraceEncoder {
  readonly #resources = new WeakMap<Resource, Buffer>();
  readonly #scopes = new WeakMap<Scope, Buffer>();
  readonly #keys = new Map<string, Buffer>();
  #w = new Writer(64 * 1024);
  /** Size of the last request, the first guess for the next one. */
  #lastSize = 64 * 1024;

  encode(spans: readonly ReadableSpan[]): Uint8Array {
    const groups = new Map<Resource, Map<Scope, ReadableSpan[]>>();
    for (const span of spans) {
      let scopes = groups.get(span.resource);
      if (scopes === undefined) {
        scopes = new Map();
        groups.set(span.resource, scopes);
      }
      const ofScope = scopes.get(span.instrumentationScope);
      if (ofScope === undefined) scopes.set(span.instrumentationScope, [span]);
      else ofScope.push(span);
    }
    // The request is handed to the transport, which may keep it for a retry: a new buffer each
    // time, with room to spare over the last one, as growing means copying.
    const w = new Writer(this.#lastSize + (this.#lastSize >> 2) + 4096);
    this.#w = w;
    for (const [resource, scopes] of groups) {
      w.byte(0x0a); // ExportTraceServiceRequest.resource_spans = 1
      const resourceSpans = w.begin();
      w.raw(this.#resource(resource));
      for (const [scope, ofScope] of scopes) {
        w.byte(0x12); // ResourceSpans.scope_spans = 2
        const scopeSpans = w.begin();
        w.raw(this.#scope(scope));
        for (const span of ofScope) {
          w.byte(0x12); // ScopeSpans.spans = 2
          const at = w.begin();
          this.#span(span);
          w.end(at);
        }
        if (scope.schemaUrl) {
          w.byte(0x1a); // ScopeSpans.schema_url = 3
          w.string(scope.schemaUrl);
        }
        w.end(scopeSpans);
      }
      if (resource.schemaUrl) {
        w.byte(0x1a); // ResourceSpans.schema_url = 3
        w.string(resource.schemaUrl);
      }
      w.end(resourceSpans);
    }
    this.#lastSize = Math.max(1024, w.pos);
    return w.finish();
  }

  /** `ResourceSpans.resource = 1`, tag included; remembered once its attributes are final. */
  #resource(resource: Resource): Buffer {
    const known = this.#resources.get(resource);
    if (known !== undefined) return known;
    const encoded = this.#separately(() => {
      const w = this.#w;
      w.byte(0x0a); // ResourceSpans.resource = 1
      const at = w.begin();
      this.#attributes(resource.attributes, 0x0a); // Resource.attributes = 1
      w.byte(0x10); // Resource.dropped_attributes_count = 2
      w.byte(0);
      w.end(at);
    });
    // Attributes that detectors still compute would change it.
    if (!resource.asyncAttributesPending) this.#resources.set(resource, encoded);
    return encoded;
  }

  /** `ScopeSpans.scope = 1`, tag included. */
  #scope(scope: Scope): Buffer {
    const known = this.#scopes.get(scope);
    if (known !== undefined) return known;
    const encoded = this.#separately(() => {
      const w = this.#w;
      w.byte(0x0a); // ScopeSpans.scope = 1
      const at = w.begin();
      w.byte(0x0a); // InstrumentationScope.name = 1
      w.string(scope.name);
      if (scope.version) {
        w.byte(0x12); // InstrumentationScope.version = 2
        w.string(scope.version);
      }
      const { attributes, droppedAttributesCount } = scope as Scope & {
        attributes?: Attributes;
        droppedAttributesCount?: number;
      };
      if (attributes) this.#attributes(attributes, 0x1a); // InstrumentationScope.attributes = 3
      if (droppedAttributesCount) {
        w.byte(0x20); // InstrumentationScope.dropped_attributes_count = 4
        w.varint(droppedAttributesCount);
      }
      w.end(at);
    });
    this.#scopes.set(scope, encoded);
    return encoded;
  }

  /** Runs `write` against a scratch writer and returns a copy of what it wrote. */
  #separately(write: () => void): Buffer {
    const outer = this.#w;
    this.#w = new Writer(256);
    try {
      write();
      return Buffer.from(this.#w.finish());
    } finally {
      this.#w = outer;
    }
  }

  #span(span: ReadableSpan): void {
    const w = this.#w;
    const context = span.spanContext();
    w.byte(0x0a); // Span.trace_id = 1
    w.id(context.traceId);
    w.byte(0x12); // Span.span_id = 2
    w.id(context.spanId);
    const traceState = context.traceState?.serialize();
    if (traceState) {
      w.byte(0x1a); // Span.trace_state = 3
      w.string(traceState);
    }
    const parent = span.parentSpanContext;
    if (parent?.spanId) {
      w.byte(0x22); // Span.parent_span_id = 4
      w.id(parent.spanId);
    }
    w.byte(0x2a); // Span.name = 5
    w.string(span.name);
    // The API's kinds start at INTERNAL = 0; OTLP keeps 0 for unspecified.
    const kind = span.kind == null ? 0 : span.kind + 1;
    if (kind !== 0) {
      w.byte(0x30); // Span.kind = 6
      w.varint(kind);
    }
    w.byte(0x39); // Span.start_time_unix_nano = 7
    w.hrTime(span.startTime);
    w.byte(0x41); // Span.end_time_unix_nano = 8
    w.hrTime(span.endTime);
    if (span.attributes) this.#attributes(span.attributes, 0x4a); // Span.attributes = 9
    w.byte(0x50); // Span.dropped_attributes_count = 10
    w.varint(span.droppedAttributesCount);
    for (const event of span.events) {
      w.byte(0x5a); // Span.events = 11
      this.#event(event);
    }
    w.byte(0x60); // Span.dropped_events_count = 12
    w.varint(span.droppedEventsCount);
    for (const link of span.links) {
      w.byte(0x6a); // Span.links = 13
      this.#link(link);
    }
    w.byte(0x70); // Span.dropped_links_count = 14
    w.varint(span.droppedLinksCount);
    w.byte(0x7a); // Span.status = 15
    const status = w.begin();
    if (span.status.message) {
      w.byte(0x12); // Status.message = 2
      w.string(span.status.message);
    }
    w.byte(0x18); // Status.code = 3
    w.varint(span.status.code);
    w.end(status);
    w.bytes2(0x85, 0x01); // Span.flags = 16 (fixed32)
    w.fixed32(spanFlags(context, parent?.isRemote));
  }

  #event(event: TimedEvent): void {
    const w = this.#w;
    const at = w.begin();
    w.byte(0x09); // Event.time_unix_nano = 1
    w.hrTime(event.time);
    w.byte(0x12); // Event.name = 2
    w.string(event.name);
    if (event.attributes) this.#attributes(event.attributes, 0x1a); // Event.attributes = 3
    w.byte(0x20); // Event.dropped_attributes_count = 4
    w.varint(event.droppedAttributesCount || 0);
    w.end(at);
  }

  #link(link: Link): void {
    const w = this.#w;
    const at = w.begin();
    const context = link.context;
    w.byte(0x0a); // Link.trace_id = 1
    w.id(context.traceId);
    w.byte(0x12); // Link.span_id = 2
    w.id(context.spanId);
    const traceState = context.traceState?.serialize();
    if (traceState) {
      w.byte(0x1a); // Link.trace_state = 3
      w.string(traceState);
    }
    if (link.attributes) this.#attributes(link.attributes, 0x22); // Link.attributes = 4
    w.byte(0x28); // Link.dropped_attributes_count = 5
    w.varint(link.droppedAttributesCount || 0);
    w.byte(0x35); // Link.flags = 6 (fixed32)
    w.fixed32(spanFlags(context, context.isRemote));
    w.end(at);
  }

  /** Repeated KeyValue under `tag`, in the attributes' own key order. */
  #attributes(attributes: Attributes, tag: number): void {
    const w = this.#w;
    // Own enumerable keys, in the order of the exporter's for-in filtered by hasOwnProperty.
    const keys = Object.keys(attributes);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      w.byte(tag);
      const at = w.begin();
      w.raw(this.#key(key));
      w.byte(0x12); // KeyValue.value = 2
      const value = w.begin();
      this.#anyValue(attributes[key]);
      w.end(value);
      w.end(at);
    }
  }

  /** `KeyValue.key = 1`, tag included. */
  #key(key: string): Buffer {
    let encoded = this.#keys.get(key);
    if (encoded === undefined) {
      encoded = this.#separately(() => {
        this.#w.byte(0x0a); // KeyValue.key = 1
        this.#w.string(key);
      });
      if (this.#keys.size < KEY_CACHE_LIMIT) this.#keys.set(key, encoded);
    }
    return encoded;
  }

  #anyValue(value: AttributeValue | unknown): void {
    const w = this.#w;
    switch (typeof value) {
      case 'string':
        w.byte(0x0a); // AnyValue.string_value = 1
        w.string(value);
        return;
      case 'boolean':
        w.byte(0x10); // AnyValue.bool_value = 2
        w.byte(value ? 1 : 0);
        return;
      case 'number':
        if (Number.isInteger(value) && value >= INT64_MIN && value < INT64_MAX_EXCLUSIVE) {
          w.byte(0x18); // AnyValue.int_value = 3
          w.int64(value);
        } else {
          w.byte(0x21); // AnyValue.double_value = 4
          w.double(value);
        }
        return;
      case 'object':
        break;
      default:
        // Not an attribute value: left empty, as the OpenTelemetry exporter does.
        return;
    }
    if (value instanceof Uint8Array) {
      w.byte(0x3a); // AnyValue.bytes_value = 7
      w.varint(value.length);
      w.raw(value);
    } else if (Array.isArray(value)) {
      w.byte(0x2a); // AnyValue.array_value = 5
      const array = w.begin();
      for (const item of value) {
        w.byte(0x0a); // ArrayValue.values = 1
        const at = w.begin();
        this.#anyValue(item);
        w.end(at);
      }
      w.end(array);
    } else if (value !== null) {
      w.byte(0x32); // AnyValue.kvlist_value = 6
      const list = w.begin();
      const entries = value as Record<string, unknown>;
      for (const key in entries) {
        if (!Object.hasOwn(entries, key)) continue;
        w.byte(0x0a); // KeyValueList.values = 1
        const at = w.begin();
        w.byte(0x0a); // KeyValue.key = 1
        w.string(key);
        w.byte(0x12); // KeyValue.value = 2
        const inner = w.begin();
        this.#anyValue(entries[key]);
        w.end(inner);
        w.end(at);
      }
      w.end(list);
    }
  }
}

function spanFlags(context: SpanContext, isRemote: boolean | undefined): number {
  const flags = (context.traceFlags & 0xff) | SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE;
  return isRemote ? flags | SPAN_FLAGS_CONTEXT_IS_REMOTE : flags;
}

/** Value of a hex digit, as the OpenTelemetry exporter reads one (anything else is garbage in). */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}
const HEX_VALUES = Int32Array.from({ length: 128 }, (_, code) => hexValue(code));
const hexAt = (hex: string, i: number): number => {
  const code = hex.charCodeAt(i);
  return code < 128 ? HEX_VALUES[code]! : hexValue(code);
};

/**
 * An append-only protobuf writer over a Buffer that grows by doubling. A length-delimited field
 * is written by {@link begin}, which reserves one byte for the length, and {@link end}, which
 * writes it and moves the body along in the rare case the length needs more than one byte.
 */
class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  bytes2(first: number, second: number): void {
    this.ensure(2);
    this.buf[this.pos++] = first;
    this.buf[this.pos++] = second;
  }

  raw(bytes: Uint8Array): void {
    const length = bytes.length;
    this.ensure(length);
    if (length > 32) {
      this.buf.set(bytes, this.pos);
      this.pos += length;
      return;
    }
    // Keys and scopes are short: a loop beats the fixed cost of set().
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < length; i++) buf[p++] = bytes[i]!;
    this.pos = p;
  }

  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  end(at: number): void {
    const length = this.pos - at - 1;
    if (length < 0x80) {
      this.buf[at] = length;
      return;
    }
    const size = varintSize(length);
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let p = at;
    while (v >= 0x80) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  /** A non-negative integer below 2^32. */
  varint(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  /** An integer within int64, two's complement when negative (10 bytes). */
  int64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) {
      this.varint(value);
      return;
    }
    this.ensure(10);
    const magnitude = Math.abs(value);
    let lo = magnitude >>> 0;
    let hi = Math.floor(magnitude / 0x100000000) >>> 0;
    if (value < 0) {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
    }
    while (hi > 0 || lo > 0x7f) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /**
   * `[seconds, nanoseconds]` as fixed64 nanoseconds. The seconds are split at 16 bits so that
   * every product stays below 2^53, exact where `seconds * 1e9` would not be.
   */
  hrTime([seconds, nanos]: HrTime): void {
    const low16 = (seconds & 0xffff) * NANOS_PER_SECOND;
    const high = ((seconds / 0x10000) >>> 0) * NANOS_PER_SECOND;
    const lo = (low16 >>> 0) + (((high & 0xffff) * 0x10000) >>> 0) + nanos;
    const hi =
      Math.floor(low16 / 0x100000000) + ((high / 0x10000) >>> 0) + Math.floor(lo / 0x100000000);
    this.ensure(8);
    this.buf.writeUInt32LE(lo >>> 0, this.pos);
    this.buf.writeUInt32LE(hi >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string (lone surrogates become U+FFFD, as with TextEncoder). */
  string(value: string): void {
    const length = value.length;
    // At most 3 bytes per UTF-16 unit, plus the longest length prefix.
    this.ensure(5 + 3 * length);
    const buf = this.buf;
    const at = this.pos++;
    if (length < SHORT_STRING) {
      // Short ASCII strings, most of them, are quicker copied here than by a native call.
      let p = this.pos;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code > 0x7f) break;
        buf[p++] = code;
      }
      if (i === length) {
        this.pos = p;
        this.end(at);
        return;
      }
    }
    this.pos += buf.write(value, this.pos, 'utf8');
    this.end(at);
  }

  /** A hex id as bytes, converted as the OpenTelemetry exporter does (garbage in, garbage out). */
  id(hex: string): void {
    const length = hex.length >> 1;
    this.varint(length);
    this.ensure(length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < hex.length - 1; i += 2) {
      buf[p++] = (hexAt(hex, i) << 4) | hexAt(hex, i + 1);
    }
    this.pos += length;
  }
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value >>> 7; v !== 0; v >>>= 7) size++;
  return size;
}

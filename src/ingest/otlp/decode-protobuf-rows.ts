import { InvalidInputError } from '../../model/errors.ts';
import { SpanKind, StatusCode } from '../../model/span.ts';
import type { DecodedBatch } from '../decoded-batch.ts';
import {
  type RawAttribute,
  type RawSpan,
  RawValueType,
  type SpanRowSink,
} from '../span-row-sink.ts';
import { problemWithSpan } from '../validate-span.ts';
import { newBatch, recordRejection } from './batch-in-progress.ts';
import { decodeSpan, walkOtlpTracesProtobuf } from './decode-protobuf.ts';
import { decodeUtf8, type ProtobufReader } from './protobuf-reader.ts';

/** What a decode into a sink did: spans delivered, and the rejected ones as in DecodedBatch. */
export interface RowsOutcome extends Pick<DecodedBatch, 'rejectedSpans' | 'errors'> {
  readonly acceptedSpans: number;
}

const MAX_KIND = Math.max(...Object.values(SpanKind));
const MAX_STATUS = Math.max(...Object.values(StatusCode));

/**
 * Decodes an OTLP/protobuf `ExportTraceServiceRequest` into `sink`, with the same outcome as
 * {@link decodeOtlpTracesProtobuf} followed by storing its spans: the same spans accepted (each
 * with the same fields), the same rejected and the same errors thrown for a malformed envelope.
 *
 * Plain spans (see {@link RawSpan}) are read straight from the bytes into `sink.row` without
 * building objects; that is what makes this path fast. Any other span (with events, links, a
 * trace state, a rejected field, an unknown field, ...) is read again from its start by the
 * general decoder and validated by problemWithSpan, so that anything unusual behaves exactly as
 * on the general path.
 *
 * @throws InvalidInputError when `body` is not a well-formed message.
 */
export function decodeOtlpTracesProtobufInto(body: Uint8Array, sink: SpanRowSink): RowsOutcome {
  const batch = newBatch();
  const raw = newRawSpan(body);
  let acceptedSpans = 0;
  walkOtlpTracesProtobuf(body, {
    scope: (resource, scope) => sink.scope(resource, scope),
    span: (r, resource, scope, path) => {
      const at = r.pos;
      const limit = r.limit;
      if (readPlainSpan(r, raw) && sink.row(raw)) {
        acceptedSpans++;
        return;
      }
      r.pos = at;
      r.limit = limit;
      const span = decodeSpan(r, resource, scope);
      const problem = problemWithSpan(span, path());
      if (problem === null) {
        sink.span(span);
        acceptedSpans++;
      } else {
        recordRejection(batch, problem);
      }
    },
  });
  return { acceptedSpans, rejectedSpans: batch.rejectedSpans, errors: batch.errors };
}

function newRawSpan(buf: Uint8Array): RawSpan {
  return {
    buf,
    traceIdAt: -1,
    spanIdAt: -1,
    parentSpanIdAt: -1,
    startAt: -1,
    endAt: -1,
    name: '',
    kind: 0,
    statusCode: 0,
    flags: 0,
    attributeCount: 0,
    attributes: [],
  };
}

/**
 * Reads a span into `raw` when it is plain and valid; false (leaving the reader anywhere) when it
 * is not, or is malformed: the general decoder then reads it again and reports it properly.
 */
function readPlainSpan(r: ProtobufReader, raw: RawSpan): boolean {
  try {
    return readSpanFields(r, raw) && isValid(raw);
  } catch (error) {
    if (error instanceof InvalidInputError) return false;
    throw error;
  }
}

function readSpanFields(r: ProtobufReader, raw: RawSpan): boolean {
  const buf = raw.buf;
  raw.traceIdAt = -1;
  raw.spanIdAt = -1;
  raw.parentSpanIdAt = -1;
  raw.startAt = -1;
  raw.endAt = -1;
  raw.name = '';
  raw.kind = 0;
  raw.statusCode = 0;
  raw.flags = 0;
  raw.attributeCount = 0;
  const outer = r.enter();
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: {
        // 1 trace_id
        const start = r.delimited();
        if (r.pos - start !== 16) return false;
        raw.traceIdAt = start;
        break;
      }
      case 0x12: {
        // 2 span_id
        const start = r.delimited();
        if (r.pos - start !== 8) return false;
        raw.spanIdAt = start;
        break;
      }
      case 0x1a: // 3 trace_state
        if (r.delimited() !== r.pos) return false;
        break;
      case 0x22: {
        // 4 parent_span_id; empty or all zero means a root span, as in decodeSpan
        const start = r.delimited();
        const length = r.pos - start;
        if (length === 0 || (length === 8 && isZero(buf, start, 8))) raw.parentSpanIdAt = -1;
        else if (length === 8) raw.parentSpanIdAt = start;
        else return false;
        break;
      }
      case 0x2a: {
        // 5 name
        const start = r.delimited();
        raw.name = internedText(buf, start, r.pos);
        break;
      }
      case 0x30: // 6 kind
        raw.kind = r.uint32() | 0;
        break;
      case 0x39: // 7 start_time_unix_nano
        raw.startAt = r.fixed64Offset();
        break;
      case 0x41: // 8 end_time_unix_nano
        raw.endAt = r.fixed64Offset();
        break;
      case 0x4a: // 9 attributes
        if (!readUsualAttribute(r, raw) && !readAttribute(r, raw)) return false;
        break;
      case 0x50: // 10 dropped_attributes_count
      case 0x60: // 12 dropped_events_count
      case 0x70: // 14 dropped_links_count
        if (r.uint32() !== 0) return false;
        break;
      case 0x7a: // 15 status
        if (!readStatus(r, raw)) return false;
        break;
      case 0x85: // 16 flags
        raw.flags = r.fixed32();
        break;
      default: // 11 events, 13 links, anything unknown or with an unexpected wire type
        return false;
    }
  }
  r.leave(outer);
  return true;
}

function readStatus(r: ProtobufReader, raw: RawSpan): boolean {
  const outer = r.enter();
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x18) {
      // 3 code
      raw.statusCode = r.uint32() | 0;
    } else if (tag === 0x12) {
      // 2 message: only an empty one is plain
      if (r.delimited() !== r.pos) return false;
    } else {
      return false;
    }
  }
  r.leave(outer);
  return true;
}

/** The RawSpan's scratch attribute for its next attribute. */
function nextAttribute(raw: RawSpan): RawAttribute {
  let attribute = raw.attributes[raw.attributeCount];
  if (!attribute) {
    attribute = { key: '', type: RawValueType.string, text: null, valueStart: 0, valueEnd: 0 };
    raw.attributes.push(attribute);
  }
  return attribute;
}

const doubleBytes = new Uint8Array(8);
const doubleValue = new Float64Array(doubleBytes.buffer);

/**
 * An attribute in the shape every OpenTelemetry SDK writes, read straight from the bytes: the
 * key, then the value holding one string, bool, int (up to 7 varint bytes) or double, every
 * length in one byte. The result is what readAttribute gives. False, having read nothing, for
 * any other shape: readAttribute then reads it (and may find it plain after all).
 */
function readUsualAttribute(r: ProtobufReader, raw: RawSpan): boolean {
  const buf = raw.buf;
  const at = r.pos;
  if (at >= r.limit) return false;
  const length = buf[at]!;
  const end = at + 1 + length;
  if (length >= 0x80 || end > r.limit || buf[at + 1] !== 0x0a) return false;
  const keyStart = at + 3;
  const keyEnd = keyStart + buf[at + 2]!;
  // key length < 0x80 and the value's tag and length (< 0x80) right after it, up to the end
  if (buf[at + 2]! >= 0x80 || keyEnd + 4 > end || buf[keyEnd] !== 0x12) return false;
  if (keyEnd + 2 + buf[keyEnd + 1]! !== end) return false;
  const v = keyEnd + 2;
  const attribute = nextAttribute(raw);
  switch (buf[v]) {
    case 0x0a: {
      // 1 string_value
      const start = v + 2;
      if (start + buf[v + 1]! !== end) return false;
      attribute.type = RawValueType.string;
      attribute.text = isAscii(buf, start, end) ? null : decodeUtf8(buf, start, end);
      attribute.valueStart = start;
      attribute.valueEnd = end;
      break;
    }
    case 0x10: // 2 bool_value
      if (end !== v + 2 || buf[v + 1]! >= 0x80) return false;
      attribute.type = RawValueType.bool;
      attribute.text = buf[v + 1] !== 0 ? 'true' : 'false';
      break;
    case 0x18: {
      // 3 int_value, non-negative and below 2^49: exact as a number
      if (end - v - 1 > 7) return false;
      let value = 0;
      let scale = 1;
      for (let i = v + 1; i < end; i++) {
        const b = buf[i]!;
        value += (b & 0x7f) * scale;
        scale *= 128;
        if (b < 0x80 !== (i === end - 1)) return false;
      }
      attribute.type = RawValueType.int;
      attribute.text = String(value);
      break;
    }
    case 0x21: {
      // 4 double_value; -0 is not plain (see readScalar)
      if (end !== v + 9) return false;
      for (let i = 0; i < 8; i++) doubleBytes[i] = buf[v + 1 + i]!;
      const value = doubleValue[0]!;
      if (Object.is(value, -0)) return false;
      attribute.type = RawValueType.double;
      attribute.text = String(value);
      break;
    }
    default:
      return false;
  }
  attribute.key = keyAt(buf, keyStart, keyEnd, raw.attributeCount);
  raw.attributeCount++;
  r.pos = end;
  return true;
}

/**
 * Spans of one instrumentation list the same keys in the same order: the key at an attribute's
 * place in the previous span is compared first, before the interning table is asked. Only ASCII
 * compares that way (a byte of 0xE9 alone is invalid UTF-8, not 'é').
 */
const keysByPlace: string[] = [];

function keyAt(buf: Uint8Array, start: number, end: number, place: number): string {
  const previous = keysByPlace[place];
  if (previous !== undefined && previous.length === end - start) {
    let same = true;
    for (let i = 0; i < previous.length && same; i++) {
      const b = buf[start + i]!;
      same = b < 0x80 && previous.charCodeAt(i) === b;
    }
    if (same) return previous;
  }
  const key = internedText(buf, start, end);
  if (place < 64) keysByPlace[place] = key;
  return key;
}

function readAttribute(r: ProtobufReader, raw: RawSpan): boolean {
  const attribute = nextAttribute(raw);
  const outer = r.enter();
  let key = '';
  let hasValue = false;
  while (r.more()) {
    const tag = r.tag();
    if (tag === 0x0a) {
      // 1 key
      const start = r.delimited();
      key = internedText(raw.buf, start, r.pos);
    } else if (tag === 0x12) {
      // 2 value; when repeated, the last one counts, as in decodeKeyValue
      if (!readScalar(r, raw.buf, attribute)) return false;
      hasValue = true;
    } else {
      return false;
    }
  }
  r.leave(outer);
  // A KeyValue without a value holds an empty AnyValue (null): not plain.
  if (!hasValue) return false;
  attribute.key = key;
  raw.attributeCount++;
  return true;
}

/** A string, bool, int or double AnyValue; the last of several set fields wins (oneof). */
function readScalar(r: ProtobufReader, buf: Uint8Array, attribute: RawAttribute): boolean {
  const outer = r.enter();
  let set = false;
  while (r.more()) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: {
        // 1 string_value: ASCII stays as bytes; anything else is decoded as decodeUtf8 does
        const start = r.delimited();
        attribute.type = RawValueType.string;
        attribute.text = isAscii(buf, start, r.pos) ? null : decodeUtf8(buf, start, r.pos);
        attribute.valueStart = start;
        attribute.valueEnd = r.pos;
        break;
      }
      case 0x10: // 2 bool_value
        attribute.type = RawValueType.bool;
        attribute.text = r.bool() ? 'true' : 'false';
        break;
      case 0x18: // 3 int_value
        attribute.type = RawValueType.int;
        attribute.text = String(r.int64());
        break;
      case 0x21: {
        // 4 double_value; -0 prints as "0", so its text would not give it back
        const value = r.double();
        if (Object.is(value, -0)) return false;
        attribute.type = RawValueType.double;
        attribute.text = String(value);
        break;
      }
      default: // arrays, key-value lists, bytes, unknown fields
        return false;
    }
    set = true;
  }
  r.leave(outer);
  return set;
}

/** The checks of problemWithSpan, on bytes. */
function isValid(raw: RawSpan): boolean {
  const buf = raw.buf;
  if (raw.traceIdAt < 0 || isZero(buf, raw.traceIdAt, 16)) return false;
  if (raw.spanIdAt < 0 || isZero(buf, raw.spanIdAt, 8)) return false;
  if (raw.parentSpanIdAt >= 0 && sameBytes(buf, raw.parentSpanIdAt, raw.spanIdAt, 8)) return false;
  if (raw.startAt < 0 || raw.endAt < 0) return false;
  const startLo = u32(buf, raw.startAt);
  const startHi = u32(buf, raw.startAt + 4);
  const endLo = u32(buf, raw.endAt);
  const endHi = u32(buf, raw.endAt + 4);
  if (startHi === 0 && startLo === 0) return false;
  if (endHi >= 0x80000000) return false;
  if (endHi < startHi || (endHi === startHi && endLo < startLo)) return false;
  return (
    raw.kind >= 0 && raw.kind <= MAX_KIND && raw.statusCode >= 0 && raw.statusCode <= MAX_STATUS
  );
}

/**
 * Attribute keys and span names repeat from span to span: the same bytes give back the same
 * string, instead of a new one each time (less garbage, and Map lookups by a string already
 * hashed). Short ASCII only; the cache is cleared when it grows past its bound.
 */
const interned = new Map<number, string>();
const MAX_INTERNED = 4096;
const MAX_INTERNED_BYTES = 64;

function internedText(buf: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length > MAX_INTERNED_BYTES) return decodeUtf8(buf, start, end);
  let hash = 0x811c9dc5 ^ length;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b >= 0x80) return decodeUtf8(buf, start, end);
    hash = Math.imul(hash ^ b, 0x01000193);
  }
  const cached = interned.get(hash);
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length && same; i++) same = cached.charCodeAt(i) === buf[start + i];
    if (same) return cached;
  }
  const text = decodeUtf8(buf, start, end);
  if (interned.size >= MAX_INTERNED) interned.clear();
  interned.set(hash, text);
  return text;
}

function u32(buf: Uint8Array, at: number): number {
  return (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
}

function isZero(buf: Uint8Array, at: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (buf[at + i] !== 0) return false;
  return true;
}

function sameBytes(buf: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

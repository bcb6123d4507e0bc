import type { InstrumentationScope, Resource, Span } from '../model/span.ts';

/** Type codes of {@link RawAttribute.type}: the scalar OTLP value types. */
export const RawValueType = { string: 0, int: 1, double: 2, bool: 3 } as const;
export type RawValueType = (typeof RawValueType)[keyof typeof RawValueType];

/** One attribute of a {@link RawSpan}. Scratch: valid only during {@link SpanRowSink.row}. */
export interface RawAttribute {
  key: string;
  type: RawValueType;
  /** The text form a tag search compares (as attributeValueToString), or null for a string
   * value left as UTF-8 bytes `buf[valueStart, valueEnd)` (always valid UTF-8). */
  text: string | null;
  valueStart: number;
  valueEnd: number;
}

/**
 * A span as the protobuf decoder's fast path sees it: ids and times as bytes of the request,
 * no objects made. Only plain spans come this way: valid, with no trace state, status message,
 * events, links or dropped counts, and scalar attributes only; every other span is handed over as
 * a Span ({@link SpanRowSink.span}). Scratch, reused: valid only during {@link SpanRowSink.row}.
 */
export interface RawSpan {
  /** The request body the offsets point into. */
  buf: Uint8Array;
  /** Offsets of the 16-byte trace id and 8-byte span id. */
  traceIdAt: number;
  spanIdAt: number;
  /** Offset of the 8-byte parent span id, or -1 for a root span. */
  parentSpanIdAt: number;
  /** Offsets of the 8-byte little-endian start and end times (valid: 0 < start <= end < 2^63). */
  startAt: number;
  endAt: number;
  name: string;
  kind: number;
  statusCode: number;
  flags: number;
  attributeCount: number;
  /** The first `attributeCount` entries are this span's attributes, in order. */
  readonly attributes: RawAttribute[];
}

/**
 * Where the protobuf decoder's fast path delivers spans: a store that can take them without
 * Span objects. Declared here, by the layer that uses it; a store implements it.
 */
export interface SpanRowSink {
  /** The resource and scope of the spans delivered next. */
  scope(resource: Resource, scope: InstrumentationScope): void;
  /** A plain span; false if the sink cannot take this one raw (it then gets it as a Span). */
  row(span: RawSpan): boolean;
  /** A span that is not plain, already validated. */
  span(span: Span): void;
}

/** A sink for one request's spans that stores them all at once, like SpanWriter.write. */
export interface SpanRowBatch extends SpanRowSink {
  /** Resolves once every span delivered is durably stored; OverloadedError when saturated. */
  store(): Promise<void>;
}

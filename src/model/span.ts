import { type Attribute, findAttribute } from './attributes.ts';

/** OTLP span kinds, numbered as on the wire. */
export const SpanKind = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
} as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

export const SPAN_KIND_NAMES: Record<SpanKind, string> = {
  0: 'unspecified',
  1: 'internal',
  2: 'server',
  3: 'client',
  4: 'producer',
  5: 'consumer',
};

/** OTLP status codes, numbered as on the wire. */
export const StatusCode = { unset: 0, ok: 1, error: 2 } as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export interface Resource {
  readonly attributes: readonly Attribute[];
  readonly droppedAttributesCount: number;
  /** The schema URL of the enclosing ResourceSpans ('' when absent). */
  readonly schemaUrl: string;
}

export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: readonly Attribute[];
  readonly droppedAttributesCount: number;
  /** The schema URL of the enclosing ScopeSpans ('' when absent). */
  readonly schemaUrl: string;
}

export interface SpanEvent {
  readonly timeUnixNano: bigint;
  readonly name: string;
  readonly attributes: readonly Attribute[];
  readonly droppedAttributesCount: number;
}

export interface SpanLink {
  readonly traceId: TraceId;
  readonly spanId: SpanId;
  readonly traceState: string;
  readonly attributes: readonly Attribute[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

export interface SpanStatus {
  readonly code: StatusCode;
  readonly message: string;
}

/** 32 lowercase hexadecimal characters, never all zero. */
export type TraceId = string;
/** 16 lowercase hexadecimal characters, never all zero. */
export type SpanId = string;

/**
 * One span, as every part of Tracehound sees it once it is past the wire format.
 * Spans from one ResourceSpans/ScopeSpans share their `resource` and `scope` objects.
 */
export interface Span {
  readonly traceId: TraceId;
  readonly spanId: SpanId;
  /** '' for a root span. */
  readonly parentSpanId: SpanId | '';
  readonly traceState: string;
  /** W3C trace flags in the low 8 bits, OTLP's "parent is remote" bits above them. */
  readonly flags: number;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: readonly Attribute[];
  readonly droppedAttributesCount: number;
  readonly events: readonly SpanEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly SpanLink[];
  readonly droppedLinksCount: number;
  readonly status: SpanStatus;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

export const UNKNOWN_SERVICE = 'unknown_service';

/** The `service.name` resource attribute, or `unknown_service` as the OTel spec prescribes. */
export function serviceNameOf(resource: Resource): string {
  const name = findAttribute(resource.attributes, 'service.name');
  return typeof name === 'string' && name !== '' ? name : UNKNOWN_SERVICE;
}

export function durationNsOf(span: Pick<Span, 'startTimeUnixNano' | 'endTimeUnixNano'>): bigint {
  return span.endTimeUnixNano - span.startTimeUnixNano;
}

const TRACE_ID_RE = /^[0-9a-f]{32}$/;
const SPAN_ID_RE = /^[0-9a-f]{16}$/;
const ALL_ZERO_RE = /^0+$/;

export function isValidTraceId(id: string): id is TraceId {
  return TRACE_ID_RE.test(id) && !ALL_ZERO_RE.test(id);
}

export function isValidSpanId(id: string): id is SpanId {
  return SPAN_ID_RE.test(id) && !ALL_ZERO_RE.test(id);
}

/**
 * Normalises a trace id typed by a user or sent by Jaeger clients: case-folded and left-padded
 * to 32 hex digits (Jaeger prints 64-bit ids without leading zeros). Returns null if invalid.
 */
export function normaliseTraceId(id: string): TraceId | null {
  const lower = id.trim().toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(lower)) return null;
  const padded = lower.padStart(32, '0');
  return isValidTraceId(padded) ? padded : null;
}

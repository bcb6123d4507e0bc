/**
 * OTLP/JSON trace types, as {@link encodeOtlpTracesJson} writes them: lowerCamelCase names, hex
 * ids, 64-bit integers as decimal strings, enums as integers, bytes as base64, and optional
 * fields left out when they hold their default. decodeOtlpTracesJson reads these and more
 * (snake_case names, enum names, integers as numbers).
 * See https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding and
 * opentelemetry/proto/trace/v1/trace.proto.
 */

export interface OtlpJsonTracesData {
  resourceSpans: OtlpJsonResourceSpans[];
}

export interface OtlpJsonResourceSpans {
  resource: OtlpJsonResource;
  scopeSpans: OtlpJsonScopeSpans[];
  schemaUrl?: string;
}

export interface OtlpJsonResource {
  attributes: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpJsonScopeSpans {
  scope: OtlpJsonInstrumentationScope;
  spans: OtlpJsonSpan[];
  schemaUrl?: string;
}

export interface OtlpJsonInstrumentationScope {
  name: string;
  version?: string;
  attributes?: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpJsonSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  traceState?: string;
  flags?: number;
  name: string;
  /** SpanKind as its wire number (0 unspecified ... 5 consumer). */
  kind: number;
  /** Unsigned 64-bit nanoseconds since the Unix epoch, in decimal. */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
  events: OtlpJsonSpanEvent[];
  droppedEventsCount?: number;
  links: OtlpJsonSpanLink[];
  droppedLinksCount?: number;
  status: OtlpJsonStatus;
}

export interface OtlpJsonSpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpJsonSpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: OtlpJsonKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

export interface OtlpJsonStatus {
  /** StatusCode as its wire number (0 unset, 1 ok, 2 error). */
  code: number;
  message?: string;
}

export interface OtlpJsonKeyValue {
  key: string;
  value: OtlpJsonAnyValue;
}

/** One of the members, or none for an empty value. */
export type OtlpJsonAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  /** int64 in decimal. */
  | { intValue: string }
  /** JSON has no NaN or infinities, so those travel as strings. */
  | { doubleValue: number | 'NaN' | 'Infinity' | '-Infinity' | '-0' }
  | { arrayValue: { values: OtlpJsonAnyValue[] } }
  | { kvlistValue: { values: OtlpJsonKeyValue[] } }
  /** Standard base64. */
  | { bytesValue: string }
  | Record<string, never>;

/** `ExportTraceServiceResponse`; empty when every span was accepted. */
export interface OtlpJsonExportTraceServiceResponse {
  partialSuccess?: OtlpJsonExportTracePartialSuccess;
}

export interface OtlpJsonExportTracePartialSuccess {
  /** int64 in decimal. */
  rejectedSpans: string;
  errorMessage: string;
}

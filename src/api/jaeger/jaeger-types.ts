/**
 * The JSON that Jaeger's query service (`/api/...`, the API jaeger-ui and Grafana's Jaeger data
 * source call) sends. Field names, optionality and nulls follow Jaeger's `internal/uimodel`
 * package, so that clients written against Jaeger read our answers unchanged.
 * Times are microseconds since the Unix epoch, durations microseconds.
 * @see https://github.com/jaegertracing/jaeger/blob/main/internal/uimodel/model.go
 */

/** A typed tag. `int64` values beyond ±(2^53 - 1) are sent as decimal strings, `binary` as base64. */
export type JaegerKeyValue =
  | { readonly key: string; readonly type: 'string'; readonly value: string }
  | { readonly key: string; readonly type: 'bool'; readonly value: boolean }
  | { readonly key: string; readonly type: 'int64'; readonly value: number | string }
  | { readonly key: string; readonly type: 'float64'; readonly value: number }
  | { readonly key: string; readonly type: 'binary'; readonly value: string };

export type JaegerValueType = JaegerKeyValue['type'];

export type JaegerReferenceType = 'CHILD_OF' | 'FOLLOWS_FROM';

export interface JaegerReference {
  readonly refType: JaegerReferenceType;
  readonly traceID: string;
  readonly spanID: string;
}

export interface JaegerLog {
  /** Microseconds since the Unix epoch. */
  readonly timestamp: number;
  readonly fields: JaegerKeyValue[];
}

export interface JaegerProcess {
  readonly serviceName: string;
  readonly tags: JaegerKeyValue[];
}

export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  /** Omitted when zero, as Jaeger does (`omitempty`). */
  readonly flags?: number;
  readonly operationName: string;
  readonly references: JaegerReference[];
  /** Microseconds since the Unix epoch. */
  readonly startTime: number;
  /** Microseconds. */
  readonly duration: number;
  readonly tags: JaegerKeyValue[];
  readonly logs: JaegerLog[];
  /** A key of {@link JaegerTrace.processes}. */
  readonly processID: string;
  readonly warnings: string[] | null;
}

export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: JaegerSpan[];
  readonly processes: Record<string, JaegerProcess>;
  readonly warnings: string[] | null;
}

export interface JaegerDependencyLink {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
  /** Our extension (Jaeger has no such field): calls whose child span has error status. */
  readonly errorCount: number;
}

/** One entry of {@link JaegerResponse.errors}; `traceID` names the trace a lookup failed for. */
export interface JaegerError {
  readonly code: number;
  readonly msg: string;
  readonly traceID?: string;
}

/**
 * The envelope around every `/api/...` answer (Jaeger's `structuredResponse`).
 * Errors come back with `data: null` and the HTTP status repeated in `errors[0].code`.
 */
export interface JaegerResponse<T> {
  readonly data: T;
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  readonly errors: JaegerError[] | null;
}

import { type Context, context, isSpanContextValid, trace } from '@opentelemetry/api';

/** The fields pino and winston get from their OpenTelemetry instrumentations, named the same. */
export interface TraceLogFields {
  /** 32 lowercase hex digits. */
  readonly trace_id: string;
  /** 16 lowercase hex digits. */
  readonly span_id: string;
  /** Two hex digits, `01` when sampled. */
  readonly trace_flags: string;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The span's ids for a log record (the active span's by default), or undefined outside one. */
export function traceLogFields(from: Context = context.active()): TraceLogFields | undefined {
  const spanContext = trace.getSpanContext(from);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: spanContext.traceFlags.toString(16).padStart(2, '0'),
  };
}

/**
 * One JSON log line: `time` (ISO 8601), `level`, `msg`, the caller's fields, then the active
 * span's `trace_id`, `span_id` and `trace_flags` (which win over fields of the same name, so a
 * record cannot claim a trace it was not written in).
 */
export function jsonLogLine(
  level: LogLevel,
  message: string,
  fields: Readonly<Record<string, unknown>> = {},
): string {
  return JSON.stringify({
    time: new Date().toISOString(),
    level,
    msg: message,
    ...fields,
    ...traceLogFields(),
  });
}

/**
 * Writes {@link jsonLogLine} with `console.log` (`console.error` for errors): the smallest way to
 * get logs a log store can join to traces, for services without pino or winston.
 */
export function logJson(
  level: LogLevel,
  message: string,
  fields?: Readonly<Record<string, unknown>>,
): void {
  const line = jsonLogLine(level, message, fields);
  if (level === 'error') console.error(line);
  else console.log(line);
}

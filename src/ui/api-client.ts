import { analyzeTrace } from '../analysis/analyze-trace.ts';
import type { TraceAnalysis } from '../analysis/trace-analysis.ts';
import { decodeOtlpTracesJson } from '../ingest/otlp/decode-json.ts';
import type { Span } from '../model/span.ts';
import type { ServiceLink } from './service-map-layout.ts';

/** A failed call to the server, with the status and the server's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The server has no route here (an older server), as opposed to a missing resource. */
    readonly noRoute = false,
  ) {
    super(message);
  }
}

/** Fetches JSON from the server (same origin); errors carry the message from the error body. */
async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, {
      signal: signal ?? null,
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'cannot reach the Tracehound server; is it still running?');
  }
  const text = await response.text();
  performance.mark(`tracehound:fetched ${path}`);
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
    performance.mark(`tracehound:parsed ${path}`);
  } catch {
    if (response.ok)
      throw new ApiError(response.status, `the server sent something other than JSON for ${path}`);
  }
  if (!response.ok) {
    const message = errorMessageOf(body) ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, /^no route for /.test(message));
  }
  return body;
}

/** The message of a Jaeger (`errors[0].msg`) or api_v3 (`error.message`) error body. */
function errorMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { errors?: { msg?: unknown }[]; error?: { message?: unknown } | string };
  const msg = record.errors?.[0]?.msg;
  if (typeof msg === 'string') return msg;
  if (typeof record.error === 'string') return record.error;
  if (typeof record.error?.message === 'string') return record.error.message;
  return undefined;
}

function dataOf<T>(body: unknown): T {
  return (body as { data: T }).data;
}

export async function getServices(signal?: AbortSignal): Promise<string[]> {
  return dataOf<string[] | null>(await getJson('/api/services', signal)) ?? [];
}

export interface OperationInfo {
  readonly name: string;
  readonly spanKind: string;
}

export async function getOperations(
  service: string,
  signal?: AbortSignal,
): Promise<OperationInfo[]> {
  const body = await getJson(`/api/operations?service=${encodeURIComponent(service)}`, signal);
  return dataOf<OperationInfo[] | null>(body) ?? [];
}

export interface DecodedSpans {
  readonly spans: Span[];
  /** Spans the server sent that could not be read. */
  readonly problems: readonly string[];
}

/** Turns an api_v3 answer (OTLP/JSON under `result`) into spans with the server's own decoder. */
function decodeResult(body: unknown): DecodedSpans {
  const result = (body as { result?: unknown } | null)?.result ?? { resourceSpans: [] };
  const batch = decodeOtlpTracesJson(result);
  return {
    spans: batch.spans,
    problems:
      batch.rejectedSpans > 0
        ? [`${batch.rejectedSpans} span(s) could not be read: ${batch.errors.join('; ')}`]
        : [],
  };
}

/** Runs a search through Jaeger's api_v3 (`query.*` parameters), which returns whole traces. */
export async function searchTraces(
  params: URLSearchParams,
  signal?: AbortSignal,
): Promise<DecodedSpans> {
  return decodeResult(await getJson(`/api/v3/traces?${params}`, signal));
}

/** The spans of one trace; ApiError with status 404 when the server has none. */
export async function getTrace(traceId: string, signal?: AbortSignal): Promise<DecodedSpans> {
  const decoded = decodeResult(
    await getJson(`/api/v3/traces/${encodeURIComponent(traceId)}`, signal),
  );
  // Marks let bench/ui-large-trace.ts tell the phases of opening a trace apart.
  performance.mark('tracehound:decoded');
  return decoded;
}

export interface AnalysisResult {
  readonly analysis: TraceAnalysis;
  /** Where it ran: the server's analysis endpoint, or here when the server has none. */
  readonly ranIn: 'server' | 'browser';
}

/**
 * The diagnosis of a stored trace from `GET /api/v1/traces/{id}/analysis`. When the server has
 * no such route, or the call fails, the same analysis runs here on the spans already loaded.
 */
export async function getAnalysis(
  traceId: string,
  spans: readonly Span[],
  signal?: AbortSignal,
): Promise<AnalysisResult> {
  try {
    const body = await getJson(`/api/v1/traces/${encodeURIComponent(traceId)}/analysis`, signal);
    if (isAnalysis(body)) return { analysis: body, ranIn: 'server' };
  } catch (error) {
    if (signal?.aborted) throw error;
  }
  return { analysis: analyzeTrace(spans), ranIn: 'browser' };
}

function isAnalysis(body: unknown): body is TraceAnalysis {
  return (
    typeof body === 'object' &&
    body !== null &&
    Array.isArray((body as TraceAnalysis).findings) &&
    Array.isArray((body as TraceAnalysis).criticalPath)
  );
}

/** Service-to-service calls over the `lookbackMs` before `endMs`. */
export async function getDependencies(
  endMs: number,
  lookbackMs: number,
  signal?: AbortSignal,
): Promise<ServiceLink[]> {
  const body = await getJson(
    `/api/dependencies?endTs=${Math.round(endMs)}&lookback=${Math.round(lookbackMs)}`,
    signal,
  );
  return dataOf<ServiceLink[] | null>(body) ?? [];
}

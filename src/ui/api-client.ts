import { analyzeTrace } from '../analysis/analyze-trace.ts';
import type { TraceAnalysis } from '../analysis/trace-analysis.ts';
import { decodeOtlpTracesJson } from '../ingest/otlp/decode-json.ts';
import type { Span } from '../model/span.ts';
import { decodeTraceColumns } from '../model/trace-columns.ts';
import { analyzeInWorker } from './analysis-in-worker.ts';
import type { ServiceLink } from './service-map-layout.ts';

/** A failed call to the server, with the status and the server's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

declare global {
  interface Window {
    /** A request index.html started before the app loaded (a trace page's trace). */
    tracehoundPrefetch?: { readonly path: string; readonly response: Promise<Response> };
  }
}

/**
 * The request index.html started for `path`, if it did. Taken by the first trace the app opens
 * (the one of the address the page loaded with), so that a later visit fetches fresh data.
 */
function takePrefetched(path: string): Promise<Response> | undefined {
  const prefetch = window.tracehoundPrefetch;
  if (prefetch === undefined) return undefined;
  window.tracehoundPrefetch = undefined;
  return prefetch.path === path ? prefetch.response : undefined;
}

/** Fetches a body from the server (same origin) as text, or reads one already requested. */
async function getText(
  path: string,
  signal?: AbortSignal,
  requested?: Promise<Response>,
): Promise<{ response: Response; text: string }> {
  let response: Response;
  try {
    response = await (requested ??
      fetch(path, { signal: signal ?? null, headers: { accept: 'application/json' } }));
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'cannot reach the Tracehound server; is it still running?');
  }
  const text = await response.text();
  signal?.throwIfAborted();
  performance.mark(`tracehound:fetched ${path}`);
  return { response, text };
}

/** Parses a JSON answer; a failed call becomes an ApiError with the message from its body. */
function parseAnswer(path: string, response: Response, text: string): unknown {
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
    throw new ApiError(response.status, message);
  }
  return body;
}

/** Fetches JSON from the server (same origin); errors carry the message from the error body. */
async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const { response, text } = await getText(path, signal);
  return parseAnswer(path, response, text);
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

export interface FetchedTrace {
  readonly spans: Span[];
  /** Its diagnosis, computed meanwhile off the main thread where the browser allows. */
  readonly analysis: Promise<TraceAnalysis>;
}

/**
 * The spans of one trace, from the compact columns of `GET /api/v1/traces/{id}/columns`;
 * ApiError with status 404 when the server has none. The analysis starts in a worker as soon
 * as the body has arrived, so no second request reads the trace again.
 */
export async function getTrace(traceId: string, signal: AbortSignal): Promise<FetchedTrace> {
  const path = `/api/v1/traces/${encodeURIComponent(traceId)}/columns`;
  const prefetched = takePrefetched(path);
  // Marks let bench/ui-large-trace.ts tell the phases of opening a trace apart.
  if (prefetched === undefined) performance.mark('tracehound:requested trace');
  const { response, text } = await getText(path, signal, prefetched);
  const inWorker = response.ok ? analyzeInWorker(text, signal) : null;
  const decoded = decodeTraceColumns(parseAnswer(path, response, text));
  if (!decoded.ok) throw new ApiError(response.status, decoded.error);
  performance.mark('tracehound:decoded');
  const { spans } = decoded;
  const analysis =
    inWorker?.catch((error: unknown) => {
      if (signal.aborted) throw error;
      return analyzeSoon(spans);
    }) ?? analyzeSoon(spans);
  // TracePage awaits it; this only keeps a failure before then from counting as unhandled.
  analysis.catch(() => {});
  return { spans, analysis };
}

/**
 * Analyses on the main thread once the page has drawn what it has (the timeout runs after the
 * next frame is painted): for traces opened from a file, and where no worker can run.
 */
export function analyzeSoon(spans: readonly Span[]): Promise<TraceAnalysis> {
  return new Promise((resolve, reject) => {
    const run = () => {
      try {
        resolve(analyzeTrace(spans));
      } catch (error) {
        reject(error);
      }
    };
    requestAnimationFrame(() => setTimeout(run, 0));
  });
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

/**
 * Query latencies through the real HTTP API (the Jaeger endpoints jaeger-ui calls), one request
 * at a time, timed from sending to the last byte of the response.
 */
import { Agent, get } from 'node:http';
import { percentile } from './stats.ts';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

interface Response {
  readonly status: number;
  readonly body: Buffer;
  readonly ms: number;
}

function timedGet(url: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks),
          ms: performance.now() - started,
        }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

export interface LatencyResult {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Requests whose answer was wrong (status, or a trace with missing spans). */
  readonly wrong: number;
  /** Mean number of traces a search returned. */
  readonly meanResults: number;
  readonly firstProblem: string | null;
}

function summarise(ms: number[], wrong: number, results: number[], problem: string | null) {
  return {
    samples: ms.length,
    p50Ms: percentile(ms, 0.5),
    p99Ms: percentile(ms, 0.99),
    maxMs: Math.max(...ms),
    wrong,
    meanResults: results.reduce((a, b) => a + b, 0) / Math.max(1, results.length),
    firstProblem: problem,
  };
}

/**
 * `GET /api/traces/{id}` for `samples` ids drawn at random from `traceIds`; each answer must be
 * the whole trace: `spansPerTrace` spans, all of that trace.
 */
export async function measureTraceById(
  queryUrl: string,
  traceIds: readonly string[],
  samples: number,
  spansPerTrace: number,
): Promise<LatencyResult> {
  const ms: number[] = [];
  let wrong = 0;
  let problem: string | null = null;
  for (let i = 0; i < 5; i++) await timedGet(`${queryUrl}/api/traces/${traceIds[i]}`);
  for (let i = 0; i < samples; i++) {
    const id = traceIds[Math.floor(Math.random() * traceIds.length)]!;
    const response = await timedGet(`${queryUrl}/api/traces/${id}`);
    ms.push(response.ms);
    const trace = response.status === 200 ? JSON.parse(response.body.toString()).data?.[0] : null;
    const spans: { traceID: string }[] = trace?.spans ?? [];
    if (spans.length !== spansPerTrace || spans.some((s) => s.traceID !== id)) {
      wrong++;
      problem ??= `trace ${id}: status ${response.status}, ${spans.length} spans`;
    }
  }
  return summarise(ms, wrong, [], problem);
}

export interface SearchQuery {
  readonly name: string;
  readonly service?: string;
  readonly tags?: Record<string, string>;
  readonly minDuration?: string;
}

/** The query string jaeger-ui sends for a search over the last hour, 20 traces. */
export function searchUrl(queryUrl: string, query: SearchQuery, nowMs = Date.now()): string {
  const params = new URLSearchParams({
    end: String(nowMs * 1000),
    start: String((nowMs - 3_600_000) * 1000),
    limit: '20',
    lookback: '1h',
  });
  if (query.service) params.set('service', query.service);
  if (query.tags) params.set('tags', JSON.stringify(query.tags));
  if (query.minDuration) params.set('minDuration', query.minDuration);
  return `${queryUrl}/api/traces?${params}`;
}

/** Runs one search `samples` times; every answer must be a 200 with at least one trace. */
export async function measureSearch(
  queryUrl: string,
  query: SearchQuery,
  samples: number,
): Promise<LatencyResult> {
  const ms: number[] = [];
  const results: number[] = [];
  let wrong = 0;
  let problem: string | null = null;
  for (let i = 0; i < 3; i++) await timedGet(searchUrl(queryUrl, query));
  for (let i = 0; i < samples; i++) {
    const response = await timedGet(searchUrl(queryUrl, query));
    ms.push(response.ms);
    const traces: unknown[] =
      response.status === 200 ? (JSON.parse(response.body.toString()).data ?? []) : [];
    results.push(traces.length);
    if (response.status !== 200 || traces.length === 0) {
      wrong++;
      problem ??= `${query.name}: status ${response.status}, ${traces.length} traces`;
    }
  }
  return summarise(ms, wrong, results, problem);
}

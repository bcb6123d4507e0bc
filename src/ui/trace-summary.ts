import type { Finding } from '../analysis/trace-analysis.ts';
import type { SortOrder } from './search-query.ts';
import type { ServiceCount, TraceView } from './trace-view.ts';

/** One line of the search results. */
export interface TraceSummary {
  readonly traceId: string;
  readonly rootService: string;
  readonly rootOperation: string;
  /** The trace holds no span without a parent: its entry point has not arrived (yet). */
  readonly rootMissing: boolean;
  readonly startMs: number;
  readonly durationNs: number;
  readonly spanCount: number;
  readonly errorCount: number;
  readonly services: readonly ServiceCount[];
  readonly findings: readonly Finding[];
}

/** The summary of a trace for the search list; `findings` come from its analysis, if any. */
export function summariseTrace(view: TraceView, findings: readonly Finding[] = []): TraceSummary {
  const root = view.spans[0];
  return {
    traceId: view.traceId,
    rootService: root?.service ?? '',
    rootOperation: root?.span.name ?? '',
    rootMissing: root === undefined || root.orphan,
    startMs: Number(view.startUnixNano / 1_000_000n),
    durationNs: view.durationNs,
    spanCount: view.spans.length,
    errorCount: view.errorCount,
    services: view.services,
    findings,
  };
}

/** A sorted copy: newest first, longest first, or most spans first (ties newest first). */
export function sortSummaries(
  summaries: readonly TraceSummary[],
  order: SortOrder,
): TraceSummary[] {
  const newest = (a: TraceSummary, b: TraceSummary) => b.startMs - a.startMs;
  const compare =
    order === 'longest'
      ? (a: TraceSummary, b: TraceSummary) => b.durationNs - a.durationNs || newest(a, b)
      : order === 'most-spans'
        ? (a: TraceSummary, b: TraceSummary) => b.spanCount - a.spanCount || newest(a, b)
        : newest;
  return [...summaries].sort(compare);
}

/** Finding kinds as short badge labels. */
export const FINDING_LABELS: Readonly<Record<string, string>> = {
  n_plus_one: 'N+1 queries',
  sequential_calls: 'Sequential calls',
  fan_out: 'Slow fan-out',
  retry_storm: 'Retry storm',
  silent_timeout: 'Silent timeout',
  cascading_latency: 'Cascading latency',
  error_origin: 'Error origin',
  client_server_gap: 'Client/server gap',
};

export function findingLabel(kind: string): string {
  return FINDING_LABELS[kind] ?? kind.replace(/_/g, ' ');
}

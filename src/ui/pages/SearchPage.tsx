import { useMemo, useState } from 'react';
import { analyzeTrace } from '../../analysis/analyze-trace.ts';
import type { Finding } from '../../analysis/trace-analysis.ts';
import type { Span } from '../../model/span.ts';
import { getServices, searchTraces } from '../api-client.ts';
import { ScatterPlot } from '../components/ScatterPlot.tsx';
import { SearchForm } from '../components/SearchForm.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/States.tsx';
import { TraceList } from '../components/TraceList.tsx';
import { plural } from '../format.ts';
import { navigate } from '../navigation.ts';
import {
  formatSearchQuery,
  parseSearchQuery,
  type SearchQuery,
  SORT_LABELS,
  SORTS,
  type SortOrder,
  toApiV3Params,
} from '../search-query.ts';
import { sortSummaries, summariseTrace, type TraceSummary } from '../trace-summary.ts';
import { buildTraceView, groupByTrace } from '../trace-view.ts';
import { useAsync } from '../use-async.ts';

/** Traces larger than this get no finding badges in the list: the trace page analyses them. */
const MAX_SPANS_TO_ANALYSE = 5_000;

export function SearchPage({ params }: { params: URLSearchParams }) {
  const query = parseSearchQuery(params);
  const [runs, setRuns] = useState(0);
  const services = useAsync((signal) => getServices(signal), []);
  // The sort order is applied here, so changing it does not search again.
  const searchKey = formatSearchQuery({ ...query, sort: 'recent' });
  const results = useAsync(
    async (signal) => {
      const found = await searchTraces(toApiV3Params(query, Date.now()), signal);
      return { summaries: summarise(found.spans), problems: found.problems };
    },
    [searchKey, runs],
  );

  const submit = (next: SearchQuery) => {
    const search = formatSearchQuery(next);
    const url = search === '' ? '/search' : `/search?${search}`;
    if (url === `${location.pathname}${location.search}`) setRuns((n) => n + 1);
    else navigate(url);
  };

  const noTracesAtAll = services.status === 'ok' && services.value.length === 0;

  return (
    <div className="search-page">
      <aside className="search-form">
        <h2>Find traces</h2>
        <SearchForm
          key={params.toString()}
          query={query}
          services={services.status === 'ok' ? services.value : []}
          onSubmit={submit}
        />
      </aside>
      <section className="search-results" aria-label="Search results">
        {noTracesAtAll ? (
          <NoTracesYet />
        ) : results.status === 'loading' ? (
          <Loading label="Searching…" />
        ) : results.status === 'error' ? (
          <ErrorBanner title="The search failed" error={results.error} />
        ) : (
          <Results
            summaries={results.value.summaries}
            problems={results.value.problems}
            sort={query.sort}
            onSort={(sort) => submit({ ...query, sort })}
          />
        )}
      </section>
    </div>
  );
}

function summarise(spans: Span[]): TraceSummary[] {
  return groupByTrace(spans).map((trace) => {
    let findings: readonly Finding[] = [];
    if (trace.length <= MAX_SPANS_TO_ANALYSE) {
      try {
        findings = analyzeTrace(trace).findings;
      } catch {
        // The analysis promises not to throw; a badge is not worth failing the search for.
      }
    }
    return summariseTrace(buildTraceView(trace), findings);
  });
}

function Results({
  summaries,
  problems,
  sort,
  onSort,
}: {
  summaries: TraceSummary[];
  problems: readonly string[];
  sort: SortOrder;
  onSort: (sort: SortOrder) => void;
}) {
  const sorted = useMemo(() => sortSummaries(summaries, sort), [summaries, sort]);
  if (summaries.length === 0) {
    return (
      <EmptyState icon="search" title="No traces match this search">
        <p>Try a longer time range, fewer tags, or no duration bounds.</p>
        <p className="muted">Spans appear here a moment after your services export them.</p>
      </EmptyState>
    );
  }
  return (
    <>
      <div className="results-header">
        <h2 data-testid="result-count">{plural(summaries.length, 'trace')}</h2>
        <span className="spacer" />
        <label className="switch" htmlFor="sort">
          Sort
        </label>
        <select
          id="sort"
          className="input"
          style={{ width: 'auto' }}
          value={sort}
          onChange={(event) => onSort(event.target.value as SortOrder)}
        >
          {SORTS.map((s) => (
            <option key={s} value={s}>
              {SORT_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      {problems.map((problem) => (
        <div key={problem} className="problems">
          {problem}
        </div>
      ))}
      <ScatterPlot summaries={summaries} />
      <TraceList summaries={sorted} />
    </>
  );
}

function NoTracesYet() {
  const origin = `${location.protocol}//${location.hostname}`;
  return (
    <EmptyState icon="signal" title="No traces yet">
      <p>Tracehound is running but has not received any spans. Point your service at it:</p>
      <pre>
        {`export OTEL_EXPORTER_OTLP_ENDPOINT=${origin}:4318\nexport OTEL_SERVICE_NAME=my-service`}
      </pre>
      <p>
        Any OpenTelemetry SDK or Collector works (OTLP over HTTP on 4318 or gRPC on 4317), and so do
        Zipkin clients (<code>{origin}:9411/api/v2/spans</code>).
      </p>
      <p className="muted">
        (4318 is the default; use the port given to <code>--otlp-http-port</code> if you changed
        it.) Traces show up here a moment after the first export. You can also open an OTLP JSON
        file.
      </p>
    </EmptyState>
  );
}

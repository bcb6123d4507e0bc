import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TraceAnalysis } from '../../analysis/trace-analysis.ts';
import type { Span } from '../../model/span.ts';
import { ApiError, analyzeSoon, getTrace } from '../api-client.ts';
import { FindingsPanel } from '../components/FindingsPanel.tsx';
import { FlameGraph } from '../components/FlameGraph.tsx';
import { Link } from '../components/Link.tsx';
import { ServiceChip } from '../components/ServiceChip.tsx';
import { CopyButton, SpanDetails } from '../components/SpanDetails.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/States.tsx';
import { Waterfall } from '../components/Waterfall.tsx';
import { formatDurationNs, formatTimestampMs, plural } from '../format.ts';
import { openedTrace } from '../local-traces.ts';
import { navigate } from '../navigation.ts';
import { traceUrl } from '../routes.ts';
import { traceToOtlpJsonText } from '../trace-file.ts';
import { findSpans } from '../trace-search.ts';
import { buildTraceView, selfTimeNs, type TraceView } from '../trace-view.ts';
import { useAsync } from '../use-async.ts';
import { expandToShow, moveCursor, visibleRows, type WaterfallKey } from '../waterfall-rows.ts';

interface LoadedTrace {
  readonly spans: readonly Span[];
  readonly view: TraceView;
  /** Started while the trace loads; the page shows the spans without waiting for it. */
  readonly analysis: Promise<TraceAnalysis>;
}

export function TracePage({
  traceId,
  spanId,
  fromFile,
}: {
  traceId: string;
  spanId: string | null;
  fromFile: boolean;
}) {
  const trace = useAsync(
    async (signal): Promise<LoadedTrace> => {
      let spans: readonly Span[];
      let analysis: Promise<TraceAnalysis>;
      if (fromFile) {
        const opened = openedTrace(traceId);
        if (opened === undefined)
          throw new ApiError(404, 'this trace came from a file; open the file again to view it');
        spans = opened;
        analysis = analyzeSoon(spans);
      } else {
        ({ spans, analysis } = await getTrace(traceId, signal));
      }
      const view = buildTraceView(spans);
      performance.mark('tracehound:view built');
      return { spans, view, analysis };
    },
    [traceId, fromFile],
  );

  if (trace.status === 'loading') return <Loading label="Loading trace…" />;
  if (trace.status === 'error') {
    const { error } = trace;
    if (error instanceof ApiError && error.status === 404) {
      return (
        <EmptyState icon="missing" title="Trace not found">
          <p>
            No spans with trace id <code>{traceId}</code>
            {fromFile ? ' are open.' : ' are stored.'}
          </p>
          <p className="muted">
            {fromFile
              ? error.message
              : 'Spans may still be on their way (exporters batch for a few seconds), or the id may be mistyped.'}
          </p>
          <p>
            <Link href="/search">Search traces</Link>
          </p>
        </EmptyState>
      );
    }
    return (
      <div style={{ padding: 20 }}>
        <ErrorBanner title="Could not load the trace" error={error} />
      </div>
    );
  }
  return <TraceScreen loaded={trace.value} traceId={traceId} spanId={spanId} fromFile={fromFile} />;
}

type Mode = 'waterfall' | 'flame';

function allParentsOf(view: TraceView): ReadonlySet<number> {
  const parents = new Set<number>();
  view.spans.forEach((s, i) => {
    if (s.childCount > 0) parents.add(i);
  });
  return parents;
}

function TraceScreen({
  loaded,
  traceId,
  spanId,
  fromFile,
}: {
  loaded: LoadedTrace;
  traceId: string;
  spanId: string | null;
  fromFile: boolean;
}) {
  const { view, spans } = loaded;
  const analysis = useAsync(() => loaded.analysis, [loaded]);
  const ready: TraceAnalysis | null = analysis.status === 'ok' ? analysis.value : null;

  const [mode, setMode] = useState<Mode>('waterfall');
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(() => new Set());
  const [selected, setSelected] = useState(-1);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [showCritical, setShowCritical] = useState(true);
  const [searchText, setSearchText] = useState('');
  const [matchCursor, setMatchCursor] = useState(-1);
  const [activeFinding, setActiveFinding] = useState<number | null>(null);
  const [scrollTo, setScrollTo] = useState<{ index: number; seq: number; center: boolean } | null>(
    null,
  );
  const [notice, setNotice] = useState<string | null>(null);
  /** The span this page last wrote into the URL, so that only other changes (links, back) select. */
  const spanInUrl = useRef<string | null>(null);

  const rows = useMemo(() => visibleRows(view, collapsed), [view, collapsed]);
  const indicesOf = useCallback(
    (ids: readonly string[]) =>
      ids.map((id) => view.indexById.get(id)).filter((i): i is number => i !== undefined),
    [view],
  );
  const critical = useMemo(
    () => new Set(ready === null ? [] : indicesOf(ready.criticalPath.map((s) => s.spanId))),
    [ready, indicesOf],
  );
  const matchList = useMemo(() => findSpans(view, searchText), [view, searchText]);
  const matches = useMemo(() => new Set(matchList), [matchList]);
  const finding = activeFinding === null ? undefined : ready?.findings[activeFinding];
  const highlighted = useMemo(
    () => new Set(finding === undefined ? [] : indicesOf(finding.spanIds)),
    [finding, indicesOf],
  );

  /** Selects a span: opens its ancestors, scrolls to it, keeps the URL a deep link to it. */
  const select = useCallback(
    (index: number, options: { open?: boolean; center?: boolean; scroll?: boolean } = {}) => {
      const vs = view.spans[index];
      if (vs === undefined) return;
      setCollapsed((c) => expandToShow(view, c, [index]));
      setSelected(index);
      if (options.open !== undefined) setDetailsOpen(options.open);
      if (options.scroll !== false) {
        setScrollTo((s) => ({ index, seq: (s?.seq ?? 0) + 1, center: options.center ?? false }));
      }
      spanInUrl.current = vs.span.spanId;
      navigate(traceUrl(traceId, { spanId: vs.span.spanId, fromFile }), { replace: true });
    },
    [view, traceId, fromFile],
  );

  // A deep link (?span=) selects its span; so does the back button landing on one.
  // biome-ignore lint/correctness/useExhaustiveDependencies: react to the URL's span only.
  useEffect(() => {
    if (spanId === null || spanId === spanInUrl.current) return;
    const index = view.indexById.get(spanId);
    if (index === undefined) {
      setNotice(`Span ${spanId} from the link is not in this trace.`);
      return;
    }
    if (index !== selected) select(index, { open: true, center: true });
  }, [spanId, view]);

  const onKey = (key: WaterfallKey | 'enter' | 'escape') => {
    if (key === 'enter') {
      if (selected >= 0) setDetailsOpen((open) => !open);
      else if (rows.length > 0) select(rows[0]!, { open: true });
      return;
    }
    if (key === 'escape') {
      setDetailsOpen(false);
      return;
    }
    const next = moveCursor(view, rows, { selected, collapsed }, key);
    if (next.collapsed !== collapsed) setCollapsed(next.collapsed);
    if (next.selected !== selected) select(next.selected);
  };

  const toggle = useCallback((index: number) => {
    setCollapsed((c) => {
      const next = new Set(c);
      if (!next.delete(index)) next.add(index);
      return next;
    });
  }, []);
  const onRowSelect = useCallback(
    (index: number) => select(index, { open: true, scroll: false }),
    [select],
  );

  const goToMatch = (step: number) => {
    if (matchList.length === 0) return;
    const next = (matchCursor + step + matchList.length) % matchList.length;
    setMatchCursor(next);
    setCollapsed((c) => expandToShow(view, c, [matchList[next]!]));
    select(matchList[next]!, { center: true });
  };

  const selectFinding = (i: number | null) => {
    setActiveFinding(i);
    const target = i === null ? undefined : ready?.findings[i];
    if (target === undefined) return;
    const indices = indicesOf(target.spanIds);
    setCollapsed((c) => expandToShow(view, c, indices));
    if (indices[0] !== undefined) select(indices[0], { open: true, center: true });
  };

  const followLink = (linkTraceId: string, linkSpanId: string) => {
    if (linkTraceId === view.traceId) {
      const index = view.indexById.get(linkSpanId);
      if (index !== undefined) select(index, { open: true, center: true });
      else setNotice(`Span ${linkSpanId} is not in this trace.`);
    } else {
      navigate(traceUrl(linkTraceId, { spanId: linkSpanId }));
    }
  };

  const download = () => {
    const blob = new Blob([traceToOtlpJsonText(spans)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `trace-${view.traceId}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const root = view.spans[0];
  // From the spans as the waterfall draws them, so that it agrees with the bars.
  const spanSelfTime = selected < 0 ? 0 : selfTimeNs(view, selected);

  return (
    <div className="trace-page" data-testid="trace-page">
      <header className="trace-header">
        <h1 className="trace-title">
          <span>
            <span className="service">{root?.service}:</span> {root?.span.name}
          </span>
          {fromFile && <span className="badge info">from file</span>}
          {root?.orphan && (
            <span
              className="badge warning"
              title="No span of this trace lacks a parent: its entry point has not arrived"
            >
              root span missing
            </span>
          )}
        </h1>
        <dl className="trace-facts">
          <div>
            <dt>Trace</dt>
            <dd className="copy-row">
              <code data-testid="trace-id">{view.traceId}</code>
              <CopyButton text={view.traceId} />
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatTimestampMs(Number(view.startUnixNano / 1_000_000n))}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd data-testid="trace-duration">{formatDurationNs(view.durationNs)}</dd>
          </div>
          <div>
            <dt>Services</dt>
            <dd>{view.services.length}</dd>
          </div>
          <div>
            <dt>Spans</dt>
            <dd data-testid="span-count">{view.spans.length.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>Depth</dt>
            <dd>{view.depth}</dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd className={view.errorCount > 0 ? 'errors' : ''}>{view.errorCount}</dd>
          </div>
        </dl>
        <div className="trace-services">
          {view.services.map((s) => (
            <ServiceChip key={s.name} service={s.name} count={s.spanCount} />
          ))}
        </div>
      </header>
      <div className="trace-toolbar">
        <div className="segmented" role="tablist" aria-label="View">
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'waterfall'}
            className={mode === 'waterfall' ? 'active' : ''}
            onClick={() => setMode('waterfall')}
          >
            Waterfall
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'flame'}
            className={mode === 'flame' ? 'active' : ''}
            onClick={() => setMode('flame')}
          >
            Flame graph
          </button>
        </div>
        {mode === 'waterfall' && (
          <span className="segmented">
            <button type="button" onClick={() => setCollapsed(new Set())} title="Show every span">
              Expand all
            </button>
            <button
              type="button"
              onClick={() => setCollapsed(allParentsOf(view))}
              title="Show only the top-level spans"
            >
              Collapse all
            </button>
          </span>
        )}
        <label className="switch" title="Highlight the spans the trace's duration waits on">
          <input
            type="checkbox"
            checked={showCritical}
            onChange={(event) => setShowCritical(event.target.checked)}
            data-testid="critical-toggle"
          />
          Critical path
          {ready !== null && <span className="muted">({plural(critical.size, 'span')})</span>}
        </label>
        <form
          className="trace-search"
          onSubmit={(event) => {
            event.preventDefault();
            goToMatch(1);
          }}
        >
          <input
            className="input"
            type="search"
            placeholder="Find in trace…"
            title="Service, operation, span id, attribute key=value or event name; Enter jumps to the next match"
            aria-label="Find in trace"
            value={searchText}
            onChange={(event) => {
              setSearchText(event.target.value);
              setMatchCursor(-1);
            }}
          />
          <span className="count" data-testid="match-count">
            {searchText.trim() === '' ? '' : plural(matchList.length, 'match', 'matches')}
          </span>
          <button
            type="button"
            className="button small"
            disabled={matchList.length === 0}
            onClick={() => goToMatch(-1)}
            aria-label="Previous match"
          >
            ↑
          </button>
          <button
            type="submit"
            className="button small"
            disabled={matchList.length === 0}
            aria-label="Next match"
          >
            ↓
          </button>
        </form>
        <span className="spacer" />
        <button
          type="button"
          className="button"
          onClick={download}
          title="Save this trace as OTLP JSON; Open file reads it back"
        >
          Download JSON
        </button>
      </div>
      {(view.problems.length > 0 || notice !== null) && (
        <div className="problems">
          {[...view.problems, ...(notice === null ? [] : [notice])].join(' · ')}
        </div>
      )}
      <div className="trace-body">
        <div className="trace-main">
          <FindingsPanel
            analysis={
              analysis.status === 'ok'
                ? analysis.value
                : analysis.status === 'error'
                  ? analysis.error
                  : 'loading'
            }
            durationNs={view.durationNs}
            active={activeFinding}
            onSelect={selectFinding}
          />
          {mode === 'waterfall' ? (
            <Waterfall
              view={view}
              rows={rows}
              collapsed={collapsed}
              selected={selected}
              critical={critical}
              showCritical={showCritical}
              matches={matches}
              highlighted={highlighted}
              scrollTo={scrollTo}
              onSelect={onRowSelect}
              onToggle={toggle}
              onKey={onKey}
            />
          ) : (
            <FlameGraph
              view={view}
              selected={selected}
              highlighted={highlighted.size > 0 ? highlighted : matches}
              onSelect={(index) => select(index, { open: true, scroll: false })}
            />
          )}
        </div>
        {detailsOpen && selected >= 0 && (
          <SpanDetails
            view={view}
            index={selected}
            selfTimeNs={spanSelfTime}
            onClose={() => setDetailsOpen(false)}
            onSelectSpan={(id) => {
              const index = view.indexById.get(id);
              if (index !== undefined) select(index, { center: true });
            }}
            onFollowLink={followLink}
          />
        )}
      </div>
    </div>
  );
}

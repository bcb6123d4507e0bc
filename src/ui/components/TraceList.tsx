import { formatDurationNs, formatRelativeTime, formatTimestampMs, plural } from '../format.ts';
import { traceUrl } from '../routes.ts';
import { findingLabel, type TraceSummary } from '../trace-summary.ts';
import { Link } from './Link.tsx';
import { ServiceChip } from './ServiceChip.tsx';

const MAX_SERVICE_CHIPS = 6;

/** The search results (or a file's traces) as cards, each a link to its trace page. */
export function TraceList({
  summaries,
  fromFile = false,
}: {
  summaries: readonly TraceSummary[];
  fromFile?: boolean;
}) {
  const longest = Math.max(...summaries.map((s) => s.durationNs), 1);
  const now = Date.now();
  return (
    <div className="trace-list" data-testid="trace-list">
      {summaries.map((s) => {
        const kinds = [...new Map(s.findings.map((f) => [f.kind, f])).values()];
        return (
          <Link
            key={s.traceId}
            href={traceUrl(s.traceId, { fromFile })}
            className="card trace-item"
            data-trace-id={s.traceId}
          >
            <div className="trace-item-top">
              <span className="trace-item-title">
                <span className="service">{s.rootService}:</span> {s.rootOperation}
              </span>
              <span className="trace-item-id mono">{s.traceId.slice(0, 7)}</span>
              {s.rootMissing && <span className="badge warning">root span missing</span>}
              <span className="trace-item-duration">{formatDurationNs(s.durationNs)}</span>
            </div>
            <div className="trace-item-bar">
              <div style={{ width: `${Math.max(0.5, (s.durationNs / longest) * 100)}%` }} />
            </div>
            <div className="trace-item-bottom">
              <span className="badge">{plural(s.spanCount, 'span')}</span>
              {s.errorCount > 0 && (
                <span className="badge error">{plural(s.errorCount, 'error')}</span>
              )}
              {kinds.map((f) => (
                <span
                  key={f.kind}
                  className={`badge ${f.severity}`}
                  title={f.summary}
                  data-finding={f.kind}
                >
                  {findingLabel(f.kind)}
                </span>
              ))}
              {s.services.slice(0, MAX_SERVICE_CHIPS).map((service) => (
                <ServiceChip key={service.name} service={service.name} count={service.spanCount} />
              ))}
              {s.services.length > MAX_SERVICE_CHIPS && (
                <span className="muted">+{s.services.length - MAX_SERVICE_CHIPS} more</span>
              )}
              <span className="when" title={formatTimestampMs(s.startMs)}>
                {formatRelativeTime(s.startMs, now)} · {formatTimestampMs(s.startMs)}
              </span>
            </div>
          </Link>
        );
      })}
    </div>
  );
}

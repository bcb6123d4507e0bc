import { useState } from 'react';
import type { TraceAnalysis } from '../../analysis/trace-analysis.ts';
import { formatDurationNs, plural } from '../format.ts';
import { findingLabel } from '../trace-summary.ts';

/**
 * What the analysis found, largest impact first, with the why-chain beside it. Clicking a finding
 * highlights its spans in the waterfall and scrolls to the first.
 */
export function FindingsPanel({
  analysis,
  durationNs,
  active,
  onSelect,
}: {
  analysis: TraceAnalysis | 'loading' | Error;
  durationNs: number;
  active: number | null;
  onSelect: (finding: number | null) => void;
}) {
  const [open, setOpen] = useState(true);
  if (analysis === 'loading') {
    return (
      <div className="findings" data-testid="findings">
        <div className="findings-head">
          <span className="spinner" aria-hidden="true" />
          <h3>Analysing the trace…</h3>
        </div>
      </div>
    );
  }
  if (analysis instanceof Error) {
    return (
      <div className="findings" data-testid="findings">
        <div className="findings-head">
          <h3>Analysis unavailable</h3>
          <span className="muted">{analysis.message}</span>
        </div>
      </div>
    );
  }
  const { findings, whyChain } = analysis;
  return (
    <div className="findings" data-testid="findings">
      <div className="findings-head">
        <button
          type="button"
          className="toggle"
          aria-label={open ? 'Hide findings' : 'Show findings'}
          onClick={() => setOpen(!open)}
        >
          {open ? '▼' : '▶'}
        </button>
        <h3>{findings.length === 0 ? 'No problems found' : plural(findings.length, 'finding')}</h3>
        <span className="muted">
          {findings.length === 0
            ? 'The detectors found no N+1 queries, retries, timeouts or error origins in this trace.'
            : 'Click a finding to highlight its spans.'}
        </span>
        {active !== null && (
          <button type="button" className="button small" onClick={() => onSelect(null)}>
            Clear highlight
          </button>
        )}
      </div>
      {open && (findings.length > 0 || whyChain.length > 0) && (
        <div className={`findings-body${findings.length === 0 ? ' single' : ''}`}>
          {findings.length > 0 && (
            <ul className="finding-list">
              {findings.map((finding, i) => (
                <li key={`${finding.kind}:${finding.spanIds[0] ?? i}`}>
                  <button
                    type="button"
                    className={`finding${active === i ? ' active' : ''}`}
                    onClick={() => onSelect(active === i ? null : i)}
                    data-finding={finding.kind}
                  >
                    <span className={`badge ${finding.severity}`}>
                      {findingLabel(finding.kind)}
                    </span>
                    <span className="finding-text">
                      <div className="finding-summary">{finding.summary}</div>
                      <div className="finding-meta">
                        {finding.service} · {finding.operation} ·{' '}
                        {plural(finding.spanIds.length, 'span')}
                      </div>
                    </span>
                    {finding.impactNs > 0 && (
                      <span
                        className="finding-impact"
                        title="Time a fix could save on the whole trace"
                      >
                        −{formatDurationNs(finding.impactNs)}
                        {durationNs > 0 && (
                          <div className="muted" style={{ fontWeight: 400 }}>
                            {Math.round((finding.impactNs / durationNs) * 100)}% of trace
                          </div>
                        )}
                      </span>
                    )}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {whyChain.length > 0 && (
            <div data-testid="why-chain">
              <div className="why-title">Why it took {formatDurationNs(durationNs)}</div>
              <ol className="why-chain">
                {whyChain.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ol>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

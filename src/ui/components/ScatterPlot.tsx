import { scaleLinear, scaleSqrt, scaleTime } from 'd3-scale';
import { useRef } from 'react';
import { formatAxisTimeMs, formatDurationNs, formatTimestampMs, plural } from '../format.ts';
import { navigate } from '../navigation.ts';
import { traceUrl } from '../routes.ts';
import { serviceColor } from '../service-colors.ts';
import type { TraceSummary } from '../trace-summary.ts';
import { useElementSize } from '../use-element-size.ts';

const HEIGHT = 190;
const MARGIN = { top: 12, right: 16, bottom: 24, left: 64 };

/** Duration over start time, one dot per trace (bigger for more spans, red with errors); a click opens it. */
export function ScatterPlot({ summaries }: { summaries: readonly TraceSummary[] }) {
  const container = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(container);
  const plotWidth = Math.max(0, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;

  const times = summaries.map((s) => s.startMs);
  let minTime = Math.min(...times);
  let maxTime = Math.max(...times);
  if (maxTime - minTime < 1000) {
    minTime -= 30_000;
    maxTime += 30_000;
  }
  const pad = (maxTime - minTime) * 0.03;
  const x = scaleTime()
    .domain([minTime - pad, maxTime + pad])
    .range([0, plotWidth]);
  const maxDuration = Math.max(...summaries.map((s) => s.durationNs), 1);
  const y = scaleLinear()
    .domain([0, maxDuration * 1.08])
    .range([plotHeight, 0])
    .nice(4);
  const maxSpans = Math.max(...summaries.map((s) => s.spanCount), 1);
  const r = scaleSqrt().domain([1, maxSpans]).range([4, 11]).clamp(true);

  return (
    <div className="card scatter" ref={container} data-testid="scatter-plot">
      {width > 0 && (
        <svg height={HEIGHT} role="img" aria-label="Trace durations over time">
          <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
            <g className="grid">
              {y.ticks(4).map((tick) => (
                <line key={tick} x1={0} x2={plotWidth} y1={y(tick)} y2={y(tick)} />
              ))}
            </g>
            <g className="axis">
              {y.ticks(4).map((tick) => (
                <text key={tick} x={-8} y={y(tick)} dy="0.32em" textAnchor="end">
                  {formatDurationNs(tick)}
                </text>
              ))}
              {x
                .ticks(Math.max(2, Math.floor(plotWidth / 110)))
                // Labels too near the edges would be cut off or run into their neighbour.
                .filter((tick) => x(tick) >= 26 && x(tick) <= plotWidth - 26)
                .map((tick) => (
                  <text key={tick.getTime()} x={x(tick)} y={plotHeight + 17} textAnchor="middle">
                    {formatAxisTimeMs(tick.getTime(), maxTime - minTime)}
                  </text>
                ))}
              <line x1={0} x2={plotWidth} y1={plotHeight} y2={plotHeight} />
            </g>
            {summaries.map((s) => {
              const colour = s.errorCount > 0 ? 'var(--error)' : serviceColor(s.rootService);
              return (
                // biome-ignore lint/a11y/useSemanticElements: an SVG dot cannot be a <button>; the list below offers the same links.
                <circle
                  key={s.traceId}
                  role="button"
                  tabIndex={-1}
                  data-trace-id={s.traceId}
                  cx={x(s.startMs)}
                  cy={y(s.durationNs)}
                  r={r(s.spanCount)}
                  fill={colour}
                  stroke={colour}
                  onClick={() => navigate(traceUrl(s.traceId))}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter') navigate(traceUrl(s.traceId));
                  }}
                >
                  <title>
                    {`${s.rootService}: ${s.rootOperation}\n${formatDurationNs(s.durationNs)} · ${plural(s.spanCount, 'span')}` +
                      `${s.errorCount > 0 ? ` · ${plural(s.errorCount, 'error')}` : ''}\n${formatTimestampMs(s.startMs)}`}
                  </title>
                </circle>
              );
            })}
          </g>
        </svg>
      )}
    </div>
  );
}

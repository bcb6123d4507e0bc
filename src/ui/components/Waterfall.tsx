import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, memo, useEffect, useRef } from 'react';
import { formatDurationNs } from '../format.ts';
import { serviceColor } from '../service-colors.ts';
import type { TraceView, ViewSpan } from '../trace-view.ts';
import { rowOf, type WaterfallKey } from '../waterfall-rows.ts';

export const ROW_HEIGHT = 26;
const INDENT_PX = 14;
/** Deeper spans stop indenting, so a very deep trace keeps its names readable. */
const MAX_INDENT_LEVELS = 40;
const TICKS = [0, 0.25, 0.5, 0.75, 1];

const KEYS: Record<string, WaterfallKey> = {
  ArrowUp: 'up',
  ArrowDown: 'down',
  ArrowLeft: 'left',
  ArrowRight: 'right',
  Home: 'home',
  End: 'end',
};

export interface WaterfallProps {
  readonly view: TraceView;
  /** Span indices of the visible rows, ascending. */
  readonly rows: readonly number[];
  readonly collapsed: ReadonlySet<number>;
  readonly selected: number;
  readonly critical: ReadonlySet<number>;
  readonly showCritical: boolean;
  readonly matches: ReadonlySet<number>;
  readonly highlighted: ReadonlySet<number>;
  /** Scroll this span into view whenever `seq` changes. */
  readonly scrollTo: {
    readonly index: number;
    readonly seq: number;
    readonly center: boolean;
  } | null;
  onSelect(index: number): void;
  onToggle(index: number): void;
  onKey(key: WaterfallKey | 'enter' | 'escape'): void;
}

/**
 * The span tree with bars on a time ruler. Only the rows in view are in the DOM, so a
 * 50,000-span trace scrolls as smoothly as a small one.
 */
export function Waterfall(props: WaterfallProps) {
  const { view, rows, scrollTo } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll only when a new request comes (seq), not when rows change.
  useEffect(() => {
    if (scrollTo === null) return;
    const row = rowOf(rows, scrollTo.index);
    if (row >= 0) virtualizer.scrollToIndex(row, { align: scrollTo.center ? 'center' : 'auto' });
  }, [scrollTo?.seq]);

  useEffect(() => {
    // With the marks of api-client and TracePage, times each phase of opening a trace.
    performance.mark('tracehound:rows rendered');
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    const key =
      KEYS[event.key] ??
      (event.key === 'Enter' ? 'enter' : event.key === 'Escape' ? 'escape' : undefined);
    if (key === undefined) return;
    event.preventDefault();
    props.onKey(key);
  };

  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="waterfall-head">
        <div className="name-col">Service &amp; operation</div>
        <div className="timeline-col">
          {TICKS.map((t) => (
            <div
              key={t}
              className={`tick${t === 1 ? ' last' : ''}`}
              style={{ left: `${t * 100}%` }}
            >
              <span>{formatDurationNs(t * view.durationNs)}</span>
            </div>
          ))}
        </div>
      </div>
      <div
        className="waterfall-scroll"
        ref={scrollRef}
        tabIndex={0}
        role="tree"
        aria-label="Spans"
        onKeyDown={onKeyDown}
        data-testid="waterfall-scroll"
      >
        <div className="waterfall-rows" style={{ height: virtualizer.getTotalSize() }}>
          <div style={{ position: 'absolute', inset: 0, display: 'flex', pointerEvents: 'none' }}>
            <div className="name-col" style={{ borderRight: 0 }} />
            <div className="timeline-col">
              {TICKS.slice(1, -1).map((t) => (
                <div key={t} className="tick" style={{ left: `${t * 100}%` }} />
              ))}
            </div>
          </div>
          {virtualizer.getVirtualItems().map((item) => {
            const index = rows[item.index]!;
            return (
              <Row
                key={index}
                index={index}
                span={view.spans[index]!}
                top={item.start}
                traceDurationNs={view.durationNs}
                collapsed={props.collapsed.has(index)}
                selected={props.selected === index}
                critical={props.showCritical && props.critical.has(index)}
                match={props.matches.has(index)}
                highlighted={props.highlighted.has(index)}
                onSelect={props.onSelect}
                onToggle={props.onToggle}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

interface RowProps {
  readonly index: number;
  readonly span: ViewSpan;
  readonly top: number;
  readonly traceDurationNs: number;
  readonly collapsed: boolean;
  readonly selected: boolean;
  readonly critical: boolean;
  readonly match: boolean;
  readonly highlighted: boolean;
  onSelect(index: number): void;
  onToggle(index: number): void;
}

const Row = memo(function Row(props: RowProps) {
  const { span, index, traceDurationNs } = props;
  const total = traceDurationNs > 0 ? traceDurationNs : 1;
  const left = (span.startNs / total) * 100;
  const width = (span.durationNs / total) * 100;
  // The duration goes after the bar, before it when the bar ends near the right edge, or
  // inside it when the bar spans nearly the whole trace.
  const labelPlace = left + width <= 80 ? 'after' : left >= 12 ? 'before' : 'inside';
  const colour = serviceColor(span.service);
  const classes = ['row'];
  if (props.selected) classes.push('selected');
  if (props.highlighted) classes.push('highlighted');
  else if (props.match) classes.push('match');
  if (props.critical) classes.push('critical');
  if (span.isError) classes.push('error');
  const indent = 6 + Math.min(span.depth, MAX_INDENT_LEVELS) * INDENT_PX;
  return (
    // biome-ignore lint/a11y/useFocusableInteractive: the tree holds focus and moves the selection with the arrow keys.
    <div
      className={classes.join(' ')}
      style={{ transform: `translateY(${props.top}px)` }}
      role="treeitem"
      aria-selected={props.selected}
      aria-level={span.depth + 1}
      aria-expanded={span.childCount > 0 ? !props.collapsed : undefined}
      data-span-id={span.span.spanId}
      data-depth={span.depth}
      onClick={() => props.onSelect(index)}
      onKeyDown={undefined}
    >
      <div className="name-col name-cell" style={{ paddingLeft: indent }}>
        {span.childCount > 0 ? (
          <button
            type="button"
            className="toggle"
            tabIndex={-1}
            aria-label={props.collapsed ? 'Expand' : 'Collapse'}
            onClick={(event) => {
              event.stopPropagation();
              props.onToggle(index);
            }}
          >
            {props.collapsed ? '▶' : '▼'}
          </button>
        ) : (
          <span className="toggle-spacer" />
        )}
        <span className="service-dot" style={{ background: colour }} />
        <span className="svc">{span.service}</span>
        <span className="op">{span.span.name}</span>
        {props.collapsed && <span className="child-count">+{span.subtreeSize - 1}</span>}
        {span.isError && (
          <span className="error-mark" title="Error status">
            !
          </span>
        )}
      </div>
      <div className="timeline-col">
        <div
          className={`bar${span.isError ? ' error' : ''}`}
          style={{ left: `${left}%`, width: `${width}%`, background: colour }}
        />
        <span
          className={`bar-label ${labelPlace}`}
          style={
            labelPlace === 'after'
              ? { left: `calc(${left + width}% + 6px)` }
              : labelPlace === 'before'
                ? { right: `calc(${100 - left}% + 6px)` }
                : { right: `calc(${100 - left - width}% + 6px)` }
          }
        >
          {formatDurationNs(span.durationNs)}
        </span>
      </div>
    </div>
  );
});

import { useEffect, useMemo, useRef, useState } from 'react';
import { boxAt, type FlameViewport, flameBoxes } from '../flame-layout.ts';
import { formatDurationNs } from '../format.ts';
import { serviceColor } from '../service-colors.ts';
import type { TraceView } from '../trace-view.ts';
import { useElementSize } from '../use-element-size.ts';

const ROW = 20;
const AXIS = 22;

/**
 * The trace as a flame graph on the time axis: a box per span, width its duration, colour its
 * service, one row per nesting level. Drawn on a canvas with only the boxes wide enough to see.
 * Click selects a span, double-click zooms to it.
 */
export function FlameGraph({
  view,
  selected,
  highlighted,
  onSelect,
}: {
  view: TraceView;
  selected: number;
  highlighted: ReadonlySet<number>;
  onSelect: (index: number) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { width, height: viewHeight } = useElementSize(scrollRef);
  const [scrollTop, setScrollTop] = useState(0);
  const [zoom, setZoom] = useState<{ startNs: number; endNs: number } | null>(null);
  const [hover, setHover] = useState<{ index: number; x: number; y: number } | null>(null);
  const startNs = zoom?.startNs ?? 0;
  const endNs = zoom?.endNs ?? Math.max(view.durationNs, 1);
  const viewport: FlameViewport = { startNs, endNs, widthPx: width };
  const boxes = useMemo(
    () => flameBoxes(view, { startNs, endNs, widthPx: width }),
    [view, startNs, endNs, width],
  );
  const fullHeight = AXIS + Math.max(1, view.depth) * ROW + 8;
  // The canvas covers only the visible part; a deep trace scrolls a tall spacer under it.
  const height = Math.max(AXIS + ROW, Math.min(fullHeight, viewHeight));

  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null || width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(width * ratio);
    canvas.height = Math.floor(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const styles = getComputedStyle(canvas);
    const text = styles.getPropertyValue('--text').trim() || '#1b2330';
    const faint = styles.getPropertyValue('--text-faint').trim() || '#8b95a3';
    const border = styles.getPropertyValue('--border').trim() || '#dde1e7';
    const error = styles.getPropertyValue('--error').trim() || '#d93a3a';
    const accent = styles.getPropertyValue('--accent').trim() || '#3563e9';
    const highlight = styles.getPropertyValue('--highlight-strong').trim() || '#f28e2b';

    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const span = viewport.endNs - viewport.startNs;
    ctx.fillStyle = border;
    for (let t = 0; t <= 4; t++) ctx.fillRect(Math.min(width - 1, (t / 4) * width), 0, 1, height);
    ctx.textAlign = 'left';
    for (const box of boxes) {
      const s = view.spans[box.index]!;
      const y = AXIS + box.depth * ROW - scrollTop;
      if (y < AXIS - ROW || y > height) continue;
      ctx.fillStyle = serviceColor(s.service);
      ctx.globalAlpha = highlighted.size > 0 && !highlighted.has(box.index) ? 0.45 : 0.9;
      ctx.fillRect(box.x, y, Math.max(box.width - 1, 0.5), ROW - 2);
      ctx.globalAlpha = 1;
      if (s.isError) {
        ctx.fillStyle = error;
        ctx.fillRect(box.x, y + ROW - 5, Math.max(box.width - 1, 0.5), 3);
      }
      if (box.width > 36) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(box.x, y, box.width - 4, ROW - 2);
        ctx.clip();
        ctx.fillStyle = '#10151c';
        ctx.fillText(
          `${s.span.name} · ${formatDurationNs(s.durationNs)}`,
          box.x + 4,
          y + (ROW - 2) / 2,
        );
        ctx.restore();
      }
      if (box.index === selected || highlighted.has(box.index)) {
        ctx.strokeStyle = box.index === selected ? accent : highlight;
        ctx.lineWidth = 2;
        ctx.strokeRect(box.x + 1, y + 1, Math.max(box.width - 3, 1), ROW - 4);
      }
    }
    // The ruler stays on top while the boxes scroll under it.
    ctx.fillStyle = styles.getPropertyValue('--surface').trim() || '#fff';
    ctx.fillRect(0, 0, width, AXIS - 2);
    ctx.fillStyle = faint;
    for (let t = 0; t <= 4; t++) {
      const x = Math.min(width - 1, (t / 4) * width);
      ctx.textAlign = t === 4 ? 'right' : 'left';
      ctx.fillText(
        formatDurationNs(viewport.startNs + (t / 4) * span),
        t === 4 ? x - 4 : x + 4,
        11,
      );
    }
    ctx.fillStyle = text;
  }, [
    boxes,
    view,
    width,
    height,
    scrollTop,
    selected,
    highlighted,
    viewport.startNs,
    viewport.endNs,
  ]);

  const pick = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const y = event.clientY - rect.top;
    return y < AXIS
      ? undefined
      : boxAt(boxes, event.clientX - rect.left, y - AXIS + scrollTop, ROW);
  };
  const hovered = hover === null ? undefined : view.spans[hover.index];

  return (
    <div className="flame" data-testid="flame-graph">
      <div className="flame-bar">
        <span>
          {boxes.length.toLocaleString('en-US')} of {view.spans.length.toLocaleString('en-US')}{' '}
          spans drawn
          {zoom === null ? ' · double-click a span to zoom' : ''}
        </span>
        {zoom !== null && (
          <button type="button" className="button small" onClick={() => setZoom(null)}>
            Reset zoom
          </button>
        )}
      </div>
      <div
        className="flame-scroll"
        ref={scrollRef}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      >
        <div style={{ height: fullHeight }}>
          <canvas
            ref={canvasRef}
            aria-label="Flame graph"
            onMouseMove={(event) => {
              const box = pick(event);
              setHover(box ? { index: box.index, x: event.clientX, y: event.clientY } : null);
            }}
            onMouseLeave={() => setHover(null)}
            onClick={(event) => {
              const box = pick(event);
              if (box) onSelect(box.index);
            }}
            onDoubleClick={(event) => {
              const box = pick(event);
              if (box === undefined) return;
              const s = view.spans[box.index]!;
              setZoom({ startNs: s.startNs, endNs: s.startNs + Math.max(s.durationNs, 1) });
            }}
          />
        </div>
      </div>
      {hover !== null && hovered !== undefined && (
        <div className="tooltip" style={{ left: hover.x + 14, top: hover.y + 14 }}>
          <strong>{hovered.service}</strong> {hovered.span.name}
          <br />
          {formatDurationNs(hovered.durationNs)} at +{formatDurationNs(hovered.startNs)}
          {hovered.isError ? ' · error' : ''}
        </div>
      )}
    </div>
  );
}

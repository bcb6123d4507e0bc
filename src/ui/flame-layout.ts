import type { TraceView } from './trace-view.ts';

/** The part of the trace the flame graph shows, and how wide it is drawn. */
export interface FlameViewport {
  /** Nanoseconds from the trace start. */
  readonly startNs: number;
  readonly endNs: number;
  readonly widthPx: number;
}

export interface FlameBox {
  readonly index: number;
  readonly x: number;
  readonly width: number;
  readonly depth: number;
}

/**
 * The boxes worth drawing: x is the start and width the duration (so time reads left to right,
 * as in the waterfall), depth the nesting level. Boxes narrower than `minWidthPx` or outside the
 * viewport are left out, which keeps a 50,000-span trace cheap to draw; a subtree whose root is
 * too narrow is skipped whole.
 */
export function flameBoxes(view: TraceView, viewport: FlameViewport, minWidthPx = 0.5): FlameBox[] {
  const span = viewport.endNs - viewport.startNs;
  if (span <= 0 || viewport.widthPx <= 0) return [];
  const scale = viewport.widthPx / span;
  const boxes: FlameBox[] = [];
  const { spans } = view;
  for (let i = 0; i < spans.length; ) {
    const s = spans[i]!;
    const x0 = (s.startNs - viewport.startNs) * scale;
    const x1 = (s.startNs + s.durationNs - viewport.startNs) * scale;
    const visible = x1 >= 0 && x0 <= viewport.widthPx;
    const width = Math.min(x1, viewport.widthPx) - Math.max(x0, 0);
    if (visible && width >= minWidthPx) {
      boxes.push({ index: i, x: Math.max(x0, 0), width, depth: s.depth });
      i++;
    } else if (x1 - x0 < minWidthPx) {
      // Children sit inside their parent in time, so they are too narrow as well.
      i += s.subtreeSize;
    } else {
      i++;
    }
  }
  return boxes;
}

/** The box under a point, or undefined; `rowHeight` is the height of one depth level. */
export function boxAt(
  boxes: readonly FlameBox[],
  x: number,
  y: number,
  rowHeight: number,
): FlameBox | undefined {
  const depth = Math.floor(y / rowHeight);
  for (let i = boxes.length - 1; i >= 0; i--) {
    const box = boxes[i]!;
    if (box.depth === depth && x >= box.x && x <= box.x + box.width) return box;
  }
  return undefined;
}

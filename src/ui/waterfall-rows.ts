import type { TraceView } from './trace-view.ts';

/**
 * The rows the waterfall shows: span indices in display order, skipping the subtrees of
 * collapsed spans. Linear in the rows shown, since a subtree is a contiguous run.
 */
export function visibleRows(view: TraceView, collapsed: ReadonlySet<number>): number[] {
  const rows: number[] = [];
  const { spans } = view;
  for (let i = 0; i < spans.length; ) {
    rows.push(i);
    i += collapsed.has(i) ? spans[i]!.subtreeSize : 1;
  }
  return rows;
}

/** Parent, grandparent, ... of a span, nearest first. */
export function ancestorsOf(view: TraceView, index: number): number[] {
  const out: number[] = [];
  for (let p = view.spans[index]?.parent ?? -1; p >= 0; p = view.spans[p]!.parent) out.push(p);
  return out;
}

/** `collapsed` without the ancestors of `indices`, so that they become visible; the same set when nothing changes. */
export function expandToShow(
  view: TraceView,
  collapsed: ReadonlySet<number>,
  indices: Iterable<number>,
): ReadonlySet<number> {
  if (collapsed.size === 0) return collapsed;
  let next: Set<number> | null = null;
  for (const index of indices) {
    for (const ancestor of ancestorsOf(view, index)) {
      if (collapsed.has(ancestor)) {
        next ??= new Set(collapsed);
        next.delete(ancestor);
      }
    }
  }
  return next ?? collapsed;
}

/** Where `index` sits in `rows` (ascending), or -1. */
export function rowOf(rows: readonly number[], index: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const value = rows[mid]!;
    if (value === index) return mid;
    if (value < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export type WaterfallKey = 'up' | 'down' | 'left' | 'right' | 'home' | 'end';

export interface WaterfallCursor {
  readonly selected: number;
  readonly collapsed: ReadonlySet<number>;
}

/**
 * Keyboard navigation as in a file tree: up/down move between visible rows, left collapses an
 * open span or moves to its parent, right expands a closed span or moves to its first child.
 * With nothing selected, any key selects the first row.
 */
export function moveCursor(
  view: TraceView,
  rows: readonly number[],
  cursor: WaterfallCursor,
  key: WaterfallKey,
): WaterfallCursor {
  const { selected, collapsed } = cursor;
  if (rows.length === 0) return cursor;
  const row = rowOf(rows, selected);
  if (row < 0) return { selected: rows[0]!, collapsed };
  const span = view.spans[selected]!;
  switch (key) {
    case 'up':
      return { selected: rows[Math.max(0, row - 1)]!, collapsed };
    case 'down':
      return { selected: rows[Math.min(rows.length - 1, row + 1)]!, collapsed };
    case 'home':
      return { selected: rows[0]!, collapsed };
    case 'end':
      return { selected: rows[rows.length - 1]!, collapsed };
    case 'left': {
      if (span.childCount > 0 && !collapsed.has(selected)) {
        return { selected, collapsed: new Set(collapsed).add(selected) };
      }
      return span.parent >= 0 ? { selected: span.parent, collapsed } : cursor;
    }
    case 'right': {
      if (span.childCount === 0) return cursor;
      if (collapsed.has(selected)) {
        const next = new Set(collapsed);
        next.delete(selected);
        return { selected, collapsed: next };
      }
      return { selected: selected + 1, collapsed };
    }
  }
}

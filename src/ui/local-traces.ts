import type { Span } from '../model/span.ts';
import { groupByTrace } from './trace-view.ts';

/**
 * Traces opened from a file: they live in this page only (nothing is sent to the server), so a
 * reload forgets them.
 */
export interface OpenedFile {
  readonly fileName: string;
  /** Each trace's spans, in file order. */
  readonly traces: readonly (readonly Span[])[];
  readonly problems: readonly string[];
}

let opened: OpenedFile | null = null;

export function setOpenedFile(
  fileName: string,
  spans: readonly Span[],
  problems: readonly string[],
): OpenedFile {
  opened = { fileName, traces: groupByTrace(spans), problems };
  return opened;
}

export function openedFile(): OpenedFile | null {
  return opened;
}

export function openedTrace(traceId: string): readonly Span[] | undefined {
  return opened?.traces.find((spans) => spans[0]?.traceId === traceId);
}

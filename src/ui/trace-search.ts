import { searchableText } from './span-fields.ts';
import type { TraceView } from './trace-view.ts';

const textCache = new WeakMap<TraceView, string[]>();

/**
 * The spans (indices, in display order) whose service, operation, id, attributes or event names
 * contain every whitespace-separated word of `text`, ignoring case. The text of each span is
 * built once per trace, on the first search.
 */
export function findSpans(view: TraceView, text: string): number[] {
  const words = text
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return [];
  let texts = textCache.get(view);
  if (texts === undefined) {
    texts = view.spans.map((s) => searchableText(s.span, s.service));
    textCache.set(view, texts);
  }
  const matches: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    const haystack = texts[i]!;
    if (words.every((w) => haystack.includes(w))) matches.push(i);
  }
  return matches;
}

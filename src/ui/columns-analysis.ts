import { analyzeTrace } from '../analysis/analyze-trace.ts';
import type { TraceAnalysis } from '../analysis/trace-analysis.ts';
import { decodeTraceColumns } from '../model/trace-columns.ts';

/** What the analysis worker answers for one trace. */
export type ColumnsAnalysisReply =
  | { readonly ok: true; readonly analysis: TraceAnalysis }
  | { readonly ok: false; readonly error: string };

/**
 * The diagnosis of a trace from the text of its columns body, as the analysis worker runs it:
 * the worker gets the text the page already downloaded (copying a string is cheap, copying
 * 50,000 span objects is not) and reads it on its own.
 */
export function analyzeColumnsText(text: string): ColumnsAnalysisReply {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${error instanceof Error ? error.message : error}` };
  }
  const decoded = decodeTraceColumns(body);
  if (!decoded.ok) return decoded;
  return { ok: true, analysis: analyzeTrace(decoded.spans) };
}

import { decodeOtlpTracesJson } from '../ingest/otlp/decode-json.ts';
import { encodeOtlpTracesJson } from '../ingest/otlp/encode-json.ts';
import type { Span } from '../model/span.ts';

export type TraceFileResult =
  | { readonly ok: true; readonly spans: Span[]; readonly problems: readonly string[] }
  | { readonly ok: false; readonly error: string };

/**
 * Reads spans from a file a user opened: OTLP/JSON `TracesData` (what the download button and
 * `/api/v3/traces/{id}` give, with or without the `result` wrapper), or JSON Lines of them (what
 * the OpenTelemetry Collector's file exporter writes). Spans the decoder refuses are counted in
 * `problems`; a file with no readable spans is an error that says what was expected.
 */
export function parseTraceFile(text: string): TraceFileResult {
  let documents: unknown[];
  try {
    documents = [JSON.parse(text)];
  } catch {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    try {
      documents = lines.map((line) => JSON.parse(line));
    } catch (error) {
      return {
        ok: false,
        error: `not JSON: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  const spans: Span[] = [];
  const problems: string[] = [];
  for (const [i, document] of documents.entries()) {
    const data = unwrap(document);
    if (data === null) {
      return {
        ok: false,
        error:
          'expected OTLP JSON: an object with "resourceSpans" (as the Download button or ' +
          '/api/v3/traces/{id} produce), or JSON Lines of such objects',
      };
    }
    try {
      const batch = decodeOtlpTracesJson(data);
      spans.push(...batch.spans);
      if (batch.rejectedSpans > 0) {
        problems.push(
          `${batch.rejectedSpans} span(s) could not be read: ${batch.errors.join('; ')}`,
        );
      }
    } catch (error) {
      const where = documents.length > 1 ? ` (line ${i + 1})` : '';
      return {
        ok: false,
        error: `${error instanceof Error ? error.message : String(error)}${where}`,
      };
    }
  }
  if (spans.length === 0) return { ok: false, error: 'the file holds no spans' };
  return { ok: true, spans, problems };
}

function unwrap(document: unknown): unknown {
  if (typeof document !== 'object' || document === null) return null;
  if ('resourceSpans' in document || 'resource_spans' in document) return document;
  if ('result' in document) return unwrap(document.result);
  return null;
}

/** A trace as OTLP/JSON text, ready to save; the file reads back with {@link parseTraceFile}. */
export function traceToOtlpJsonText(spans: readonly Span[]): string {
  return JSON.stringify(encodeOtlpTracesJson(spans), null, 2);
}

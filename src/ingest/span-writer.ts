import type { Span } from '../model/span.ts';

/**
 * Where ingest puts spans. `write` resolves only once every span is durably stored (it survives
 * a `kill -9` right after), and rejects with OverloadedError when the writer cannot take more now.
 */
export interface SpanWriter {
  write(spans: readonly Span[]): Promise<void>;
}

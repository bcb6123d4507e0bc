import type { Span } from '../model/span.ts';
import type { SpanRowBatch } from './span-row-sink.ts';

/**
 * Where ingest puts spans. `write` resolves only once every span is durably stored (it survives
 * a `kill -9` right after), and rejects with OverloadedError when the writer cannot take more now.
 */
export interface SpanWriter {
  write(spans: readonly Span[]): Promise<void>;
  /**
   * Optional fast path for OTLP/protobuf: a batch the decoder fills field by field, without
   * Span objects, then stores with the same guarantees as `write`.
   */
  rowBatch?(): SpanRowBatch;
}

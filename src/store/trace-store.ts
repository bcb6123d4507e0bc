import type { Span, SpanKind, TraceId } from '../model/span.ts';
import type { DependencyLink, Operation } from '../query/span-reader.ts';
import type { TraceQuery } from '../query/trace-query.ts';
import type { RowBatchWriter } from './raw-row.ts';

/**
 * The contract every store meets (memory, DuckDB, later ClickHouse); `store-contract.ts` holds
 * the test suite that checks it. It satisfies ingest's SpanWriter and query's SpanReader.
 */
export interface TraceStore {
  /** Resolves once the spans are durably stored; OverloadedError when the store is saturated. */
  write(spans: readonly Span[]): Promise<void>;
  /** Optional fast path for the OTLP/protobuf decoder: a batch it fills without Span objects. */
  rowBatch?(): RowBatchWriter;
  getTraces(traceIds: readonly TraceId[]): Promise<Span[]>;
  findTraceIds(query: TraceQuery): Promise<TraceId[]>;
  getServices(): Promise<string[]>;
  getOperations(service: string, spanKind?: SpanKind): Promise<Operation[]>;
  getDependencies(startUnixNano: bigint, endUnixNano: bigint): Promise<DependencyLink[]>;
  /** Writes what is pending and releases files; further calls fail. */
  close(): Promise<void>;
}

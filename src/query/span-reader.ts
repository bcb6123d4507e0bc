import type { Span, SpanKind, TraceId } from '../model/span.ts';
import type { TraceQuery } from './trace-query.ts';

export interface Operation {
  readonly name: string;
  readonly spanKind: SpanKind;
}

/** Calls from one service to another, counted over parent/child spans that cross services. */
export interface DependencyLink {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
  readonly errorCount: number;
}

/** What the query side needs from storage. */
export interface SpanReader {
  /** Every stored span of these traces, in no particular order; unknown ids add nothing. */
  getTraces(traceIds: readonly TraceId[]): Promise<Span[]>;
  /** Ids of matching traces, newest first. */
  findTraceIds(query: TraceQuery): Promise<TraceId[]>;
  getServices(): Promise<string[]>;
  /** Operations of a service, optionally of one span kind, sorted by name. */
  getOperations(service: string, spanKind?: SpanKind): Promise<Operation[]>;
  /** Service-to-service calls among child spans that started within [start, end]. */
  getDependencies(startUnixNano: bigint, endUnixNano: bigint): Promise<DependencyLink[]>;
}

import type { InstrumentationScope, Resource, Span } from '../model/span.ts';

/**
 * The fields of a plain span as the protobuf fast path delivers them (structurally ingest's
 * RawSpan: the store does not import ingest).
 */
export interface RawRow {
  readonly buf: Uint8Array;
  readonly traceIdAt: number;
  readonly spanIdAt: number;
  readonly parentSpanIdAt: number;
  readonly startAt: number;
  readonly endAt: number;
  readonly name: string;
  readonly kind: number;
  readonly statusCode: number;
  readonly flags: number;
  readonly attributeCount: number;
  readonly attributes: readonly {
    readonly key: string;
    readonly type: number;
    readonly text: string | null;
    readonly valueStart: number;
    readonly valueEnd: number;
  }[];
}

/**
 * A store's fast path for one request's spans (structurally ingest's SpanRowBatch): the
 * protobuf decoder delivers plain spans as rows and others as Spans, then `store` commits all.
 */
export interface RowBatchWriter {
  scope(resource: Resource, scope: InstrumentationScope): void;
  row(raw: RawRow): boolean;
  span(span: Span): void;
  store(): Promise<void>;
}

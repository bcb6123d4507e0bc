import { TracehoundError } from '../../model/errors.ts';
import {
  type Span,
  type SpanKind,
  StatusCode,
  serviceNameOf,
  type TraceId,
} from '../../model/span.ts';
import { spanMatches } from '../../query/match-span.ts';
import type { DependencyLink, Operation } from '../../query/span-reader.ts';
import type { TraceQuery } from '../../query/trace-query.ts';
import { DependencyCounter } from '../dependency-counter.ts';
import type { TraceStore } from '../trace-store.ts';

/** Keeps everything in process memory: for tests and throwaway sessions (`--storage memory`). */
export class MemoryStore implements TraceStore {
  readonly #traces = new Map<TraceId, Span[]>();
  /** service -> operation key (`kind:name`) -> operation */
  readonly #operations = new Map<string, Map<string, Operation>>();
  #closed = false;

  async write(spans: readonly Span[]): Promise<void> {
    this.#assertOpen();
    for (const span of spans) {
      let trace = this.#traces.get(span.traceId);
      if (!trace) {
        trace = [];
        this.#traces.set(span.traceId, trace);
      }
      trace.push(span);
      const service = serviceNameOf(span.resource);
      let operations = this.#operations.get(service);
      if (!operations) {
        operations = new Map();
        this.#operations.set(service, operations);
      }
      operations.set(`${span.kind}:${span.name}`, { name: span.name, spanKind: span.kind });
    }
  }

  async getTraces(traceIds: readonly TraceId[]): Promise<Span[]> {
    this.#assertOpen();
    return [...new Set(traceIds)].flatMap((id) => this.#traces.get(id) ?? []);
  }

  async findTraceIds(query: TraceQuery): Promise<TraceId[]> {
    this.#assertOpen();
    const found: { id: TraceId; latestStart: bigint }[] = [];
    for (const [id, spans] of this.#traces) {
      let latestStart: bigint | undefined;
      for (const span of spans) {
        if (!spanMatches(span, query)) continue;
        if (latestStart === undefined || span.startTimeUnixNano > latestStart) {
          latestStart = span.startTimeUnixNano;
        }
      }
      if (latestStart !== undefined) found.push({ id, latestStart });
    }
    found.sort((a, b) =>
      a.latestStart === b.latestStart ? 0 : a.latestStart > b.latestStart ? -1 : 1,
    );
    return found.slice(0, query.limit).map((f) => f.id);
  }

  async getServices(): Promise<string[]> {
    this.#assertOpen();
    return [...this.#operations.keys()].sort();
  }

  async getOperations(service: string, spanKind?: SpanKind): Promise<Operation[]> {
    this.#assertOpen();
    const operations = [...(this.#operations.get(service)?.values() ?? [])];
    return operations
      .filter((op) => spanKind === undefined || op.spanKind === spanKind)
      .sort((a, b) => a.name.localeCompare(b.name) || a.spanKind - b.spanKind);
  }

  async getDependencies(startUnixNano: bigint, endUnixNano: bigint): Promise<DependencyLink[]> {
    this.#assertOpen();
    const counter = new DependencyCounter();
    for (const spans of this.#traces.values()) {
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      for (const child of spans) {
        if (child.startTimeUnixNano < startUnixNano || child.startTimeUnixNano > endUnixNano)
          continue;
        const parent = child.parentSpanId ? byId.get(child.parentSpanId) : undefined;
        if (!parent) continue;
        const from = serviceNameOf(parent.resource);
        const to = serviceNameOf(child.resource);
        if (from !== to) counter.add(from, to, child.status.code === StatusCode.error);
      }
    }
    return counter.links();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new TracehoundError('store_closed', 'the store is closed');
  }
}

import { InvalidInputError, NotFoundError } from '../model/errors.ts';
import { normaliseTraceId, type Span, type TraceId } from '../model/span.ts';
import type { SpanReader } from '../query/span-reader.ts';
import type { TraceQuery } from '../query/trace-query.ts';

/** The spans of one trace, by an id as a user typed it; NotFoundError when nothing is stored. */
export async function loadTrace(reader: SpanReader, rawId: string): Promise<Span[]> {
  const traceId = normaliseTraceId(rawId);
  if (traceId === null) {
    throw new InvalidInputError(
      `'${rawId}' is not a trace id (up to 32 hexadecimal digits, not all zero)`,
      'traceId',
    );
  }
  const spans = await reader.getTraces([traceId]);
  if (spans.length === 0) throw new NotFoundError(`trace ${traceId} not found`);
  return spans;
}

/** The traces with these ids, in the order of the ids, each as its spans; unknown ids are skipped. */
export async function loadTraces(
  reader: SpanReader,
  traceIds: readonly TraceId[],
): Promise<Span[][]> {
  const byTrace = new Map<TraceId, Span[]>(traceIds.map((id) => [id, []]));
  for (const span of await reader.getTraces(traceIds)) byTrace.get(span.traceId)?.push(span);
  return [...byTrace.values()].filter((spans) => spans.length > 0);
}

/** Runs a search and loads the traces it found, newest first. */
export async function searchTraces(reader: SpanReader, query: TraceQuery): Promise<Span[][]> {
  return loadTraces(reader, await reader.findTraceIds(query));
}

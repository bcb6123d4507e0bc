import { InvalidInputError } from '../../model/errors.ts';
import {
  normaliseTraceId,
  SPAN_KIND_NAMES,
  type SpanKind,
  type TraceId,
} from '../../model/span.ts';
import { parseGoDuration } from '../../query/go-duration.ts';
import {
  type AttributeCondition,
  DEFAULT_SEARCH_LIMIT,
  MAX_SEARCH_LIMIT,
  type TraceQuery,
} from '../../query/trace-query.ts';

export interface JaegerSearchRequest {
  readonly query: TraceQuery;
  /** Trace ids asked for by `traceID` (jaeger-ui's "compare" and deep links); normalised. */
  readonly traceIds: TraceId[];
}

export interface SearchParamOptions {
  /** The clock `lookback` counts back from when no `end` is given; defaults to `Date.now()`. */
  readonly nowUnixNano?: bigint;
}

/**
 * Reads the query string of Jaeger's `GET /api/traces` search, as jaeger-ui and Grafana send it:
 * `service`, `operation`, `spanKind`, `tags` (a JSON object, values turned to text),
 * repeated `tag=key:value` (split at the first colon), `minDuration`/`maxDuration`
 * (Go durations), `start`/`end` (microseconds since the epoch; absent means unbounded),
 * `lookback` (`1h`, `2d`, `custom`, ...: when `start` is absent, start = (end or now) - lookback),
 * `limit` (default {@link DEFAULT_SEARCH_LIMIT}, at most {@link MAX_SEARCH_LIMIT}) and repeated
 * `traceID`.
 *
 * Unlike Jaeger, `service` is optional. The tag `error=true` (jaeger-ui's "errors only" search)
 * becomes {@link TraceQuery.errorOnly}: our spans carry errors in their status, not in a tag.
 *
 * @throws InvalidInputError naming the parameter (as its `path`) for a value that cannot be used.
 * @see https://github.com/jaegertracing/jaeger/blob/main/cmd/jaeger/internal/extension/jaegerquery/internal/query_parser.go
 */
export function parseJaegerSearchRequest(
  params: URLSearchParams,
  options: SearchParamOptions = {},
): JaegerSearchRequest {
  const tags = new Map<string, string>();
  for (const tag of params.getAll('tag').filter((text) => text !== '')) {
    const colon = tag.indexOf(':');
    if (colon <= 0) throw new InvalidInputError(`expected key:value, got '${tag}'`, 'tag');
    tags.set(tag.slice(0, colon), tag.slice(colon + 1));
  }
  for (const json of params.getAll('tags').filter((text) => text !== '')) {
    for (const [key, value] of Object.entries(parseJsonObject(json, 'tags'))) {
      tags.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  const errorOnly = tags.get('error') === 'true';
  if (errorOnly) tags.delete('error');

  const end = optionalMicros(params, 'end');
  let start = optionalMicros(params, 'start');
  const lookback = nonEmpty(params.get('lookback'));
  if (start === undefined && lookback !== undefined && lookback !== 'custom') {
    start =
      (end ?? options.nowUnixNano ?? BigInt(Date.now()) * 1_000_000n) - parseLookback(lookback);
  }
  if (start !== undefined && end !== undefined && start > end) {
    throw new InvalidInputError(`start must not be after end`, 'start');
  }

  const traceIds = params.getAll('traceID').map((id) => {
    const traceId = normaliseTraceId(id);
    if (traceId === null) throw new InvalidInputError(`not a trace id: '${id}'`, 'traceID');
    return traceId;
  });

  const query: TraceQuery = {
    ...optionalField('service', nonEmpty(params.get('service'))),
    ...optionalField('operation', nonEmpty(params.get('operation'))),
    ...optionalField('spanKind', optionalSpanKind(params, 'spanKind')),
    attributes: conditionsOf(tags),
    ...durationBounds(params, 'minDuration', 'maxDuration'),
    ...optionalField('startTimeMinUnixNano', start),
    ...optionalField('startTimeMaxUnixNano', end),
    ...(errorOnly ? { errorOnly } : {}),
    limit: parseLimit(params.get('limit'), 'limit'),
  };
  return { query, traceIds };
}

/** {@link parseJaegerSearchRequest} for callers that do not look up trace ids. */
export function parseJaegerSearchParams(
  params: URLSearchParams,
  options: SearchParamOptions = {},
): TraceQuery {
  return parseJaegerSearchRequest(params, options).query;
}

/**
 * Reads the query string of Jaeger's `GET /api/v3/traces` (its HTTP gateway over api_v3):
 * `query.service_name`, `query.operation_name`, `query.attributes` (a JSON object, as jaeger-ui's
 * v3 client sends it), `query.start_time_min`/`query.start_time_max` (RFC 3339 with up to nine
 * fraction digits), `query.duration_min`/`query.duration_max` (Go durations) and
 * `query.search_depth` (alias `query.num_traces`; default {@link DEFAULT_SEARCH_LIMIT}, at most
 * {@link MAX_SEARCH_LIMIT}). The camelCase spellings (`query.serviceName`, ...) are read too.
 * `query.raw_traces` is ignored: we never adjust traces.
 *
 * Unlike Jaeger, which requires both start bounds, absent bounds leave the search unbounded.
 *
 * @throws InvalidInputError naming the parameter for a value that cannot be used.
 * @see https://github.com/jaegertracing/jaeger/blob/main/cmd/jaeger/internal/extension/jaegerquery/internal/apiv3/http_gateway.go
 */
export function parseJaegerV3QueryParams(params: URLSearchParams): TraceQuery {
  const read = (name: string) => {
    const camel = name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    const snakeValue = nonEmpty(params.get(name));
    if (snakeValue !== undefined) return { name, value: snakeValue };
    return { name: camel, value: nonEmpty(params.get(camel)) };
  };

  const attributes = new Map<string, string>();
  const attributesParam = read('query.attributes');
  if (attributesParam.value !== undefined) {
    const object = parseJsonObject(attributesParam.value, attributesParam.name);
    for (const [key, value] of Object.entries(object)) {
      attributes.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
  }

  const timeMin = read('query.start_time_min');
  const timeMax = read('query.start_time_max');
  const start = timeMin.value === undefined ? undefined : parseRfc3339(timeMin.value, timeMin.name);
  const end = timeMax.value === undefined ? undefined : parseRfc3339(timeMax.value, timeMax.name);
  if (start !== undefined && end !== undefined && start > end) {
    throw new InvalidInputError(`must not be after ${timeMax.name}`, timeMin.name);
  }

  let depth = read('query.search_depth');
  if (depth.value === undefined) depth = read('query.num_traces');
  const durationMin = read('query.duration_min');
  const durationMax = read('query.duration_max');

  return {
    ...optionalField('service', read('query.service_name').value),
    ...optionalField('operation', read('query.operation_name').value),
    attributes: conditionsOf(attributes),
    ...durationBoundsOf(durationMin, durationMax),
    ...optionalField('startTimeMinUnixNano', start),
    ...optionalField('startTimeMaxUnixNano', end),
    // Jaeger reads a search depth of 0 as "the default".
    limit: depth.value === '0' ? DEFAULT_SEARCH_LIMIT : parseLimit(depth.value ?? null, depth.name),
  };
}

/**
 * Parses an RFC 3339 timestamp (`2024-05-01T12:00:00.123456789Z`, `...+02:00`) to exact
 * nanoseconds since the epoch, as Go's `time.RFC3339Nano` layout reads it.
 * @throws InvalidInputError naming `param`.
 */
export function parseRfc3339(text: string, param: string): bigint {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(
      text,
    );
  const invalid = () =>
    new InvalidInputError(
      `expected an RFC 3339 time like 2024-05-01T12:00:00.5Z, got '${text}'`,
      param,
    );
  if (match === null) throw invalid();
  const [, year, month, day, hour, minute, second, fraction = '', , sign, offsetH, offsetM] =
    match.map((part) => part ?? '');
  const fields = [year, month, day, hour, minute, second, offsetH, offsetM].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s, oh, om] = fields;
  const millis = Date.UTC(y, mo - 1, d, h, mi, s);
  const date = new Date(millis);
  // Date.UTC rolls 31 April over into May; a round trip catches impossible dates.
  if (
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== s ||
    oh > 23 ||
    om > 59
  ) {
    throw invalid();
  }
  const offsetMinutes = sign === '' ? 0 : (sign === '-' ? -1 : 1) * (oh * 60 + om);
  const seconds = BigInt(millis / 1000 - offsetMinutes * 60);
  return seconds * 1_000_000_000n + BigInt(fraction.padEnd(9, '0') || '0');
}

function conditionsOf(tags: ReadonlyMap<string, string>): AttributeCondition[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}

function durationBounds(params: URLSearchParams, minName: string, maxName: string) {
  return durationBoundsOf(
    { name: minName, value: nonEmpty(params.get(minName)) },
    { name: maxName, value: nonEmpty(params.get(maxName)) },
  );
}

function durationBoundsOf(
  min: { name: string; value: string | undefined },
  max: { name: string; value: string | undefined },
): { minDurationNs?: bigint; maxDurationNs?: bigint } {
  const minDurationNs = optionalDuration(min.value, min.name);
  const maxDurationNs = optionalDuration(max.value, max.name);
  if (minDurationNs !== undefined && maxDurationNs !== undefined && minDurationNs > maxDurationNs) {
    throw new InvalidInputError(
      `must not exceed ${max.name} (${min.value} > ${max.value})`,
      min.name,
    );
  }
  return {
    ...optionalField('minDurationNs', minDurationNs),
    ...optionalField('maxDurationNs', maxDurationNs),
  };
}

function optionalDuration(text: string | undefined, param: string): bigint | undefined {
  if (text === undefined) return undefined;
  let nanos: bigint;
  try {
    nanos = parseGoDuration(text);
  } catch (error) {
    throw new InvalidInputError(`expected a duration like 150ms or 1.5s, got '${text}'`, param, {
      cause: error,
    });
  }
  if (nanos < 0n) throw new InvalidInputError(`must not be negative, got '${text}'`, param);
  return nanos;
}

/** Jaeger UI's lookback choices go beyond Go's units (`2d`, `1w`), so days and weeks are read too. */
function parseLookback(text: string): bigint {
  const days = /^(\d+)([dw])$/.exec(text);
  if (days !== null) {
    const [, count = '0', unit] = days;
    return BigInt(count) * (unit === 'w' ? 7n : 1n) * 86_400_000_000_000n;
  }
  const nanos = optionalDuration(text, 'lookback');
  return nanos ?? 0n;
}

function optionalMicros(params: URLSearchParams, param: string): bigint | undefined {
  const text = nonEmpty(params.get(param));
  if (text === undefined) return undefined;
  if (!/^\d{1,19}$/.test(text)) {
    throw new InvalidInputError(`expected microseconds since the epoch, got '${text}'`, param);
  }
  return BigInt(text) * 1000n;
}

function optionalSpanKind(params: URLSearchParams, param: string): SpanKind | undefined {
  const text = nonEmpty(params.get(param));
  if (text === undefined) return undefined;
  const entry = Object.entries(SPAN_KIND_NAMES).find(([, name]) => name === text.toLowerCase());
  if (entry === undefined) {
    throw new InvalidInputError(
      `expected one of ${Object.values(SPAN_KIND_NAMES).join(', ')}, got '${text}'`,
      param,
    );
  }
  return Number(entry[0]) as SpanKind;
}

function parseLimit(text: string | null, param: string): number {
  const value = nonEmpty(text);
  if (value === undefined) return DEFAULT_SEARCH_LIMIT;
  if (!/^\d+$/.test(value) || Number(value) === 0) {
    throw new InvalidInputError(`expected a positive whole number, got '${value}'`, param);
  }
  return Math.min(Number(value), MAX_SEARCH_LIMIT);
}

function parseJsonObject(text: string, param: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`expected a JSON object, got '${text}'`, param, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`expected a JSON object, got '${text}'`, param);
  }
  return value as Record<string, unknown>;
}

function nonEmpty(text: string | null | undefined): string | undefined {
  return text === null || text === undefined || text === '' ? undefined : text;
}

/** `{ [key]: value }` when the value is defined, else `{}`: optional fields stay absent. */
function optionalField<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * The search page's query, kept in the URL so that a link reproduces the search:
 * `/search?service=checkout&tags=http.status_code%3D500&minDuration=100ms&lookback=1h&sort=longest`.
 * Defaults are left out of the URL.
 */

export const LOOKBACKS = ['15m', '1h', '6h', '24h', 'custom'] as const;
export type Lookback = (typeof LOOKBACKS)[number];

export const LOOKBACK_LABELS: Record<Lookback, string> = {
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
  custom: 'Custom range',
};

const LOOKBACK_MS: Record<Exclude<Lookback, 'custom'>, number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
};

export const SORTS = ['recent', 'longest', 'most-spans'] as const;
export type SortOrder = (typeof SORTS)[number];

export const SORT_LABELS: Record<SortOrder, string> = {
  recent: 'Most recent',
  longest: 'Longest first',
  'most-spans': 'Most spans',
};

export interface SearchQuery {
  readonly service: string;
  readonly operation: string;
  /** `key=value` pairs separated by spaces; quote values with spaces: `db.statement="SELECT 1"`. */
  readonly tags: string;
  /** Go durations: `150ms`, `1.5s`. */
  readonly minDuration: string;
  readonly maxDuration: string;
  readonly lookback: Lookback;
  /** Milliseconds since the epoch, for a custom range. */
  readonly startMs: number | null;
  readonly endMs: number | null;
  readonly limit: number;
  readonly sort: SortOrder;
}

export const DEFAULT_QUERY: SearchQuery = {
  service: '',
  operation: '',
  tags: '',
  minDuration: '',
  maxDuration: '',
  lookback: '1h',
  startMs: null,
  endMs: null,
  limit: 20,
  sort: 'recent',
};

export const MAX_LIMIT = 1500;

const oneOf = <T extends string>(values: readonly T[], text: string | null, fallback: T): T =>
  values.includes(text as T) ? (text as T) : fallback;

const millis = (text: string | null): number | null =>
  text !== null && /^\d{1,15}$/.test(text) ? Number(text) : null;

/** Reads a search from a URL query string; anything unreadable takes its default. */
export function parseSearchQuery(params: URLSearchParams): SearchQuery {
  const limit = Number(params.get('limit'));
  return {
    service: params.get('service') ?? '',
    operation: params.get('operation') ?? '',
    tags: params.get('tags') ?? '',
    minDuration: params.get('minDuration') ?? '',
    maxDuration: params.get('maxDuration') ?? '',
    lookback: oneOf(LOOKBACKS, params.get('lookback'), DEFAULT_QUERY.lookback),
    startMs: millis(params.get('start')),
    endMs: millis(params.get('end')),
    limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_LIMIT) : DEFAULT_QUERY.limit,
    sort: oneOf(SORTS, params.get('sort'), DEFAULT_QUERY.sort),
  };
}

/** The URL query string for a search (no leading `?`), without the fields left at their default. */
export function formatSearchQuery(query: SearchQuery): string {
  const params = new URLSearchParams();
  const set = (name: string, value: string, fallback: string) => {
    if (value !== fallback) params.set(name, value);
  };
  set('service', query.service, '');
  set('operation', query.operation, '');
  set('tags', query.tags.trim(), '');
  set('minDuration', query.minDuration.trim(), '');
  set('maxDuration', query.maxDuration.trim(), '');
  set('lookback', query.lookback, DEFAULT_QUERY.lookback);
  if (query.lookback === 'custom') {
    if (query.startMs !== null) params.set('start', String(query.startMs));
    if (query.endMs !== null) params.set('end', String(query.endMs));
  }
  set('limit', String(query.limit), String(DEFAULT_QUERY.limit));
  set('sort', query.sort, DEFAULT_QUERY.sort);
  return params.toString();
}

export type TagsResult =
  | { readonly ok: true; readonly tags: readonly (readonly [string, string])[] }
  | { readonly ok: false; readonly error: string };

/**
 * Parses `key=value` pairs separated by whitespace (logfmt, as Jaeger UI's tag box): a value
 * may be double-quoted to hold spaces, with `\"` for a quote. Later keys win.
 */
export function parseTags(text: string): TagsResult {
  const tags = new Map<string, string>();
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  while (i < text.length) {
    const keyStart = i;
    while (i < text.length && text[i] !== '=' && !/\s/.test(text[i]!)) i++;
    const key = text.slice(keyStart, i);
    if (text[i] !== '=' || key === '') {
      return {
        ok: false,
        error: `expected key=value, got '${text.slice(keyStart, i) || text[i]}'`,
      };
    }
    i++;
    let value = '';
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const ch = text[i]!;
        if (ch === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (ch === '"') {
          i++;
          closed = true;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      if (!closed) return { ok: false, error: `the value of '${key}' has no closing quote` };
    } else {
      const valueStart = i;
      while (i < text.length && !/\s/.test(text[i]!)) i++;
      value = text.slice(valueStart, i);
    }
    tags.set(key, value);
    skipSpace();
  }
  return { ok: true, tags: [...tags] };
}

const GO_DURATION_RE = /^(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)$/;

/** Whether the server will understand a duration bound (`150ms`, `1.5s`, `2m`); empty is fine. */
export function isDurationText(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === '' || GO_DURATION_RE.test(trimmed);
}

/** The time window a search covers, in milliseconds since the epoch. */
export function timeWindowMs(
  query: SearchQuery,
  nowMs: number,
): { startMs: number; endMs: number } {
  if (query.lookback === 'custom') {
    const endMs = query.endMs ?? nowMs;
    return { startMs: query.startMs ?? endMs - LOOKBACK_MS['1h'], endMs };
  }
  return { startMs: nowMs - LOOKBACK_MS[query.lookback], endMs: nowMs };
}

/**
 * The parameters of Jaeger's api_v3 search (`GET /api/v3/traces?query.*`) for a search.
 * @throws Error with a message for the user when the tags or durations cannot be read.
 */
export function toApiV3Params(query: SearchQuery, nowMs: number): URLSearchParams {
  const params = new URLSearchParams();
  if (query.service !== '') params.set('query.service_name', query.service);
  if (query.operation !== '') params.set('query.operation_name', query.operation);
  const tags = parseTags(query.tags);
  if (!tags.ok) throw new Error(`Tags: ${tags.error}`);
  if (tags.tags.length > 0)
    params.set('query.attributes', JSON.stringify(Object.fromEntries(tags.tags)));
  for (const [name, text] of [
    ['min', query.minDuration],
    ['max', query.maxDuration],
  ] as const) {
    if (!isDurationText(text)) {
      throw new Error(
        `${name === 'min' ? 'Minimum' : 'Maximum'} duration: expected a duration like 150ms or 1.5s, got '${text}'`,
      );
    }
    if (text.trim() !== '') params.set(`query.duration_${name}`, text.trim().replace('µs', 'us'));
  }
  const { startMs, endMs } = timeWindowMs(query, nowMs);
  params.set('query.start_time_min', new Date(startMs).toISOString());
  params.set('query.start_time_max', new Date(endMs).toISOString());
  params.set('query.search_depth', String(query.limit));
  return params;
}

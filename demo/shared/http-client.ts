/** A call to another service failed; the caller answers 502. */
export class UpstreamError extends Error {
  readonly status: number;

  constructor(url: string, status: number, detail: string) {
    super(`${url} answered ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'UpstreamError';
    this.status = status;
  }
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default 10 s. */
  readonly timeoutMs?: number;
}

/**
 * Calls a JSON endpoint with `fetch` (which the undici instrumentation traces and propagates).
 * @throws UpstreamError for any answer but 2xx
 */
export async function callJson<T>(url: string, options: CallOptions = {}): Promise<T> {
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  if (!response.ok) {
    let detail = text;
    try {
      detail = String((JSON.parse(text) as { error?: unknown }).error ?? text);
    } catch {}
    throw new UpstreamError(url, response.status, detail.slice(0, 200));
  }
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

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
  // A timer cleared once the answer is read, rather than AbortSignal.timeout: that one stays
  // armed for its whole time, and with it the request's async context (under tracehound/register,
  // its spans), thousands of them under load.
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`${url} did not answer within ${options.timeoutMs ?? 10_000} ms`)),
    options.timeoutMs ?? 10_000,
  );
  try {
    const response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: abort.signal,
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
  } finally {
    clearTimeout(timer);
  }
}

/** The pages of the app and the URLs that lead to them. */
export type Route =
  | { readonly page: 'search'; readonly params: URLSearchParams }
  | {
      readonly page: 'trace';
      readonly traceId: string;
      /** `?span=` of a deep link: that span is selected and scrolled into view. */
      readonly spanId: string | null;
      /** `?source=file`: a trace opened from a file, held in the page, not on the server. */
      readonly fromFile: boolean;
    }
  | { readonly page: 'map'; readonly params: URLSearchParams }
  | { readonly page: 'file' }
  | { readonly page: 'not-found'; readonly path: string };

/** Reads a location (`/trace/abc?span=12`) into a route; `/` is the search page. */
export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/search') return { page: 'search', params };
  if (path === '/map') return { page: 'map', params };
  if (path === '/file') return { page: 'file' };
  const trace = /^\/trace\/([^/]+)$/.exec(path);
  if (trace !== null) {
    return {
      page: 'trace',
      traceId: decodeURIComponent(trace[1]!),
      spanId: params.get('span') || null,
      fromFile: params.get('source') === 'file',
    };
  }
  return { page: 'not-found', path };
}

/** The URL of a trace page, optionally with a span selected. */
export function traceUrl(
  traceId: string,
  options: { spanId?: string; fromFile?: boolean } = {},
): string {
  const params = new URLSearchParams();
  if (options.spanId) params.set('span', options.spanId);
  if (options.fromFile) params.set('source', 'file');
  const query = params.toString();
  return `/trace/${encodeURIComponent(traceId)}${query === '' ? '' : `?${query}`}`;
}

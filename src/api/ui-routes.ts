import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { Logger } from './logger.ts';

/** Where `npm run build:ui` (Vite) writes the web UI. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface UiRouteOptions {
  readonly logger: Logger;
  /** The built bundle; defaults to {@link DEFAULT_UI_DIR}. */
  readonly uiDir?: string;
}

/**
 * Serves the web UI on the query port, same origin as the API: files of the built bundle, and
 * `index.html` for every other path that is not under `/api/` (the app routes `/trace/...`,
 * `/search`, `/map` in the browser). Paths under `/api/` fall through to the API's own 404.
 * Without a bundle, every page explains how to build it and the start-up log warns once.
 */
export function uiRoutes({ logger, uiDir = DEFAULT_UI_DIR }: UiRouteOptions): Hono {
  const root = resolve(uiDir);
  const indexPath = resolve(root, 'index.html');
  if (!existsSync(indexPath)) {
    logger.warn(
      `the web UI is not built (no ${indexPath}); run 'npm run build:ui'. The API works without it.`,
    );
  }
  const app = new Hono();
  app.get('*', async (c, next) => {
    const path = c.req.path;
    if (path === '/api' || path.startsWith('/api/')) return next();
    const file = resolve(root, `.${decodeURIComponentSafe(path)}`);
    // Only files inside the bundle, never `..` outside it.
    if (file.startsWith(root + sep) && file !== indexPath && extname(file) !== '') {
      const body = await readOrNull(file);
      if (body !== null) {
        const immutable = file.startsWith(resolve(root, 'assets') + sep);
        return c.body(body, 200, {
          'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          // Vite puts a content hash in asset names, so they never change under one name.
          'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      }
      return c.text('not found', 404);
    }
    const index = await readOrNull(indexPath);
    if (index === null) return c.html(MISSING_BUNDLE_PAGE, 503);
    return c.body(index, 200, {
      'content-type': CONTENT_TYPES['.html']!,
      'cache-control': 'no-cache',
    });
  });
  return app;
}

function decodeURIComponentSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

async function readOrNull(path: string): Promise<ArrayBuffer | null> {
  try {
    const data = await readFile(path);
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  } catch {
    return null;
  }
}

const MISSING_BUNDLE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tracehound: web UI not built</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:640px;margin:64px auto;padding:0 20px;color:#1b2330}
code,pre{font-family:ui-monospace,Menlo,monospace;background:#f0f2f5;border-radius:4px;padding:2px 5px}
pre{padding:12px 16px}@media (prefers-color-scheme:dark){body{background:#0f1319;color:#e3e8ef}code,pre{background:#1d232d}}</style>
</head><body>
<h1>The web UI has not been built</h1>
<p>Tracehound is running and receiving spans, but the browser app is missing from <code>dist/ui</code>.
<code>npm install</code> normally builds it; to build it now, run:</p>
<pre>npm run build:ui</pre>
<p>then reload this page. The query API works meanwhile: <a href="/api/services">/api/services</a>.</p>
</body></html>
`;

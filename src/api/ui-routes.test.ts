import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import type { Logger } from './logger.ts';
import { uiRoutes } from './ui-routes.ts';

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { info() {}, warn: (m) => warnings.push(m), error() {}, warnings };
}

/** The query app as app.ts builds it: an API route, then the UI, then the JSON 404. */
function appWith(uiDir: string, logger: Logger): Hono {
  const app = new Hono();
  app.get('/api/services', (c) => c.json({ data: [] }));
  app.route('/', uiRoutes({ logger, uiDir }));
  app.notFound((c) => c.json({ errors: [{ code: 404 }] }, 404));
  return app;
}

describe('uiRoutes', () => {
  const parent = mkdtempSync(join(tmpdir(), 'tracehound-ui-'));
  const bundle = join(parent, 'ui');
  mkdirSync(join(bundle, 'assets'), { recursive: true });
  writeFileSync(join(bundle, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(bundle, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(parent, 'secret.txt'), 'outside the bundle');
  after(() => rmSync(parent, { recursive: true, force: true }));
  const logger = recordingLogger();
  const app = appWith(bundle, logger);

  it('serves index.html for the app routes, so deep links load the app', async () => {
    for (const path of ['/', '/search?service=a', '/trace/abc?span=12', '/map']) {
      const response = await app.request(path);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await response.text(), /id="root"/);
    }
    assert.deepEqual(logger.warnings, []);
  });

  it('serves hashed assets with a long cache and the right type', async () => {
    const response = await app.request('/assets/index-abc123.js');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /javascript/);
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
  });

  it('answers 404 for missing files and never reads outside the bundle', async () => {
    assert.equal((await app.request('/assets/gone.js')).status, 404);
    assert.equal((await app.request('/favicon.ico')).status, 404);
    const outside = await app.request('/%2e%2e/secret.txt');
    assert.doesNotMatch(await outside.text(), /outside the bundle/);
  });

  it('leaves /api/ paths to the API and its JSON 404', async () => {
    assert.equal((await app.request('/api/services')).status, 200);
    const missing = await app.request('/api/nope');
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /json/);
  });

  it('explains how to build the UI when the bundle is missing, and warns at start-up', async () => {
    const warned = recordingLogger();
    const bare = appWith(join(parent, 'not-built'), warned);
    assert.match(warned.warnings.join(), /npm run build:ui/);
    const response = await bare.request('/trace/abc');
    assert.equal(response.status, 503);
    assert.match(await response.text(), /npm run build:ui/);
  });
});

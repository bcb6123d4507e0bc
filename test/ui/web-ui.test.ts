// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators, whose innerText() is the rendered text the tests mean.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Span } from '../../src/model/span.ts';
import { traceToOtlpJsonText } from '../../src/ui/trace-file.ts';
import { type Browser, ensureUiBundle, launchBrowser, screenshot } from '../support/browser.ts';
import { removeDir, type ServerProcess, startServer } from '../support/server-process.ts';
import { checkoutTrace, exportSpans, LiveTrace, largeTrace, productsTrace } from './ui-traces.ts';

/** The rendered waterfall rows, top to bottom: span id and depth. */
function rowsOf(page: Page): Promise<{ spanId: string; depth: number; classes: string }[]> {
  return page.$$eval('[data-testid=waterfall] .row', (rows) =>
    rows.map((row) => ({
      spanId: row.getAttribute('data-span-id') ?? '',
      depth: Number(row.getAttribute('data-depth')),
      classes: row.getAttribute('class') ?? '',
    })),
  );
}

const row = (page: Page, spanId: string) =>
  page.locator(`[data-testid=waterfall] .row[data-span-id="${spanId}"]`);

describe('web UI (Playwright in Debian Chromium against a real server)', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'tracehound-ui-test-'));

  const products = [
    productsTrace(50_000, 40),
    productsTrace(120_000, 85),
    productsTrace(300_000, 22),
    productsTrace(600_000, 140),
  ];
  const { trace: checkout, pricing, root } = checkoutTrace(20_000, products[0]!.spans[0]);
  const byName = (name: string) => checkout.spans.filter((s) => s.name === name);
  const selects = byName('SELECT shop.items');
  const [call] = byName('GET cart-service');
  const [cart] = byName('GET /api/cart');
  const [pricingCall] = byName('POST pricing-service');
  const [publish] = byName('publish cart.viewed');
  const big = largeTrace(3_000);

  before(async () => {
    ensureUiBundle();
    server = await startServer();
    await exportSpans(server.otlpHttpUrl, [
      ...checkout.spans,
      ...products.flatMap((p) => p.spans),
      ...big.spans,
    ]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (server) removeDir(server.dataDir);
    rmSync(work, { recursive: true, force: true });
  });

  beforeEach(async () => {
    page = await browser.newPage();
    pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async () => {
    await page.close();
    assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
  });

  it('search finds a trace by service and tag, draws it on the scatter plot and opens it', async () => {
    await page.goto(`${server.queryUrl}/search?service=cart-service&tags=db.system%3Dpostgresql`);
    const card = page.locator(`.trace-item[data-trace-id="${checkout.traceId}"]`);
    await card.waitFor();
    assert.equal(await page.locator('.trace-item').count(), 1);
    const text = await card.innerText();
    assert.match(text, /frontend:\s*GET \/cart/);
    assert.match(text, /14 spans/);
    assert.match(text, /3 errors/);
    assert.match(text, /N\+1 queries/);
    assert.equal(await page.locator(`circle[data-trace-id="${checkout.traceId}"]`).count(), 1);
    // The URL holds the query: the form shows it back.
    assert.equal(await page.locator('#service').inputValue(), 'cart-service');
    assert.equal(await page.locator('#tags').inputValue(), 'db.system=postgresql');
    await screenshot(page, 'search');

    await card.click();
    await page.waitForURL(`**/trace/${checkout.traceId}**`);
    await row(page, root.spanId).waitFor();
  });

  it('search without a service lists every recent trace, and sorts them', async () => {
    await page.goto(`${server.queryUrl}/search?sort=longest`);
    await page.locator('.trace-item').first().waitFor();
    const ids = await page.$$eval('.trace-item', (items) =>
      items.map((item) => item.getAttribute('data-trace-id')),
    );
    assert.equal(ids.length, 6);
    assert.equal(ids[0], big.traceId, 'the 9 s batch trace is the longest');
    assert.equal(ids[1], checkout.traceId);
    await screenshot(page, 'search-all');
  });

  it('the trace page shows its spans nested under their parents, in start order', async () => {
    await page.goto(`${server.queryUrl}/trace/${checkout.traceId}`);
    await row(page, root.spanId).waitFor();
    const rows = await rowsOf(page);
    assert.deepEqual(
      rows.map((r) => [r.spanId, r.depth]),
      [
        [root.spanId, 0],
        [call!.spanId, 1],
        [cart!.spanId, 2],
        ...selects.map((s) => [s.spanId, 3]),
        [pricingCall!.spanId, 3],
        [pricing.spanId, 4],
        [publish!.spanId, 3],
      ],
    );
    assert.equal(await page.getByTestId('span-count').innerText(), '14');
    assert.equal(await page.getByTestId('trace-duration').innerText(), '420 ms');
    assert.match(await row(page, pricing.spanId).innerText(), /pricing-service\s*POST \/quote/);
    assert.equal(await row(page, pricing.spanId).locator('.error-mark').count(), 1);
    await screenshot(page, 'trace');
  });

  it('highlights the critical path, and the toggle turns the highlight off', async () => {
    await page.goto(`${server.queryUrl}/trace/${checkout.traceId}`);
    await page.locator('.row.critical').first().waitFor();
    assert.match((await row(page, root.spanId).getAttribute('class')) ?? '', /critical/);
    assert.match((await row(page, pricing.spanId).getAttribute('class')) ?? '', /critical/);
    assert.doesNotMatch(
      (await row(page, publish!.spanId).getAttribute('class')) ?? '',
      /critical/,
      'the publish runs beside the pricing call, so the trace never waits on it',
    );
    await screenshot(page, 'critical-path');
    await page.getByTestId('critical-toggle').uncheck();
    assert.equal(await page.locator('.row.critical').count(), 0);
  });

  it('clicking a finding highlights its spans and selects the first', async () => {
    await page.goto(`${server.queryUrl}/trace/${checkout.traceId}`);
    const finding = page.locator('[data-testid=findings] button[data-finding=n_plus_one]');
    await finding.waitFor();
    await finding.click();
    await page.locator('.row.highlighted').first().waitFor();
    const highlighted = (await rowsOf(page))
      .filter((r) => r.classes.includes('highlighted'))
      .map((r) => r.spanId);
    assert.deepEqual(highlighted.sort(), [cart!.spanId, ...selects.map((s) => s.spanId)].sort());
    const details = page.getByTestId('span-details');
    assert.ok(highlighted.includes((await details.getAttribute('data-span-id')) ?? ''));
    await screenshot(page, 'finding');
  });

  it('reads a trace once, as columns, and finds its problems in a worker on those spans', async () => {
    const requests: string[] = [];
    const workers: string[] = [];
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/api/')) requests.push(pathname);
    });
    page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));
    await page.goto(`${server.queryUrl}/trace/${checkout.traceId}?span=${pricing.spanId}`);
    await page.locator('[data-testid=findings] button[data-finding=n_plus_one]').waitFor();
    assert.deepEqual(requests, [`/api/v1/traces/${checkout.traceId}/columns`]);
    assert.equal(workers.length, 1);
    assert.match(workers[0]!, /^\/assets\/analysis-worker-.*\.js$/);
    // Self time comes from the spans themselves: 122 ms without children.
    assert.match(await page.getByTestId('span-details').innerText(), /Self time\s*122 ms/);
  });

  it('the flame graph draws the spans and a click selects one', async () => {
    await page.goto(`${server.queryUrl}/trace/${checkout.traceId}`);
    await row(page, root.spanId).waitFor();
    await page.getByRole('tab', { name: 'Flame graph' }).click();
    const flame = page.getByTestId('flame-graph');
    await flame.waitFor();
    assert.match(await flame.innerText(), /14 of 14 spans drawn/);
    const painted = await page.$eval('[data-testid=flame-graph] canvas', (canvas) => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++;
      return count;
    });
    assert.ok(painted > 5_000, `only ${painted} pixels painted`);
    // The root spans the whole width in the first row under the 22 px ruler.
    const box = (await page.locator('[data-testid=flame-graph] canvas').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + 22 + 9);
    await page.getByTestId('span-details').waitFor();
    assert.equal(await page.getByTestId('span-details').getAttribute('data-span-id'), root.spanId);
    await screenshot(page, 'flame-graph');
  });

  it('the service map shows services as nodes and calls as edges with counts and error rates', async () => {
    await page.goto(`${server.queryUrl}/map`);
    const map = page.getByTestId('service-map');
    await map.waitFor();
    for (const service of ['frontend', 'cart-service', 'pricing-service', 'catalog-service']) {
      assert.equal(await map.locator(`[data-service="${service}"]`).count(), 1, service);
    }
    const edge = (name: string) => map.locator(`[data-edge="${name}"]`);
    assert.match((await edge('frontend->catalog-service').textContent()) ?? '', /4 calls/);
    assert.match((await edge('frontend->cart-service').textContent()) ?? '', /1 call/);
    const failing = edge('cart-service->pricing-service');
    assert.match((await failing.textContent()) ?? '', /1 call · 100% errors/);
    assert.match((await failing.getAttribute('class')) ?? '', /has-errors/);

    await map.locator('[data-service="cart-service"]').click();
    const panel = page.getByTestId('service-panel');
    const operation = panel.getByRole('link', { name: 'SELECT shop.items' });
    await operation.waitFor();
    const href = new URL((await operation.getAttribute('href'))!, server.queryUrl);
    assert.equal(href.pathname, '/search');
    assert.equal(href.searchParams.get('service'), 'cart-service');
    assert.equal(href.searchParams.get('operation'), 'SELECT shop.items');
    await screenshot(page, 'service-map');
  });

  it('a deep link opens its trace with the span selected and scrolled into view', async () => {
    const target = big.spans[2_500]!;
    await page.goto(`${server.queryUrl}/trace/${big.traceId}?span=${target.spanId}`);
    const selected = page.locator(`.row.selected[data-span-id="${target.spanId}"]`);
    await selected.waitFor();
    const rowBox = (await selected.boundingBox())!;
    const viewport = (await page.getByTestId('waterfall-scroll').boundingBox())!;
    assert.ok(
      rowBox.y >= viewport.y && rowBox.y + rowBox.height <= viewport.y + viewport.height,
      'the selected row is inside the visible part of the waterfall',
    );
    assert.equal(await page.getByTestId('span-id').innerText(), target.spanId);
    const rendered = await page.locator('[data-testid=waterfall] .row').count();
    assert.ok(rendered < 120, `${rendered} rows in the DOM for 3,000 spans: not virtualised`);
    await screenshot(page, 'deep-link');
  });

  it('arrow keys move the selection, left and right collapse and expand, enter opens details', async () => {
    await page.goto(`${server.queryUrl}/trace/${checkout.traceId}`);
    await row(page, root.spanId).click();
    await page.getByTestId('span-details').waitFor();
    const scroller = page.getByTestId('waterfall-scroll');
    await scroller.press('Escape');
    assert.equal(await page.getByTestId('span-details').count(), 0);
    await scroller.press('ArrowDown');
    await scroller.press('ArrowDown');
    await row(page, cart!.spanId).and(page.locator('.selected')).waitFor();
    await scroller.press('ArrowLeft');
    assert.equal((await rowsOf(page)).length, 3, 'cart-service collapsed: its 11 children hidden');
    await scroller.press('ArrowRight');
    assert.equal((await rowsOf(page)).length, 14);
    await scroller.press('ArrowRight');
    await row(page, selects[0]!.spanId).and(page.locator('.selected')).waitFor();
    await scroller.press('Enter');
    assert.equal(await page.getByTestId('span-id').innerText(), selects[0]!.spanId);
    await page.getByRole('button', { name: 'Collapse all' }).click();
    assert.deepEqual(
      (await rowsOf(page)).map((r) => r.spanId),
      [root.spanId],
    );
    await page.getByRole('button', { name: 'Expand all' }).click();
    assert.equal((await rowsOf(page)).length, 14);
    await screenshot(page, 'keyboard');
  });

  it('search within the trace highlights the matching spans', async () => {
    await page.goto(`${server.queryUrl}/trace/${checkout.traceId}`);
    await row(page, root.spanId).waitFor();
    await page.getByLabel('Find in trace').fill('items WHERE');
    assert.equal(await page.getByTestId('match-count').innerText(), '8 matches');
    const matching = (await rowsOf(page)).filter((r) => r.classes.includes('match'));
    assert.deepEqual(
      matching.map((r) => r.spanId),
      selects.map((s) => s.spanId),
    );
    await page.getByLabel('Find in trace').press('Enter');
    await row(page, selects[0]!.spanId).and(page.locator('.selected')).waitFor();
    await screenshot(page, 'find-in-trace');
  });

  it('shows span details: attributes by origin with types, events, and links that can be followed', async () => {
    await page.goto(`${server.queryUrl}/trace/${checkout.traceId}?span=${cart!.spanId}`);
    const details = page.getByTestId('span-details');
    await details.waitFor();
    const text = await details.innerText();
    assert.match(text, /cart\.items\s+8\s+int/);
    assert.match(text, /cart\.discount_ratio\s+0\.15\s+double/);
    assert.match(text, /feature\.flags\s+\["new-pricing","bulk-cart"\]\s+array/);
    assert.match(text, /service\.version\s+1\.4\.2\s+string/);
    assert.match(text, /\+4\.00 ms\s+cache miss/);
    await screenshot(page, 'span-details');
    await details.getByRole('button', { name: /^Trace / }).click();
    const linked = products[0]!.spans[0]!;
    await page.waitForURL(`**/trace/${linked.traceId}?span=${linked.spanId}`);
    await page.locator(`.row.selected[data-span-id="${linked.spanId}"]`).waitFor();
  });

  it('a downloaded trace opens again from the file, and a file of several traces lists them', async () => {
    await page.goto(`${server.queryUrl}/trace/${checkout.traceId}`);
    await row(page, root.spanId).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download JSON' }).click(),
    ]);
    const saved = join(work, download.suggestedFilename());
    await download.saveAs(saved);
    assert.equal(download.suggestedFilename(), `trace-${checkout.traceId}.json`);

    await page.goto(`${server.queryUrl}/search`);
    await page.getByTestId('open-file').setInputFiles(saved);
    await page.waitForURL(`**/trace/${checkout.traceId}?source=file`);
    await row(page, pricing.spanId).waitFor();
    assert.equal((await rowsOf(page)).length, 14);
    assert.match(await page.locator('.trace-header').innerText(), /from file/);
    await screenshot(page, 'open-file');

    // Traces the server never saw: they exist only in the file.
    const offline = [new LiveTrace(5_000), new LiveTrace(6_000)];
    for (const [i, t] of offline.entries()) {
      t.span({
        service: 'batch-job',
        name: `nightly step ${i}`,
        kind: 'internal',
        startMs: 0,
        durationMs: 30,
      });
    }
    const spans: Span[] = offline.flatMap((t) => t.spans);
    const several = join(work, 'two-traces.json');
    writeFileSync(several, traceToOtlpJsonText(spans));
    await page.getByTestId('open-file').setInputFiles(several);
    await page.waitForURL('**/file');
    assert.equal(await page.locator('.trace-item').count(), 2);
    await page.locator(`.trace-item[data-trace-id="${offline[1]!.traceId}"]`).click();
    await page.waitForURL(`**/trace/${offline[1]!.traceId}?source=file`);
    assert.match(await page.locator('.trace-title').innerText(), /nightly step 1/);
    await screenshot(page, 'open-file-several');
  });

  it('a file that is not OTLP JSON gets a clear message', async () => {
    await page.goto(`${server.queryUrl}/search`);
    const bad = join(work, 'jaeger.json');
    writeFileSync(bad, '{"data": [{"traceID": "abc"}]}');
    await page.getByTestId('open-file').setInputFiles(bad);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /jaeger\.json: expected OTLP JSON/);
    await screenshot(page, 'open-file-error');
  });

  it('follows the system colour scheme: dark', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.queryUrl}/trace/${checkout.traceId}?span=${pricing.spanId}`);
    await page.getByTestId('span-details').waitFor();
    const background = await page.$eval(
      'body',
      (body) => body.ownerDocument.defaultView.getComputedStyle(body).backgroundColor,
    );
    assert.equal(background, 'rgb(15, 19, 25)');
    await screenshot(page, 'trace-dark');
  });
});

describe('web UI on an empty server', () => {
  let server: ServerProcess;
  let browser: Browser;

  before(async () => {
    ensureUiBundle();
    server = await startServer({ args: ['--storage', 'memory'] });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('tells a newcomer how to send traces, and says when a trace id is unknown', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.queryUrl}/`);
    const empty = page.getByTestId('empty-state');
    await empty.waitFor();
    const text = await empty.innerText();
    assert.match(text, /No traces yet/);
    assert.match(text, /OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:4318/);
    await screenshot(page, 'empty-search');

    await page.goto(`${server.queryUrl}/trace/0123456789abcdef0123456789abcdef`);
    await page.getByText('Trace not found').waitFor();
    await screenshot(page, 'trace-not-found');

    await page.goto(`${server.queryUrl}/map`);
    await page.getByText('No calls between services in this window').waitFor();
    await page.close();
  });
});

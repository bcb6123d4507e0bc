import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRoute, traceUrl } from './routes.ts';

describe('parseRoute', () => {
  it('opens the search page at / and /search', () => {
    assert.equal(parseRoute('/', '').page, 'search');
    const route = parseRoute('/search/', '?service=checkout');
    assert.ok(route.page === 'search' && route.params.get('service') === 'checkout');
  });

  it('reads a trace deep link with its selected span', () => {
    assert.deepEqual(parseRoute('/trace/abc123', '?span=00f0'), {
      page: 'trace',
      traceId: 'abc123',
      spanId: '00f0',
      fromFile: false,
    });
    const route = parseRoute('/trace/abc', '?source=file');
    assert.ok(route.page === 'trace' && route.fromFile && route.spanId === null);
  });

  it('knows the service map and file pages and nothing else', () => {
    assert.equal(parseRoute('/map', '').page, 'map');
    assert.equal(parseRoute('/file', '').page, 'file');
    assert.deepEqual(parseRoute('/nope', ''), { page: 'not-found', path: '/nope' });
  });
});

describe('traceUrl', () => {
  it('builds the links the trace page reads back', () => {
    assert.equal(traceUrl('abc'), '/trace/abc');
    assert.equal(
      traceUrl('abc', { spanId: '12', fromFile: true }),
      '/trace/abc?span=12&source=file',
    );
    const url = new URL(traceUrl('abc', { spanId: '12' }), 'http://x');
    assert.deepEqual(parseRoute(url.pathname, url.search), {
      page: 'trace',
      traceId: 'abc',
      spanId: '12',
      fromFile: false,
    });
  });
});

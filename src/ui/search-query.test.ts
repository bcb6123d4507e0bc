import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_QUERY,
  formatSearchQuery,
  isDurationText,
  parseSearchQuery,
  parseTags,
  type SearchQuery,
  toApiV3Params,
} from './search-query.ts';

describe('search query in the URL', () => {
  it('leaves defaults out, so the plain search page has a plain URL', () => {
    assert.equal(formatSearchQuery(DEFAULT_QUERY), '');
  });

  it('round-trips every field through the query string', () => {
    const query: SearchQuery = {
      service: 'checkout',
      operation: 'GET /cart',
      tags: 'http.status_code=500 db.statement="SELECT 1"',
      minDuration: '100ms',
      maxDuration: '2s',
      lookback: 'custom',
      startMs: 1_700_000_000_000,
      endMs: 1_700_000_600_000,
      limit: 50,
      sort: 'longest',
    };
    assert.deepEqual(parseSearchQuery(new URLSearchParams(formatSearchQuery(query))), query);
  });

  it('falls back to defaults for values it cannot read', () => {
    const query = parseSearchQuery(new URLSearchParams('lookback=3y&limit=-4&sort=weird&start=x'));
    assert.equal(query.lookback, '1h');
    assert.equal(query.limit, 20);
    assert.equal(query.sort, 'recent');
    assert.equal(query.startMs, null);
  });
});

describe('parseTags', () => {
  it('reads space-separated key=value pairs with quoted values', () => {
    assert.deepEqual(
      parseTags(' error=true  db.statement="SELECT \\"a\\" FROM t" http.route=/cart '),
      {
        ok: true,
        tags: [
          ['error', 'true'],
          ['db.statement', 'SELECT "a" FROM t'],
          ['http.route', '/cart'],
        ],
      },
    );
    assert.deepEqual(parseTags(''), { ok: true, tags: [] });
  });

  it('explains what is wrong with a malformed pair', () => {
    assert.deepEqual(parseTags('error'), { ok: false, error: "expected key=value, got 'error'" });
    const unclosed = parseTags('k="abc');
    assert.equal(unclosed.ok, false);
  });
});

describe('toApiV3Params', () => {
  const now = Date.UTC(2025, 10, 21, 12, 0, 0);

  it('maps the search to query.* parameters over the chosen window', () => {
    const params = toApiV3Params(
      {
        ...DEFAULT_QUERY,
        service: 'checkout',
        tags: 'error=true',
        minDuration: '150ms',
        lookback: '15m',
      },
      now,
    );
    assert.equal(params.get('query.service_name'), 'checkout');
    assert.equal(params.get('query.attributes'), '{"error":"true"}');
    assert.equal(params.get('query.duration_min'), '150ms');
    assert.equal(params.get('query.start_time_min'), '2025-11-21T11:45:00.000Z');
    assert.equal(params.get('query.start_time_max'), '2025-11-21T12:00:00.000Z');
    assert.equal(params.get('query.search_depth'), '20');
    assert.equal(params.has('query.operation_name'), false);
  });

  it('refuses a duration the server would not understand, naming the field', () => {
    assert.throws(
      () => toApiV3Params({ ...DEFAULT_QUERY, maxDuration: '10 sec' }, now),
      /Maximum duration/,
    );
    assert.equal(isDurationText('1.5s'), true);
    assert.equal(isDurationText('250µs'), true);
  });
});

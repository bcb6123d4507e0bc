import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseRoute, normaliseSpanName, normaliseStatement } from './normalise.ts';

describe('normaliseStatement', () => {
  const cases: [string, string, string][] = [
    ['replaces numbers', 'SELECT * FROM items WHERE id = 42', 'SELECT * FROM items WHERE id = ?'],
    [
      'replaces strings',
      "SELECT * FROM users WHERE name = 'O''Brien'",
      'SELECT * FROM users WHERE name = ?',
    ],
    [
      'replaces decimals and negatives',
      'UPDATE t SET x = -1.5 WHERE y > 3e10',
      'UPDATE t SET x = ? WHERE y > ?',
    ],
    [
      'replaces hex literals',
      'SELECT * FROM blobs WHERE h = 0xDEADBEEF',
      'SELECT * FROM blobs WHERE h = ?',
    ],
    [
      'replaces unquoted uuids',
      'SELECT * FROM a WHERE id = 123e4567-e89b-12d3-a456-426614174000',
      'SELECT * FROM a WHERE id = ?',
    ],
    ['keeps digits inside identifiers', 'SELECT col1 FROM table2 t3', 'SELECT col1 FROM table2 t3'],
    [
      'unifies bind parameters',
      'SELECT * FROM a WHERE id = $1 AND b = :name',
      'SELECT * FROM a WHERE id = ? AND b = ?',
    ],
    [
      'unifies Python placeholders',
      'SELECT * FROM a WHERE id = %s OR b = %(name)s',
      'SELECT * FROM a WHERE id = ? OR b = ?',
    ],
    [
      'collapses IN lists',
      'SELECT * FROM a WHERE id IN (1, 2, 3, 4)',
      'SELECT * FROM a WHERE id IN (?)',
    ],
    [
      'collapses multi-row VALUES',
      'INSERT INTO a (x, y) VALUES (1, 2), (3, 4)',
      'INSERT INTO a (x, y) VALUES (?)',
    ],
    ['drops comments', 'SELECT 1 /* trace */ -- tail\nFROM dual', 'SELECT ? FROM dual'],
    ['collapses whitespace and a trailing semicolon', '  SELECT\n\t*  FROM a ;', 'SELECT * FROM a'],
    ['keeps an empty statement empty', '', ''],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(normaliseStatement(input), expected));
  }

  it('makes statements differing only by literals equal', () => {
    assert.equal(
      normaliseStatement('SELECT * FROM items WHERE id = 42'),
      normaliseStatement('SELECT * FROM items WHERE id = 7'),
    );
  });

  it('does not choke on an unterminated string or a huge statement', () => {
    assert.equal(typeof normaliseStatement("SELECT 'abc"), 'string');
    assert.ok(normaliseStatement(`SELECT ${'1, '.repeat(100_000)}1`).length <= 2_000);
  });
});

describe('normaliseRoute', () => {
  const cases: [string, string, string][] = [
    ['replaces numeric segments', '/users/123', '/users/{id}'],
    ['replaces uuids', '/orders/123e4567-e89b-12d3-a456-426614174000/items', '/orders/{id}/items'],
    ['keeps words that happen to be hex letters', '/feed/accepted', '/feed/accepted'],
    ['replaces long hex ids', '/blobs/3f9a2c7be1d0', '/blobs/{id}'],
    ['replaces prefixed ids', '/carts/cart-42', '/carts/{id}'],
    ['keeps version segments', '/api/v1/users', '/api/v1/users'],
    ['keeps words', '/api/checkout/confirm', '/api/checkout/confirm'],
    ['drops the query and fragment', '/search?q=1&page=2#top', '/search'],
    [
      'drops the scheme and host of a full URL',
      'https://shop.example:8443/items/7?x=1',
      '/items/{id}',
    ],
    ['collapses duplicate and trailing slashes', '//a///b/', '/a/b'],
    ['keeps the root', '/', '/'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(normaliseRoute(input), expected));
  }

  it('makes /users/123 and /users/456 one route', () => {
    assert.equal(normaliseRoute('/users/123'), normaliseRoute('/users/456'));
  });
});

describe('normaliseSpanName', () => {
  it('replaces id tokens in a span name', () => {
    assert.equal(normaliseSpanName('GET /users/42'), 'GET /users/{id}');
    assert.equal(normaliseSpanName('process order 1234'), 'process order {id}');
    assert.equal(normaliseSpanName('charge card'), 'charge card');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeSpan } from '../../test/support/make-span.ts';
import { StatusCode } from '../model/span.ts';
import { attributeRows, statusText, stringifyForDisplay } from './span-fields.ts';
import { findSpans } from './trace-search.ts';
import { buildTraceView } from './trace-view.ts';

describe('attributeRows', () => {
  it('names each OTLP type and prints ints exactly', () => {
    assert.deepEqual(
      attributeRows([
        { key: 's', value: 'x' },
        { key: 'b', value: true },
        { key: 'i', value: 9_007_199_254_740_993n },
        { key: 'd', value: 1.5 },
        { key: 'bytes', value: new Uint8Array([1, 2]) },
        { key: 'a', value: ['x', 1n] },
        { key: 'm', value: { kvlist: [{ key: 'k', value: 'v' }] } },
        { key: 'e', value: null },
      ]).map((r) => [r.key, r.type, r.text]),
      [
        ['s', 'string', 'x'],
        ['b', 'bool', 'true'],
        ['i', 'int', '9007199254740993'],
        ['d', 'double', '1.5'],
        ['bytes', 'bytes', 'AQI='],
        ['a', 'array', '["x",1]'],
        ['m', 'kvlist', '{"k":"v"}'],
        ['e', 'empty', ''],
      ],
    );
  });

  it('stringifies values holding bigints, which JSON.stringify alone refuses', () => {
    assert.equal(
      stringifyForDisplay({ n: 3n, big: 2n ** 70n }, 0),
      '{"n":3,"big":"1180591620717411303424"}',
    );
  });

  it('shows the status with its message', () => {
    assert.equal(
      statusText(makeSpan({ status: { code: StatusCode.error, message: 'timeout' } })),
      'error: timeout',
    );
    assert.equal(statusText(makeSpan()), 'unset');
  });
});

describe('findSpans', () => {
  const trace = 'e'.repeat(32);
  const view = buildTraceView([
    makeSpan({ traceId: trace, spanId: '1'.repeat(16), name: 'GET /cart', service: 'frontend' }),
    makeSpan({
      traceId: trace,
      spanId: '2'.repeat(16),
      parentSpanId: '1'.repeat(16),
      name: 'SELECT',
      service: 'postgres',
      attributes: [{ key: 'db.statement', value: 'SELECT * FROM carts' }],
    }),
  ]);

  it('matches service, operation and attributes, ignoring case, all words required', () => {
    assert.deepEqual(findSpans(view, 'carts'), [1]);
    assert.deepEqual(findSpans(view, 'FRONTEND'), [0]);
    assert.deepEqual(findSpans(view, 'postgres select'), [1]);
    assert.deepEqual(findSpans(view, 'postgres cart'), [1]);
    assert.deepEqual(findSpans(view, 'frontend carts'), []);
    assert.deepEqual(findSpans(view, '  '), []);
  });
});

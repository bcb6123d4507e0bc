import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../model/errors.ts';
import { SpanKind } from '../../model/span.ts';
import {
  DEFAULT_SEARCH_LIMIT,
  MAX_SEARCH_LIMIT,
  type TraceQuery,
} from '../../query/trace-query.ts';
import {
  parseJaegerSearchParams,
  parseJaegerSearchRequest,
  parseJaegerV3QueryParams,
  parseRfc3339,
} from './search-params.ts';

const NOW = 1_700_000_000_000_000_000n;
const HOUR = 3_600_000_000_000n;

function v1(query: string): TraceQuery {
  return parseJaegerSearchParams(new URLSearchParams(query), { nowUnixNano: NOW });
}

function throwsNaming(parse: () => unknown, param: string, fragment = ''): void {
  assert.throws(parse, (error: unknown) => {
    assert.ok(error instanceof InvalidInputError, `not an InvalidInputError: ${String(error)}`);
    assert.equal(error.path, param);
    assert.ok(error.message.startsWith(`${param}: `), error.message);
    assert.ok(error.message.includes(fragment), `'${error.message}' lacks '${fragment}'`);
    return true;
  });
}

describe('parseJaegerSearchParams', () => {
  const cases: ReadonlyArray<readonly [string, string, TraceQuery]> = [
    ['nothing', '', { attributes: [], limit: DEFAULT_SEARCH_LIMIT }],
    [
      'service and operation',
      'service=checkout&operation=GET%20%2Fcart',
      { service: 'checkout', operation: 'GET /cart', attributes: [], limit: DEFAULT_SEARCH_LIMIT },
    ],
    [
      'empty values as absent',
      'service=&operation=&limit=&minDuration=&tags=&tag=',
      {
        attributes: [],
        limit: DEFAULT_SEARCH_LIMIT,
      },
    ],
    [
      'tags as a JSON object, non-string values as text',
      `tags=${encodeURIComponent('{"http.status_code":500,"db.system":"postgresql","retry":true}')}`,
      {
        attributes: [
          { key: 'http.status_code', value: '500' },
          { key: 'db.system', value: 'postgresql' },
          { key: 'retry', value: 'true' },
        ],
        limit: DEFAULT_SEARCH_LIMIT,
      },
    ],
    [
      'repeated tag=key:value, split at the first colon',
      'tag=http.url:http://x:8080/a&tag=peer.service:db',
      {
        attributes: [
          { key: 'http.url', value: 'http://x:8080/a' },
          { key: 'peer.service', value: 'db' },
        ],
        limit: DEFAULT_SEARCH_LIMIT,
      },
    ],
    [
      'tags overriding tag for the same key',
      `tag=a:1&tags=${encodeURIComponent('{"a":"2"}')}`,
      { attributes: [{ key: 'a', value: '2' }], limit: DEFAULT_SEARCH_LIMIT },
    ],
    [
      'error=true as errors only',
      `tags=${encodeURIComponent('{"error":"true","x":"y"}')}`,
      { attributes: [{ key: 'x', value: 'y' }], errorOnly: true, limit: DEFAULT_SEARCH_LIMIT },
    ],
    [
      'durations',
      'minDuration=1.5ms&maxDuration=2s',
      {
        attributes: [],
        minDurationNs: 1_500_000n,
        maxDurationNs: 2_000_000_000n,
        limit: DEFAULT_SEARCH_LIMIT,
      },
    ],
    [
      'start and end in microseconds',
      'start=1700000000000000&end=1700003600000000',
      {
        attributes: [],
        startTimeMinUnixNano: NOW,
        startTimeMaxUnixNano: NOW + HOUR,
        limit: DEFAULT_SEARCH_LIMIT,
      },
    ],
    [
      'lookback from now when there is no start or end',
      'lookback=1h',
      { attributes: [], startTimeMinUnixNano: NOW - HOUR, limit: DEFAULT_SEARCH_LIMIT },
    ],
    [
      'lookback in days from end',
      'lookback=2d&end=1700000000000000',
      {
        attributes: [],
        startTimeMinUnixNano: NOW - 48n * HOUR,
        startTimeMaxUnixNano: NOW,
        limit: DEFAULT_SEARCH_LIMIT,
      },
    ],
    [
      'lookback ignored when start is given',
      'lookback=1h&start=1690000000000000',
      {
        attributes: [],
        startTimeMinUnixNano: 1_690_000_000_000_000_000n,
        limit: DEFAULT_SEARCH_LIMIT,
      },
    ],
    [
      'lookback=custom as no bound',
      'lookback=custom',
      { attributes: [], limit: DEFAULT_SEARCH_LIMIT },
    ],
    ['a limit', 'limit=50', { attributes: [], limit: 50 }],
    [
      'a limit clamped to the maximum',
      'limit=1000000',
      { attributes: [], limit: MAX_SEARCH_LIMIT },
    ],
    [
      'a span kind',
      'spanKind=server',
      { spanKind: SpanKind.server, attributes: [], limit: DEFAULT_SEARCH_LIMIT },
    ],
  ];
  for (const [what, query, expected] of cases) {
    it(`reads ${what}`, () => {
      assert.deepEqual(v1(query), expected);
    });
  }

  const invalid: ReadonlyArray<readonly [string, string, string]> = [
    ['minDuration=abc', 'minDuration', "'abc'"],
    ['maxDuration=10', 'maxDuration', "'10'"],
    ['minDuration=-1s', 'minDuration', 'negative'],
    ['minDuration=2s&maxDuration=1s', 'minDuration', 'must not exceed maxDuration'],
    ['tags=not-json', 'tags', 'JSON object'],
    [`tags=${encodeURIComponent('["a"]')}`, 'tags', 'JSON object'],
    ['tag=novalue', 'tag', 'key:value'],
    ['limit=-1', 'limit', "'-1'"],
    ['limit=0', 'limit', "'0'"],
    ['limit=ten', 'limit', "'ten'"],
    ['start=yesterday', 'start', "'yesterday'"],
    ['end=1.5', 'end', "'1.5'"],
    ['start=2000&end=1000', 'start', 'after end'],
    ['lookback=soon', 'lookback', "'soon'"],
    ['spanKind=router', 'spanKind', "'router'"],
    ['traceID=xyz', 'traceID', "'xyz'"],
  ];
  for (const [query, param, fragment] of invalid) {
    it(`rejects ${query} naming ${param}`, () => {
      throwsNaming(() => v1(query), param, fragment);
    });
  }
});

describe('parseJaegerSearchRequest', () => {
  it('returns repeated trace ids normalised apart from the query', () => {
    const request = parseJaegerSearchRequest(
      new URLSearchParams('traceID=463AC35C9F6413AD&traceID=5982fe77008310cc80f1da5e10147517'),
    );
    assert.deepEqual(request.traceIds, [
      '0000000000000000463ac35c9f6413ad',
      '5982fe77008310cc80f1da5e10147517',
    ]);
    assert.deepEqual(request.query, { attributes: [], limit: DEFAULT_SEARCH_LIMIT });
  });

  it('counts lookback back from the real clock by default', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const { query } = parseJaegerSearchRequest(new URLSearchParams('lookback=1h'));
    const after = BigInt(Date.now()) * 1_000_000n;
    assert.ok(query.startTimeMinUnixNano! >= before - HOUR);
    assert.ok(query.startTimeMinUnixNano! <= after - HOUR);
  });
});

describe('parseJaegerV3QueryParams', () => {
  const v3 = (query: string) => parseJaegerV3QueryParams(new URLSearchParams(query));

  const cases: ReadonlyArray<readonly [string, string, TraceQuery]> = [
    ['nothing', '', { attributes: [], limit: DEFAULT_SEARCH_LIMIT }],
    [
      'every parameter jaeger-ui sends',
      [
        'query.service_name=checkout',
        'query.operation_name=GET%20%2Fcart',
        `query.attributes=${encodeURIComponent('{"http.status_code":"500","retry":1}')}`,
        'query.start_time_min=2023-11-14T22:13:20Z',
        'query.start_time_max=2023-11-14T23:13:20.000000001Z',
        'query.duration_min=10ms',
        'query.duration_max=1m',
        'query.search_depth=30',
        'query.raw_traces=true',
      ].join('&'),
      {
        service: 'checkout',
        operation: 'GET /cart',
        attributes: [
          { key: 'http.status_code', value: '500' },
          { key: 'retry', value: '1' },
        ],
        minDurationNs: 10_000_000n,
        maxDurationNs: 60_000_000_000n,
        startTimeMinUnixNano: NOW,
        startTimeMaxUnixNano: NOW + HOUR + 1n,
        limit: 30,
      },
    ],
    [
      'the camelCase spellings',
      'query.serviceName=a&query.operationName=b&query.startTimeMin=2023-11-14T22:13:20Z&query.searchDepth=5',
      { service: 'a', operation: 'b', attributes: [], startTimeMinUnixNano: NOW, limit: 5 },
    ],
    ['the num_traces alias', 'query.num_traces=7', { attributes: [], limit: 7 }],
    [
      'a search depth of 0 as the default',
      'query.search_depth=0',
      { attributes: [], limit: DEFAULT_SEARCH_LIMIT },
    ],
    [
      'a search depth clamped',
      'query.search_depth=99999',
      { attributes: [], limit: MAX_SEARCH_LIMIT },
    ],
  ];
  for (const [what, query, expected] of cases) {
    it(`reads ${what}`, () => {
      assert.deepEqual(v3(query), expected);
    });
  }

  const invalid: ReadonlyArray<readonly [string, string]> = [
    ['query.start_time_min=yesterday', 'query.start_time_min'],
    ['query.start_time_max=1700000000', 'query.start_time_max'],
    [
      'query.start_time_min=2023-11-14T23:00:00Z&query.start_time_max=2023-11-14T22:00:00Z',
      'query.start_time_min',
    ],
    ['query.duration_min=fast', 'query.duration_min'],
    ['query.duration_min=2s&query.duration_max=1s', 'query.duration_min'],
    ['query.search_depth=-3', 'query.search_depth'],
    ['query.attributes=http.status_code:500', 'query.attributes'],
    ['query.durationMax=abc', 'query.durationMax'],
  ];
  for (const [query, param] of invalid) {
    it(`rejects ${query} naming ${param}`, () => {
      throwsNaming(() => v3(query), param);
    });
  }
});

describe('parseRfc3339', () => {
  const valid: ReadonlyArray<readonly [string, bigint]> = [
    ['1970-01-01T00:00:00Z', 0n],
    ['2023-11-14T22:13:20Z', NOW],
    ['2023-11-14T22:13:20.5Z', NOW + 500_000_000n],
    ['2023-11-14T22:13:20.123456789Z', NOW + 123_456_789n],
    ['2023-11-15T00:13:20+02:00', NOW],
    ['2023-11-14T20:43:20-01:30', NOW],
    ['2024-02-29T00:00:00z', 1_709_164_800_000_000_000n],
  ];
  for (const [text, expected] of valid) {
    it(`reads ${text}`, () => {
      assert.equal(parseRfc3339(text, 'p'), expected);
    });
  }
  for (const text of [
    '2023-11-14',
    '2023-11-14 22:13:20Z',
    '2023-11-14T22:13:20',
    '2023-02-30T00:00:00Z',
    '2023-11-14T24:00:00Z',
    '2023-11-14T22:13:20.1234567890Z',
    '2023-11-14T22:13:20+2:00',
  ]) {
    it(`rejects ${text}`, () => {
      throwsNaming(() => parseRfc3339(text, 'p'), 'p');
    });
  }
});

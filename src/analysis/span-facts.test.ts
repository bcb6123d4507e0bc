import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceBuilder } from '../../test/support/trace-builder.ts';
import { StatusCode } from '../model/span.ts';
import { SpanFacts } from './span-facts.ts';

type Attrs = Record<string, string | number | boolean>;

/** The facts of one span: the only entry, 0, of its table. */
function factsOf(
  kind: 'client' | 'server' | 'internal',
  attributes: Attrs,
  error?: string,
): SpanFacts {
  const t = new TraceBuilder();
  const span = t.span({
    kind,
    name: 'op',
    startMs: 0,
    durationMs: 1,
    attributes,
    ...(error !== undefined && { error }),
  });
  return SpanFacts.of([span]);
}

describe('SpanFacts', () => {
  it('reads the current and the older semantic conventions alike', () => {
    const current = factsOf('client', {
      'db.system.name': 'postgresql',
      'db.query.text': 'SELECT * FROM items WHERE id = 42',
    });
    const older = factsOf('client', {
      'db.system': 'postgresql',
      'db.statement': 'SELECT * FROM items WHERE id = 7',
    });
    assert.equal(current.callKey(0), older.callKey(0));
    assert.equal(current.callLabel(0), 'SELECT * FROM items WHERE id = ?');
    const httpNew = factsOf('client', {
      'http.request.method': 'GET',
      'url.full': 'http://users:8080/users/123',
      'server.address': 'users',
    });
    const httpOld = factsOf('client', {
      'http.method': 'GET',
      'http.url': 'http://users:8080/users/456',
      'net.peer.name': 'users',
    });
    assert.equal(httpNew.callKey(0), httpOld.callKey(0));
    assert.equal(httpNew.callLabel(0), 'GET /users/{id}');
  });

  it('tells calls to different peers or routes apart', () => {
    const a = factsOf('client', {
      'http.request.method': 'GET',
      'url.path': '/a',
      'server.address': 'x',
    });
    const b = factsOf('client', {
      'http.request.method': 'GET',
      'url.path': '/a',
      'server.address': 'y',
    });
    const c = factsOf('client', {
      'http.request.method': 'GET',
      'url.path': '/b',
      'server.address': 'x',
    });
    assert.notEqual(a.callKey(0), b.callKey(0));
    assert.notEqual(a.callKey(0), c.callKey(0));
    const grpc = factsOf('client', { 'rpc.service': 'shop.Cart', 'rpc.method': 'Get' });
    assert.equal(grpc.callLabel(0), 'shop.Cart/Get');
  });

  const failures: [
    string,
    'client' | 'server' | 'internal',
    Attrs,
    string | undefined,
    boolean,
    boolean,
  ][] = [
    ['an error status', 'internal', {}, 'boom', true, false],
    ['HTTP 503', 'client', { 'http.response.status_code': 503 }, undefined, true, false],
    [
      'HTTP 404 is not a failure',
      'client',
      { 'http.response.status_code': 404 },
      undefined,
      false,
      false,
    ],
    ['gRPC UNAVAILABLE', 'client', { 'rpc.grpc.status_code': 14 }, undefined, true, false],
    [
      'gRPC DEADLINE_EXCEEDED is a timeout',
      'client',
      { 'rpc.grpc.status_code': 4 },
      undefined,
      true,
      true,
    ],
    ['HTTP 504 is a timeout', 'client', { 'http.status_code': 504 }, undefined, true, true],
    [
      'a timeout error type',
      'client',
      { 'error.type': 'requests.exceptions.ReadTimeout' },
      '',
      true,
      true,
    ],
    ['a deadline in the status message', 'client', {}, 'context deadline exceeded', true, true],
  ];
  for (const [name, kind, attrs, error, failed, timedOut] of failures) {
    it(`recognises ${name}`, () => {
      const facts = factsOf(kind, attrs, error);
      assert.equal(facts.failed(0), failed);
      assert.equal(facts.timedOut(0), timedOut);
    });
  }

  it('counts resends and spots redirects', () => {
    const facts = factsOf('client', {
      'http.request.resend_count': 2,
      'http.response.status_code': 302,
    });
    assert.equal(facts.resendCount(0), 2);
    assert.equal(facts.redirected(0), true);
  });

  it('sees a timeout in an exception event', () => {
    const t = new TraceBuilder();
    const span = t.span({ startMs: 0, durationMs: 1, events: ['exception'] });
    const withType = {
      ...span,
      status: { code: StatusCode.error, message: '' },
      events: [
        {
          ...span.events[0]!,
          attributes: [{ key: 'exception.type', value: 'java.net.SocketTimeoutException' }],
        },
      ],
    };
    const facts = SpanFacts.of([withType]);
    assert.equal(facts.timedOut(0), true);
    assert.equal(facts.hasEvents(0), true);
  });
});

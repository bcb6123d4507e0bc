import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbCall, httpCall, TraceBuilder } from '../../../test/support/trace-builder.ts';
import { analyzeTrace } from '../analyze-trace.ts';

const found = (t: TraceBuilder) =>
  analyzeTrace(t.spans).findings.filter((f) => f.kind === 'error_origin');

describe('error_origin', () => {
  it('reports the deepest failed span and the ancestors the error reached, up to the root', () => {
    const t = new TraceBuilder();
    const root = t.span({
      name: 'POST /orders',
      kind: 'server',
      startMs: 0,
      durationMs: 40,
      error: '',
    });
    const { client, server } = httpCall(t, root, 'orders', '/orders', 2, 36, {
      method: 'POST',
      status: 500,
    });
    const insert = dbCall(t, server!, 10, 5, 'INSERT INTO orders VALUES (1)', {
      service: 'orders',
      error: 'duplicate key',
    });
    const [finding, ...rest] = found(t);
    assert.equal(rest.length, 0);
    assert.deepEqual(finding!.spanIds, [insert.spanId, server!.spanId, client.spanId, root.spanId]);
    assert.equal(finding!.severity, 'critical');
    assert.equal(finding!.service, 'orders');
    assert.match(finding!.summary, /^The error started in orders INSERT items \("duplicate key"\)/);
  });

  it('leaves out a handled error beside the path and reports one origin per failed trace', () => {
    const t = new TraceBuilder();
    const root = t.span({ kind: 'server', startMs: 0, durationMs: 60, error: '' });
    t.span({
      parent: root,
      name: 'get',
      kind: 'client',
      startMs: 1,
      durationMs: 5,
      error: 'Command timed out',
    });
    const { client } = httpCall(t, root, 'checkout', '/checkout', 10, 45, { status: 500 });
    const findings = found(t);
    assert.equal(findings.length, 1);
    assert.notEqual(findings[0]!.spanIds[0], client.spanId);
    assert.equal(findings[0]!.service, 'checkout');
  });

  it('folds the failed attempts of a retried call into one origin', () => {
    const t = new TraceBuilder();
    const root = t.span({ kind: 'server', startMs: 0, durationMs: 200, error: '' });
    for (let i = 0; i < 3; i++)
      httpCall(t, root, 'payment', '/charges', 5 + i * 50, 30, { status: 503 });
    const findings = found(t);
    assert.equal(findings.length, 1);
    assert.match(findings[0]!.summary, /\(3 times\)/);
  });

  it('stays quiet when the request succeeded despite failed calls', () => {
    const t = new TraceBuilder();
    const root = t.span({ kind: 'server', startMs: 0, durationMs: 200 });
    httpCall(t, root, 'payment', '/charges', 5, 30, { status: 503 });
    httpCall(t, root, 'payment', '/charges', 50, 30, { status: 201 });
    assert.deepEqual(found(t), []);
  });

  it('reports a failed root with no failed child as its own origin', () => {
    const t = new TraceBuilder();
    const root = t.span({
      name: 'PUT /users/:id',
      startMs: 0,
      durationMs: 20,
      error: 'validation',
    });
    t.span({ parent: root, startMs: 1, durationMs: 5 });
    const [finding] = found(t);
    assert.deepEqual(finding!.spanIds, [root.spanId]);
    assert.match(finding!.summary, /the root span$/);
  });

  it('finds the origin at the bottom of a deep chain of failures, each with a failed leaf beside', () => {
    // Every failed leaf reaches the root through all the failed spans above it: walking up
    // from each one would take quadratic time on a chain this deep.
    const t = new TraceBuilder();
    let parent = t.span({ name: 'level 0', startMs: 0, durationMs: 20_000, error: 'boom' });
    for (let level = 1; level < 20_000; level++) {
      t.span({ parent, name: 'leaf', startMs: level, durationMs: 0.5, error: 'boom' });
      parent = t.span({
        parent,
        name: `level ${level}`,
        startMs: level,
        durationMs: 20_000 - level,
        error: 'boom',
      });
    }
    const [finding, ...rest] = found(t);
    assert.equal(rest.length, 0);
    assert.equal(finding!.spanIds[0], parent.spanId);
    assert.equal(finding!.spanIds.length, 20_000);
  });
});

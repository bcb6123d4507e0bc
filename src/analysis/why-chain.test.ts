import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbCall, httpCall, TraceBuilder } from '../../test/support/trace-builder.ts';
import { analyzeTrace } from './analyze-trace.ts';

describe('why-chain', () => {
  it('walks from the root down to the finding with the largest impact, one sentence per step', () => {
    const t = new TraceBuilder();
    const root = t.span({
      service: 'frontend',
      name: 'GET /checkout',
      kind: 'server',
      startMs: 0,
      durationMs: 2_400,
    });
    const { server } = httpCall(t, root, 'payment', '/charge', 10, 1_800, { method: 'POST' });
    for (let i = 0; i < 6; i++) {
      dbCall(t, server!, 20 + i * 250, 240, `SELECT * FROM cards WHERE id = ${i}`, {
        service: 'payment',
      });
    }
    const { whyChain, findings } = analyzeTrace(t.spans);
    assert.equal(findings[0]!.kind, 'n_plus_one');
    assert.deepEqual(whyChain.slice(0, 1), ['frontend GET /checkout took 2.4 s.']);
    assert.match(whyChain[whyChain.length - 1]!, /^Because 6 sequential postgresql queries/);
    // The client span of the call is one step with its server span, not two.
    assert.equal(whyChain.length, 2);
  });

  it('says where the time went in a healthy trace without inventing a problem', () => {
    const t = new TraceBuilder();
    const root = t.span({
      service: 'frontend',
      name: 'GET /',
      kind: 'server',
      startMs: 0,
      durationMs: 120,
    });
    httpCall(t, root, 'catalog', '/products', 5, 100, { serverMs: 99 });
    const { whyChain, findings } = analyzeTrace(t.spans);
    assert.deepEqual(findings, []);
    assert.deepEqual(whyChain, [
      'frontend GET / took 120 ms.',
      'Because catalog GET /products took 99 ms.',
      'catalog GET /products spent 99 ms in its own code (83% of the trace); no problem pattern was found.',
    ]);
  });

  it('says the time is spread when no child holds most of it', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'GET /report', startMs: 0, durationMs: 100 });
    for (let i = 0; i < 3; i++)
      t.span({ parent: root, name: `part ${i}`, startMs: 5 + i * 30, durationMs: 28 });
    const { whyChain } = analyzeTrace(t.spans);
    assert.match(whyChain[whyChain.length - 1]!, /spread over 3 child spans on the critical path/);
  });

  it('leads to the slow part and then names where the error started when the request failed', () => {
    const t = new TraceBuilder();
    const root = t.span({
      service: 'frontend',
      name: 'GET /checkout',
      kind: 'server',
      startMs: 0,
      durationMs: 2_400,
      error: true,
    });
    const { server } = httpCall(t, root, 'payment', '/charge', 10, 2_300, {
      method: 'POST',
      status: 502,
    });
    for (let i = 0; i < 6; i++) {
      dbCall(t, server!, 20 + i * 250, 240, `SELECT * FROM cards WHERE id = ${i}`, {
        service: 'payment',
      });
    }
    const { whyChain, findings } = analyzeTrace(t.spans);
    assert.deepEqual(findings.map((f) => f.kind).sort(), ['error_origin', 'n_plus_one']);
    assert.match(whyChain.at(-2)!, /^Because 6 sequential postgresql queries/);
    assert.match(whyChain.at(-1)!, /^The request also failed: the error started in payment/);
  });

  it('is empty for an empty trace', () => {
    assert.deepEqual(analyzeTrace([]).whyChain, []);
  });
});

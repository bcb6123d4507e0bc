import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpCall, TraceBuilder } from '../../../test/support/trace-builder.ts';
import type { Span } from '../../model/span.ts';
import type { AnalysisOptionsInput } from '../analysis-options.ts';
import { analyzeTrace } from '../analyze-trace.ts';

const MS = 1_000_000;
const found = (t: TraceBuilder, options?: AnalysisOptionsInput) =>
  analyzeTrace(t.spans, options).findings.filter((f) => f.kind === 'cascading_latency');

/**
 * frontend -> recommendations -> catalog, each hop 2 ms of network; `ownMs` is the work each
 * service does beside the call (the catalog's is its whole duration).
 */
function chain(
  catalogMs: number,
  middleOwnMs = 0,
  catalogChildren?: (server: Span, t: TraceBuilder) => void,
) {
  const t = new TraceBuilder();
  const recsMs = catalogMs + 3 + middleOwnMs;
  const root = t.span({
    service: 'frontend',
    name: 'GET /recs',
    kind: 'server',
    startMs: 0,
    durationMs: recsMs + 5,
  });
  const { server: recs } = httpCall(t, root, 'recommendations', '/recs', 1, recsMs + 2);
  const { server: catalog } = httpCall(
    t,
    recs!,
    'catalog',
    '/products',
    2 + middleOwnMs,
    catalogMs + 2,
  );
  catalogChildren?.(catalog!, t);
  return { t, root, recs: recs!, catalog: catalog! };
}

describe('cascading_latency', () => {
  it('reports the deepest span whose own time three services inherit', () => {
    const { t, root, catalog } = chain(600);
    const [finding, ...rest] = found(t);
    assert.equal(rest.length, 0);
    assert.equal(finding!.spanIds[0], catalog.spanId);
    assert.ok(finding!.spanIds.includes(root.spanId));
    assert.equal(finding!.service, 'catalog');
    // The catalog server span: the 602 ms call less 1 ms of network.
    assert.equal(finding!.impactNs, 601 * MS);
    assert.match(finding!.summary, /across frontend → recommendations → catalog/);
  });

  it('stays quiet when a middle service does real work of its own', () => {
    assert.deepEqual(found(chain(400, 300).t), []);
  });

  it('stays quiet for a chain shorter than the minimum duration', () => {
    assert.deepEqual(found(chain(50).t), []);
  });

  it('stays quiet when the deepest span is slow because of its children', () => {
    const { t } = chain(600, 0, (catalog, builder) => {
      for (let i = 0; i < 4; i++)
        builder.span({
          parent: catalog,
          service: 'catalog',
          startMs: 4 + i * 150,
          durationMs: 145,
        });
    });
    assert.deepEqual(found(t), []);
  });

  it('stays quiet for a chain over two services', () => {
    const t = new TraceBuilder();
    const root = t.span({ service: 'frontend', startMs: 0, durationMs: 610 });
    httpCall(t, root, 'catalog', '/products', 1, 605);
    assert.deepEqual(found(t), []);
  });

  it('takes its thresholds from the options', () => {
    assert.equal(found(chain(400, 60).t).length, 0);
    assert.equal(found(chain(400, 60).t, { cascadingLatency: { maxSelfFraction: 0.2 } }).length, 1);
  });
});

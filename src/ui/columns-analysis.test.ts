import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCorpus } from '../../test/fixtures/analysis-corpus/corpus.fixtures.ts';
import { BASE_TIME_NS } from '../../test/support/make-span.ts';
import { analyzeTrace } from '../analysis/analyze-trace.ts';
import { encodeTraceColumns } from '../model/trace-columns.ts';
import { analyzeColumnsText } from './columns-analysis.ts';

describe('analyzeColumnsText', () => {
  it('gives the analysis the server would give for the same spans', () => {
    const corpus = buildCorpus(BASE_TIME_NS);
    assert.ok(corpus.some(({ spans }) => analyzeTrace(spans).findings.length > 0));
    for (const { scenario, traceId, spans } of corpus) {
      const reply = analyzeColumnsText(JSON.stringify(encodeTraceColumns(traceId, spans)));
      assert.deepEqual(reply, { ok: true, analysis: analyzeTrace(spans) }, scenario.name);
    }
  });

  it('answers an error, not an exception, for text that is not trace columns', () => {
    const notJson = analyzeColumnsText('{"format":');
    assert.equal(notJson.ok, false);
    if (!notJson.ok) assert.match(notJson.error, /^not JSON/);
    const wrongShape = analyzeColumnsText('{"resourceSpans":[]}');
    assert.equal(wrongShape.ok, false);
    if (!wrongShape.ok) assert.match(wrongShape.error, /format 'tracehound.trace-columns.v1'/);
  });
});

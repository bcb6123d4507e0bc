import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeSpan } from '../../test/support/make-span.ts';
import { parseTraceFile, traceToOtlpJsonText } from './trace-file.ts';

describe('parseTraceFile', () => {
  const spans = [
    makeSpan({
      name: 'GET /cart',
      attributes: [{ key: 'http.response.status_code', value: 200n }],
    }),
  ];
  const text = traceToOtlpJsonText(spans);

  it('reads back a downloaded trace, ints included', () => {
    const result = parseTraceFile(text);
    assert.ok(result.ok);
    assert.equal(result.spans[0]!.name, 'GET /cart');
    assert.equal(result.spans[0]!.attributes[0]!.value, 200n);
  });

  it('reads the api_v3 wrapper and JSON Lines', () => {
    const wrapped = parseTraceFile(JSON.stringify({ result: JSON.parse(text) }));
    assert.ok(wrapped.ok && wrapped.spans.length === 1);
    const compact = JSON.stringify(JSON.parse(text));
    const lines = parseTraceFile(`${compact}\n${compact}\n`);
    assert.ok(lines.ok && lines.spans.length === 2);
  });

  it('says what it expected for other JSON, and reports non-JSON', () => {
    const other = parseTraceFile('{"data": []}');
    assert.ok(!other.ok && /resourceSpans/.test(other.error));
    const garbage = parseTraceFile('hello');
    assert.ok(!garbage.ok && /not JSON/.test(garbage.error));
    const empty = parseTraceFile('{"resourceSpans": []}');
    assert.ok(!empty.ok && /no spans/.test(empty.error));
  });
});

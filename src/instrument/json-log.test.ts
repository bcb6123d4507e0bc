import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { jsonLogLine, traceLogFields } from './json-log.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

function contextWithSpan(traceFlags: number) {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags });
}

describe('traceLogFields', () => {
  it('names the span as the pino and winston instrumentations do', () => {
    assert.deepEqual(traceLogFields(contextWithSpan(TraceFlags.SAMPLED)), {
      trace_id: TRACE_ID,
      span_id: SPAN_ID,
      trace_flags: '01',
    });
  });

  it('writes unsampled flags as 00', () => {
    assert.equal(traceLogFields(contextWithSpan(TraceFlags.NONE))?.trace_flags, '00');
  });

  it('gives nothing outside a span or for an invalid span context', () => {
    assert.equal(traceLogFields(ROOT_CONTEXT), undefined);
    const invalid = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0'.repeat(32),
      spanId: SPAN_ID,
      traceFlags: 1,
    });
    assert.equal(traceLogFields(invalid), undefined);
  });
});

describe('jsonLogLine', () => {
  it('writes one JSON object with time, level, message and the fields', () => {
    const line = jsonLogLine('warn', 'stock low', { sku: 'SKU-0001', left: 2 });
    assert.doesNotMatch(line, /\n/);
    const record = JSON.parse(line);
    assert.equal(record.level, 'warn');
    assert.equal(record.msg, 'stock low');
    assert.equal(record.sku, 'SKU-0001');
    assert.equal(record.left, 2);
    assert.ok(!Number.isNaN(Date.parse(record.time)));
  });

  it('adds no trace fields outside a span', () => {
    const record = JSON.parse(jsonLogLine('info', 'started'));
    assert.equal(record.trace_id, undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { AnyFormatPropagator, propagatorFromEnv } from './propagators.ts';

const TRACE_ID = '463ac35c9f6413ad48485a3953bb6124';
const SPAN_ID = 'a2fb4a1d1a96d312';
const OTHER_TRACE_ID = '80f198ee56343ba864fe8b2a57d3eff7';
const OTHER_SPAN_ID = 'e457b5a2e4d86bd1';

const propagator = new AnyFormatPropagator();

function extracted(headers: Record<string, string>) {
  const context = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  return { span: trace.getSpanContext(context), baggage: propagation.getBaggage(context) };
}

/** A sampled span context carrying `customer_id=c-1001` baggage. */
function sampledWithBaggage() {
  const context = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
  });
  return propagation.setBaggage(
    context,
    propagation.createBaggage({ customer_id: { value: 'c-1001' } }),
  );
}

describe('AnyFormatPropagator', () => {
  it('joins a W3C traceparent', () => {
    const { span } = extracted({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
    assert.deepEqual(
      [span?.traceId, span?.spanId, span?.traceFlags, span?.isRemote],
      [TRACE_ID, SPAN_ID, TraceFlags.SAMPLED, true],
    );
  });

  it('joins a B3 single header', () => {
    const { span } = extracted({ b3: `${TRACE_ID}-${SPAN_ID}-1` });
    assert.deepEqual([span?.traceId, span?.spanId], [TRACE_ID, SPAN_ID]);
  });

  it('joins B3 multi headers, padding a 64-bit trace id to 128 bits', () => {
    const { span } = extracted({
      'x-b3-traceid': 'a3ce929d0e0e4736',
      'x-b3-spanid': SPAN_ID,
      'x-b3-sampled': '1',
    });
    assert.deepEqual([span?.traceId, span?.spanId], [`${'0'.repeat(16)}a3ce929d0e0e4736`, SPAN_ID]);
  });

  it('joins a Jaeger uber-trace-id with its uberctx- baggage', () => {
    const { span, baggage } = extracted({
      'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:1`,
      'uberctx-customer_id': 'c-1001',
    });
    assert.deepEqual([span?.traceId, span?.spanId], [TRACE_ID, SPAN_ID]);
    assert.equal(baggage?.getEntry('customer_id')?.value, 'c-1001');
  });

  it('prefers W3C when a request carries several formats', () => {
    const { span } = extracted({
      b3: `${OTHER_TRACE_ID}-${OTHER_SPAN_ID}-1`,
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
    });
    assert.equal(span?.traceId, TRACE_ID);
  });

  it('falls back to B3 when the traceparent is malformed', () => {
    const { span } = extracted({
      traceparent: '00-not-a-trace-01',
      b3: `${OTHER_TRACE_ID}-${OTHER_SPAN_ID}-1`,
    });
    assert.equal(span?.traceId, OTHER_TRACE_ID);
  });

  it('reads W3C baggage alongside any trace format', () => {
    const { span, baggage } = extracted({
      b3: `${TRACE_ID}-${SPAN_ID}-1`,
      baggage: 'customer_id=c-1042,tier=gold',
    });
    assert.equal(span?.traceId, TRACE_ID);
    assert.equal(baggage?.getEntry('customer_id')?.value, 'c-1042');
  });

  it('starts nothing without trace headers', () => {
    assert.equal(extracted({ 'content-type': 'application/json' }).span, undefined);
  });

  it('sends only W3C trace context and baggage', () => {
    const context = sampledWithBaggage();
    const headers: Record<string, string> = {};
    propagator.inject(context, headers, defaultTextMapSetter);
    assert.deepEqual(headers, {
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
      baggage: 'customer_id=c-1001',
    });
  });

  it('reads each baggage header anew, even after the same one was seen before', () => {
    assert.equal(
      extracted({ baggage: 'customer_id=c-1' }).baggage?.getEntry('customer_id')?.value,
      'c-1',
    );
    assert.equal(
      extracted({ baggage: 'customer_id=c-2' }).baggage?.getEntry('customer_id')?.value,
      'c-2',
    );
    const again = extracted({ baggage: 'customer_id=c-1' }).baggage;
    assert.deepEqual(again?.getAllEntries(), [['customer_id', { value: 'c-1' }]]);
    assert.equal(extracted({ baggage: 'not a pair' }).baggage, undefined);
    assert.equal(extracted({ baggage: 'not a pair' }).baggage, undefined);
  });

  it('ignores uberctx- baggage without a valid uber-trace-id, as the fallback order implies', () => {
    const { span, baggage } = extracted({ 'uberctx-customer_id': 'c-1001' });
    assert.equal(span, undefined);
    assert.equal(baggage, undefined);
  });

  it('sends the baggage of each context, also after a baggage was changed', () => {
    const spanContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED };
    const first = propagation.createBaggage({ customer_id: { value: 'c 1' } });
    const second = first.setEntry('tier', { value: 'gold' });
    const sent = (baggage: typeof first) => {
      const headers: Record<string, string> = {};
      const context = propagation.setBaggage(
        trace.setSpanContext(ROOT_CONTEXT, spanContext),
        baggage,
      );
      propagator.inject(context, headers, defaultTextMapSetter);
      return headers.baggage;
    };
    assert.equal(sent(first), 'customer_id=c%201');
    assert.equal(sent(second), 'customer_id=c%201,tier=gold');
    assert.equal(sent(first), 'customer_id=c%201');
    assert.equal(sent(propagation.createBaggage()), undefined);
  });

  it('sends nothing while tracing is suppressed', () => {
    const context = sampledWithBaggage();
    const headers: Record<string, string> = {};
    propagator.inject(suppressTracing(context), headers, defaultTextMapSetter);
    assert.deepEqual(headers, {});
  });

  it('lists the fields of every format it reads', () => {
    const fields = propagator.fields();
    for (const field of ['traceparent', 'tracestate', 'baggage', 'b3', 'uber-trace-id']) {
      assert.ok(fields.includes(field), field);
    }
  });
});

describe('propagatorFromEnv', () => {
  it('reads every format by default and leaves OTEL_PROPAGATORS to the SDK', () => {
    assert.ok(propagatorFromEnv({}) instanceof AnyFormatPropagator);
    assert.equal(propagatorFromEnv({ OTEL_PROPAGATORS: 'b3multi' }), undefined);
  });
});

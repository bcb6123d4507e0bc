/**
 * payment: asks fraud whether to accept the charge, charges the card with the external card
 * processor, and records the charge in its ledger. Logs with pino.
 *
 * The call to fraud propagates B3 headers instead of W3C trace context: fraud stands for a team
 * still on Zipkin-style propagation, and `tracehound/register` joins either. The call is made
 * with a manual client span (the automatic fetch span would inject W3C headers).
 *
 * Fault `retry-storm`: the card processor sometimes answers 503; payment retries at once, with no
 * backoff, up to five times. Fault `payment-errors`: the ledger write sometimes fails, and the
 * error travels back to the customer.
 */
import { context, defaultTextMapSetter, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing, W3CBaggagePropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import pino from 'pino';
import { FaultSwitch } from '../faults.ts';
import { createApp, serve } from '../shared/express-app.ts';
import { callJson, UpstreamError } from '../shared/http-client.ts';
import { peerUrl } from '../shared/process-lifecycle.ts';
import { pause } from '../shared/timing.ts';

const log = pino({ base: { service: 'payment' } });
const faults = FaultSwitch.fromEnv(process.env);
const tracer = trace.getTracer('tracehound-demo/payment');
const b3 = new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
const baggage = new W3CBaggagePropagator();

interface ChargeRequest {
  readonly orderId: string;
  readonly customer: string;
  readonly amountCents: number;
}

/** POST to fraud with B3 headers, in a client span of our own. */
async function checkFraud(charge: ChargeRequest): Promise<{ decision: string }> {
  const url = new URL(`${peerUrl('fraud')}/check`);
  const span = tracer.startSpan('POST /check', {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': 'POST',
      'url.full': url.href,
      'server.address': url.hostname,
      'server.port': Number(url.port),
      'peer.service': 'fraud',
    },
  });
  const withSpan = trace.setSpan(context.active(), span);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  b3.inject(withSpan, headers, defaultTextMapSetter);
  baggage.inject(withSpan, headers, defaultTextMapSetter);
  try {
    // Suppressed: the fetch instrumentation would add a span and W3C headers of its own.
    const response = await context.with(suppressTracing(withSpan), () =>
      fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(charge),
        signal: AbortSignal.timeout(5_000),
      }),
    );
    span.setAttribute('http.response.status_code', response.status);
    if (!response.ok) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw new UpstreamError(url.href, response.status, await response.text());
    }
    return (await response.json()) as { decision: string };
  } catch (error) {
    if (!(error instanceof UpstreamError)) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    }
    throw error;
  } finally {
    span.end();
  }
}

/** Charges the card; retries 503s at once (the storm) when the fault is on. */
async function chargeCard(charge: ChargeRequest): Promise<{ chargeId: string }> {
  const attempts = faults.isOn('retry-storm') ? 5 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await callJson<{ chargeId: string }>(`${peerUrl('externals')}/v1/charges`, {
        method: 'POST',
        headers: { 'idempotency-key': charge.orderId },
        body: { amount: charge.amountCents, currency: 'eur' },
      });
    } catch (error) {
      lastError = error;
      if (!(error instanceof UpstreamError && error.status === 503)) break;
    }
  }
  throw lastError;
}

/** The ledger lives in payment's own store; the demo models only its failures. */
async function recordInLedger(charge: ChargeRequest, chargeId: string): Promise<void> {
  await tracer.startActiveSpan('ledger record', async (span) => {
    try {
      span.setAttribute('payment.charge_id', chargeId);
      await pause(2, 4);
      if (faults.strikes('payment-errors')) {
        throw new Error(`ledger write conflict for order ${charge.orderId}: serialization failure`);
      }
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

const app = createApp();

app.post('/charge', async (req, res) => {
  const charge = req.body as ChargeRequest;
  await pause(2, 4);
  const { decision } = await checkFraud(charge);
  if (decision !== 'approve') {
    log.warn({ orderId: charge.orderId, decision }, 'charge refused by fraud check');
    res.status(402).json({ error: 'refused' });
    return;
  }
  const { chargeId } = await chargeCard(charge);
  await recordInLedger(charge, chargeId);
  log.info({ orderId: charge.orderId, chargeId }, 'charge recorded');
  res.json({ chargeId });
});

await serve(app);
log.info('payment listening');

/**
 * gateway: the shop's front door. Verifies the customer with auth, then composes pages from the
 * other services. Logs with pino (trace ids added by the pino instrumentation).
 * Fault `sequential-calls`: the home page awaits its three independent calls one by one.
 */
import type { Request } from 'express';
import pino from 'pino';
import { FaultSwitch } from '../faults.ts';
import { createApp, serve } from '../shared/express-app.ts';
import { callJson } from '../shared/http-client.ts';
import { peerUrl } from '../shared/process-lifecycle.ts';
import { pause } from '../shared/timing.ts';

const log = pino({ base: { service: 'gateway' } });
const faults = FaultSwitch.fromEnv(process.env);
const app = createApp();

async function verify(req: Request): Promise<string> {
  const { customerId } = await callJson<{ customerId: string }>(`${peerUrl('auth')}/verify`, {
    headers: { authorization: req.get('authorization') ?? '' },
  });
  return customerId;
}

/** Runs independent calls one after another (the fault) or all at once (the fix). */
async function all<T extends unknown[]>(
  sequential: boolean,
  calls: { [K in keyof T]: () => Promise<T[K]> },
): Promise<T> {
  if (!sequential) return (await Promise.all(calls.map((call) => call()))) as T;
  const results: unknown[] = [];
  for (const call of calls) results.push(await call());
  return results as T;
}

app.get('/api/home', async (req, res) => {
  const customer = await verify(req);
  const [profile, cart, recommendations] = await all<[unknown, unknown, unknown]>(
    faults.isOn('sequential-calls'),
    [
      () => callJson(`${peerUrl('auth')}/profile/${customer}`),
      () => callJson(`${peerUrl('cart')}/cart/${customer}/summary`),
      () => callJson(`${peerUrl('inventory')}/recommendations?customer=${customer}`),
    ],
  );
  await pause(2, 4);
  log.info({ customer }, 'home page composed');
  res.json({ profile, cart, recommendations });
});

app.get('/api/cart', async (req, res) => {
  const customer = await verify(req);
  const cart = await callJson(`${peerUrl('cart')}/cart/${customer}`);
  log.info({ customer }, 'cart page composed');
  res.json(cart);
});

app.get('/api/products/:sku/availability', async (req, res) => {
  await verify(req);
  const availability = await callJson(
    `${peerUrl('inventory')}/availability/${encodeURIComponent(req.params.sku)}`,
  );
  res.json(availability);
});

app.post('/api/checkout', async (req, res) => {
  const customer = await verify(req);
  try {
    const order = await callJson(`${peerUrl('cart')}/checkout/${customer}`, { method: 'POST' });
    log.info({ customer, order }, 'checkout done');
    res.json(order);
  } catch (error) {
    log.error({ customer, err: error }, 'checkout failed');
    throw error;
  }
});

await serve(app);
log.info('gateway listening');

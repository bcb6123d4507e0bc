/**
 * auth: maps bearer tokens to customers and serves profiles. Logs JSON lines with the
 * `tracehound/log` helper (`logJson`), the smallest way to correlate logs without a logger.
 */
import { logJson } from '../../src/instrument/json-log.ts';
import { CUSTOMERS, tokenOf } from '../shared/catalog.ts';
import { createApp, serve } from '../shared/express-app.ts';
import { pause } from '../shared/timing.ts';

const customerByToken = new Map(CUSTOMERS.map((customer) => [tokenOf(customer), customer]));
const app = createApp();

app.get('/verify', async (req, res) => {
  await pause(2, 4);
  const token = (req.get('authorization') ?? '').replace(/^Bearer\s+/i, '');
  const customerId = customerByToken.get(token);
  if (customerId === undefined) {
    logJson('warn', 'unknown token');
    res.status(401).json({ error: 'unknown token' });
    return;
  }
  logJson('info', 'token verified', { customer: customerId });
  res.json({ customerId });
});

app.get('/profile/:customer', async (req, res) => {
  // Profile assembly: preferences, loyalty tier, addresses.
  await pause(55, 65);
  logJson('info', 'profile served', { customer: req.params.customer });
  res.json({ customer: req.params.customer, tier: 'gold', currency: 'EUR' });
});

await serve(app);
logJson('info', 'auth listening');

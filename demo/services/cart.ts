/**
 * cart: carts in its own DuckDB database, and checkout: reserve stock with inventory, charge with
 * payment, then announce the order on the `orders` queue for the notification worker. Logs with
 * winston (trace ids added by the winston instrumentation).
 * Fault `n-plus-one`: cart items are loaded with one query per item instead of one query.
 */
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import winston from 'winston';
import { FaultSwitch } from '../faults.ts';
import { CUSTOMERS, cartOf, PRODUCTS } from '../shared/catalog.ts';
import { DemoDatabase } from '../shared/database.ts';
import { createApp, serve } from '../shared/express-app.ts';
import { callJson } from '../shared/http-client.ts';
import { peerUrl } from '../shared/process-lifecycle.ts';
import { DEMO_ENV, type OrderPlaced } from '../shared/protocol.ts';
import { SpoolQueue } from '../shared/queue.ts';
import { pause } from '../shared/timing.ts';

const log = winston.createLogger({
  defaultMeta: { service: 'cart' },
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [new winston.transports.Console()],
});
const faults = FaultSwitch.fromEnv(process.env);
const tracer = trace.getTracer('tracehound-demo/cart');
const orders = new SpoolQueue<OrderPlaced>(process.env[DEMO_ENV.queueDir] ?? '.', 'orders');

interface CartLine {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly priceCents: number;
}

const db = await DemoDatabase.open('cart');
await db.setUp(`
  CREATE TABLE products (sku VARCHAR PRIMARY KEY, name VARCHAR, price_cents INTEGER);
  CREATE TABLE cart_items (customer_id VARCHAR, sku VARCHAR, quantity INTEGER);
  INSERT INTO products VALUES ${PRODUCTS.map((p) => `('${p.sku}', '${p.name}', ${p.priceCents})`).join(', ')};
  INSERT INTO cart_items VALUES ${CUSTOMERS.flatMap((c) => cartOf(c).map((i) => `('${c}', '${i.sku}', ${i.quantity})`)).join(', ')};
`);

/** Loads a cart in a span of its own, so its queries are grouped under it. */
function loadCart(customer: string): Promise<CartLine[]> {
  return tracer.startActiveSpan('load cart', async (span) => {
    try {
      return await queryCart(customer);
    } finally {
      span.end();
    }
  });
}

async function queryCart(customer: string): Promise<CartLine[]> {
  if (!faults.isOn('n-plus-one')) {
    const rows = await db.query(
      `SELECT i.sku, p.name, i.quantity, p.price_cents FROM cart_items i
       JOIN products p ON p.sku = i.sku WHERE i.customer_id = ? ORDER BY i.sku`,
      [customer],
      { operation: 'SELECT', table: 'cart_items' },
    );
    return rows.map((row) => ({
      sku: String(row.sku),
      name: String(row.name),
      quantity: Number(row.quantity),
      priceCents: Number(row.price_cents),
    }));
  }
  const items = await db.query(
    'SELECT sku, quantity FROM cart_items WHERE customer_id = ? ORDER BY sku',
    [customer],
    { operation: 'SELECT', table: 'cart_items' },
  );
  const lines: CartLine[] = [];
  for (const item of items) {
    const [product] = await db.query(
      'SELECT name, price_cents FROM products WHERE sku = ?',
      [String(item.sku)],
      { operation: 'SELECT', table: 'products' },
    );
    lines.push({
      sku: String(item.sku),
      name: String(product?.name),
      quantity: Number(item.quantity),
      priceCents: Number(product?.price_cents),
    });
  }
  return lines;
}

const totalOf = (lines: readonly CartLine[]) =>
  lines.reduce((sum, line) => sum + line.quantity * line.priceCents, 0);

const app = createApp();

app.get('/cart/:customer', async (req, res) => {
  const lines = await loadCart(req.params.customer);
  // Pricing rules and promotions.
  await pause(10, 14);
  const stock = await callJson(`${peerUrl('inventory')}/stock-levels`, {
    method: 'POST',
    body: { skus: lines.map((line) => line.sku) },
  });
  log.info('cart loaded', { customer: req.params.customer, items: lines.length });
  res.json({ lines, totalCents: totalOf(lines), stock });
});

app.get('/cart/:customer/summary', async (req, res) => {
  // Pricing rules and promotions for the mini-cart.
  await pause(50, 60);
  const [row] = await db.query(
    'SELECT count(*) AS items, sum(quantity) AS units FROM cart_items WHERE customer_id = ?',
    [req.params.customer],
    { operation: 'SELECT', table: 'cart_items' },
  );
  res.json({ items: Number(row?.items ?? 0), units: Number(row?.units ?? 0) });
});

app.post('/checkout/:customer', async (req, res) => {
  const customer = req.params.customer;
  await pause(4, 6);
  const lines = await loadCart(customer);
  const orderId = randomUUID();
  await callJson(`${peerUrl('inventory')}/reserve`, {
    method: 'POST',
    body: { orderId, skus: lines.map((line) => line.sku) },
  });
  const totalCents = totalOf(lines);
  try {
    await callJson(`${peerUrl('payment')}/charge`, {
      method: 'POST',
      body: { orderId, customer, amountCents: totalCents },
    });
  } catch (error) {
    log.error('payment failed', { customer, orderId, error: String(error) });
    throw error;
  }
  await orders.publish({ orderId, customer, totalCents });
  log.info('order placed', { customer, orderId, totalCents });
  res.json({ orderId, totalCents });
});

await serve(app);
log.info('cart listening');

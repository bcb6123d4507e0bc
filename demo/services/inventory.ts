/**
 * inventory: stock per warehouse in its own DuckDB database (a snapshot table and the movement
 * history behind it), availability from the warehouses' own systems, reservations. Logs JSON lines
 * with the `tracehound/log` helper.
 * Fault `slow-warehouse`: one of the eight warehouses answers slowly, and availability waits.
 * Fault `slow-query`: stock levels are recomputed from the whole movement history (a running
 * balance over every warehouse, filtered afterwards) instead of read from the snapshot.
 */
import { logJson } from '../../src/instrument/json-log.ts';
import { FaultSwitch } from '../faults.ts';
import { PRODUCT_COUNT, PRODUCTS, skuOf, WAREHOUSE_COUNT } from '../shared/catalog.ts';
import { DemoDatabase } from '../shared/database.ts';
import { createApp, serve } from '../shared/express-app.ts';
import { callJson } from '../shared/http-client.ts';
import { peerUrl } from '../shared/process-lifecycle.ts';
import { pause } from '../shared/timing.ts';

const faults = FaultSwitch.fromEnv(process.env);
/** Movement history rows: enough for a full recomputation to take a few hundred ms. */
const MOVEMENTS = 600_000;

const db = await DemoDatabase.open('inventory');
await db.setUp(`
  CREATE TABLE stock_movements AS
    SELECT 'SKU-' || lpad(CAST(i % ${PRODUCT_COUNT} AS VARCHAR), 4, '0') AS sku,
           CAST(i % ${WAREHOUSE_COUNT} AS INTEGER) AS warehouse,
           CAST((i % 7) - 2 AS INTEGER) AS delta,
           TIMESTAMP '2024-01-01' + to_seconds(i) AS moved_at
    FROM range(${MOVEMENTS}) t(i);
  CREATE TABLE stock AS
    SELECT sku, warehouse, sum(delta) AS on_hand, 0 AS reserved
    FROM stock_movements GROUP BY sku, warehouse;
  CREATE TABLE sales AS
    SELECT 'SKU-' || lpad(CAST((i * 37) % ${PRODUCT_COUNT} AS VARCHAR), 4, '0') AS sku, i % 5 + 1 AS units
    FROM range(20000) t(i);
`);

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

function skusFrom(body: unknown): string[] {
  const skus = (body as { skus?: unknown } | undefined)?.skus;
  return Array.isArray(skus) ? skus.map(String).slice(0, 50) : [];
}

const app = createApp();

app.post('/stock-levels', async (req, res) => {
  const skus = skusFrom(req.body);
  await pause(2, 3);
  if (skus.length === 0) {
    res.json({});
    return;
  }
  const rows = faults.strikes('slow-query')
    ? await db.query(
        `SELECT sku, sum(delta) FILTER (WHERE running > 0) AS on_hand FROM (
           SELECT sku, delta, sum(delta) OVER (PARTITION BY warehouse ORDER BY moved_at) AS running
           FROM stock_movements)
         WHERE sku IN (${placeholders(skus.length)}) GROUP BY sku`,
        skus,
        { operation: 'SELECT', table: 'stock_movements' },
      )
    : await db.query(
        `SELECT sku, sum(on_hand - reserved) AS on_hand FROM stock
         WHERE sku IN (${placeholders(skus.length)}) GROUP BY sku`,
        skus,
        { operation: 'SELECT', table: 'stock' },
      );
  logJson('info', 'stock levels read', { skus: skus.length });
  res.json(Object.fromEntries(rows.map((row) => [String(row.sku), Number(row.on_hand)])));
});

app.get('/availability/:sku', async (req, res) => {
  const sku = req.params.sku;
  await pause(2, 3);
  // Each warehouse's own system knows what is on its shelves right now; ask them all at once.
  const answers = await Promise.all(
    Array.from({ length: WAREHOUSE_COUNT }, (_, warehouse) =>
      callJson<{ available: number }>(
        `${peerUrl('externals')}/warehouses/${warehouse}/stock?sku=${encodeURIComponent(sku)}`,
      ),
    ),
  );
  const available = answers.reduce((sum, answer) => sum + answer.available, 0);
  logJson('info', 'availability checked', { sku, available });
  res.json({ sku, available, warehouses: answers.length });
});

app.post('/reserve', async (req, res) => {
  const skus = skusFrom(req.body);
  await pause(3, 5);
  if (skus.length > 0) {
    await db.query(
      `UPDATE stock SET reserved = reserved + 1 WHERE warehouse = 0 AND sku IN (${placeholders(skus.length)})`,
      skus,
      { operation: 'UPDATE', table: 'stock' },
    );
  }
  logJson('info', 'stock reserved', { skus: skus.length });
  res.json({ reserved: skus.length });
});

app.get('/recommendations', async (_req, res) => {
  // Ranking the candidates: the model is not part of the demo.
  await pause(50, 60);
  const rows = await db.query(
    'SELECT sku, sum(units) AS sold FROM sales GROUP BY sku ORDER BY sold DESC LIMIT 5',
    [],
    { operation: 'SELECT', table: 'sales' },
  );
  const names = new Map(PRODUCTS.map((p) => [p.sku, p.name]));
  res.json(rows.map((row) => ({ sku: String(row.sku), name: names.get(String(row.sku)) })));
});

await serve(app);
logJson('info', 'inventory listening', { example: skuOf(1) });

/**
 * notification: a worker with no HTTP API. Consumes `orders` from the queue, renders the
 * confirmation email and hands it to the external email API. Logs with winston.
 */
import { trace } from '@opentelemetry/api';
import winston from 'winston';
import { callJson } from '../shared/http-client.ts';
import { onStop, peerUrl, reportListening } from '../shared/process-lifecycle.ts';
import { DEMO_ENV, type OrderPlaced } from '../shared/protocol.ts';
import { SpoolQueue } from '../shared/queue.ts';
import { pause } from '../shared/timing.ts';

const log = winston.createLogger({
  defaultMeta: { service: 'notification' },
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [new winston.transports.Console()],
});
const tracer = trace.getTracer('tracehound-demo/notification');
const orders = new SpoolQueue<OrderPlaced>(process.env[DEMO_ENV.queueDir] ?? '.', 'orders');

const stopConsuming = orders.consume(async (order) => {
  const body = await tracer.startActiveSpan('render confirmation email', async (span) => {
    await pause(8, 14);
    span.end();
    return `Thank you for your order ${order.orderId}: ${(order.totalCents / 100).toFixed(2)} EUR`;
  });
  await callJson(`${peerUrl('externals')}/v1/email`, {
    method: 'POST',
    body: { to: `${order.customer}@example.com`, subject: 'Your order', body },
  });
  log.info('confirmation sent', { orderId: order.orderId, customer: order.customer });
});
onStop(stopConsuming);
reportListening({});
log.info('notification worker consuming orders');

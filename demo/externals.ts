/**
 * The outside world of the demo shop, in one process that is not instrumented (it is not ours):
 * - a card processor, `POST /v1/charges`, flaky under fault `retry-storm`: a charge it decides to
 *   fail answers 503 two to four times before it goes through;
 * - eight warehouse systems, `GET /warehouses/{n}/stock?sku=`, one of them (Lyon, number 7) slow
 *   under fault `slow-warehouse`;
 * - an email API, `POST /v1/email`;
 * - a risk model on a TCP line protocol (one JSON line in, one out), which under fault
 *   `fraud-timeout` sometimes never answers.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { FaultSwitch } from './faults.ts';
import { onStop, reportListening } from './shared/process-lifecycle.ts';
import { between, pause } from './shared/timing.ts';

const faults = FaultSwitch.fromEnv(process.env);
const SLOW_WAREHOUSE = 7;
/** Failures still owed per idempotency key: a charge the processor decided to fail. */
const failuresLeft = new Map<string, number>();

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function cardProcessor(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const key = String(req.headers['idempotency-key'] ?? '');
  await pause(12, 18);
  if (!failuresLeft.has(key)) {
    failuresLeft.set(key, faults.strikes('retry-storm') ? between(2, 4) : 0);
  }
  const left = failuresLeft.get(key) ?? 0;
  if (left > 0) {
    failuresLeft.set(key, left - 1);
    send(res, 503, { error: 'processor overloaded, try again later' });
    return;
  }
  failuresLeft.delete(key);
  send(res, 200, { chargeId: `ch_${key.slice(0, 8)}`, status: 'succeeded' });
}

async function warehouse(url: URL, res: ServerResponse): Promise<void> {
  const number = Number(url.pathname.split('/')[2]);
  const slow = number === SLOW_WAREHOUSE && faults.strikes('slow-warehouse');
  await pause(slow ? 450 : 40, slow ? 700 : 44);
  send(res, 200, { warehouse: number, available: between(0, 40) });
}

const http = createHttpServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://externals');
  req.resume();
  const handle = async () => {
    if (req.method === 'POST' && url.pathname === '/v1/charges') return cardProcessor(req, res);
    if (req.method === 'GET' && /^\/warehouses\/\d+\/stock$/.test(url.pathname)) {
      return warehouse(url, res);
    }
    if (req.method === 'POST' && url.pathname === '/v1/email') {
      await pause(15, 25);
      return send(res, 202, { queued: true });
    }
    send(res, 404, { error: `no ${req.method} ${url.pathname}` });
  };
  handle().catch((error: unknown) => send(res, 500, { error: String(error) }));
});

const riskModel = createTcpServer((socket: Socket) => {
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.once('data', () => {
    if (faults.strikes('fraud-timeout')) {
      // Hung: holds the connection and never answers (until the client hangs up).
      return;
    }
    setTimeout(
      () => socket.end(`${JSON.stringify({ score: Math.random() * 0.9 })}\n`),
      between(4, 8),
    );
  });
});

function listen(server: {
  listen: (port: number, host: string, cb: () => void) => void;
  address: () => AddressInfo | string | null;
}): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

const httpPort = await listen(http);
const riskPort = await listen(riskModel);
onStop(
  () =>
    new Promise<void>((resolve) => {
      http.closeAllConnections();
      riskModel.close();
      http.close(() => resolve());
    }),
);
reportListening({ http: httpPort, risk: riskPort });

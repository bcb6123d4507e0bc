/**
 * auth, cart and inventory as the demo's gateway sees them, answering at once: the downstream of
 * `register-overhead.ts`, in a process of its own so that it does not share a thread with the
 * load generator. Sends `{ url }` over IPC once it listens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  req.resume();
  res.setHeader('content-type', 'application/json');
  if (req.url === '/verify') res.end('{"customerId":"c-1001"}');
  else res.end('{"ok":true,"lines":[],"totalCents":0}');
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on('disconnect', () => process.exit(0));

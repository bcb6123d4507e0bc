/**
 * What `tracehound/register` costs a service: the demo's gateway (Express, pino, two to four
 * fetch calls per page) is driven as hard as it goes, once as plain Node and once under
 * `--import tracehound/register` at 100% sampling, exporting every span to a real
 * `tracehound start`. Its downstream services are stubs that answer at once, so the gateway's
 * own CPU is what limits throughput. Variants alternate, several rounds each, and the medians
 * are compared. The batch processor's queue is made large enough that no span is dropped (a
 * full queue would drop spans and flatter the instrumented run).
 *
 *   npx tsx bench/register-overhead.ts [seconds-per-round] [rounds]
 *
 * Goal (issue 4): at most 15% of the throughput lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isListeningMessage } from '../demo/shared/protocol.ts';
import { removeDir, startServer } from '../test/support/server-process.ts';

const ROUND_MS = Number(process.argv[2] ?? 8) * 1000;
const ROUNDS = Number(process.argv[3] ?? 3);
const WARM_UP_MS = 3000;
const CONCURRENCY = 16;
const PAGES = (process.env.BENCH_PAGES?.split(',') ?? [
  '/api/cart',
  '/api/home',
]) as readonly string[];

const GATEWAY = fileURLToPath(new URL('../demo/services/gateway.ts', import.meta.url));
const REGISTER = new URL('../src/instrument/register.mjs', import.meta.url).href;
const TSX = import.meta.resolve('tsx');

/** auth, cart and inventory as the gateway sees them, answering at once. */
function startStubs(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    if (req.url === '/verify') res.end('{"customerId":"c-1001"}');
    else res.end('{"ok":true,"lines":[],"totalCents":0}');
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

interface Gateway {
  readonly url: string;
  readonly process: ChildProcess;
}

async function startGateway(instrumented: boolean, otlp: string, stubs: string): Promise<Gateway> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')),
  );
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ...(instrumented ? ['--import', REGISTER] : []),
      '--import',
      TSX,
      GATEWAY,
    ],
    {
      env: {
        ...env,
        OTEL_SERVICE_NAME: 'gateway-bench',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
        OTEL_BSP_MAX_QUEUE_SIZE: '262144',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1024',
        OTEL_BSP_SCHEDULE_DELAY: '1000',
        // To see what one instrumentation costs: BENCH_DISABLED_INSTRUMENTATIONS=express
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: process.env.BENCH_DISABLED_INSTRUMENTATIONS ?? '',
      },
      // pino logs every request: to /dev/null, the same cost in both variants.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (message: unknown) => {
      if (isListeningMessage(message) && message.ports.http !== undefined) {
        resolve(message.ports.http);
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  await new Promise<void>((resolve) => {
    child.on('message', (message: unknown) => {
      if ((message as { type?: unknown }).type === 'ready') resolve();
    });
    child.send({ type: 'peers', peers: { auth: stubs, cart: stubs, inventory: stubs } });
  });
  return { url: `http://127.0.0.1:${port}`, process: child };
}

/** CPU time (user + system) a process has used, in ms; Linux's /proc, else NaN. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

interface Measurement {
  readonly requestsPerSecond: number;
  /** The gateway's own CPU per request: its cost, whatever else the machine is doing. */
  readonly cpuMsPerRequest: number;
}

/** Requests completed per second by CONCURRENCY keep-alive loops during `ms`. */
async function drive(gateway: Gateway, path: string, ms: number): Promise<Measurement> {
  const { url } = gateway;
  const pid = gateway.process.pid ?? -1;
  const cpuBefore = cpuMs(pid);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(path, url);
  let completed = 0;
  let failed = 0;
  const until = performance.now() + ms;
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request(
        target,
        { agent, headers: { authorization: 'Bearer tok-c-1001', baggage: 'customer_id=c-1001' } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) completed++;
            else failed++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) await once();
    }),
  );
  const elapsed = performance.now() - started;
  const cpu = cpuMs(pid) - cpuBefore;
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} requests to ${path} failed`);
  return { requestsPerSecond: (completed * 1000) / elapsed, cpuMsPerRequest: cpu / completed };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function stopGateway(gateway: Gateway): Promise<void> {
  const exited = new Promise((resolve) => gateway.process.once('exit', resolve));
  gateway.process.kill('SIGTERM');
  await exited;
}

const server = await startServer({ args: ['--storage', 'memory'] });
const stubs = await startStubs();
const results: Record<string, { plain: Measurement[]; instrumented: Measurement[] }> = {};
try {
  for (const path of PAGES) results[path] = { plain: [], instrumented: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const instrumented of round % 2 === 0 ? [false, true] : [true, false]) {
      const gateway = await startGateway(instrumented, server.otlpHttpUrl, stubs);
      for (const path of PAGES) {
        await drive(gateway, path, WARM_UP_MS);
        const measured = await drive(gateway, path, ROUND_MS);
        results[path]![instrumented ? 'instrumented' : 'plain'].push(measured);
        console.log(
          `round ${round + 1} ${path.padEnd(10)} ${instrumented ? 'with register' : 'plain        '} ` +
            `${measured.requestsPerSecond.toFixed(0)} req/s, ${measured.cpuMsPerRequest.toFixed(2)} ms CPU/request`,
        );
      }
      await stopGateway(gateway);
    }
  }
} finally {
  await server.stop();
  removeDir(server.dataDir);
}

console.log(
  `\ngateway, median of ${ROUNDS} rounds of ${ROUND_MS / 1000} s, ${CONCURRENCY} connections, 100% sampled:`,
);
for (const [path, { plain, instrumented }] of Object.entries(results)) {
  const rate = (ms: Measurement[]) => median(ms.map((m) => m.requestsPerSecond));
  const cpu = (ms: Measurement[]) => median(ms.map((m) => m.cpuMsPerRequest));
  const ratio = rate(instrumented) / rate(plain);
  const cpuRatio = cpu(plain) / cpu(instrumented);
  console.log(
    `  ${path.padEnd(10)} throughput: plain ${rate(plain).toFixed(0)} req/s, with tracehound/register ` +
      `${rate(instrumented).toFixed(0)} req/s, ratio ${ratio.toFixed(3)} (${((1 - ratio) * 100).toFixed(1)}% lost)\n` +
      `  ${''.padEnd(10)} CPU per request: plain ${cpu(plain).toFixed(2)} ms, with ${cpu(instrumented).toFixed(2)} ms, ` +
      `throughput ratio on a dedicated core ${cpuRatio.toFixed(3)} (${((1 - cpuRatio) * 100).toFixed(1)}% lost)`,
  );
}
console.log('Goal (issue 4): at most 15% of the throughput lost.');
process.exit(0);

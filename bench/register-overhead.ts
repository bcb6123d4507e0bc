/**
 * What `tracehound/register` costs a service: the demo's gateway (Express, pino, two to four
 * fetch calls per page) is driven as hard as it goes, once as plain Node and once under
 * `--import tracehound/register` at 100% sampling, exporting every span to a real
 * `tracehound start`. Its downstream services are stubs that answer at once, so the gateway's
 * own CPU is what limits throughput. Variants alternate, several rounds each, and the medians
 * are compared. The batch processor's queue is made large enough that no span is dropped (a
 * full queue would drop spans and flatter the instrumented run), and that is checked: the spans
 * pass through a counting relay on their way to Tracehound, and every request must have sent all
 * of its spans and Tracehound must have accepted them.
 *
 *   npx tsx bench/register-overhead.ts [seconds-per-round] [rounds]
 *
 * Goal (issue 4): at most 15% of the throughput lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isListeningMessage } from '../demo/shared/protocol.ts';
import { walkOtlpTracesProtobuf } from '../src/ingest/otlp/decode-protobuf.ts';
import { ProtobufReader } from '../src/ingest/otlp/protobuf-reader.ts';
import { removeDir, startServer } from '../test/support/server-process.ts';

const ROUND_MS = Number(process.argv[2] ?? 8) * 1000;
const ROUNDS = Number(process.argv[3] ?? 3);
const WARM_UP_MS = 3000;
const CONCURRENCY = 16;
const PAGES = (process.env.BENCH_PAGES?.split(',') ?? [
  '/api/cart',
  '/api/home',
]) as readonly string[];

/**
 * Spans one request makes on the gateway: its server span, the Express route handler's span and
 * one client span per `fetch` (auth's /verify, then one call for the cart page, three for home).
 */
const SPANS_PER_REQUEST: Readonly<Record<string, number>> = { '/api/cart': 4, '/api/home': 6 };

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

/** Spans that reached Tracehound through the relay, and the ones it turned away. */
interface SpanCount {
  accepted: number;
  refused: number;
}

/** `partial_success.rejected_spans` of an ExportTraceServiceResponse, 0 when absent. */
function rejectedSpans(body: Uint8Array): number {
  const r = new ProtobufReader(body);
  let rejected = 0;
  while (r.more()) {
    const tag = r.tag();
    if (tag !== 0x0a) {
      r.skip(tag, 0);
      continue;
    }
    const outer = r.enter();
    while (r.more()) {
      const inner = r.tag();
      if (inner === 0x08) rejected = r.uint32();
      else r.skip(inner, 0);
    }
    r.leave(outer);
  }
  return rejected;
}

/**
 * An OTLP/HTTP relay to Tracehound that counts the spans of each export request and what
 * Tracehound answered, so that the bench can tell a span that never arrived. The instrumented
 * gateway is pointed at it.
 */
function startSpanCounter(target: string): Promise<{ url: string; count: SpanCount }> {
  const count: SpanCount = { accepted: 0, refused: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let spans = 0;
      walkOtlpTracesProtobuf(body, {
        scope: () => {},
        span: (r) => {
          r.delimited();
          spans++;
        },
      });
      const headers: IncomingHttpHeaders = { ...req.headers, host: new URL(target).host };
      const forward = request(
        new URL(req.url ?? '/', target),
        { method: req.method, headers },
        (answer) => {
          const reply: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => reply.push(chunk));
          answer.on('end', () => {
            const replyBody = Buffer.concat(reply);
            const refused = answer.statusCode === 200 ? rejectedSpans(replyBody) : spans;
            count.accepted += spans - refused;
            count.refused += refused;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(replyBody);
          });
        },
      );
      forward.on('error', (error) => {
        count.refused += spans;
        res.writeHead(502).end(String(error));
      });
      forward.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count }),
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
  readonly requests: number;
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
  return {
    requests: completed,
    requestsPerSecond: (completed * 1000) / elapsed,
    cpuMsPerRequest: cpu / completed,
  };
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

const loadAtStart = loadavg();
const server = await startServer({ args: ['--storage', 'memory'] });
const counter = await startSpanCounter(server.otlpHttpUrl);
const stubs = await startStubs();
const results: Record<string, { plain: Measurement[]; instrumented: Measurement[] }> = {};
/** Spans the instrumented gateways must have sent; undefined once a page has no known count. */
let expectedSpans: number | undefined = 0;
try {
  for (const path of PAGES) results[path] = { plain: [], instrumented: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const instrumented of round % 2 === 0 ? [false, true] : [true, false]) {
      const gateway = await startGateway(instrumented, counter.url, stubs);
      for (const path of PAGES) {
        const warmUp = await drive(gateway, path, WARM_UP_MS);
        const measured = await drive(gateway, path, ROUND_MS);
        results[path]![instrumented ? 'instrumented' : 'plain'].push(measured);
        if (instrumented && expectedSpans !== undefined) {
          const perRequest = SPANS_PER_REQUEST[path];
          expectedSpans =
            perRequest === undefined
              ? undefined
              : expectedSpans + (warmUp.requests + measured.requests) * perRequest;
        }
        console.log(
          `round ${round + 1} ${path.padEnd(10)} ${instrumented ? 'with register' : 'plain        '} ` +
            `${measured.requestsPerSecond.toFixed(0)} req/s, ${measured.cpuMsPerRequest.toFixed(2)} ms CPU/request`,
        );
      }
      // The gateway flushes its spans as it stops.
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
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(
  `load average (1, 5, 15 min): at start ${load(loadAtStart)}, at end ${load(loadavg())}`,
);
const { accepted, refused } = counter.count;
if (expectedSpans === undefined) {
  console.log(`spans accepted by Tracehound: ${accepted} (no known count per request to check)`);
} else {
  console.log(`spans accepted by Tracehound: ${accepted} of the ${expectedSpans} made`);
}
if (refused > 0 || (expectedSpans !== undefined && accepted !== expectedSpans)) {
  console.error(`error: spans were lost (${refused} refused): the instrumented figures are void`);
  process.exit(1);
}
process.exit(0);

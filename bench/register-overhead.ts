/**
 * What `tracehound/register` costs a service: the demo's gateway (Express, pino, two to four
 * fetch calls per page) is driven as hard as it goes, once as plain Node and once under
 * `--import tracehound/register` at 100% sampling. Its downstream services are stubs that answer
 * at once, so the gateway's own CPU is what limits throughput.
 *
 * Both gateways run side by side and take turns in short windows (plain, instrumented,
 * instrumented, plain, ...), the one not measured frozen by SIGSTOP so that its pending work (a
 * batch due, an export half sent) waits for its own next window. The machine's speed drifts by a
 * third within minutes; windows a few seconds apart see the same machine, so each pair's ratio
 * is printed and the figures are the sums over all windows.
 *
 * The gateway gets a CPU of its own (`taskset`, Linux, 2+ CPUs; `BENCH_PIN=0` turns it off), and
 * the load generator, the stubs and Tracehound share the others, so that neither variant is slowed
 * by what else the machine runs: on 2 cores, a busy loop beside the plain gateway raised its CPU
 * time per request by a quarter (1.53 to 1.91 ms), and Tracehound ingesting the spans would load
 * the instrumented variant's machine only. So the exported spans go to a relay that answers at
 * once, as a collector on another machine would, and hands them to a real `tracehound start`
 * at the end; the run fails unless Tracehound accepted every span of every request. The batch
 * processor's queue is made large enough that no span is dropped (a full queue would drop spans
 * and flatter the instrumented run).
 *
 *   npx tsx bench/register-overhead.ts [seconds-per-window] [pairs-per-page]
 *
 * BENCH_PAGES=/api/cart picks the pages; BENCH_NODE_ARGS adds Node flags to both gateways. Three
 * knobs price parts of the distro, and then the count of spans is not checked:
 * BENCH_DISABLED_INSTRUMENTATIONS=express leaves instrumentations out,
 * BENCH_REGISTER=file:///... preloads something else in place of the distro, and
 * BENCH_SAMPLE_RATIO=0.1 samples that share of the requests (parent-based trace-id ratio) instead
 * of all of them.
 *
 * Goal (issue 4): at most 15% of the throughput lost.
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isListeningMessage } from '../demo/shared/protocol.ts';
import { walkOtlpTracesProtobuf } from '../src/ingest/otlp/decode-protobuf.ts';
import { ProtobufReader } from '../src/ingest/otlp/protobuf-reader.ts';
import { removeDir, startServer } from '../test/support/server-process.ts';
import { cpuSecondsOf } from './memory-sampler.ts';

const WINDOW_MS = Number(process.argv[2] ?? 2) * 1000;
const PAIRS = Number(process.argv[3] ?? 10);
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
/** What the instrumented gateway preloads; BENCH_REGISTER=file:///... to price something else. */
const REGISTER =
  process.env.BENCH_REGISTER ?? new URL('../src/instrument/register.mjs', import.meta.url).href;
const PRELOADED = process.env.BENCH_REGISTER ? 'with BENCH_REGISTER' : 'with tracehound/register';
/** The share of requests sampled, 0 to 1 (BENCH_SAMPLE_RATIO; all by default, as issue 4 asks). */
const SAMPLE_RATIO = sampleRatio(process.env.BENCH_SAMPLE_RATIO);

function sampleRatio(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 1;
  const ratio = Number(text);
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new Error(`BENCH_SAMPLE_RATIO must be a number from 0 to 1, not ${JSON.stringify(text)}`);
  }
  return ratio;
}
const TSX = import.meta.resolve('tsx');

const STUBS = fileURLToPath(new URL('./gateway-stubs.ts', import.meta.url));

/** Where the gateway runs and where everything else does: one CPU for the gateway alone. */
interface CpuPlan {
  readonly gateway: string;
  readonly rest: string;
}

/** The CPUs this process may run on, as `taskset` lists them ("0-3,6"), expanded. */
function allowedCpus(): number[] {
  const list = execFileSync('taskset', ['--cpu-list', '--pid', String(process.pid)], {
    encoding: 'utf8',
  });
  return list
    .slice(list.lastIndexOf(':') + 1)
    .trim()
    .split(',')
    .flatMap((range) => {
      const [from, to = from] = range.split('-').map(Number);
      return Array.from({ length: to! - from! + 1 }, (_, k) => from! + k);
    });
}

function cpuPlan(): CpuPlan | null {
  if (process.env.BENCH_PIN === '0' || process.platform !== 'linux') return null;
  let cpus: number[];
  try {
    cpus = allowedCpus();
  } catch {
    return null;
  }
  if (cpus.length < 2) return null;
  return { gateway: String(cpus[0]), rest: cpus.slice(1).join(',') };
}

/** auth, cart and inventory as the gateway sees them (gateway-stubs.ts), in their own process. */
async function startStubs(): Promise<{ url: string; process: ChildProcess }> {
  const child = fork(STUBS, [], { execArgv: ['--import', TSX], stdio: 'inherit' });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`the stubs exited with ${code}`)));
  });
  return { url, process: child };
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

/** An export request as the gateway sent it, and the spans in it. */
interface HeldExport {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly spans: number;
}

interface Relay {
  readonly url: string;
  readonly count: SpanCount;
  /** Posts the export requests held so far to Tracehound, one by one, and counts its answers. */
  handOver(target: string): Promise<void>;
}

/**
 * The collector the instrumented gateway exports to: it answers each OTLP/HTTP export at once (an
 * empty ExportTraceServiceResponse, all accepted) and holds the request; `handOver` takes the held
 * requests to Tracehound between rounds and counts the spans it accepted and refused.
 */
function startRelay(): Promise<Relay> {
  const count: SpanCount = { accepted: 0, refused: 0 };
  let held: HeldExport[] = [];
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
      held.push({ path: req.url ?? '/', headers: req.headers, body, spans });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  const post = (target: string, message: HeldExport) =>
    new Promise<void>((resolve) => {
      const headers: IncomingHttpHeaders = { ...message.headers, host: new URL(target).host };
      const forward = request(
        new URL(message.path, target),
        { method: 'POST', headers },
        (answer) => {
          const reply: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => reply.push(chunk));
          answer.on('end', () => {
            const refused =
              answer.statusCode === 200 ? rejectedSpans(Buffer.concat(reply)) : message.spans;
            count.accepted += message.spans - refused;
            count.refused += refused;
            resolve();
          });
        },
      );
      forward.on('error', () => {
        count.refused += message.spans;
        resolve();
      });
      forward.end(message.body);
    });
  const handOver = async (target: string) => {
    const messages = held;
    held = [];
    for (const message of messages) await post(target, message);
  };
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        count,
        handOver,
      }),
    ),
  );
}

interface Gateway {
  readonly url: string;
  readonly process: ChildProcess;
}

async function startGateway(
  instrumented: boolean,
  otlp: string,
  stubs: string,
  cpus: CpuPlan | null,
): Promise<Gateway> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')),
  );
  // taskset execs node in its own process, so the pid stays the gateway's.
  const child = spawn(
    cpus ? 'taskset' : process.execPath,
    [
      ...(cpus ? ['--cpu-list', cpus.gateway, process.execPath] : []),
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
        ...(SAMPLE_RATIO === 1
          ? {}
          : {
              OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
              OTEL_TRACES_SAMPLER_ARG: String(SAMPLE_RATIO),
            }),
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

/** CPU time (user + system) a process has used, in ms; NaN without Linux's /proc. */
const cpuMs = (pid: number) => (cpuSecondsOf(pid) ?? Number.NaN) * 1000;

interface Measurement {
  readonly requests: number;
  readonly ms: number;
  readonly requestsPerSecond: number;
  /** The gateway's own CPU per request. */
  readonly cpuMsPerRequest: number;
  /** CPU time over wall time: about 1 for the gateway when its CPU is what limits it. */
  readonly gatewayBusy: number;
  /** The same for the load generator (this process) and the stubs: well below 1, or they limit. */
  readonly driverBusy: number;
  readonly stubsBusy: number;
}

/** Requests completed per second by CONCURRENCY keep-alive loops during `ms`. */
async function drive(
  gateway: Gateway,
  stubsPid: number,
  path: string,
  ms: number,
): Promise<Measurement> {
  const { url } = gateway;
  const pid = gateway.process.pid ?? -1;
  const cpuBefore = cpuMs(pid);
  const stubsBefore = cpuMs(stubsPid);
  const driverBefore = process.cpuUsage();
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
  const driver = process.cpuUsage(driverBefore);
  const stubsCpu = cpuMs(stubsPid) - stubsBefore;
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} requests to ${path} failed`);
  return {
    requests: completed,
    ms: elapsed,
    requestsPerSecond: (completed * 1000) / elapsed,
    cpuMsPerRequest: cpu / completed,
    gatewayBusy: cpu / elapsed,
    driverBusy: (driver.user + driver.system) / 1000 / elapsed,
    stubsBusy: stubsCpu / elapsed,
  };
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(0)}%`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function stopGateway(gateway: Gateway): Promise<void> {
  const exited = new Promise((resolve) => gateway.process.once('exit', resolve));
  gateway.process.kill('SIGCONT');
  gateway.process.kill('SIGTERM');
  await exited;
}

/** Sums of the windows one variant ran on one page. */
class Tally {
  requests = 0;
  ms = 0;
  cpuMs = 0;
  readonly windows: Measurement[] = [];

  add(m: Measurement): void {
    this.windows.push(m);
    this.requests += m.requests;
    this.ms += m.ms;
    this.cpuMs += m.cpuMsPerRequest * m.requests;
  }

  get requestsPerSecond(): number {
    return (this.requests * 1000) / this.ms;
  }

  get cpuMsPerRequest(): number {
    return this.cpuMs / this.requests;
  }
}

const loadAtStart = loadavg();
const cpus = cpuPlan();
// Everything started from here on (Tracehound, the stubs) inherits this process's CPUs.
if (cpus)
  execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus.rest, String(process.pid)]);
console.log(
  cpus
    ? `gateways on CPU ${cpus.gateway}; load generator, stubs and Tracehound on CPU ${cpus.rest}`
    : 'no CPU of its own for the gateway (BENCH_PIN=0, fewer than 2 CPUs, or no taskset)',
);
const server = await startServer({ args: ['--storage', 'memory'] });
const relay = await startRelay();
const stubs = await startStubs();
const stubsPid = stubs.process.pid ?? -1;
const results: Record<string, { plain: Tally; instrumented: Tally }> = {};
/**
 * Spans the instrumented gateway must have sent; undefined when a page has no known count, when
 * something other than the whole distro runs, or when only a share of the requests is sampled.
 */
let expectedSpans: number | undefined =
  process.env.BENCH_REGISTER || process.env.BENCH_DISABLED_INSTRUMENTATIONS || SAMPLE_RATIO !== 1
    ? undefined
    : 0;
const gateways: { plain?: Gateway; instrumented?: Gateway } = {};
try {
  gateways.plain = await startGateway(false, relay.url, stubs.url, cpus);
  gateways.instrumented = await startGateway(true, relay.url, stubs.url, cpus);
  const variants = [
    ['plain', gateways.plain],
    ['instrumented', gateways.instrumented],
  ] as const;
  // Only the gateway being measured runs: the other is frozen, its pending work (an export
  // half sent, a batch due) waiting for its own next window.
  const freeze = (gateway: Gateway) => gateway.process.kill('SIGSTOP');
  const thaw = (gateway: Gateway) => gateway.process.kill('SIGCONT');
  for (const [, gateway] of variants) freeze(gateway);
  for (const path of PAGES) {
    const tally = { plain: new Tally(), instrumented: new Tally() };
    results[path] = tally;
    const perRequest = SPANS_PER_REQUEST[path];
    const windowDone = (variant: 'plain' | 'instrumented', m: Measurement) => {
      if (variant === 'instrumented' && expectedSpans !== undefined) {
        expectedSpans =
          perRequest === undefined ? undefined : expectedSpans + m.requests * perRequest;
      }
    };
    for (const [variant, gateway] of variants) {
      thaw(gateway);
      windowDone(variant, await drive(gateway, stubsPid, path, WARM_UP_MS));
      freeze(gateway);
    }
    for (let pair = 0; pair < PAIRS; pair++) {
      const order = pair % 2 === 0 ? [...variants] : [...variants].reverse();
      for (const [variant, gateway] of order) {
        thaw(gateway);
        const measured = await drive(gateway, stubsPid, path, WINDOW_MS);
        freeze(gateway);
        tally[variant].add(measured);
        windowDone(variant, measured);
      }
      const [p, i] = [tally.plain.windows.at(-1)!, tally.instrumented.windows.at(-1)!];
      console.log(
        `${path.padEnd(10)} pair ${String(pair + 1).padStart(2)}: plain ${p.requestsPerSecond.toFixed(0)} req/s ` +
          `${p.cpuMsPerRequest.toFixed(2)} ms CPU/req, ${PRELOADED} ${i.requestsPerSecond.toFixed(0)} req/s ` +
          `${i.cpuMsPerRequest.toFixed(2)} ms CPU/req, ratio ${(i.requestsPerSecond / p.requestsPerSecond).toFixed(3)}; ` +
          `busy: gateways ${percent(p.gatewayBusy)} ${percent(i.gatewayBusy)}, ` +
          `load generator ${percent(Math.max(p.driverBusy, i.driverBusy))}, stubs ${percent(Math.max(p.stubsBusy, i.stubsBusy))}`,
      );
    }
  }
  // The instrumented gateway flushes its spans as it stops; then Tracehound gets them all.
  for (const [, gateway] of variants) await stopGateway(gateway);
  await relay.handOver(server.otlpHttpUrl);
} finally {
  for (const gateway of [gateways.plain, gateways.instrumented]) {
    gateway?.process.kill('SIGCONT');
    gateway?.process.kill('SIGKILL');
  }
  stubs.process.kill();
  await server.stop();
  removeDir(server.dataDir);
}

console.log(
  `\ngateway, ${PAIRS} pairs of ${WINDOW_MS / 1000}-s windows per page, ${CONCURRENCY} connections, ${+(SAMPLE_RATIO * 100).toFixed(2)}% sampled:`,
);
for (const [path, { plain, instrumented }] of Object.entries(results)) {
  const ratio = instrumented.requestsPerSecond / plain.requestsPerSecond;
  const pairRatios = plain.windows.map(
    (p, k) => instrumented.windows[k]!.requestsPerSecond / p.requestsPerSecond,
  );
  const sorted = [...pairRatios].sort((a, b) => a - b);
  console.log(
    `  ${path.padEnd(10)} throughput: plain ${plain.requestsPerSecond.toFixed(0)} req/s, ${PRELOADED} ` +
      `${instrumented.requestsPerSecond.toFixed(0)} req/s, ratio ${ratio.toFixed(3)} (${((1 - ratio) * 100).toFixed(1)}% lost)\n` +
      `  ${''.padEnd(10)} ratio of each pair: median ${median(pairRatios).toFixed(3)}, ` +
      `from ${sorted[0]!.toFixed(3)} to ${sorted.at(-1)!.toFixed(3)}\n` +
      `  ${''.padEnd(10)} CPU per request: plain ${plain.cpuMsPerRequest.toFixed(3)} ms, with ${instrumented.cpuMsPerRequest.toFixed(3)} ms ` +
      `(${((instrumented.cpuMsPerRequest - plain.cpuMsPerRequest) * 1000).toFixed(0)} us more)`,
  );
}
console.log('Goal (issue 4): at most 15% of the throughput lost.');
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(
  `load average (1, 5, 15 min): at start ${load(loadAtStart)}, at end ${load(loadavg())}`,
);
const { accepted, refused } = relay.count;
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

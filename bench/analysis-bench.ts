/**
 * How long `analyzeTrace` takes on one large, realistic trace: 50,000 spans, deep and wide, from
 * a dozen services, with an N+1 loop of 2,000 queries under one parent and smaller ones in one
 * handler of six, parallel fan-outs,
 * sequential calls, a retry storm, a failed request, clock skew on one service and a 300-level
 * chain of nested calls. Prints the median and maximum over several runs. Target: under 100 ms.
 *
 *   npx tsx bench/analysis-bench.ts [--runs 15] [--spans 50000]
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { analyzeTrace } from '../src/analysis/analyze-trace.ts';
import type { Attribute } from '../src/model/attributes.ts';
import { type Resource, type Span, SpanKind, StatusCode } from '../src/model/span.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    spans: { type: 'string', default: '50000' },
  },
});
const RUNS = Number(values.runs);
const TARGET_SPANS = Number(values.spans);

const MS = 1_000_000n;
const BASE_NS = 1_763_700_000_000_000_000n;
const SERVICES = [
  'api-gateway',
  'frontend',
  'checkout',
  'cart',
  'catalog',
  'inventory',
  'payment',
  'users',
  'orders',
  'search',
  'pricing',
  'shipping',
];
/** One service's clock runs 40 ms ahead: its spans need skew correction. */
const SKEWED_SERVICE = 'pricing';
const SKEW_NS = 40n * MS;

const resources = new Map<string, Resource>(
  SERVICES.map((service) => [
    service,
    {
      attributes: [
        { key: 'service.name', value: service },
        { key: 'host.name', value: `${service}-7c9f8d6b5-q2x4z` },
        { key: 'telemetry.sdk.language', value: 'nodejs' },
      ],
      droppedAttributesCount: 0,
      schemaUrl: '',
    },
  ]),
);
const scope = {
  name: 'bench',
  version: '1',
  attributes: [],
  droppedAttributesCount: 0,
  schemaUrl: '',
};
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

let nextId = 1;
const newSpanId = () => (nextId++).toString(16).padStart(16, '0');
const spans: Span[] = [];

/** Deterministic pseudo-random numbers, so every run builds the same trace. */
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}

function emit(
  service: string,
  parentSpanId: string,
  name: string,
  kind: SpanKind,
  startNs: bigint,
  durationNs: bigint,
  attributes: Attribute[] = [],
  failed = false,
): string {
  const spanId = newSpanId();
  const skew = service === SKEWED_SERVICE ? SKEW_NS : 0n;
  spans.push({
    traceId,
    spanId,
    parentSpanId,
    traceState: '',
    flags: 1,
    name,
    kind,
    startTimeUnixNano: startNs + skew,
    endTimeUnixNano: startNs + durationNs + skew,
    attributes,
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: failed
      ? { code: StatusCode.error, message: 'boom' }
      : { code: StatusCode.unset, message: '' },
    resource: resources.get(service)!,
    scope,
  });
  return spanId;
}

const STATEMENTS = [
  'SELECT id, name, price FROM items WHERE id = ?',
  'SELECT * FROM carts WHERE user_id = ? AND status = ?',
  "UPDATE stock SET quantity = quantity - 1 WHERE sku = 'SKU-?'",
  'SELECT count(*) FROM orders WHERE created_at > now() - interval 1 day',
  'INSERT INTO events (kind, payload) VALUES (?, ?)',
  'SELECT u.id, u.email FROM users u JOIN sessions s ON s.user_id = u.id WHERE s.token = ?',
];

/** A query with its literals inlined, as ORMs that do not bind parameters send them. */
function query(
  service: string,
  parent: string,
  startNs: bigint,
  durationNs: bigint,
  kind: number,
  id: number,
): void {
  const statement = STATEMENTS[kind % STATEMENTS.length]!.replaceAll('?', String(id));
  emit(
    service,
    parent,
    statement.split(' ').slice(0, 2).join(' '),
    SpanKind.client,
    startNs,
    durationNs,
    [
      { key: 'db.system', value: 'postgresql' },
      { key: 'db.query.text', value: statement },
      { key: 'db.operation.name', value: statement.split(' ')[0]! },
      { key: 'server.address', value: `${service}-db` },
    ],
  );
}

/** An HTTP call: client span in `from`, server span in `to`, whose work `body` lays out. */
function call(
  from: string,
  to: string,
  parent: string,
  startNs: bigint,
  body: (server: string, startNs: bigint) => bigint,
  failed = false,
): bigint {
  const client = emit(
    from,
    parent,
    'GET',
    SpanKind.client,
    startNs,
    0n,
    [
      { key: 'http.request.method', value: 'GET' },
      { key: 'url.full', value: `http://${to}:8080/api/${to}/${Math.floor(random() * 1e6)}` },
      { key: 'server.address', value: to },
      { key: 'http.response.status_code', value: failed ? 503n : 200n },
    ],
    failed,
  );
  const serverStart = startNs + MS / 2n;
  const server = emit(
    to,
    client,
    `GET /api/${to}/{id}`,
    SpanKind.server,
    serverStart,
    0n,
    [
      { key: 'http.request.method', value: 'GET' },
      { key: 'http.route', value: `/api/${to}/{id}` },
    ],
    failed,
  );
  const serverEnd = body(server, serverStart);
  setEnd(server, serverEnd);
  setEnd(client, serverEnd + MS / 2n);
  return serverEnd + MS / 2n;
}

/** Spans are immutable; ends are known only once the body is laid out. */
function setEnd(spanId: string, endNs: bigint): void {
  const index = Number.parseInt(spanId, 16) - 1;
  const span = spans[index]!;
  const skew = span.resource === resources.get(SKEWED_SERVICE) ? SKEW_NS : 0n;
  spans[index] = { ...span, endTimeUnixNano: endNs + skew };
}

/**
 * A service handler: a few different queries (one handler in six loads rows one by one: an
 * N+1), then calls to deeper services, in sequence or in parallel.
 */
function handler(service: string, depth: number): (server: string, startNs: bigint) => bigint {
  return (server, startNs) => {
    let at = startNs + MS;
    const loop = random() < 1 / 6;
    const queries = loop
      ? 5 + Math.floor(random() * 30)
      : 1 + Math.floor(random() * STATEMENTS.length);
    for (let q = 0; q < queries && spans.length < TARGET_SPANS; q++) {
      const duration = MS + BigInt(Math.floor(random() * 2_000_000));
      query(service, server, at, duration, loop ? 0 : q, Math.floor(random() * 10_000));
      at += duration + MS / 10n;
    }
    if (depth <= 0 || spans.length >= TARGET_SPANS) return at + MS;
    const fanOut = 2 + Math.floor(random() * 4);
    const parallel = random() < 0.5;
    let end = at;
    for (let c = 0; c < fanOut && spans.length < TARGET_SPANS; c++) {
      const to = SERVICES[1 + Math.floor(random() * (SERVICES.length - 1))]!;
      const callEnd = call(service, to, server, parallel ? at : end, handler(to, depth - 1));
      if (!parallel || callEnd > end) end = callEnd;
    }
    return end + MS;
  };
}

// The request: gateway -> frontend, which does some problems on purpose, then a wide tree.
const root = emit('api-gateway', '', 'POST /api/checkout', SpanKind.server, BASE_NS, 0n, [], true);
const rootEnd = call('api-gateway', 'frontend', root, BASE_NS + MS, (frontend, start) => {
  let at = start + MS;
  // An N+1 of 2,000 queries under one parent.
  for (let i = 0; i < 2_000; i++) {
    query('frontend', frontend, at, 200_000n, 0, i);
    at += 250_000n;
  }
  // A retry storm: four failed calls to payment, then success.
  for (let attempt = 0; attempt < 5; attempt++) {
    at =
      call('frontend', 'payment', frontend, at, (_server, s) => s + 30n * MS, attempt < 4) +
      20n * MS;
  }
  // A chain of 300 nested calls, to make the tree deep.
  let parent = frontend;
  const chainStart = at;
  const chainIds: string[] = [];
  for (let level = 0; level < 300; level++) {
    parent = emit(
      'checkout',
      parent,
      `step ${level}`,
      SpanKind.internal,
      chainStart + BigInt(level) * 1000n,
      0n,
    );
    chainIds.push(parent);
  }
  const chainEnd = chainStart + 300n * 1000n + 50n * MS;
  chainIds.forEach((id, level) => {
    setEnd(id, chainEnd - BigInt(level) * 1000n);
  });
  at = chainEnd + MS;
  // The wide part: deep handlers fanning out until the span budget is spent.
  while (spans.length < TARGET_SPANS) {
    const to = SERVICES[2 + Math.floor(random() * (SERVICES.length - 2))]!;
    at = call('frontend', to, frontend, at, handler(to, 5), spans.length > TARGET_SPANS * 0.9);
  }
  return at + MS;
});
setEnd(root, rootEnd + MS);

/** Wall-clock and CPU milliseconds of one analysis. CPU time is less distorted when the machine is shared. */
function measure(): { wallMs: number; cpuMs: number } {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  analyzeTrace(spans);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `median ${median.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`;
}

/**
 * The first analyses in a process pay for V8 compiling the analysis code; a server that has
 * analysed a few traces does not. They are reported on their own, and the timed runs start
 * after them.
 */
const WARM_UP_RUNS = 10;
const warmUp = Array.from({ length: WARM_UP_RUNS }, measure);
const runs = Array.from({ length: RUNS }, measure);
const result = analyzeTrace(spans);
const kinds = new Map<string, number>();
for (const finding of result.findings) kinds.set(finding.kind, (kinds.get(finding.kind) ?? 0) + 1);
const [load1] = loadavg();
console.log(
  `analyzeTrace on ${spans.length} spans, ${result.services.length} services, ${RUNS} runs after ${WARM_UP_RUNS} warm-up runs (load average ${load1!.toFixed(1)})`,
);
console.log(
  `  warm-up (first analyses in this process): ${warmUp.map((r) => r.wallMs.toFixed(0)).join(', ')} ms`,
);
console.log(`  wall clock: ${summary(runs.map((r) => r.wallMs))} (target: under 100 ms)`);
console.log(`  CPU time:   ${summary(runs.map((r) => r.cpuMs))} (includes GC threads)`);
console.log(`  findings: ${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
console.log(
  `  clock-skew adjustments: ${result.clockSkewAdjustments.length}, critical path: ${result.criticalPath.length} spans, problems: ${result.problems.length}`,
);

/**
 * `tracehound demo` end to end: the real CLI runs the shop for a bounded time and must stop by
 * itself, leaving no process behind; then a `tracehound start` on the same data directory answers
 * for what the seven services sent. Checked: every service's traces, parent and child links across
 * processes, the B3 hop, the queue hop, baggage downstream, log records that name stored spans,
 * and the analysis: each injected problem found at least once, none with `--no-faults`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAULT_NAMES, FAULTS } from '../demo/faults.ts';
import { SERVICE_NAMES } from '../demo/shared/protocol.ts';
import type {
  JaegerDependencyLink,
  JaegerResponse,
  JaegerSpan,
  JaegerTrace,
} from '../src/api/jaeger/jaeger-types.ts';
import { type DemoExit, isAlive, startDemo, survivors } from './support/demo-run.ts';
import {
  removeDir,
  type ServerProcess,
  startServer,
  tempDataDir,
} from './support/server-process.ts';

interface Finding {
  readonly kind: string;
  readonly service: string;
  readonly summary: string;
}

async function getJson<T>(server: ServerProcess, path: string): Promise<T> {
  const response = await fetch(`${server.queryUrl}${path}`);
  assert.equal(response.status, 200, `GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Every stored trace, found through each service. */
async function allTraces(server: ServerProcess): Promise<JaegerTrace[]> {
  const byId = new Map<string, JaegerTrace>();
  for (const service of SERVICE_NAMES) {
    const { data } = await getJson<JaegerResponse<JaegerTrace[]>>(
      server,
      `/api/traces?service=${service}&limit=1500`,
    );
    for (const trace of data ?? []) byId.set(trace.traceID, trace);
  }
  return [...byId.values()];
}

async function findingsOf(server: ServerProcess, traces: readonly JaegerTrace[]) {
  const findings: Finding[] = [];
  for (const trace of traces) {
    const analysis = await getJson<{ findings: Finding[] }>(
      server,
      `/api/v1/traces/${trace.traceID}/analysis`,
    );
    findings.push(...analysis.findings);
  }
  return findings;
}

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const serviceOf = (trace: JaegerTrace, span: JaegerSpan) =>
  trace.processes[span.processID]?.serviceName;
const ref = (span: JaegerSpan, type: 'CHILD_OF' | 'FOLLOWS_FROM') =>
  span.references.find((r) => r.refType === type);

interface Stored {
  readonly exit: DemoExit;
  readonly output: string;
  readonly pids: ReadonlyMap<string, number>;
  readonly dataDir: string;
  readonly server: ServerProcess;
  readonly traces: JaegerTrace[];
}

/**
 * Runs the demo to its end (by --duration, or by SIGINT after `interruptAfterMs` of load), then
 * serves what it stored.
 */
async function runAndServe(args: readonly string[], interruptAfterMs?: number): Promise<Stored> {
  const dataDir = tempDataDir();
  const demo = startDemo(dataDir, args, 150_000);
  if (interruptAfterMs !== undefined) {
    await demo.started;
    await sleep(interruptAfterMs);
    demo.process.kill('SIGINT');
  }
  const exit = await demo.exited;
  const server = await startServer({ dataDir });
  return {
    exit,
    output: demo.output(),
    pids: demo.pids(),
    dataDir,
    server,
    traces: await allTraces(server),
  };
}

function assertNoneLeft(pids: ReadonlyMap<string, number>): void {
  assert.deepEqual([...pids.keys()].sort(), [...SERVICE_NAMES, 'externals'].sort());
  assert.deepEqual(
    [...pids].filter(([, pid]) => isAlive(pid)),
    [],
  );
}

describe('tracehound demo', { timeout: 240_000 }, () => {
  describe('with every fault on', () => {
    let stored: Stored;

    before(async () => {
      stored = await runAndServe(['--duration', '18s', '--rate', '10']);
    });

    after(async () => {
      await stored?.server.stop();
      if (stored) removeDir(stored.dataDir);
    });

    it('stops by itself after --duration, with exit code 0', () => {
      assert.deepEqual(stored.exit, { code: 0, signal: null }, stored.output);
      assert.match(stored.output, /Stopping \(duration reached\)/);
    });

    it('prints the UI address and a tour of every problem', () => {
      assert.match(stored.output, /UI\s+http:\/\/localhost:\d+\//);
      for (const name of FAULT_NAMES) assert.ok(stored.output.includes(FAULTS[name].what));
    });

    it('leaves no process behind', () => {
      assertNoneLeft(stored.pids);
    });

    it('stores traces from all seven services', async () => {
      const { data } = await getJson<JaegerResponse<string[]>>(stored.server, '/api/services');
      assert.deepEqual(data?.slice().sort(), [...SERVICE_NAMES].sort());
      assert.ok(stored.traces.length >= 100, `${stored.traces.length} traces`);
    });

    it('links every span to a parent in its trace, across processes, under one gateway root', () => {
      for (const trace of stored.traces) {
        const ids = new Set(trace.spans.map((s) => s.spanID));
        const roots = trace.spans.filter((s) => ref(s, 'CHILD_OF') === undefined);
        assert.equal(roots.length, 1, `trace ${trace.traceID} has ${roots.length} roots`);
        assert.equal(serviceOf(trace, roots[0]!), 'gateway');
        assert.equal(tag(roots[0]!, 'span.kind'), 'server');
        for (const span of trace.spans) {
          const parentId = ref(span, 'CHILD_OF')?.spanID;
          if (parentId !== undefined) assert.ok(ids.has(parentId), `orphan ${span.spanID}`);
        }
      }
      // A checkout crosses six services: gateway, auth, cart, inventory, payment, fraud.
      const widest = Math.max(
        ...stored.traces.map((t) => new Set(t.spans.map((s) => serviceOf(t, s))).size),
      );
      assert.ok(widest >= 6, `at most ${widest} services in one trace`);
    });

    it('enters each service through a server or consumer span whose parent is in the caller', () => {
      for (const trace of stored.traces) {
        const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
        for (const span of trace.spans) {
          const parent = byId.get(ref(span, 'CHILD_OF')?.spanID ?? '');
          if (parent === undefined || serviceOf(trace, parent) === serviceOf(trace, span)) continue;
          const edge = `${tag(parent, 'span.kind')} -> ${tag(span, 'span.kind')}`;
          assert.ok(
            edge === 'client -> server' || edge === 'producer -> consumer',
            `${serviceOf(trace, parent)} ${parent.operationName} -> ${serviceOf(trace, span)} ${span.operationName}: ${edge}`,
          );
        }
      }
    });

    it('answers the service graph from the links', async () => {
      const { data } = await getJson<JaegerResponse<JaegerDependencyLink[]>>(
        stored.server,
        `/api/dependencies?endTs=${Date.now()}&lookback=86400000`,
      );
      const edges = new Set(data?.map((d) => `${d.parent}->${d.child}`));
      for (const edge of [
        'gateway->auth',
        'gateway->cart',
        'gateway->inventory',
        'cart->inventory',
        'cart->payment',
        'payment->fraud',
        'cart->notification',
      ]) {
        assert.ok(edges.has(edge), `${edge} missing from ${[...edges].join(', ')}`);
      }
    });

    it('joins the B3 hop: fraud continues payment traces from B3 headers', () => {
      let hops = 0;
      for (const trace of stored.traces) {
        const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
        for (const span of trace.spans) {
          if (serviceOf(trace, span) !== 'fraud' || tag(span, 'span.kind') !== 'server') continue;
          assert.equal(tag(span, 'demo.propagation'), 'b3');
          const caller = byId.get(ref(span, 'CHILD_OF')?.spanID ?? '');
          assert.ok(caller, `fraud span ${span.spanID} has no parent in its trace`);
          assert.equal(serviceOf(trace, caller), 'payment');
          hops++;
        }
      }
      assert.ok(hops > 0, 'no call to fraud');
    });

    it('links the queue hop: orders process continues and links to orders publish', () => {
      let hops = 0;
      for (const trace of stored.traces) {
        for (const span of trace.spans) {
          if (span.operationName !== 'orders process') continue;
          const parent = trace.spans.find((s) => s.spanID === ref(span, 'CHILD_OF')?.spanID);
          assert.equal(parent?.operationName, 'orders publish');
          assert.equal(serviceOf(trace, parent!), 'cart');
          assert.equal(tag(parent!, 'span.kind'), 'producer');
          assert.equal(tag(span, 'span.kind'), 'consumer');
          assert.equal(ref(span, 'FOLLOWS_FROM')?.spanID, parent?.spanID);
          assert.equal(serviceOf(trace, span), 'notification');
          hops++;
        }
      }
      assert.ok(hops > 0, 'no order went through the queue');
    });

    it('carries the customer_id baggage to every service, the same along a trace', () => {
      const servicesWithCustomer = new Set<string>();
      for (const trace of stored.traces) {
        const customers = new Set<unknown>();
        for (const span of trace.spans) {
          const customer = tag(span, 'customer_id');
          if (customer === undefined) continue;
          customers.add(customer);
          servicesWithCustomer.add(serviceOf(trace, span)!);
        }
        assert.equal(customers.size, 1, `trace ${trace.traceID}: ${[...customers].join(', ')}`);
      }
      assert.deepEqual([...servicesWithCustomer].sort(), [...SERVICE_NAMES].sort());
    });

    it('writes log records whose trace_id and span_id name stored spans, in every service', () => {
      const spans = new Set(
        stored.traces.flatMap((t) => t.spans.map((s) => `${t.traceID}/${s.spanID}`)),
      );
      for (const service of SERVICE_NAMES) {
        const lines = readFileSync(join(stored.dataDir, 'logs', `${service}.log`), 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('{'));
        const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
        const correlated = records.filter((r) => spans.has(`${r.trace_id}/${r.span_id}`));
        assert.ok(correlated.length > 0, `${service}: no log record names a stored span`);
        assert.ok(correlated.every((r) => r.trace_flags === '01'));
      }
    });

    it('finds each injected problem at least once, in the service that has it', async () => {
      const findings = await findingsOf(stored.server, stored.traces);
      const found = new Set(findings.map((f) => `${f.kind} in ${f.service}`));
      const missing = FAULT_NAMES.filter(
        (name) => !found.has(`${FAULTS[name].kind} in ${FAULTS[name].service}`),
      );
      assert.deepEqual(missing, [], `found: ${[...found].join(', ')}`);
    });
  });

  describe('with --no-faults, stopped with Ctrl-C', () => {
    let stored: Stored;

    before(async () => {
      stored = await runAndServe(['--no-faults', '--rate', '6'], 9_000);
    });

    after(async () => {
      await stored?.server.stop();
      if (stored) removeDir(stored.dataDir);
    });

    it('stops everything on SIGINT, with exit code 0, leaving no process behind', () => {
      assert.deepEqual(stored.exit, { code: 0, signal: null }, stored.output);
      assert.match(stored.output, /Stopping \(SIGINT\)/);
      assertNoneLeft(stored.pids);
    });

    it('answers every request of a healthy shop', () => {
      assert.match(stored.output, /Faults are off/);
      assert.match(stored.output, /, 0 with an error status, 0 unanswered/);
    });

    it('finds none of the injected problems', async (t) => {
      const findings = await findingsOf(stored.server, stored.traces);
      const injected = new Set<string>(Object.values(FAULTS).map((f) => f.kind));
      const problems = findings.filter((f) => injected.has(f.kind));
      assert.deepEqual(
        problems.map((f) => `${f.kind}: ${f.summary}`),
        [],
      );
      // Gaps between client and server measure the machine's scheduling, not the shop's code.
      const others = findings.filter((f) => !injected.has(f.kind));
      t.diagnostic(`${stored.traces.length} traces; other findings: ${others.length}`);
    });
  });

  it('takes its processes down with it when it is killed with SIGKILL', async () => {
    const dataDir = tempDataDir();
    try {
      const demo = startDemo(
        dataDir,
        ['--no-faults', '--rate', '1', '--storage', 'memory'],
        90_000,
      );
      await demo.started;
      const pids = demo.pids();
      assert.equal(pids.size, SERVICE_NAMES.length + 1);
      demo.process.kill('SIGKILL');
      await demo.exited;
      assert.deepEqual(await survivors(pids.values(), 15_000), []);
    } finally {
      removeDir(dataDir);
    }
  });
});

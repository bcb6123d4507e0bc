/**
 * `tracehound/register` as a user runs it: `node --import tracehound/register app.mjs` and
 * `node -r tracehound/register app.cjs`, from an app directory where the package is installed,
 * exporting to a real `tracehound start` through OTEL_EXPORTER_OTLP_ENDPOINT. The apps (in
 * test/fixtures/register-apps) know nothing of tracing; the test process calls them with trace
 * headers in each format and stops them with SIGTERM, which must flush their spans.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { JaegerResponse, JaegerSpan, JaegerTrace } from '../src/api/jaeger/jaeger-types.ts';
import { type ServerProcess, startServer } from './support/server-process.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/register-apps/', import.meta.url));

interface App {
  readonly process: ChildProcess;
  readonly port: number;
  output(): string;
  /** SIGTERM, and the exit: the app has no handler, so it should die of the signal. */
  stop(): Promise<string | number | null>;
}

/** An app directory as after `npm install tracehound`: the package linked into node_modules. */
function appDir(packageJson: object, file: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracehound-register-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO, join(dir, 'node_modules', 'tracehound'), 'dir');
  copyFileSync(join(FIXTURES, file), join(dir, file));
  return dir;
}

async function startApp(
  dir: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<App> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')),
  );
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<string | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${output}`)), 30_000);
    child.stdout.on('data', () => {
      const match = /listening on (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then((code) => reject(new Error(`app exited (${code}):\n${output}`)));
  });
  return {
    process: child,
    port,
    output: () => output,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** GET /hello with the given headers, from this (uninstrumented) process. */
function hello(app: App, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: app.port, path: '/hello', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

async function getJson<T>(server: ServerProcess, path: string): Promise<T> {
  const response = await fetch(`${server.queryUrl}${path}`);
  assert.equal(response.status, 200, `${path}: ${response.status}`);
  return (await response.json()) as T;
}

async function traceOf(server: ServerProcess, traceId: string): Promise<JaegerTrace> {
  const { data } = await getJson<JaegerResponse<JaegerTrace[]>>(server, `/api/traces/${traceId}`);
  assert.equal(data?.length, 1);
  return data[0]!;
}

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF');

/** The trace's entry span: the server span whose parent is the caller's span from the headers. */
function entrySpan(trace: JaegerTrace, callerSpanId: string): JaegerSpan {
  const entry = trace.spans.find((s) => parentOf(s)?.spanID === callerSpanId);
  assert.ok(entry, `no span continues ${callerSpanId}`);
  assert.equal(tag(entry, 'span.kind'), 'server');
  return entry;
}

const B3_TRACE = '463ac35c9f6413ad48485a3953bb6124';
const B3_SPAN = 'a2fb4a1d1a96d312';
const JAEGER_TRACE = '80f198ee56343ba864fe8b2a57d3eff7';
const JAEGER_SPAN = 'e457b5a2e4d86bd1';
const B3_MULTI_TRACE = '5b8aa5a2d2c872e8321cf37308d69df2';
const B3_MULTI_SPAN = '051581bf3cb55c13';

describe('tracehound/register', () => {
  let server: ServerProcess;
  const dirs: string[] = [];
  const stopped = new Map<string, string | number | null>();

  before(async () => {
    server = await startServer({ args: ['--storage', 'memory'] });
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: server.otlpHttpUrl };
    const esmDir = appDir(
      { name: '@acme/checkout-api', version: '2.3.4', type: 'module' },
      'app.mjs',
    );
    const cjsDir = appDir({ name: 'billing', version: '0.9.0' }, 'app.cjs');
    dirs.push(esmDir, cjsDir);
    const [esm, cjs, unsampled] = await Promise.all([
      startApp(esmDir, ['--import', 'tracehound/register', 'app.mjs'], env),
      startApp(cjsDir, ['-r', 'tracehound/register', 'app.cjs'], {
        ...env,
        OTEL_SERVICE_NAME: 'legacy-billing',
      }),
      startApp(esmDir, ['--import', 'tracehound/register', 'app.mjs'], {
        ...env,
        OTEL_SERVICE_NAME: 'never-sampled',
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0',
      }),
    ]);
    assert.equal(await hello(esm, { b3: `${B3_TRACE}-${B3_SPAN}-1` }), 'hello inner');
    await hello(esm, { 'uber-trace-id': `${JAEGER_TRACE}:${JAEGER_SPAN}:0:1` });
    await hello(esm);
    await hello(cjs, {
      'x-b3-traceid': B3_MULTI_TRACE,
      'x-b3-spanid': B3_MULTI_SPAN,
      'x-b3-sampled': '1',
    });
    for (let i = 0; i < 3; i++) await hello(unsampled);
    // Well within the batch processor's 5 s delay: the spans can only arrive by the flush.
    for (const [name, app] of Object.entries({ esm, cjs, unsampled })) {
      stopped.set(name, await app.stop());
    }
  });

  after(async () => {
    await server?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('flushes on SIGTERM, then lets the app die of the signal as it would have', () => {
    assert.deepEqual(Object.fromEntries(stopped), {
      esm: 'SIGTERM',
      cjs: 'SIGTERM',
      unsampled: 'SIGTERM',
    });
  });

  it('joins a trace started with a B3 single header, in an ES module app', async () => {
    const trace = await traceOf(server, B3_TRACE);
    const entry = entrySpan(trace, B3_SPAN);
    assert.equal(trace.processes[entry.processID]?.serviceName, 'checkout-api');
    // GET /hello, its fetch to /inner, and /inner's server span: one trace, three spans.
    assert.equal(trace.spans.length, 3);
    const client = trace.spans.find((s) => tag(s, 'span.kind') === 'client');
    assert.equal(parentOf(client!)?.spanID, entry.spanID);
  });

  it("names the service from the app's package.json, with its version, host and process", async () => {
    const trace = await traceOf(server, B3_TRACE);
    const processTags = Object.values(trace.processes)[0]!.tags;
    const value = (key: string) => processTags.find((t) => t.key === key)?.value;
    assert.equal(value('service.version'), '2.3.4');
    assert.ok(value('host.name'));
    assert.ok(value('process.pid'));
    assert.equal(value('process.runtime.name'), 'nodejs');
  });

  it('joins a trace started with a Jaeger uber-trace-id header', async () => {
    const trace = await traceOf(server, JAEGER_TRACE);
    entrySpan(trace, JAEGER_SPAN);
    assert.equal(trace.spans.length, 3);
  });

  it('starts a new trace for a request without trace headers', async () => {
    const { data } = await getJson<JaegerResponse<JaegerTrace[]>>(
      server,
      '/api/traces?service=checkout-api&limit=10',
    );
    const own = data?.filter((t) => t.traceID !== B3_TRACE && t.traceID !== JAEGER_TRACE);
    assert.equal(own?.length, 1);
    assert.equal(own?.[0]?.spans.filter((s) => parentOf(s) === undefined).length, 1);
  });

  it('joins B3 multi headers in a CommonJS app, named by OTEL_SERVICE_NAME', async () => {
    const trace = await traceOf(server, B3_MULTI_TRACE);
    const entry = entrySpan(trace, B3_MULTI_SPAN);
    assert.equal(trace.processes[entry.processID]?.serviceName, 'legacy-billing');
    assert.equal(trace.spans.length, 3);
  });

  it('exports nothing with OTEL_TRACES_SAMPLER=traceidratio and a ratio of 0', async () => {
    const { data } = await getJson<JaegerResponse<string[]>>(server, '/api/services');
    assert.deepEqual(data?.slice().sort(), ['checkout-api', 'legacy-billing']);
  });
});

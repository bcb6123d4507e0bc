/**
 * The `tracehound` command as a user runs it: help, usage errors (exit 2), configuration from the
 * environment, a data directory already in use (exit 1), and a clean exit on SIGINT and SIGTERM
 * that keeps every acknowledged span.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import {
  BIN,
  FREE_PORT_ARGS,
  removeDir,
  type ServerProcess,
  startServer,
  tempDataDir,
} from './support/server-process.ts';

/** Every `start` option with the environment variable that sets it, as the docs promise. */
const START_OPTIONS = [
  ['--data-dir', 'TRACEHOUND_DATA_DIR'],
  ['--storage', 'TRACEHOUND_STORAGE'],
  ['--host', 'TRACEHOUND_HOST'],
  ['--otlp-grpc-port', 'TRACEHOUND_OTLP_GRPC_PORT'],
  ['--otlp-http-port', 'TRACEHOUND_OTLP_HTTP_PORT'],
  ['--zipkin-port', 'TRACEHOUND_ZIPKIN_PORT'],
  ['--http-port', 'TRACEHOUND_HTTP_PORT'],
  ['--max-request-bytes', 'TRACEHOUND_MAX_REQUEST_BYTES'],
  ['--max-pending-spans', 'TRACEHOUND_MAX_PENDING_SPANS'],
  ['--memory-limit', 'TRACEHOUND_MEMORY_LIMIT'],
] as const;

/** The environment without any TRACEHOUND_* variable the developer may have set. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('TRACEHOUND_')),
  );
  return { ...env, ...extra };
}

/** The variables that configure an in-memory server on free ports, with no flags. */
function memoryStoreOnFreePorts(dataDir: string): Record<string, string> {
  return {
    TRACEHOUND_STORAGE: 'memory',
    TRACEHOUND_DATA_DIR: dataDir,
    TRACEHOUND_HTTP_PORT: '0',
    TRACEHOUND_OTLP_GRPC_PORT: '0',
    TRACEHOUND_OTLP_HTTP_PORT: '0',
    TRACEHOUND_ZIPKIN_PORT: '0',
  };
}

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tracehound ...args` to its exit (killed after 20 s: these commands must not linger). */
function runCli(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tracehound ${args.join(' ')} did not exit:\n${stdout}${stderr}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Starts `tracehound start` with no flags at all, configured only by `env`, until it is ready:
 * through `node`, or with `asProgram`, by running the bin file itself as `npx tracehound` does.
 */
async function startFromEnv(
  env: NodeJS.ProcessEnv,
  { asProgram = false } = {},
): Promise<{ child: ChildProcess; output: string }> {
  const [file, args] = asProgram ? [BIN, ['start']] : [process.execPath, [BIN, 'start']];
  const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 30_000);
    child.stdout?.on('data', () => {
      if (output.includes('Ctrl-C stops')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before starting:\n${output}`));
    });
  });
  return { child, output };
}

function stopChild(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode ?? child.signalCode ?? -1);
      return;
    }
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
    child.kill('SIGTERM');
  });
}

/**
 * Resolves once the server has answered a request. The CLI prints its ready line before it
 * installs its SIGINT/SIGTERM handlers, so a signal sent on seeing that line can still meet the
 * default action and kill the process (seen under load: exit by SIGTERM instead of 0). An answered
 * request proves the handlers are in place; the tests that stop a server right after start wait
 * for one so that they test shutdown, not that race.
 */
async function waitUntilServing(queryUrl: string): Promise<void> {
  const response = await fetch(`${queryUrl}/api/services`);
  assert.equal(response.status, 200);
  await response.arrayBuffer();
}

async function exportTrace(server: ServerProcess, service: string): Promise<string> {
  const traceId = crypto.randomUUID().replaceAll('-', '');
  const start = BigInt(Date.now()) * 1_000_000n;
  const response = await fetch(`${server.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId: traceId.slice(0, 16),
                  name: 'GET /signal',
                  kind: 2,
                  startTimeUnixNano: String(start),
                  endTimeUnixNano: String(start + 1_000_000n),
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  assert.equal(response.status, 200, await response.text());
  return traceId;
}

async function traceIsStored(server: ServerProcess, traceId: string): Promise<boolean> {
  const response = await fetch(`${server.queryUrl}/api/traces/${traceId}`);
  await response.arrayBuffer();
  return response.status === 200;
}

describe('tracehound command line', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  // Two at a time: each run boots the whole CLI, and more would only contend for the CPU.
  describe('help and usage errors', { concurrency: 2 }, () => {
    it('explains the commands and global options with --help', async () => {
      const { code, stdout } = await runCli(['--help']);
      assert.equal(code, 0);
      assert.match(stdout, /^Usage: tracehound <command>/);
      for (const text of ['start', '--help', '--verbose', '--version']) {
        assert.ok(stdout.includes(text), `--help mentions ${text}`);
      }
    });

    it('prints help and exits 2 when no command is given', async () => {
      const { code, stdout } = await runCli([]);
      assert.equal(code, 2);
      assert.match(stdout, /Usage: tracehound/);
    });

    it('prints the package version with --version', async () => {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
      const { code, stdout } = await runCli(['--version']);
      assert.equal(code, 0);
      assert.equal(stdout.trim(), pkg.version);
    });

    it('explains every start flag, its default and its environment variable', async () => {
      const { code, stdout } = await runCli(['start', '--help']);
      assert.equal(code, 0);
      assert.match(stdout, /^Usage: tracehound start/);
      for (const [flag, env] of START_OPTIONS) {
        const line = stdout.split('\n').findIndex((l) => l.trimStart().startsWith(`${flag} `));
        assert.notEqual(line, -1, `start --help lists ${flag}`);
        // The flag's help is its own line plus the "default ..., env ..." line after it.
        const entry = stdout
          .split('\n')
          .slice(line, line + 2)
          .join('\n');
        assert.match(entry, new RegExp(`default \\S+, env ${env}\\b`), `${flag} names ${env}`);
      }
      assert.match(stdout, /-h, --help/);
    });

    it('answers an unknown flag with "error: ..." and exit 2', async () => {
      const { code, stderr, stdout } = await runCli(['start', '--bogus', ...FREE_PORT_ARGS]);
      assert.equal(code, 2);
      assert.match(stderr, /^error: .*--bogus/);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace without --verbose');
      assert.doesNotMatch(stdout, /is running/);
    });

    it('answers an unknown command with "error: ..." and exit 2', async () => {
      const { code, stderr } = await runCli(['serve']);
      assert.equal(code, 2);
      assert.match(stderr, /^error: unknown command 'serve'/);
    });

    it('answers a port that is not a number, or too large, with exit 2 naming the flag', async () => {
      for (const port of ['abc', '70000']) {
        const { code, stderr } = await runCli(['start', ...FREE_PORT_ARGS, '--http-port', port]);
        assert.equal(code, 2, `--http-port ${port}`);
        assert.match(stderr, /^error: --http-port must be a port number/);
      }
    });

    it('answers an unknown storage kind with exit 2', async () => {
      const { code, stderr } = await runCli(['start', ...FREE_PORT_ARGS, '--storage', 'sqlite']);
      assert.equal(code, 2);
      assert.match(stderr, /^error: --storage must be duckdb or memory, not 'sqlite'/);
    });

    it('answers a bad value in an environment variable with exit 2 naming the variable', async () => {
      const { code, stderr } = await runCli(
        ['start', '--otlp-grpc-port', '0', '--otlp-http-port', '0', '--zipkin-port', '0'],
        cleanEnv({ TRACEHOUND_HTTP_PORT: 'eighty', TRACEHOUND_STORAGE: 'memory' }),
      );
      assert.equal(code, 2);
      assert.match(stderr, /^error: TRACEHOUND_HTTP_PORT must be a port number/);
    });

    it('answers a memory limit that is not a size with exit 2', async () => {
      const { code, stderr } = await runCli(['start', ...FREE_PORT_ARGS, '--memory-limit', 'lots']);
      assert.equal(code, 2);
      assert.match(
        stderr,
        /^error: --memory-limit must be a size such as 512MB or 2GB, not 'lots'/,
      );
    });

    it('answers --max-request-bytes 0 with exit 2', async () => {
      const { code, stderr } = await runCli([
        'start',
        ...FREE_PORT_ARGS,
        '--storage',
        'memory',
        '--max-request-bytes',
        '0',
      ]);
      assert.equal(code, 2);
      assert.match(stderr, /^error: --max-request-bytes must be a positive whole number/);
    });
  });

  describe('the launcher', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
    /** Runs the bin file as a program and returns the GLIBC_TUNABLES its server started with. */
    async function serverTunables(extra: Record<string, string>): Promise<string | undefined> {
      const dataDir = tempDataDir();
      dirs.push(dataDir);
      const env = cleanEnv(memoryStoreOnFreePorts(dataDir));
      delete env.GLIBC_TUNABLES;
      const { child } = await startFromEnv({ ...env, ...extra }, { asProgram: true });
      try {
        // The shell line execs node: the process started is the server itself, not a parent.
        const command = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
        assert.equal(command[1], BIN);
        assert.equal(command[2], 'start');
        // glibc parses GLIBC_TUNABLES in place, ending each tunable with a NUL, so in the
        // process's original environment the tunables after the first look like entries of
        // their own.
        const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
        const at = environ.findIndex((v) => v.startsWith('GLIBC_TUNABLES='));
        if (at === -1) return undefined;
        const rest = environ.slice(at + 1);
        const end = rest.findIndex((v) => !v.startsWith('glibc.'));
        const more = end === -1 ? rest : rest.slice(0, end);
        return [environ[at]!.slice('GLIBC_TUNABLES='.length), ...more].join(':');
      } finally {
        assert.equal(await stopChild(child), 0);
      }
    }

    it("runs the server with glibc's allocator set up for a long-running process", async () => {
      assert.equal(
        await serverTunables({}),
        'glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072',
      );
    });

    it("keeps the caller's own GLIBC_TUNABLES, even an empty one", async () => {
      for (const own of ['glibc.malloc.arena_max=4', '']) {
        assert.equal(await serverTunables({ GLIBC_TUNABLES: own }), own);
      }
    });
  });

  describe('configuration from the environment', () => {
    it('starts from TRACEHOUND_* variables alone', async () => {
      const dataDir = tempDataDir();
      dirs.push(dataDir);
      const { child, output } = await startFromEnv(cleanEnv(memoryStoreOnFreePorts(dataDir)));
      try {
        assert.match(output, /is running \(in-memory store\)/);
        const queryUrl = /Query API\s+(http:\/\/\S+)\/api\/services/.exec(output)?.[1];
        assert.ok(queryUrl, output);
        assert.notEqual(
          new URL(queryUrl).port,
          '16686',
          'TRACEHOUND_HTTP_PORT=0 picked a free port',
        );
        const response = await fetch(`${queryUrl}/api/services`);
        assert.equal(response.status, 200);
        assert.deepEqual(((await response.json()) as { data: string[] }).data, []);
      } finally {
        assert.equal(await stopChild(child), 0);
      }
    });

    it('lets a flag win over its environment variable', async () => {
      const server = await startServer({
        args: ['--storage', 'duckdb', '--memory-limit', '100MB'],
        env: { TRACEHOUND_STORAGE: 'memory', TRACEHOUND_MEMORY_LIMIT: '1GB' },
      });
      dirs.push(server.dataDir);
      try {
        // The limit as DuckDB itself reports it: 100 MB is 95.3 MiB.
        assert.match(server.output(), /is running \(DuckDB store in .*, memory limit 95\.3 MiB\)/);
        await waitUntilServing(server.queryUrl);
      } finally {
        assert.equal(await server.stop(), 0);
      }
    });
  });

  describe('data directory in use', () => {
    it('refuses to open a data directory another server holds, with exit 1 and a hint', async () => {
      const first = await startServer();
      dirs.push(first.dataDir);
      try {
        const second = await runCli(['start', '--data-dir', first.dataDir, ...FREE_PORT_ARGS]);
        assert.equal(second.code, 1);
        assert.match(second.stderr, /^error: cannot open .*tracehound\.duckdb/);
        assert.match(second.stderr, /is another tracehound using this data directory\?/);
        assert.match(second.stderr, /lock/i, 'DuckDB says why');
        assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace without --verbose');
        // The first server is unharmed.
        const traceId = await exportTrace(first, 'still-serving');
        assert.ok(await traceIsStored(first, traceId));
      } finally {
        await first.stop();
      }
    });
  });

  describe('signals', () => {
    it('exits 0 on SIGINT and on SIGTERM, keeping every acknowledged span', async () => {
      const dataDir = tempDataDir();
      dirs.push(dataDir);

      const first = await startServer({ dataDir });
      const beforeSigint = await exportTrace(first, 'signals');
      assert.equal(await first.stop('SIGINT'), 0);
      assert.match(first.output(), /SIGINT: storing pending spans and closing/);

      const second = await startServer({ dataDir });
      assert.ok(await traceIsStored(second, beforeSigint), 'the span acknowledged before SIGINT');
      const beforeSigterm = await exportTrace(second, 'signals');
      assert.equal(await second.stop('SIGTERM'), 0);
      assert.match(second.output(), /SIGTERM: storing pending spans and closing/);

      const third = await startServer({ dataDir });
      try {
        assert.ok(await traceIsStored(third, beforeSigint));
        assert.ok(
          await traceIsStored(third, beforeSigterm),
          'the span acknowledged before SIGTERM',
        );
      } finally {
        await third.stop();
      }
    });
  });
});

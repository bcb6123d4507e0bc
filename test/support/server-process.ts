import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/tracehound.js', import.meta.url));

export interface ServerProcess {
  readonly process: ChildProcess;
  readonly dataDir: string;
  /** e.g. http://127.0.0.1:40123 */
  readonly otlpHttpUrl: string;
  /** host:port for the gRPC exporter */
  readonly otlpGrpcAddress: string;
  readonly zipkinUrl: string;
  readonly queryUrl: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Sends a signal and waits for the exit; resolves with the exit code (or the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Free ports everywhere, so that a test never collides with a real server on the defaults. */
export const FREE_PORT_ARGS: readonly string[] = [
  '--otlp-grpc-port',
  '0',
  '--otlp-http-port',
  '0',
  '--zipkin-port',
  '0',
  '--http-port',
  '0',
];

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tracehound-e2e-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts `tracehound start` as a real child process on free ports and waits until it prints
 * its listeners. The data directory is created if not given; the caller removes it.
 *
 * The bin file runs as a program, as `npx tracehound` runs it, so its shell line sets the
 * allocator up; with `nodeArgs`, node runs it directly and that line is skipped.
 */
export async function startServer(
  options: {
    dataDir?: string;
    args?: string[];
    env?: Record<string, string>;
    /** Flags for node itself, before the script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
    nodeArgs?: string[];
  } = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? tempDataDir();
  const args = ['start', '--data-dir', dataDir, ...FREE_PORT_ARGS, ...(options.args ?? [])];
  const [file, argv] = options.nodeArgs?.length
    ? [process.execPath, [...options.nodeArgs, BIN, ...args]]
    : [BIN, args];
  const child = spawn(file, argv, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const check = () => {
      if (/Ctrl-C stops/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${output}`));
    });
  });
  const find = (pattern: RegExp) => {
    const match = pattern.exec(output);
    if (!match?.[1]) throw new Error(`no ${pattern} in server output:\n${output}`);
    return match[1];
  };
  return {
    process: child,
    dataDir,
    otlpHttpUrl: find(/OTLP HTTP\s+(http:\/\/\S+)\/v1\/traces/),
    otlpGrpcAddress: find(/OTLP gRPC\s+grpc:\/\/(\S+)/),
    zipkinUrl: find(/Zipkin\s+(http:\/\/\S+)\/api\/v2\/spans/),
    queryUrl: find(/Query API\s+(http:\/\/\S+)\/api\/services/),
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

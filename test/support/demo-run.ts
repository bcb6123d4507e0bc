import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, FREE_PORT_ARGS } from './server-process.ts';

export interface DemoExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface DemoProcess {
  readonly process: ChildProcess;
  output(): string;
  /** Resolves once the demo printed its tour: the shop runs and shoppers are coming. */
  readonly started: Promise<void>;
  readonly exited: Promise<DemoExit>;
  /** Every process the demo reported starting, by name (known once started). */
  pids(): ReadonlyMap<string, number>;
}

/** Starts `tracehound demo` on free ports; `timeoutMs` later it is killed if still running. */
export function startDemo(
  dataDir: string,
  args: readonly string[],
  timeoutMs: number,
): DemoProcess {
  const child = spawn(
    process.execPath,
    [BIN, 'demo', '--data-dir', dataDir, ...FREE_PORT_ARGS, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<DemoExit>((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    }),
  );
  const started = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (/Ctrl-C stops everything/.test(output)) resolve();
    };
    child.stdout.on('data', check);
    void exited.then(() => reject(new Error(`demo exited before starting:\n${output}`)));
  });
  started.catch(() => {});
  return {
    process: child,
    output: () => output,
    started,
    exited,
    pids() {
      const pids = new Map<string, number>();
      for (const match of output.matchAll(/^ {4}(\S+)\s+.*\bpid (\d+)$/gm)) {
        pids.set(match[1]!, Number(match[2]));
      }
      return pids;
    },
  };
}

/** True while a process with this pid exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pids still alive after waiting up to `timeoutMs` for them to go. */
export async function survivors(pids: Iterable<number>, timeoutMs: number): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  let alive = [...pids].filter(isAlive);
  while (alive.length > 0 && Date.now() < until) {
    await sleep(200);
    alive = alive.filter(isAlive);
  }
  return alive;
}

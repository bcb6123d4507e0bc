import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULTS_ENV, type FaultName } from './faults.ts';
import {
  DEMO_ENV,
  EXTERNALS,
  isListeningMessage,
  type Peers,
  SERVICE_NAMES,
} from './shared/protocol.ts';

export interface FleetOptions {
  /** Where the services export spans, e.g. `http://127.0.0.1:4318`. */
  readonly otlpHttpEndpoint: string;
  readonly faults: readonly FaultName[];
  /** One log file per process, `<name>.log`, started afresh. */
  readonly logDir: string;
  readonly queueDir: string;
  /** The environment the processes inherit (OTEL_* variables are replaced). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long every process may take to start (default 90 s: eight Node processes on a laptop). */
  readonly startTimeoutMs?: number;
}

export interface FleetProcess {
  readonly name: string;
  readonly pid: number;
  /** Its HTTP address; none for the notification worker. */
  readonly url: string | undefined;
  readonly logFile: string;
}

export interface Fleet {
  readonly processes: readonly FleetProcess[];
  readonly gatewayUrl: string;
  /** Resolves with a description when a process exits before {@link Fleet.stop}. */
  readonly crashed: Promise<string>;
  /** Stops every process (SIGTERM, then SIGKILL after a grace period) and waits for all. */
  stop(): Promise<void>;
}

const REGISTER = new URL('../src/instrument/register.mjs', import.meta.url).href;
const STOP_GRACE_MS = 8_000;

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<void>;
}

function scriptOf(name: string): string {
  return fileURLToPath(
    new URL(name === EXTERNALS ? './externals.ts' : `./services/${name}.ts`, import.meta.url),
  );
}

function childEnv(name: string, options: FleetOptions): NodeJS.ProcessEnv {
  const inherited = Object.entries(options.env ?? process.env).filter(
    ([key]) => !key.startsWith('OTEL_') && !key.startsWith('TRACEHOUND_DEMO_'),
  );
  return {
    ...Object.fromEntries(inherited),
    OTEL_SERVICE_NAME: name,
    OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpHttpEndpoint,
    // Spans reach the UI within a second of their request.
    OTEL_BSP_SCHEDULE_DELAY: '500',
    [FAULTS_ENV]: options.faults.join(','),
    [DEMO_ENV.queueDir]: options.queueDir,
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts the seven services, each under `tracehound/register` (the services are TypeScript, so
 * tsx's loader comes after it), and the uninstrumented externals process; waits until every one
 * listens, then hands each the others' addresses. Processes get their own process group, so that
 * Ctrl-C in the terminal reaches only the demo command, which stops them in order; they also stop
 * when the command's IPC channel closes, so none outlives it even after SIGKILL.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const tsx = import.meta.resolve('tsx');
  const children: Child[] = [];
  const ports = new Map<string, Readonly<Record<string, number>>>();
  let stopping = false;
  let reportCrash: (why: string) => void = () => {};
  const crashed = new Promise<string>((resolve) => {
    reportCrash = resolve;
  });

  const stop = async () => {
    stopping = true;
    for (const child of children) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill('SIGTERM');
      }
    }
    const killer = setTimeout(() => {
      for (const child of children) child.process.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await Promise.all(children.map((child) => child.exited));
    clearTimeout(killer);
  };

  const names = [...SERVICE_NAMES, EXTERNALS];
  try {
    await Promise.all(
      names.map(async (name) => {
        const logFile = join(options.logDir, `${name}.log`);
        const fd = openSync(logFile, 'w');
        const nodeArgs =
          name === EXTERNALS ? ['--import', tsx] : ['--import', REGISTER, '--import', tsx];
        const child = spawn(process.execPath, [...nodeArgs, scriptOf(name)], {
          detached: true,
          env: childEnv(name, options),
          stdio: ['ignore', fd, fd, 'ipc'],
        });
        closeSync(fd);
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        children.push({ name, process: child, logFile, exited });
        child.once('exit', (code, signal) => {
          if (!stopping) reportCrash(`${name} exited (${signal ?? code}):\n${tail(logFile)}`);
        });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`${name} did not start:\n${tail(logFile)}`)),
            options.startTimeoutMs ?? 90_000,
          );
          child.on('message', (message: unknown) => {
            if (!isListeningMessage(message)) return;
            clearTimeout(timer);
            ports.set(name, message.ports);
            resolve();
          });
          child.once('exit', (code, signal) => {
            clearTimeout(timer);
            reject(
              new Error(`${name} exited (${signal ?? code}) while starting:\n${tail(logFile)}`),
            );
          });
        });
      }),
    );

    const peers: Record<string, string> = {};
    for (const [name, open] of ports) {
      if (open.http !== undefined) peers[name] = `http://127.0.0.1:${open.http}`;
      if (open.risk !== undefined) peers['risk-model'] = `tcp://127.0.0.1:${open.risk}`;
    }
    const ready = Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.process.on('message', (message: unknown) => {
              if ((message as { type?: unknown })?.type === 'ready') resolve();
            });
            child.process.send({ type: 'peers', peers: peers as Peers });
          }),
      ),
    );
    await Promise.race([
      ready,
      crashed.then((why) => {
        throw new Error(why);
      }),
    ]);
    const gatewayUrl = peers.gateway;
    if (gatewayUrl === undefined) throw new Error('the gateway reported no port');
    return {
      processes: children.map((child) => ({
        name: child.name,
        pid: child.process.pid ?? -1,
        url: peers[child.name],
        logFile: child.logFile,
      })),
      gatewayUrl,
      crashed,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { FAULTS } from '../../demo/faults.ts';
import { type Fleet, startFleet } from '../../demo/fleet.ts';
import { LoadGenerator } from '../../demo/load-generator.ts';
import type { Logger } from '../api/logger.ts';
import { type RunningTracehound, startTracehound } from '../app.ts';
import type { DemoOptions } from './demo-options.ts';

/** How long stopping waits for the notification worker to empty the queue. */
const QUEUE_DRAIN_MS = 5_000;

function uiAddress(running: RunningTracehound): string {
  const { http } = running.listeners;
  // The loopback default prints as localhost: that is what people type in a browser.
  return `${http.url.replace('//127.0.0.1:', '//localhost:')}/`;
}

/** Relative to the working directory when inside it, else absolute. */
function displayPath(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath === '' || relativePath.startsWith('..') ? resolve(path) : relativePath;
}

function tour(options: DemoOptions, running: RunningTracehound, fleet: Fleet): string {
  const { listeners } = running;
  const otlp = listeners.otlpHttp.url.replace('/v1/traces', '');
  const logDir = displayPath(join(options.config.dataDir, 'logs'));
  const processes = fleet.processes
    .map((p) => `    ${p.name.padEnd(13)} ${(p.url ?? '(queue worker)').padEnd(24)} pid ${p.pid}`)
    .join('\n');
  const faults =
    options.faults.length === 0
      ? '  Faults are off (--no-faults): every trace should be healthy, and the analysis quiet.\n'
      : `What to look for (open a trace, then its analysis; --no-faults for a healthy shop):\n${options.faults
          .map((name) => {
            const fault = FAULTS[name];
            return `  - ${fault.kind} in ${fault.service}: ${fault.what}.\n      Look at ${fault.look}.`;
          })
          .join('\n')}\n`;
  const duration =
    options.durationMs === undefined
      ? 'Runs until you stop it: Ctrl-C stops everything.'
      : `Runs for ${options.durationMs / 1000} s. Ctrl-C stops everything.`;
  return `
Tracehound demo: an online shop of seven services, each under tracehound/register,
with shoppers sending ${options.ratePerSecond} requests/s, each carrying customer_id baggage.

  UI          ${uiAddress(running)}
  Query API   ${listeners.http.url}/api/services
  OTLP HTTP   ${otlp}   (where the services export)
  Logs        ${logDir}/<service>.log   (JSON lines with trace_id and span_id)
  Processes
${processes}

${faults}
Also worth a look: payment -> fraud propagates B3 headers (demo.propagation=b3 on fraud's
spans), and the notification worker's "orders process" span continues checkout's trace
through the queue, with a link to "orders publish". Search by tag: customer_id=c-1007.
${duration}
`;
}

async function queueEmpty(queueDir: string): Promise<boolean> {
  try {
    const files = await readdir(join(queueDir, 'orders'));
    return !files.some((name) => name.endsWith('.json'));
  } catch {
    return true;
  }
}

/**
 * `tracehound demo`: the server in this process, the shop as child processes, the load generator
 * here too. Stops after `durationMs`, on SIGINT/SIGTERM, or when a process of the shop dies, in an
 * order that loses nothing: shoppers first, then the queue drains, then the services stop and
 * flush their spans, then the server stores what is pending. Resolves with the exit code.
 */
export async function runDemo(options: DemoOptions, logger: Logger): Promise<number> {
  const { dataDir } = options.config;
  const logDir = join(dataDir, 'logs');
  const queueDir = join(dataDir, 'queue');
  await mkdir(logDir, { recursive: true });
  // Orders left over from an interrupted run belong to traces of that run.
  await rm(queueDir, { recursive: true, force: true });
  await mkdir(queueDir, { recursive: true });

  const running = await startTracehound(options.config, logger);
  let fleet: Fleet | undefined;
  let load: LoadGenerator | undefined;
  let stopRequested: (why: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stopRequested = resolve;
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`${signal} again: killing the shop and exiting without waiting\n`);
      for (const p of fleet?.processes ?? []) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {}
      }
      process.exit(1);
    }
    stopRequested(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let exitCode = 0;
  try {
    process.stdout.write('Starting the shop: seven services and the outside world...\n');
    const otlpHttpEndpoint = running.listeners.otlpHttp.url.replace('/v1/traces', '');
    const interrupted = stopped.then((signal): never => {
      throw new Error(`${signal} while starting`);
    });
    fleet = await Promise.race([
      startFleet({ otlpHttpEndpoint, faults: options.faults, logDir, queueDir }),
      interrupted,
    ]);
    load = new LoadGenerator({
      gatewayUrl: fleet.gatewayUrl,
      ratePerSecond: options.ratePerSecond,
    });
    await load.warmUp();
    process.stdout.write(tour(options, running, fleet));
    load.start();
    const timer =
      options.durationMs === undefined
        ? undefined
        : setTimeout(() => stopRequested('duration reached'), options.durationMs);
    const why = await Promise.race([
      stopped,
      fleet.crashed.then((crash) => {
        exitCode = 1;
        return `a process of the shop died: ${crash}`;
      }),
    ]);
    clearTimeout(timer);
    process.stdout.write(`\nStopping (${why}): shoppers first...\n`);
    await load.stop();
    const drainUntil = Date.now() + QUEUE_DRAIN_MS;
    while (!(await queueEmpty(queueDir)) && Date.now() < drainUntil) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    exitCode = 1;
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    await load?.stop();
    process.stdout.write('Stopping the services (they flush their spans)...\n');
    await fleet?.stop();
    process.stdout.write('Storing pending spans and closing the server...\n');
    await running.close();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (load !== undefined) {
    const { sent, succeeded, failed, unanswered } = load.stats;
    process.stdout.write(
      `Done: ${sent} requests, ${succeeded} answered 2xx, ${failed} with an error status, ${unanswered} unanswered.\n` +
        (options.config.storage === 'duckdb'
          ? `The traces stay in ${dataDir}: tracehound start --data-dir ${dataDir} to look again.\n`
          : ''),
    );
  }
  return exitCode;
}

import { parseArgs } from 'node:util';
import { FAULT_NAMES, type FaultName, parseFaultList } from '../../demo/faults.ts';
import type { TracehoundConfig } from '../app.ts';
import { parseGoDuration } from '../query/go-duration.ts';
import { parseStartOptions, START_OPTIONS, startHelp } from './start-options.ts';
import { UsageError } from './usage-error.ts';

/** Where the demo keeps its store, logs and queue unless told otherwise. */
export const DEMO_DATA_DIR = './tracehound-data/demo';
export const DEFAULT_RATE_PER_SECOND = 8;

export interface DemoOptions {
  /** The server's configuration: `start`'s flags and environment, with the demo's data dir. */
  readonly config: TracehoundConfig;
  /** Undefined: until Ctrl-C. */
  readonly durationMs: number | undefined;
  readonly ratePerSecond: number;
  readonly faults: readonly FaultName[];
}

export function demoHelp(): string {
  const startOptions = startHelp().split('Options:\n')[1] ?? '';
  return `Usage: tracehound demo [options]

Starts Tracehound and an online shop of seven instrumented services (gateway, auth, cart,
inventory, payment, fraud, notification) with shoppers sending requests, and prints where to
look. The shop has problems for the analysis to find; --no-faults makes it healthy.

Demo options:
  --duration <duration>         stop after this long (25s, 2m); default: until Ctrl-C
  --rate <n>                    requests per second from the load generator (default ${DEFAULT_RATE_PER_SECOND})
  --faults <list>               only these problems (comma-separated; default all):
                                ${FAULT_NAMES.join(', ')}
  --no-faults                   none of them

Server options (as for tracehound start; --data-dir defaults to ${DEMO_DATA_DIR}):
${startOptions}`;
}

/** Reads `demo`'s flags and the server's flags and environment. Throws UsageError. */
export function parseDemoOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DemoOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(START_OPTIONS.map((o) => [o.flag, { type: 'string' as const }])),
        duration: { type: 'string' },
        rate: { type: 'string' },
        faults: { type: 'string' },
        'no-faults': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see tracehound demo --help)`);
  }
  if (values.help === true) return 'help';
  const startArgs = START_OPTIONS.flatMap((o) => {
    const value = values[o.flag];
    return typeof value === 'string' ? [`--${o.flag}`, value] : [];
  });
  const parsed = parseStartOptions(startArgs, env);
  if (parsed === 'help') return 'help';
  const dataDirGiven = typeof values['data-dir'] === 'string' || Boolean(env.TRACEHOUND_DATA_DIR);
  const config = dataDirGiven ? parsed : { ...parsed, dataDir: DEMO_DATA_DIR };

  if (values['no-faults'] === true && typeof values.faults === 'string') {
    throw new UsageError('--faults and --no-faults contradict each other');
  }
  let faults: FaultName[] = [...FAULT_NAMES];
  if (values['no-faults'] === true) faults = [];
  else if (typeof values.faults === 'string') {
    try {
      faults = parseFaultList(values.faults);
    } catch (error) {
      throw new UsageError(`--faults: ${(error as Error).message}`);
    }
  }
  return {
    config,
    durationMs: typeof values.duration === 'string' ? parseDuration(values.duration) : undefined,
    ratePerSecond:
      typeof values.rate === 'string' ? parseRate(values.rate) : DEFAULT_RATE_PER_SECOND,
    faults,
  };
}

/** `25s`, `2m`, `1m30s` (Go durations), or a bare number of seconds. */
function parseDuration(text: string): number {
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    try {
      ms = Number(parseGoDuration(text) / 1_000_000n);
    } catch {
      throw new UsageError(`--duration must be a duration like 30s or 2m, not '${text}'`);
    }
  }
  if (!(ms >= 1000)) throw new UsageError(`--duration must be at least 1s, not '${text}'`);
  return ms;
}

function parseRate(text: string): number {
  const rate = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(rate > 0) || rate > 1000) {
    throw new UsageError(
      `--rate must be a number of requests per second from 0 to 1000, not '${text}'`,
    );
  }
  return rate;
}

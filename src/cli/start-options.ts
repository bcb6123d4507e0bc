import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, STORAGE_KINDS, type StorageKind, type TracehoundConfig } from '../app.ts';
import { UsageError } from './usage-error.ts';

interface OptionSpec {
  readonly flag: string;
  readonly env: string;
  readonly key: keyof TracehoundConfig;
  readonly kind: 'string' | 'port' | 'count' | 'storage' | 'size';
  readonly help: string;
}

/** Every `start` option, each settable by flag and by environment variable (the flag wins). */
export const START_OPTIONS: readonly OptionSpec[] = [
  {
    flag: 'data-dir',
    env: 'TRACEHOUND_DATA_DIR',
    key: 'dataDir',
    kind: 'string',
    help: 'where the DuckDB store keeps its files',
  },
  {
    flag: 'storage',
    env: 'TRACEHOUND_STORAGE',
    key: 'storage',
    kind: 'storage',
    help: `span storage: ${STORAGE_KINDS.join(' or ')} (memory forgets everything on exit)`,
  },
  {
    flag: 'host',
    env: 'TRACEHOUND_HOST',
    key: 'host',
    kind: 'string',
    help: 'address every listener binds; 0.0.0.0 to accept other machines',
  },
  {
    flag: 'otlp-grpc-port',
    env: 'TRACEHOUND_OTLP_GRPC_PORT',
    key: 'otlpGrpcPort',
    kind: 'port',
    help: 'OTLP/gRPC receiver port',
  },
  {
    flag: 'otlp-http-port',
    env: 'TRACEHOUND_OTLP_HTTP_PORT',
    key: 'otlpHttpPort',
    kind: 'port',
    help: 'OTLP/HTTP receiver port (POST /v1/traces)',
  },
  {
    flag: 'zipkin-port',
    env: 'TRACEHOUND_ZIPKIN_PORT',
    key: 'zipkinPort',
    kind: 'port',
    help: 'Zipkin v2 receiver port (POST /api/v2/spans)',
  },
  {
    flag: 'http-port',
    env: 'TRACEHOUND_HTTP_PORT',
    key: 'httpPort',
    kind: 'port',
    help: 'query API port (Jaeger-compatible /api and /api/v3)',
  },
  {
    flag: 'max-request-bytes',
    env: 'TRACEHOUND_MAX_REQUEST_BYTES',
    key: 'maxRequestBytes',
    kind: 'count',
    help: 'largest export request accepted, before and after decompression (413 beyond)',
  },
  {
    flag: 'max-pending-spans',
    env: 'TRACEHOUND_MAX_PENDING_SPANS',
    key: 'maxPendingSpans',
    kind: 'count',
    help: 'spans waiting to be stored beyond which ingest answers 429 / RESOURCE_EXHAUSTED',
  },
  {
    flag: 'memory-limit',
    env: 'TRACEHOUND_MEMORY_LIMIT',
    key: 'memoryLimit',
    kind: 'size',
    help: 'memory the DuckDB store may use for caching and writing (e.g. 512MB, 2GB)',
  },
];

export function startHelp(): string {
  const lines = START_OPTIONS.map((o) => {
    const placeholder = { port: 'port', count: 'n', size: 'size' }[o.kind as string] ?? 'value';
    const left = `  --${o.flag} <${placeholder}>`;
    return `${left.padEnd(32)}${o.help}\n${''.padEnd(32)}default ${String(DEFAULT_CONFIG[o.key])}, env ${o.env}`;
  });
  return `Usage: tracehound start [options]

Starts the Tracehound server: OTLP (gRPC and HTTP) and Zipkin receivers, the embedded store,
and the Jaeger-compatible query API. Ctrl-C (SIGINT) or SIGTERM stores what is pending and exits.

Options:
${lines.join('\n')}
  --verbose                     print stack traces of errors
  -h, --help                    show this help
`;
}

/** Reads `start`'s flags and environment into a config. Throws UsageError for anything wrong. */
export function parseStartOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): TracehoundConfig | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(START_OPTIONS.map((o) => [o.flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message.split('\n')[0]} (see tracehound start --help)`,
    );
  }
  if (parsed.values.help) return 'help';
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const option of START_OPTIONS) {
    const fromFlag = parsed.values[option.flag];
    const raw = typeof fromFlag === 'string' ? fromFlag : env[option.env];
    if (raw === undefined || raw === '') continue;
    const source = typeof fromFlag === 'string' ? `--${option.flag}` : option.env;
    config[option.key] = convert(option, raw, source);
  }
  return config as unknown as TracehoundConfig;
}

/** A memory size as DuckDB reads it: a number and a unit, decimal (MB) or binary (MiB). */
const SIZE = /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

function convert(option: OptionSpec, raw: string, source: string): string | number {
  switch (option.kind) {
    case 'size':
      if (!SIZE.test(raw.trim())) {
        throw new UsageError(`${source} must be a size such as 512MB or 2GB, not '${raw}'`);
      }
      return raw.trim();
    case 'string':
      return raw;
    case 'storage':
      if (!(STORAGE_KINDS as readonly string[]).includes(raw)) {
        throw new UsageError(`${source} must be ${STORAGE_KINDS.join(' or ')}, not '${raw}'`);
      }
      return raw as StorageKind;
    case 'port': {
      const port = Number(raw);
      if (!/^\d+$/.test(raw) || port > 65535) {
        throw new UsageError(`${source} must be a port number from 0 to 65535, not '${raw}'`);
      }
      return port;
    }
    case 'count': {
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n < 1 || !Number.isSafeInteger(n)) {
        throw new UsageError(`${source} must be a positive whole number, not '${raw}'`);
      }
      return n;
    }
  }
}

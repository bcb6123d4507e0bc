import { consoleLogger } from '../api/logger.ts';
import { startTracehound } from '../app.ts';
import { runDemo } from './demo-command.ts';
import { demoHelp, parseDemoOptions } from './demo-options.ts';
import { parseStartOptions, startHelp } from './start-options.ts';
import { UsageError } from './usage-error.ts';

const MAIN_HELP = `Usage: tracehound <command> [options]

Tracehound: distributed tracing that accepts your OpenTelemetry data as it is.

Commands:
  start     run the server: OTLP gRPC :4317, OTLP HTTP :4318, Zipkin :9411, query API :16686
  demo      run the server and an instrumented seven-service shop with problems to find

Global options:
  -h, --help     show help (also: tracehound <command> --help)
  --verbose      print stack traces of errors
  --version      print the version

Point an OpenTelemetry SDK at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318
`;

/** Runs the CLI; resolves with the exit code (the server keeps running until a signal). */
export async function main(argv: readonly string[]): Promise<number | 'running'> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  try {
    const [command, ...rest] = args;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(MAIN_HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version') {
      process.stdout.write(`${await version()}\n`);
      return 0;
    }
    if (command === 'demo') {
      const options = parseDemoOptions(rest, process.env);
      if (options === 'help') {
        process.stdout.write(demoHelp());
        return 0;
      }
      return await runDemo(options, consoleLogger);
    }
    if (command !== 'start')
      throw new UsageError(`unknown command '${command}' (see tracehound --help)`);
    const config = parseStartOptions(rest, process.env);
    if (config === 'help') {
      process.stdout.write(startHelp());
      return 0;
    }
    const running = await startTracehound(config, consoleLogger);
    // Handlers first: a supervisor may signal as soon as it reads the ready line.
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting without waiting\n`);
        process.exit(1);
      }
      stopping = true;
      process.stdout.write(`${signal}: storing pending spans and closing...\n`);
      running.close().then(
        () => process.exit(0),
        (error: unknown) => {
          reportError(error, verbose);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    const { listeners } = running;
    process.stdout.write(
      `Tracehound ${await version()} is running (${running.storage})\n` +
        `  ${listeners.otlpGrpc.name.padEnd(10)} ${listeners.otlpGrpc.url}\n` +
        `  ${listeners.otlpHttp.name.padEnd(10)} ${listeners.otlpHttp.url}\n` +
        `  ${listeners.zipkin.name.padEnd(10)} ${listeners.zipkin.url}\n` +
        `  ${'Web UI'.padEnd(10)} ${listeners.http.url}/\n` +
        `  ${listeners.http.name.padEnd(10)} ${listeners.http.url}/api/services\n` +
        'Send spans with OTEL_EXPORTER_OTLP_ENDPOINT=' +
        `${listeners.otlpHttp.url.replace('/v1/traces', '')}; Ctrl-C stops.\n`,
    );
    return 'running';
  } catch (error) {
    reportError(error, verbose);
    return error instanceof UsageError ? 2 : 1;
  }
}

function reportError(error: unknown, verbose: boolean): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

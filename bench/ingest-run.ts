import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerProcess } from '../test/support/server-process.ts';
import type { ClientOptions, ClientSummary } from './ingest-client.ts';
import { percentile } from './stats.ts';

const CLIENT_SCRIPT = fileURLToPath(new URL('./ingest-client.ts', import.meta.url));

export interface IngestRun {
  readonly protocol: 'http' | 'grpc';
  /** From the common start to the last acknowledgement. */
  readonly seconds: number;
  readonly acknowledgedSpans: number;
  /** Request bodies (uncompressed OTLP protobuf) of the acknowledged requests. */
  readonly acknowledgedBytes: number;
  readonly refused: number;
  readonly failed: number;
  readonly firstError: string | null;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU time of all client processes while posting, microseconds per acknowledged span. */
  readonly clientCpuMicrosPerSpan: number;
  /** Files of acknowledged trace ids, 16 bytes each. */
  readonly idsFiles: string[];
}

export interface LoadShape {
  readonly clients: number;
  readonly concurrency: number;
}

/**
 * Forks `clients` load-generating processes, starts them at one instant, and collects their
 * summaries once each has run `seconds` and received its last answer.
 */
export async function ingest(
  server: ServerProcess,
  protocol: 'http' | 'grpc',
  seconds: number,
  shape: LoadShape,
  idsDir: string,
  round: string,
): Promise<IngestRun> {
  const children = Array.from({ length: shape.clients }, (_, client) => {
    const options: ClientOptions = {
      protocol,
      target: protocol === 'http' ? server.otlpHttpUrl : server.otlpGrpcAddress,
      client,
      concurrency: shape.concurrency,
      durationMs: seconds * 1000,
      idsFile: join(idsDir, `acked-${round}-${client}.bin`),
    };
    const child = fork(CLIENT_SCRIPT, [JSON.stringify(options)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`client ${client} exited with ${code}`))),
    );
    const ready = Promise.race([
      new Promise<void>((resolve) => child.once('message', () => resolve())),
      exited,
    ]);
    const summary = Promise.race([
      new Promise<ClientSummary>((resolve, reject) =>
        child.on('message', (m: { summary?: ClientSummary; error?: string }) => {
          if (m.summary) resolve(m.summary);
          if (m.error) reject(new Error(`client ${client}: ${m.error}`));
        }),
      ),
      exited,
    ]);
    // Only one of the two races is awaited at a time; keep the other from being unhandled.
    summary.catch(() => {});
    return { child, ready, summary, idsFile: options.idsFile };
  });
  await Promise.all(children.map((c) => c.ready));
  const go = Date.now() + 500;
  for (const c of children) c.child.send({ go });
  const summaries = await Promise.all(children.map((c) => c.summary));
  const finished = Math.max(...summaries.map((s) => s.finishedAtMs));
  const latencies = summaries.flatMap((s) => s.latenciesMs);
  return {
    protocol,
    seconds: (finished - go) / 1000,
    acknowledgedSpans: summaries.reduce((n, s) => n + s.acknowledgedSpans, 0),
    acknowledgedBytes: summaries.reduce((n, s) => n + s.acknowledgedBytes, 0),
    refused: summaries.reduce((n, s) => n + s.refused, 0),
    failed: summaries.reduce((n, s) => n + s.failed, 0),
    firstError: summaries.find((s) => s.firstError)?.firstError ?? null,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    clientCpuMicrosPerSpan:
      summaries.reduce((n, s) => n + s.cpuMicros, 0) /
      Math.max(
        1,
        summaries.reduce((n, s) => n + s.acknowledgedSpans, 0),
      ),
    idsFiles: children.map((c) => c.idsFile),
  };
}

/** Acknowledged trace ids as hex, drawn at random from the clients' files. */
export function sampleTraceIds(idsFiles: readonly string[], count: number): string[] {
  const ids: string[] = [];
  const perFile = Math.ceil(count / idsFiles.length);
  for (const file of idsFiles) {
    const bytes = readFileSync(file);
    const traces = bytes.length / 16;
    for (let i = 0; i < perFile && traces > 0; i++) {
      const at = Math.floor(Math.random() * traces) * 16;
      ids.push(bytes.subarray(at, at + 16).toString('hex'));
    }
  }
  return ids;
}

/**
 * One load-generating client process. Forked by the harness with IPC; it builds its batch
 * templates, reports `ready`, waits for `go`, then posts for `durationMs` with `concurrency`
 * requests in flight, and finally sends its summary. Acknowledged trace ids (16 bytes each) are
 * appended to `idsFile` so that the harness can check every one of them is stored.
 *
 *   fork('bench/ingest-client.ts', [JSON.stringify(options)])
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import {
  Client,
  credentials,
  status as grpcStatus,
  type Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import { createBatch, SPANS_PER_BATCH, type WorkloadBatch } from './workload.ts';

export interface ClientOptions {
  readonly protocol: 'http' | 'grpc';
  /** `http://host:port` for OTLP/HTTP, `host:port` for gRPC. */
  readonly target: string;
  readonly client: number;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly idsFile: string;
}

export interface ClientSummary {
  readonly client: number;
  readonly acknowledgedSpans: number;
  readonly acknowledgedBytes: number;
  readonly refused: number;
  readonly failed: number;
  readonly firstError: string | null;
  /** Milliseconds from sending a request to its acknowledgement, one per acknowledged request. */
  readonly latenciesMs: number[];
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  /** CPU time this client process used while posting (user + system, microseconds). */
  readonly cpuMicros: number;
}

type Outcome = { ok: true } | { ok: false; refused: boolean; error: string };
type Sender = (body: Uint8Array) => Promise<Outcome>;

const TEMPLATES = 8;

function httpSender(target: string, concurrency: number): Sender {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL('/v1/traces', target);
  return (body) =>
    new Promise((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) resolve({ ok: true });
            else
              resolve({
                ok: false,
                refused: res.statusCode === 429 || res.statusCode === 503,
                error: `HTTP ${res.statusCode}`,
              });
          });
        },
      );
      req.on('error', (error) => resolve({ ok: false, refused: false, error: error.message }));
      req.end(body);
    });
}

function grpcSender(target: string): Sender {
  const client = new Client(target, credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  });
  const path = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
  const serialize = (bytes: Uint8Array) =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const deserialize = (bytes: Buffer) => bytes;
  return (body) =>
    new Promise((resolve) => {
      client.makeUnaryRequest(
        path,
        serialize,
        deserialize,
        body,
        (error: ServiceError | null, _response?: Buffer, _trailers?: Metadata) => {
          if (!error) resolve({ ok: true });
          else
            resolve({
              ok: false,
              refused: error.code === grpcStatus.RESOURCE_EXHAUSTED,
              error: `gRPC ${error.code}: ${error.details}`,
            });
        },
      );
    });
}

/** Each lane owns its templates: a body is rewritten only while no request is using it. */
function templatesFor(options: ClientOptions): WorkloadBatch[][] {
  return Array.from({ length: options.concurrency }, (_, lane) =>
    Array.from({ length: TEMPLATES }, (_, t) =>
      createBatch(1 + options.client * 1000 + lane * TEMPLATES + t, options.client),
    ),
  );
}

async function run(
  options: ClientOptions,
  lanes: WorkloadBatch[][],
  startAtMs: number,
): Promise<ClientSummary> {
  const send =
    options.protocol === 'http'
      ? httpSender(options.target, options.concurrency)
      : grpcSender(options.target);
  writeFileSync(options.idsFile, new Uint8Array(0));
  const latenciesMs: number[] = [];
  let acknowledgedSpans = 0;
  let acknowledgedBytes = 0;
  let refused = 0;
  let failed = 0;
  let firstError: string | null = null;
  const pendingIds: Uint8Array[] = [];
  const flushIds = () => {
    if (pendingIds.length === 0) return;
    appendFileSync(options.idsFile, Buffer.concat(pendingIds));
    pendingIds.length = 0;
  };
  const deadline = startAtMs + options.durationMs;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAtMs - Date.now())));
  const cpuAtStart = process.cpuUsage();
  await Promise.all(
    lanes.map(async (templates) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const batch = templates[i % templates.length]!;
        const ids = Uint8Array.from(batch.refresh(BigInt(Date.now()) * 1_000_000n));
        const sent = performance.now();
        const outcome = await send(batch.body);
        if (outcome.ok) {
          latenciesMs.push(performance.now() - sent);
          acknowledgedSpans += SPANS_PER_BATCH;
          acknowledgedBytes += batch.body.length;
          pendingIds.push(ids);
          if (pendingIds.length >= 256) flushIds();
        } else {
          if (outcome.refused) refused++;
          else failed++;
          firstError ??= outcome.error;
          // Back off as an exporter would, then carry on with fresh spans.
          await new Promise((resolve) => setTimeout(resolve, outcome.refused ? 200 : 1000));
        }
      }
    }),
  );
  flushIds();
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    cpuMicros: cpu.user + cpu.system,
    client: options.client,
    acknowledgedSpans,
    acknowledgedBytes,
    refused,
    failed,
    firstError,
    latenciesMs,
    startedAtMs: startAtMs,
    finishedAtMs: Date.now(),
  };
}

const options = JSON.parse(process.argv[2] ?? '{}') as ClientOptions;
const lanes = templatesFor(options);
process.on('message', (message: { go?: number }) => {
  if (typeof message.go !== 'number') return;
  run(options, lanes, message.go).then(
    (summary) => process.send!({ summary }, () => process.exit(0)),
    (error: unknown) => {
      process.send!({ error: String((error as Error)?.stack ?? error) }, () => process.exit(1));
    },
  );
});
process.send!({ ready: true });

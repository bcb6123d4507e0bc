/**
 * A first look at durable ingest, until the full harness (`npm run bench`) exists: four clients
 * post OTLP/HTTP protobuf batches of 1,000 spans (100 traces x 10 spans, 11 attributes each,
 * random ids) to a real `tracehound start` with the DuckDB store for 10 seconds, then the server
 * is stopped (which checkpoints) and the data directory measured.
 *
 *   npx tsx bench/ingest-smoke.ts
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { at, handMadeSpan } from '../src/ingest/otlp/test-fixtures.ts';
import { removeDir, startServer } from '../test/support/server-process.ts';

const DURATION_MS = 10_000;
const CLIENTS = 4;

const payloads: Uint8Array[] = [];
for (let p = 0; p < 20; p++) {
  const spans = [];
  for (let t = 0; t < 100; t++) {
    const traceId = randomBytes(16).toString('hex');
    for (let s = 0; s < 10; s++) {
      const attributes: Record<string, string | number> = {};
      for (let a = 0; a < 11; a++) {
        attributes[`attr.${a}`] = a % 3 === 0 ? (t * 7 + a) % 100 : `value-${(t + a) % 40}`;
      }
      spans.push(
        handMadeSpan({
          traceId,
          spanId: randomBytes(8).toString('hex'),
          name: `op-${s}`,
          attributes,
          startTime: at(s * 1000),
          endTime: at(s * 1000 + 500 + t),
        }),
      );
    }
  }
  payloads.push(ProtobufTraceSerializer.serializeRequest(spans)!);
}

const server = await startServer();
const started = performance.now();
let acknowledged = 0;
let bytes = 0;
const latenciesMs: number[] = [];
await Promise.all(
  Array.from({ length: CLIENTS }, async (_, client) => {
    for (let i = client; performance.now() - started < DURATION_MS; i++) {
      const body = payloads[i % payloads.length]!;
      const sent = performance.now();
      const response = await fetch(`${server.otlpHttpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body,
      });
      await response.arrayBuffer();
      if (response.status !== 200) continue;
      acknowledged += 1000;
      bytes += body.length;
      latenciesMs.push(performance.now() - sent);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
await server.stop();
const diskBytes = Number(execFileSync('du', ['-sb', server.dataDir]).toString().split('\t')[0]);
removeDir(server.dataDir);
latenciesMs.sort((a, b) => a - b);
console.log(`acknowledged spans/s: ${(acknowledged / seconds).toFixed(0)}`);
console.log(`MB/s:                 ${(bytes / seconds / 1e6).toFixed(1)}`);
console.log(
  `p99 ack latency:      ${latenciesMs[Math.floor(latenciesMs.length * 0.99)]?.toFixed(0)} ms`,
);
console.log(`bytes/span on disk:   ${(diskBytes / acknowledged).toFixed(1)}`);

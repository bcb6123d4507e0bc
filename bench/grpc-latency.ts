/**
 * OTLP/gRPC ingest across a network with latency: one client connection with 10 exports of 1,000
 * spans in flight (an OpenTelemetry Collector's exporter with its default 10 consumers), through
 * a TCP proxy that holds every chunk for half the round-trip time in each direction. The server
 * runs with the memory store, so that the figure is about the transport. With HTTP/2's default
 * 64 KB windows a connection carries at most 64 KB per round trip; see otlp-grpc-server.ts.
 *
 *   npx tsx bench/grpc-latency.ts [seconds-per-RTT] [RTT ms ...]
 */
import { connect, createServer, type Socket } from 'node:net';
import { Client, credentials } from '@grpc/grpc-js';
import { removeDir, startServer } from '../test/support/server-process.ts';
import { createBatch } from './workload.ts';

const SECONDS = Number(process.argv[2] ?? 15);
const RTTS_MS = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [2, 10, 20];
const IN_FLIGHT = 10;
const EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** A TCP proxy to `target` that delays each chunk by `delayMs` on its way, both ways. */
async function startDelayProxy(target: string, delayMs: number) {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), target.split(':').pop()];
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
  const proxy = createServer((client) => {
    const upstream = connect(Number(port), host);
    forward(client, upstream);
    forward(upstream, client);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return { address: `127.0.0.1:${address.port}`, close: () => proxy.close() };
}

async function measure(target: string): Promise<{ spansPerSecond: number; mbPerSecond: number }> {
  const client = new Client(target, credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  });
  const batches = Array.from({ length: IN_FLIGHT }, (_, lane) => createBatch(lane + 1, 0));
  let spans = 0;
  let bytes = 0;
  const started = performance.now();
  const until = started + SECONDS * 1000;
  await Promise.all(
    batches.map(async (batch) => {
      while (performance.now() < until) {
        batch.refresh(BigInt(Date.now()) * 1_000_000n);
        await new Promise<void>((resolve, reject) =>
          client.makeUnaryRequest(
            EXPORT,
            (body: Uint8Array) => Buffer.from(body.buffer, body.byteOffset, body.byteLength),
            (answer: Buffer) => answer,
            batch.body,
            (error) => (error ? reject(error) : resolve()),
          ),
        );
        spans += 1000;
        bytes += batch.body.byteLength;
      }
    }),
  );
  client.close();
  const seconds = (performance.now() - started) / 1000;
  return { spansPerSecond: spans / seconds, mbPerSecond: bytes / seconds / 1e6 };
}

const server = await startServer({ args: ['--storage', 'memory'] });
try {
  console.log(`| RTT | spans/s | MB/s |\n| --- | --- | --- |`);
  for (const rtt of RTTS_MS) {
    const proxy = await startDelayProxy(server.otlpGrpcAddress, rtt / 2);
    try {
      const { spansPerSecond, mbPerSecond } = await measure(proxy.address);
      console.log(`| ${rtt} ms | ${spansPerSecond.toFixed(0)} | ${mbPerSecond.toFixed(1)} |`);
    } finally {
      proxy.close();
    }
  }
} finally {
  await server.stop();
  removeDir(server.dataDir);
}
process.exit(0);

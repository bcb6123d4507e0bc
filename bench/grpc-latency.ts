/**
 * OTLP/gRPC ingest across a network with latency: one client connection with 10 exports of 1,000
 * spans in flight (an OpenTelemetry Collector's exporter with its default 10 consumers), through
 * a TCP proxy that holds every chunk for half the round-trip time in each direction. The server
 * runs with the memory store, so that the figure is about the transport. With HTTP/2's default
 * 64 KB windows a connection carries at most 64 KB per round trip; see otlp-grpc-server.ts.
 *
 *   npx tsx bench/grpc-latency.ts [seconds-per-RTT] [RTT ms ...]
 */
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, startServer } from '../test/support/server-process.ts';
import { ingest } from './ingest-run.ts';

const SECONDS = Number(process.argv[2] ?? 15);
const RTTS_MS = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [2, 10, 20];
/** One client connection with the OpenTelemetry Collector exporter's default 10 consumers. */
const LOAD = { clients: 1, concurrency: 10 };

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

const server = await startServer({ args: ['--storage', 'memory'] });
const idsDir = mkdtempSync(join(tmpdir(), 'tracehound-grpc-latency-'));
try {
  console.log(`| RTT | spans/s | MB/s |\n| --- | --- | --- |`);
  for (const rtt of RTTS_MS) {
    const proxy = await startDelayProxy(server.otlpGrpcAddress, rtt / 2);
    try {
      // The bench's own load clients (ingest-client.ts), pointed at the proxy.
      const run = await ingest(
        { ...server, otlpGrpcAddress: proxy.address },
        'grpc',
        SECONDS,
        LOAD,
        idsDir,
        `rtt${rtt}`,
      );
      if (run.failed > 0 || run.refused > 0) {
        throw new Error(`${run.failed} exports failed, ${run.refused} refused: ${run.firstError}`);
      }
      const spansPerSecond = run.acknowledgedSpans / run.seconds;
      const mbPerSecond = run.acknowledgedBytes / run.seconds / 1e6;
      console.log(`| ${rtt} ms | ${spansPerSecond.toFixed(0)} | ${mbPerSecond.toFixed(1)} |`);
    } finally {
      proxy.close();
    }
  }
} finally {
  await server.stop();
  removeDir(server.dataDir);
  removeDir(idsDir);
}
process.exit(0);

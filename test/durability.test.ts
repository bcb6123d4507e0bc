import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { encodeOtlpTracesJson } from '../src/ingest/otlp/encode-json.ts';
import type { Span } from '../src/model/span.ts';
import { makeResource, makeSpan, randomId } from './support/make-span.ts';
import { removeDir, startServer, tempDataDir } from './support/server-process.ts';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function traceOf(service: string, spanCount: number): Span[] {
  const traceId = randomId(16);
  const resource = makeResource(service);
  return Array.from({ length: spanCount }, () => makeSpan({ traceId, resource }));
}

async function exportJson(otlpHttpUrl: string, spans: Span[]): Promise<number> {
  const response = await fetch(`${otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(encodeOtlpTracesJson(spans)),
  });
  await response.arrayBuffer();
  return response.status;
}

async function storedSpanCount(queryUrl: string, traceId: string): Promise<number> {
  const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
  if (response.status === 404) return 0;
  const body = (await response.json()) as { data: { spans: unknown[] }[] };
  return body.data[0]?.spans.length ?? 0;
}

describe('durability', () => {
  it('shows everything after a clean restart', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const first = await startServer({ dataDir });
    const traces = Array.from({ length: 5 }, () => traceOf('restart-svc', 20));
    for (const trace of traces) assert.equal(await exportJson(first.otlpHttpUrl, trace), 200);
    assert.equal(await first.stop('SIGTERM'), 0);

    const second = await startServer({ dataDir });
    try {
      for (const trace of traces) {
        assert.equal(await storedSpanCount(second.queryUrl, trace[0]!.traceId), 20);
      }
      const services = (await (await fetch(`${second.queryUrl}/api/services`)).json()) as {
        data: string[];
      };
      assert.deepEqual(services.data, ['restart-svc']);
    } finally {
      await second.stop();
    }
  });

  it('loses no acknowledged span when killed with SIGKILL mid-ingest', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const first = await startServer({ dataDir });
    const acknowledged: Span[][] = [];
    let stopSending = false;
    // Four clients keep exporting; the server is killed while requests are in flight.
    const clients = Array.from({ length: 4 }, async () => {
      while (!stopSending) {
        const trace = traceOf('crash-svc', 50);
        const status = await exportJson(first.otlpHttpUrl, trace).catch(() => 0);
        if (status === 200) acknowledged.push(trace);
      }
    });
    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    const killed = first.stop('SIGKILL');
    stopSending = true;
    assert.equal(await killed, 'SIGKILL');
    await Promise.all(clients);
    const snapshot = [...acknowledged];

    const second = await startServer({ dataDir });
    try {
      for (const trace of snapshot) {
        assert.equal(
          await storedSpanCount(second.queryUrl, trace[0]!.traceId),
          50,
          `acknowledged trace ${trace[0]!.traceId} is incomplete after the crash`,
        );
      }
    } finally {
      await second.stop();
    }
  });
});

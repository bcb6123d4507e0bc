/**
 * The OTLP/gRPC listener grants clients wide HTTP/2 flow-control windows, so that an exporter
 * sending 465 KB batches is not held to 64 KB per round trip (see otlp-grpc-server.ts).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { CONNECTION_WINDOW_BYTES, STREAM_WINDOW_BYTES } from '../src/api/otlp-grpc-server.ts';
import { removeDir, type ServerProcess, startServer } from './support/server-process.ts';

describe('OTLP/gRPC flow control', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ args: ['--storage', 'memory'] });
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  it('advertises a 4 MiB stream window and opens the connection window to 16 MiB', async () => {
    const session = connect(`http://${server.otlpGrpcAddress}`);
    try {
      await new Promise<void>((resolve, reject) => {
        session.once('remoteSettings', () => resolve());
        session.once('error', reject);
      });
      assert.equal(session.remoteSettings.initialWindowSize, STREAM_WINDOW_BYTES);
      // The connection window grows by a WINDOW_UPDATE frame that follows the settings.
      const deadline = Date.now() + 5_000;
      while ((session.state.remoteWindowSize ?? 0) < CONNECTION_WINDOW_BYTES) {
        assert.ok(Date.now() < deadline, `window ${session.state.remoteWindowSize} after 5 s`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(session.state.remoteWindowSize, CONNECTION_WINDOW_BYTES);
    } finally {
      session.close();
    }
  });
});

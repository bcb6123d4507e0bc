import { EventEmitter } from 'node:events';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { encodeExportResponseProtobuf, errorMessageOf } from '../ingest/otlp/export-response.ts';
import { storeOtlpTracesProtobuf } from '../ingest/otlp/store-protobuf.ts';
import type { SpanWriter } from '../ingest/span-writer.ts';
import { failureOf } from './error-mapping.ts';
import type { Logger } from './logger.ts';
import { encodeRpcStatus } from './rpc-status.ts';

const identity = (bytes: Uint8Array) => bytes;
const toBuffer = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * `opentelemetry.proto.collector.trace.v1.TraceService`, with messages left as bytes so that our
 * own decoder reads them (no generated code). grpc-js handles gzip-compressed messages and
 * refuses messages over `grpc.max_receive_message_length` with RESOURCE_EXHAUSTED.
 */
const TRACE_SERVICE: ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: toBuffer,
    requestDeserialize: identity,
    responseSerialize: toBuffer,
    responseDeserialize: identity,
  },
};

export interface OtlpGrpcOptions {
  readonly writer: SpanWriter;
  readonly maxRequestBytes: number;
  readonly logger: Logger;
}

export function createOtlpGrpcServer({ writer, maxRequestBytes, logger }: OtlpGrpcOptions): Server {
  const server = new Server({ 'grpc.max_receive_message_length': maxRequestBytes });
  server.addService(TRACE_SERVICE, {
    Export: (
      call: ServerUnaryCall<Uint8Array, Uint8Array>,
      callback: sendUnaryData<Uint8Array>,
    ) => {
      exportTraces(call.request, writer).then(
        (response) => callback(null, response),
        (error: unknown) => {
          const failure = failureOf(error, logger);
          const metadata = new Metadata();
          if (failure.retryAfterSeconds !== undefined) {
            // google.rpc.RetryInfo, which OTLP exporters honour when backing off.
            const status = {
              code: failure.grpcCode,
              message: failure.message,
              retryDelaySeconds: failure.retryAfterSeconds,
            };
            metadata.set('grpc-status-details-bin', toBuffer(encodeRpcStatus(status)));
          }
          callback({ code: failure.grpcCode, details: failure.message, metadata });
        },
      );
    },
  });
  return server;
}

async function exportTraces(request: Uint8Array, writer: SpanWriter): Promise<Uint8Array> {
  const outcome = await storeOtlpTracesProtobuf(request, writer);
  return encodeExportResponseProtobuf(outcome.rejectedSpans, errorMessageOf(outcome));
}

/**
 * HTTP/2 flow-control windows granted to each client: what it may send before the server has
 * read it. Node's default, 64 KB per connection (grpc-js sets none), is a seventh of one export
 * of 1,000 spans, so a client sending batches waits a round trip for a window update every
 * 64 KB: over 20 ms of network a connection carries at most 3.2 MB/s (bench/grpc-latency.ts
 * measured 1.8 MB/s, 3,937 spans/s; with these windows 21,484 spans/s). grpc-go's servers grow
 * theirs up to 16 MB as they measure the link; the message size limit still bounds what one
 * request may hold.
 */
export const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;
export const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;

/** Binds and starts the server; resolves with the port it listens on. */
export function bindGrpcServer(server: Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) => {
      if (error) return reject(error);
      widenFlowControlWindows(server);
      resolve(boundPort);
    });
  });
}

/**
 * grpc-js has no option for the windows, and keeps its HTTP/2 servers in a private map; the
 * settings are applied to them there. Should a grpc-js release move that map, the server keeps
 * Node's windows, and the test of the windows fails.
 */
function widenFlowControlWindows(server: Server): void {
  const http2Servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(http2Servers instanceof Map)) return;
  for (const candidate of http2Servers.keys()) {
    if (!(candidate instanceof EventEmitter) || !('updateSettings' in candidate)) continue;
    const http2Server = candidate as Http2Server;
    http2Server.updateSettings({ initialWindowSize: STREAM_WINDOW_BYTES });
    http2Server.on('session', (session: ServerHttp2Session) =>
      session.setLocalWindowSize(CONNECTION_WINDOW_BYTES),
    );
  }
}

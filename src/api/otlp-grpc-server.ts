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

/** Binds and starts the server; resolves with the port it listens on. */
export function bindGrpcServer(server: Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    );
  });
}

import { ProtobufWriter } from '../ingest/otlp/protobuf-writer.ts';

/**
 * `google.rpc.Status`, the body OTLP asks for on failed exports
 * (https://opentelemetry.io/docs/specs/otlp/#failures-1), with an optional `google.rpc.RetryInfo`
 * detail that tells well-behaved exporters how long to back off.
 */
export interface RpcStatus {
  readonly code: number;
  readonly message: string;
  readonly retryDelaySeconds?: number;
}

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

export function rpcStatusJson(status: RpcStatus): Record<string, unknown> {
  const json: Record<string, unknown> = { code: status.code, message: status.message };
  if (status.retryDelaySeconds !== undefined) {
    json.details = [{ '@type': RETRY_INFO_TYPE, retryDelay: `${status.retryDelaySeconds}s` }];
  }
  return json;
}

export function encodeRpcStatus(status: RpcStatus): Uint8Array {
  const out = new ProtobufWriter();
  if (status.code !== 0) out.varint(1, status.code);
  if (status.message !== '') out.string(2, status.message);
  if (status.retryDelaySeconds !== undefined) {
    const duration = new ProtobufWriter().varint(1, status.retryDelaySeconds);
    const retryInfo = new ProtobufWriter().message(1, duration);
    out.message(3, new ProtobufWriter().string(1, RETRY_INFO_TYPE).message(2, retryInfo));
  }
  return out.finish();
}

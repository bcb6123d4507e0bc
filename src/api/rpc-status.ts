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
  const parts: number[][] = [];
  if (status.code !== 0) parts.push(varintField(1, status.code));
  if (status.message !== '') parts.push(bytesField(2, new TextEncoder().encode(status.message)));
  if (status.retryDelaySeconds !== undefined) {
    const duration = varintField(1, status.retryDelaySeconds); // google.protobuf.Duration.seconds
    const retryInfo = bytesField(1, duration); // RetryInfo.retry_delay
    const any = [
      ...bytesField(1, new TextEncoder().encode(RETRY_INFO_TYPE)),
      ...bytesField(2, retryInfo),
    ];
    parts.push(bytesField(3, any));
  }
  return Uint8Array.from(parts.flat());
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0 === value ? value : Math.max(0, Math.trunc(value));
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function varintField(field: number, value: number): number[] {
  return [...varint(field << 3), ...varint(value)];
}

function bytesField(field: number, bytes: ArrayLike<number>): number[] {
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...Array.from(bytes)];
}

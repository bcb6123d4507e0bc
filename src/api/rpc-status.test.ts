import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { encodeRpcStatus, rpcStatusJson } from './rpc-status.ts';

const root = protobuf.parse(`
  syntax = "proto3";
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message Duration { int64 seconds = 1; int32 nanos = 2; }
  message RetryInfo { Duration retry_delay = 1; }
`).root;
const Status = root.lookupType('Status');
const RetryInfo = root.lookupType('RetryInfo');

describe('google.rpc.Status encoding', () => {
  it('encodes code and message as protobuf readers see them', () => {
    const decoded = Status.toObject(
      Status.decode(encodeRpcStatus({ code: 3, message: 'bad ünïcode' })),
    );
    assert.deepEqual(decoded, { code: 3, message: 'bad ünïcode' });
  });

  it('carries a RetryInfo detail with the retry delay', () => {
    const decoded = Status.decode(
      encodeRpcStatus({ code: 8, message: 'busy', retryDelaySeconds: 2 }),
    ) as unknown as {
      details: { typeUrl: string; value: Uint8Array }[];
    };
    assert.equal(decoded.details[0]?.typeUrl, 'type.googleapis.com/google.rpc.RetryInfo');
    const retry = RetryInfo.toObject(RetryInfo.decode(decoded.details[0]!.value), {
      longs: Number,
    });
    assert.deepEqual(retry, { retryDelay: { seconds: 2 } });
  });

  it('writes the JSON form with the retry delay as a duration string', () => {
    assert.deepEqual(rpcStatusJson({ code: 8, message: 'busy', retryDelaySeconds: 1 }), {
      code: 8,
      message: 'busy',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' }],
    });
  });
});

import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  InvalidInputError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  QueryParseError,
  StoreError,
  TracehoundError,
  UnsupportedMediaTypeError,
} from '../model/errors.ts';
import type { Logger } from './logger.ts';

/** How a failure is told to a client, whatever the protocol. */
export interface Failure {
  readonly httpStatus: number;
  readonly grpcCode: GrpcStatus;
  readonly message: string;
  /** Set when the client should retry, after this many seconds. */
  readonly retryAfterSeconds?: number;
}

/**
 * The one place that maps errors to statuses: malformed 400, not found 404, too large 413,
 * wrong content type 415, overload 429, store trouble 503 (retryable: nothing was acknowledged),
 * anything unexpected 500, logged with its stack.
 */
export function failureOf(error: unknown, logger: Logger): Failure {
  if (error instanceof InvalidInputError || error instanceof QueryParseError) {
    return { httpStatus: 400, grpcCode: GrpcStatus.INVALID_ARGUMENT, message: error.message };
  }
  if (error instanceof NotFoundError) {
    return { httpStatus: 404, grpcCode: GrpcStatus.NOT_FOUND, message: error.message };
  }
  if (error instanceof PayloadTooLargeError) {
    return { httpStatus: 413, grpcCode: GrpcStatus.RESOURCE_EXHAUSTED, message: error.message };
  }
  if (error instanceof UnsupportedMediaTypeError) {
    return { httpStatus: 415, grpcCode: GrpcStatus.INVALID_ARGUMENT, message: error.message };
  }
  if (error instanceof OverloadedError) {
    return {
      httpStatus: 429,
      grpcCode: GrpcStatus.RESOURCE_EXHAUSTED,
      message: error.message,
      retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)),
    };
  }
  if (
    error instanceof StoreError ||
    (error instanceof TracehoundError && error.code === 'store_closed')
  ) {
    logger.error(`store failure: ${error.message}`, error);
    return {
      httpStatus: 503,
      grpcCode: GrpcStatus.UNAVAILABLE,
      message: `storage unavailable, nothing was stored: ${error.message}`,
      retryAfterSeconds: 1,
    };
  }
  logger.error('unexpected error', error);
  return {
    httpStatus: 500,
    grpcCode: GrpcStatus.INTERNAL,
    message: `internal error: ${error instanceof Error ? error.message : String(error)}`,
  };
}

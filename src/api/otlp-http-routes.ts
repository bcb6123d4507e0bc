import { Hono } from 'hono';
import type { DecodedBatch } from '../ingest/decoded-batch.ts';
import { decodeOtlpTracesJson } from '../ingest/otlp/decode-json.ts';
import {
  encodeExportResponseProtobuf,
  errorMessageOf,
  exportResponseJson,
} from '../ingest/otlp/export-response.ts';
import { storeOtlpTracesProtobuf } from '../ingest/otlp/store-protobuf.ts';
import { readBody } from '../ingest/read-body.ts';
import type { SpanWriter } from '../ingest/span-writer.ts';
import {
  InvalidInputError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../model/errors.ts';
import { failureOf } from './error-mapping.ts';
import type { Logger } from './logger.ts';
import { encodeRpcStatus, rpcStatusJson } from './rpc-status.ts';

export interface IngestRouteOptions {
  readonly writer: SpanWriter;
  readonly maxRequestBytes: number;
  readonly logger: Logger;
}

type OtlpEncoding = 'protobuf' | 'json';

const PROTOBUF_TYPES = ['application/x-protobuf', 'application/protobuf'];
const JSON_TYPES = ['application/json'];

/**
 * OTLP/HTTP trace receiver (https://opentelemetry.io/docs/specs/otlp/#otlphttp): protobuf or
 * JSON, optionally gzip-compressed. The response is sent only after the spans are stored, in
 * the request's encoding, with `partialSuccess` when some spans were rejected.
 */
export function otlpHttpRoutes({ writer, maxRequestBytes, logger }: IngestRouteOptions): Hono {
  const app = new Hono();
  app.post('/v1/traces', async (c) => {
    const contentType = mediaTypeOf(c.req.header('content-type'));
    const encoding: OtlpEncoding | null = PROTOBUF_TYPES.includes(contentType)
      ? 'protobuf'
      : JSON_TYPES.includes(contentType)
        ? 'json'
        : null;
    try {
      if (encoding === null) {
        throw new UnsupportedMediaTypeError(contentType, [...PROTOBUF_TYPES, ...JSON_TYPES]);
      }
      assertContentLength(c.req.header('content-length'), maxRequestBytes);
      const body = await readBody(
        c.req.raw.body,
        c.req.header('content-encoding'),
        maxRequestBytes,
      );
      if (encoding === 'protobuf') {
        return exportResponse(encoding, await storeOtlpTracesProtobuf(body, writer));
      }
      const batch = decodeJson(body);
      await writer.write(batch.spans);
      return exportResponse(encoding, batch);
    } catch (error) {
      const failure = failureOf(error, logger);
      const status = {
        code: failure.grpcCode,
        message: failure.message,
        retryDelaySeconds: failure.retryAfterSeconds,
      };
      const headers: Record<string, string> = {};
      if (failure.retryAfterSeconds !== undefined)
        headers['retry-after'] = String(failure.retryAfterSeconds);
      if (encoding === 'protobuf') {
        headers['content-type'] = 'application/x-protobuf';
        return new Response(encodeRpcStatus(status), { status: failure.httpStatus, headers });
      }
      headers['content-type'] = 'application/json';
      return new Response(JSON.stringify(rpcStatusJson(status)), {
        status: failure.httpStatus,
        headers,
      });
    }
  });
  return app;
}

function exportResponse(
  encoding: OtlpEncoding,
  batch: Pick<DecodedBatch, 'rejectedSpans' | 'errors'>,
): Response {
  const message = errorMessageOf(batch);
  if (encoding === 'protobuf') {
    return new Response(encodeExportResponseProtobuf(batch.rejectedSpans, message), {
      headers: { 'content-type': 'application/x-protobuf' },
    });
  }
  return Response.json(exportResponseJson(batch.rejectedSpans, message));
}

export function decodeJson(body: Uint8Array): DecodedBatch {
  return decodeOtlpTracesJson(parseJsonBody(body));
}

/** JSON.parse with the error a client can act on. */
export function parseJsonBody(body: Uint8Array): unknown {
  const text = new TextDecoder().decode(body);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` -> `application/json`. */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Refuses an over-long body before reading it, when the client announced its length. */
export function assertContentLength(header: string | undefined, limitBytes: number): void {
  if (header !== undefined && Number(header) > limitBytes)
    throw new PayloadTooLargeError(limitBytes);
}

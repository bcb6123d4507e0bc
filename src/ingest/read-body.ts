import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { InvalidInputError, PayloadTooLargeError } from '../model/errors.ts';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * Reads a request body of at most `limitBytes`, decompressed per `Content-Encoding` (gzip,
 * deflate, identity) with the same limit on the decompressed size, so a small compressed bomb
 * is refused too. Throws PayloadTooLargeError or InvalidInputError.
 */
export async function readBody(
  body: ReadableStream<Uint8Array> | null,
  contentEncoding: string | undefined,
  limitBytes: number,
): Promise<Uint8Array> {
  const raw = await readLimited(body, limitBytes);
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return raw;
  if (encoding !== 'gzip' && encoding !== 'deflate' && encoding !== 'x-gzip') {
    throw new InvalidInputError(
      `unsupported Content-Encoding '${contentEncoding}'; use gzip, deflate or identity`,
    );
  }
  try {
    const options = { maxOutputLength: limitBytes };
    const decoded =
      encoding === 'deflate' ? await inflateAsync(raw, options) : await gunzipAsync(raw, options);
    return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  } catch (error) {
    if (
      error instanceof RangeError ||
      (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
    ) {
      throw new PayloadTooLargeError(limitBytes);
    }
    throw new InvalidInputError(
      `Content-Encoding is ${encoding} but the body does not decompress: ${(error as Error).message}`,
    );
  }
}

async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limitBytes: number,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limitBytes) throw new PayloadTooLargeError(limitBytes);
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

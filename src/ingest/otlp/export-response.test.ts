import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { MAX_REPORTED_ERRORS } from '../decoded-batch.ts';
import {
  encodeExportResponseProtobuf,
  errorMessageOf,
  exportResponseJson,
} from './export-response.ts';

/** Read back with the OTel exporter's own response parser, as a real client would. */
const parsedByExporter = (bytes: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(bytes);

describe('encodeExportResponseProtobuf', () => {
  it('writes no bytes when nothing was rejected and there is nothing to say', () => {
    assert.equal(encodeExportResponseProtobuf(0, '').length, 0);
    assert.deepEqual(parsedByExporter(encodeExportResponseProtobuf(0, '')), {});
  });

  it('writes partial_success with the rejected count and message', () => {
    const bytes = encodeExportResponseProtobuf(3, 'spans[1].traceId: bad');
    assert.deepEqual(parsedByExporter(bytes), {
      partialSuccess: { rejectedSpans: 3, errorMessage: 'spans[1].traceId: bad' },
    });
  });

  it('encodes multi-byte lengths, large counts and non-ASCII messages', () => {
    const message = `${'é'.repeat(200)} ☃`;
    const bytes = encodeExportResponseProtobuf(2 ** 40 + 5, message);
    assert.deepEqual(parsedByExporter(bytes), {
      partialSuccess: { rejectedSpans: 2 ** 40 + 5, errorMessage: message },
    });
  });

  it('writes a warning (message without rejections) and a count without a message', () => {
    assert.deepEqual(parsedByExporter(encodeExportResponseProtobuf(0, 'slow down')), {
      partialSuccess: { errorMessage: 'slow down' },
    });
    assert.deepEqual(encodeExportResponseProtobuf(1, ''), Uint8Array.of(0x0a, 0x02, 0x08, 0x01));
  });
});

describe('exportResponseJson', () => {
  it('is an empty object when nothing was rejected', () => {
    assert.deepEqual(exportResponseJson(0, ''), {});
  });

  it('gives rejectedSpans as a decimal string, as proto3 JSON writes int64', () => {
    assert.deepEqual(exportResponseJson(3, 'bad spans'), {
      partialSuccess: { rejectedSpans: '3', errorMessage: 'bad spans' },
    });
  });
});

describe('errorMessageOf', () => {
  it('is empty when nothing was rejected', () => {
    assert.equal(errorMessageOf({ rejectedSpans: 0, errors: [] }), '');
  });

  it('joins the problems into one line', () => {
    assert.equal(
      errorMessageOf({ rejectedSpans: 2, errors: ['a: bad', 'b: worse'] }),
      'a: bad; b: worse',
    );
  });

  it('says how many spans were rejected when some problems were not listed', () => {
    const errors = Array.from({ length: MAX_REPORTED_ERRORS }, (_, i) => `p${i}`);
    assert.match(
      errorMessageOf({ rejectedSpans: 250, errors }),
      /^p0; p1; .*p9 \(250 spans rejected in all\)$/,
    );
  });
});

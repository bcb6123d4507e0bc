import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  type IExportTraceServiceResponse,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { OtlpTraceEncoder } from './otlp-encoder.ts';

/** The component type the OpenTelemetry OTLP/HTTP span exporter reports itself as. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/**
 * OTLP/HTTP protobuf export of spans: the OpenTelemetry exporter's transport (endpoint, headers,
 * timeout, compression, retries, all from the `OTEL_EXPORTER_OTLP_*` variables, as
 * `@opentelemetry/exporter-trace-otlp-proto` reads them) carrying requests that
 * {@link OtlpTraceEncoder} writes, the same bytes at a lower cost per span.
 */
export class OtlpProtobufTraceExporter
  extends OTLPExporterBase<ReadableSpan[]>
  implements SpanExporter
{
  constructor() {
    const encoder = new OtlpTraceEncoder();
    super(
      createOtlpHttpExportDelegate<ReadableSpan[], IExportTraceServiceResponse>(
        convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', {
          'Content-Type': 'application/x-protobuf',
        }),
        {
          serializeRequest: (spans) => encoder.encode(spans),
          deserializeResponse: (body) => ProtobufTraceSerializer.deserializeResponse(body),
        },
        COMPONENT_TYPE,
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}

/**
 * The span exporter for the SDK: {@link OtlpProtobufTraceExporter} for the default configuration,
 * OTLP over HTTP with protobuf; undefined for anything else (`OTEL_TRACES_EXPORTER` naming another
 * exporter or several, `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL` asking for `grpc` or `http/json`),
 * which the SDK then builds from the environment itself.
 *
 * @see https://opentelemetry.io/docs/specs/otel/protocol/exporter/#specify-protocol
 */
export function traceExporterFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): SpanExporter | undefined {
  const exporters = [
    ...new Set(
      (env.OTEL_TRACES_EXPORTER ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '' && name !== 'null'),
    ),
  ];
  if (exporters.length > 1 || (exporters.length === 1 && exporters[0] !== 'otlp')) return undefined;
  const protocol =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim() ||
    'http/protobuf';
  return protocol === 'http/protobuf' ? new OtlpProtobufTraceExporter() : undefined;
}

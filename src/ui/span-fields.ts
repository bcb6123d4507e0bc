import {
  type AnyValue,
  type Attribute,
  anyValueToPlain,
  attributeValueToString,
  isKeyValueList,
} from '../model/attributes.ts';
import { bytesToBase64 } from '../model/bytes.ts';
import { SPAN_KIND_NAMES, type Span, StatusCode } from '../model/span.ts';

/** OTLP's AnyValue type names, as the span details show them. */
export type AttributeType =
  | 'string'
  | 'bool'
  | 'int'
  | 'double'
  | 'bytes'
  | 'array'
  | 'kvlist'
  | 'empty';

export interface AttributeRow {
  readonly key: string;
  readonly type: AttributeType;
  /** Display text; ints stay exact (they are bigints), arrays and maps as JSON. */
  readonly text: string;
}

export function attributeType(value: AnyValue): AttributeType {
  if (value === null) return 'empty';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
  }
  if (value instanceof Uint8Array) return 'bytes';
  return isKeyValueList(value) ? 'kvlist' : 'array';
}

/** Attributes as typed rows in their recorded order. */
export function attributeRows(attributes: readonly Attribute[]): AttributeRow[] {
  return attributes.map(({ key, value }) => ({
    key,
    type: attributeType(value),
    text: value instanceof Uint8Array ? bytesToBase64(value) : attributeValueToString(value),
  }));
}

/**
 * JSON.stringify that copes with what the model holds: bigints (OTLP ints) become numbers when
 * exact and strings otherwise, bytes base64 text.
 */
export function stringifyForDisplay(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return anyValueToPlain(v);
      if (v instanceof Uint8Array) return anyValueToPlain(v);
      return v;
    },
    indent,
  );
}

export function spanKindName(span: Span): string {
  return SPAN_KIND_NAMES[span.kind] ?? 'unspecified';
}

/** `error: connection refused`, `ok`, or `unset`. */
export function statusText(span: Span): string {
  const name =
    span.status.code === StatusCode.error
      ? 'error'
      : span.status.code === StatusCode.ok
        ? 'ok'
        : 'unset';
  return span.status.message === '' ? name : `${name}: ${span.status.message}`;
}

/**
 * Lower-case text a search inside a trace looks through: service, operation, span id, status
 * message, span and resource attributes as `key=value`, and event names.
 */
export function searchableText(span: Span, service: string): string {
  const parts = [service, span.name, span.spanId, span.status.message];
  for (const { key, value } of span.attributes)
    parts.push(`${key}=${attributeValueToString(value)}`);
  for (const { key, value } of span.resource.attributes)
    parts.push(`${key}=${attributeValueToString(value)}`);
  for (const event of span.events) parts.push(event.name);
  return parts.join('\n').toLowerCase();
}

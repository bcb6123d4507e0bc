import { bytesToBase64 } from './bytes.ts';

/**
 * OpenTelemetry attribute values with their wire types kept apart:
 * `int` is a bigint, `double` a number, `bytes` a Uint8Array, `kvlist` a {@link KeyValueList}.
 * `null` stands for an AnyValue with no value set (legal in OTLP).
 * See https://opentelemetry.io/docs/specs/otel/common/#anyvalue
 */
export type AnyValue =
  | string
  | boolean
  | bigint
  | number
  | Uint8Array
  | readonly AnyValue[]
  | KeyValueList
  | null;

export interface KeyValueList {
  readonly kvlist: readonly Attribute[];
}

export interface Attribute {
  readonly key: string;
  readonly value: AnyValue;
}

export function isKeyValueList(value: AnyValue): value is KeyValueList {
  return typeof value === 'object' && value !== null && 'kvlist' in value;
}

/**
 * The text form used for tag search and for display: strings as they are, numbers and booleans
 * as JavaScript prints them, bytes as base64, arrays and key-value lists as JSON.
 * Two values match a `key=value` search when their text forms are equal.
 */
export function attributeValueToString(value: AnyValue): string {
  if (value === null) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
    case 'bigint':
    case 'number':
      return String(value);
  }
  return JSON.stringify(anyValueToPlain(value));
}

/** A JSON-friendly rendering without type tags, for display (ints beyond 2^53 become strings). */
export function anyValueToPlain(value: AnyValue): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'string':
    case 'boolean':
    case 'number':
      return value;
  }
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (isKeyValueList(value)) {
    return Object.fromEntries(value.kvlist.map((kv) => [kv.key, anyValueToPlain(kv.value)]));
  }
  return (value as readonly AnyValue[]).map(anyValueToPlain);
}

export function findAttribute(attributes: readonly Attribute[], key: string): AnyValue | undefined {
  for (const attribute of attributes) if (attribute.key === key) return attribute.value;
  return undefined;
}

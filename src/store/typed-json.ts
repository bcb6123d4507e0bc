import { type AnyValue, type Attribute, isKeyValueList } from '../model/attributes.ts';
import { base64ToBytes, bytesToBase64 } from '../model/bytes.ts';
import { InvalidInputError } from '../model/errors.ts';

/**
 * A compact JSON encoding of attribute values that keeps every OTLP type apart, for storage
 * columns. JSON strings, booleans and null stand for themselves; a JSON number is an int (safe
 * integers only, so `json_extract_string` yields the same text a tag search compares against);
 * `{"i":"9007199254740993"}` is a larger int, `{"d":1.5}` a double (`"NaN"`, `"Infinity"`,
 * `"-Infinity"` and `"-0"` as text), `{"b":"AAE="}` bytes, a JSON array an array, `{"k":[[key, value], ...]}`
 * a key-value list.
 */
export type TypedJson =
  | string
  | boolean
  | null
  | number
  | { i: string }
  | { d: number | string }
  | { b: string }
  | TypedJson[]
  | { k: [string, TypedJson][] };

export function toTypedJson(value: AnyValue): TypedJson {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'bigint': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : { i: value.toString() };
    }
    case 'number':
      // JSON has no NaN or infinities, and JSON.stringify(-0) is "0": those travel as text.
      if (Object.is(value, -0)) return { d: '-0' };
      return { d: Number.isFinite(value) ? value : String(value) };
  }
  if (value instanceof Uint8Array) return { b: bytesToBase64(value) };
  if (isKeyValueList(value)) return { k: value.kvlist.map((a) => [a.key, toTypedJson(a.value)]) };
  return (value as readonly AnyValue[]).map(toTypedJson);
}

export function fromTypedJson(json: unknown): AnyValue {
  if (json === null || typeof json === 'string' || typeof json === 'boolean') return json;
  if (typeof json === 'number') return BigInt(json);
  if (Array.isArray(json)) return json.map(fromTypedJson);
  if (typeof json === 'object') {
    const o = json as Record<string, unknown>;
    if (typeof o.i === 'string') return BigInt(o.i);
    if ('d' in o) return Number(o.d);
    if (typeof o.b === 'string') {
      const bytes = base64ToBytes(o.b);
      if (bytes) return bytes;
    }
    if (Array.isArray(o.k)) return { kvlist: pairsToAttributes(o.k) };
  }
  throw new InvalidInputError(`not a typed JSON value: ${JSON.stringify(json)}`);
}

/**
 * Attributes as one JSON text: an object `{key: value}` so that stores can look a key up with a
 * JSON path, or, when a key repeats (which the OTel spec forbids but senders do), an array of
 * `[key, value]` pairs so that nothing is lost.
 */
export function attributesToJson(attributes: readonly Attribute[]): string {
  return JSON.stringify(attributesToTyped(attributes));
}

export function attributesFromJson(text: string): Attribute[] {
  return attributesFromTyped(JSON.parse(text));
}

/** The value {@link attributesToJson} serialises, for nesting inside other JSON. */
export function attributesToTyped(
  attributes: readonly Attribute[],
): Record<string, TypedJson> | [string, TypedJson][] {
  const object: Record<string, TypedJson> = {};
  for (const { key, value } of attributes) {
    if (Object.hasOwn(object, key)) {
      return attributes.map((a): [string, TypedJson] => [a.key, toTypedJson(a.value)]);
    }
    object[key] = toTypedJson(value);
  }
  return object;
}

export function attributesFromTyped(json: unknown): Attribute[] {
  if (Array.isArray(json)) return pairsToAttributes(json);
  if (typeof json === 'object' && json !== null) {
    return Object.entries(json).map(([key, value]) => ({ key, value: fromTypedJson(value) }));
  }
  throw new InvalidInputError(
    `stored attributes are not an object or array: ${JSON.stringify(json)}`,
  );
}

function pairsToAttributes(pairs: unknown[]): Attribute[] {
  return pairs.map((entry) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      throw new InvalidInputError(`not a typed attribute: ${JSON.stringify(entry)}`);
    }
    return { key: entry[0], value: fromTypedJson(entry[1]) };
  });
}

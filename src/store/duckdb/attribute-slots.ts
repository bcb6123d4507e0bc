import type { AnyValue, Attribute } from '../../model/attributes.ts';
import { attributesFromTyped } from '../typed-json.ts';

/**
 * Attributes in columns. A span's first SLOT_COUNT attributes go, in order, into the value
 * columns `a0` ... `a11` as their text form (what a tag search compares), and the layout string
 * says which key and type each one has: three ASCII characters per slot, two for the key's
 * number in the store's key dictionary and one for the type, so that `200` (an int) and `"200"`
 * (a string) read back as they came. Everything else (attributes after the twelfth, values whose
 * text cannot give them back: bytes, arrays, key-value lists, null, -0, and keys beyond the
 * dictionary's capacity) goes, in order, to the typed JSON of the `attributes` column, and its
 * slot's layout is REST_SLOT.
 *
 * One instrumentation writes its attributes in the same order every time, so each slot column
 * holds few distinct keys and compresses like a column per key would, while the table keeps a
 * fixed, small number of columns: each column costs DuckDB time on every append and commit.
 */
export const SLOT_COUNT = 12;
export const SLOT_COLUMNS: readonly string[] = Array.from(
  { length: SLOT_COUNT },
  (_, i) => `a${i}`,
);

/** Characters per slot in the layout string. */
export const SLOT_CHARS = 3;
/** The layout of a slot whose attribute is in the rest JSON. */
export const REST_SLOT = '---';
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~';
/** Key numbers fit two alphabet characters. */
export const MAX_ATTRIBUTE_KEYS = KEY_ALPHABET.length * KEY_ALPHABET.length;

const TYPE_STRING = 's';
const TYPE_INT = 'i';
const TYPE_DOUBLE = 'd';
const TYPE_BOOL = 'b';
/** Layout type characters of the value types string, int, double, bool (0 to 3). */
export const TYPE_CHARS = TYPE_STRING + TYPE_INT + TYPE_DOUBLE + TYPE_BOOL;

/** The two layout characters of key number `id`. */
export function keyCodeOf(id: number): string {
  return (
    KEY_ALPHABET[Math.floor(id / KEY_ALPHABET.length)]! + KEY_ALPHABET[id % KEY_ALPHABET.length]!
  );
}

function keyIdOf(code: string): number {
  return KEY_ALPHABET.indexOf(code[0]!) * KEY_ALPHABET.length + KEY_ALPHABET.indexOf(code[1]!);
}

/** Calls `visit` with the key number and slot of each slot a layout fills. */
export function forEachSlotKey(layout: string, visit: (keyId: number, slot: number) => void): void {
  for (let slot = 0; slot * SLOT_CHARS < layout.length; slot++) {
    const part = layout.slice(slot * SLOT_CHARS, (slot + 1) * SLOT_CHARS);
    if (part !== REST_SLOT) visit(keyIdOf(part), slot);
  }
}

/**
 * The attributes of a stored span, in their original order and types. `slotValue(i)` reads value
 * column i of the row; `keyOf(id)` names a key number.
 */
export function readAttributeSlots(
  layout: string | null,
  rest: string | null,
  slotValue: (slot: number) => string | null,
  keyOf: (id: number) => string,
): Attribute[] {
  const others = rest === null ? [] : attributesFromTyped(JSON.parse(rest));
  if (layout === null) return others;
  const attributes: Attribute[] = [];
  let next = 0;
  for (let slot = 0; slot * SLOT_CHARS < layout.length; slot++) {
    const part = layout.slice(slot * SLOT_CHARS, (slot + 1) * SLOT_CHARS);
    if (part === REST_SLOT) {
      const attribute = others[next++];
      if (attribute) attributes.push(attribute);
      continue;
    }
    attributes.push({
      key: keyOf(keyIdOf(part)),
      value: valueOfText(slotValue(slot) ?? '', part[2]!),
    });
  }
  for (; next < others.length; next++) attributes.push(others[next]!);
  return attributes;
}

function valueOfText(text: string, type: string): AnyValue {
  switch (type) {
    case TYPE_INT:
      return BigInt(text);
    case TYPE_DOUBLE:
      return Number(text);
    case TYPE_BOOL:
      return text === 'true';
    default:
      return text;
  }
}

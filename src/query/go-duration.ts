import { InvalidInputError } from '../model/errors.ts';

const NANOS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 MICRO SIGN
  ['μs', 1_000n], // U+03BC GREEK SMALL LETTER MU
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX_INT64 = (1n << 63n) - 1n;

/** One `<number><unit>` element: digits with an optional fraction, then a unit made of non-digits. */
const ELEMENT_RE = /^(\d*)(?:\.(\d*))?([^\d.]+)/;

/**
 * Parses a duration written as Go's `time.ParseDuration` accepts it (`150ms`, `1.5s`, `1h2m3.5s`,
 * `300us`, `300µs`, `-1s`, `0`) and returns it in nanoseconds.
 *
 * The result is exact: fractions are computed in integers and truncated to the nanosecond, as Go
 * does. Negative durations are returned as negative values; callers decide whether they make sense.
 *
 * @throws InvalidInputError naming the text when it is not a Go duration or overflows 64 bits.
 * @see https://pkg.go.dev/time#ParseDuration
 */
export function parseGoDuration(text: string): bigint {
  const invalid = (why: string) => new InvalidInputError(`invalid duration '${text}': ${why}`);
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  // Go special-cases a bare zero, with or without a sign; any other number needs a unit.
  if (rest === '0') return 0n;
  if (rest === '') throw invalid('empty');

  let total = 0n;
  while (rest !== '') {
    const match = ELEMENT_RE.exec(rest);
    if (match === null) {
      throw invalid(/^[\d.]+$/.test(rest) ? 'missing unit' : 'expected a number');
    }
    const [element, whole = '', fraction = '', unitText = ''] = match;
    if (whole === '' && fraction === '') throw invalid('expected a number');
    const unit = NANOS_PER_UNIT.get(unitText);
    if (unit === undefined) throw invalid(`unknown unit '${unitText}'`);
    let value = BigInt(whole || '0') * unit;
    if (fraction !== '') value += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    total += value;
    if (total > MAX_INT64 + (negative ? 1n : 0n)) throw invalid('out of range');
    rest = rest.slice(element.length);
  }
  return negative ? -total : total;
}

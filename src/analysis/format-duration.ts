const UNITS: readonly [number, string][] = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
];

/**
 * A duration in nanoseconds as people read it: "850 µs", "12.3 ms", "2.4 s", "95 ns".
 * One decimal below 100 of a unit, none above; never throws (NaN reads "0 ns").
 */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return '0 ns';
  const sign = ns < 0 ? '-' : '';
  const abs = Math.abs(ns);
  for (const [size, unit] of UNITS) {
    // Round first, so that 999.96 µs reads "1 ms" and not "1000 µs".
    if (abs >= size * 0.99995) return `${sign}${formatNumber(abs / size)} ${unit}`;
  }
  return `${sign}${Math.round(abs)} ns`;
}

function formatNumber(value: number): string {
  if (value >= 99.95) return String(Math.round(value));
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

/** A share as a whole percentage: 0.754 -> "75%". */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0)) return '0%';
  return `${Math.round((part / whole) * 100)}%`;
}

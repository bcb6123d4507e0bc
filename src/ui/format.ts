/** Display formatting shared by every view: durations, timestamps, counts. */

const UNITS = [
  { unit: 'ns', ns: 1 },
  { unit: 'µs', ns: 1e3 },
  { unit: 'ms', ns: 1e6 },
  { unit: 's', ns: 1e9 },
] as const;

/**
 * A duration in nanoseconds as a person reads it, three significant digits in the largest unit
 * that keeps the number at or above 1: `850 ns`, `850 µs`, `12.3 ms`, `2.40 s`. From a minute
 * up: `2 min 05 s`, `1 h 02 min`. Negative values get a minus sign; non-finite values `–`.
 */
export function formatDurationNs(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns < 0) return `-${formatDurationNs(-ns)}`;
  if (ns >= 60e9) return formatLong(ns);
  for (let i = UNITS.length - 1; i >= 0; i--) {
    const { unit, ns: size } = UNITS[i]!;
    if (ns >= size || i === 0) {
      const value = ns / size;
      if (i === 0) return `${Math.round(value)} ns`;
      const text = value.toPrecision(3);
      // 999.96 ms rounds to "1.00e+3": that is the next unit up.
      if (Number(text) >= 1000 && i < UNITS.length - 1) {
        return `${(ns / UNITS[i + 1]!.ns).toPrecision(3)} ${UNITS[i + 1]!.unit}`;
      }
      if (Number(text) >= 60 && unit === 's') return formatLong(ns);
      return `${text} ${unit}`;
    }
  }
  return `${ns} ns`;
}

function formatLong(ns: number): string {
  const totalSeconds = Math.round(ns / 1e9);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A moment (milliseconds since the epoch) in local time: `2025-11-21 14:05:03.123`. */
export function formatTimestampMs(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '–';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

/** How long ago `ms` was, relative to `nowMs`: `just now`, `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function formatRelativeTime(ms: number, nowMs: number): string {
  const seconds = Math.round((nowMs - ms) / 1000);
  if (seconds < 0) return 'in the future';
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A count with its noun, singular or plural: `1 span`, `3 spans`, `12,345 spans`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : nouns}`;
}

/** A ratio as a percentage with at most one decimal: `0%`, `2.5%`, `100%`. */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  const percent = Math.round(ratio * 1000) / 10;
  return `${percent}%`;
}

/**
 * A time-axis label in local 24-hour time, as precise as the axis needs: `14:05:30` over a
 * couple of minutes, `14:05` over hours, `11-21 14:05` over days.
 */
export function formatAxisTimeMs(ms: number, axisRangeMs: number): string {
  const d = new Date(ms);
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (axisRangeMs > 2 * 86_400_000) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock}`;
  if (axisRangeMs < 3 * 60_000) return `${clock}:${pad(d.getSeconds())}`;
  return clock;
}

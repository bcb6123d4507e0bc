import { readFileSync } from 'node:fs';

export interface MemorySample {
  /** Milliseconds since sampling began. */
  readonly atMs: number;
  readonly rssBytes: number;
}

/** Resident set size of a process, from /proc (Linux); null once the process is gone. */
export function rssOf(pid: number): { rssBytes: number; peakBytes: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssBytes: kib('VmRSS') * 1024, peakBytes: kib('VmHWM') * 1024 };
}

/**
 * CPU time a process has used so far (user + system, all its threads), from /proc; null once
 * the process is gone. Less sensitive than wall-clock rates to other load on a shared machine.
 */
export function cpuSecondsOf(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces) start at state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Samples a process's RSS every `intervalMs` until stopped. */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  readonly #pid: number;
  readonly #timer: NodeJS.Timeout;
  readonly #started = performance.now();
  #peakBytes = 0;

  constructor(pid: number, intervalMs = 1000) {
    this.#pid = pid;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  /** The kernel's high-water mark (VmHWM), which also catches peaks between samples. */
  get peakBytes(): number {
    return this.#peakBytes;
  }

  stop(): MemorySample[] {
    clearInterval(this.#timer);
    this.#sample();
    return this.samples;
  }

  #sample(): void {
    const now = rssOf(this.#pid);
    if (!now) return;
    this.samples.push({ atMs: performance.now() - this.#started, rssBytes: now.rssBytes });
    this.#peakBytes = Math.max(this.#peakBytes, now.peakBytes);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';

/** A whole number from `min` to `max`, both included. */
export function between(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/**
 * Waits `minMs` to `maxMs`: time a real service would spend on work the demo does not model
 * (rendering, business rules, a cache). Every service spends some, so that no healthy request
 * looks like a chain of idle spans waiting on the deepest one.
 */
export function pause(minMs: number, maxMs = minMs): Promise<void> {
  return sleep(between(minMs, maxMs));
}

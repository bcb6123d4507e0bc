import { OverloadedError, TracehoundError } from '../model/errors.ts';
import type { Span } from '../model/span.ts';

interface Waiter {
  readonly spans: readonly Span[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface WriteQueueOptions {
  /** Spans waiting to be committed beyond which writers are turned away with OverloadedError. */
  readonly maxPendingSpans: number;
  /** How long a turned-away client should wait before retrying. */
  readonly retryAfterMs: number;
}

/**
 * Group commit: writes that arrive while a commit runs are gathered into the next one, so that
 * each commit (and its fsync) serves many requests. Every writer's promise settles only when the
 * commit that holds its spans has finished, so acknowledging after it is safe.
 */
export class WriteQueue {
  readonly #commit: (spans: Span[]) => Promise<void>;
  readonly #options: WriteQueueOptions;
  #waiting: Waiter[] = [];
  #pendingSpans = 0;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(commit: (spans: Span[]) => Promise<void>, options: WriteQueueOptions) {
    this.#commit = commit;
    this.#options = options;
  }

  get pendingSpans(): number {
    return this.#pendingSpans;
  }

  write(spans: readonly Span[]): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new TracehoundError('store_closed', 'the store is shutting down'));
    }
    if (spans.length === 0) return Promise.resolve();
    if (
      this.#pendingSpans > 0 &&
      this.#pendingSpans + spans.length > this.#options.maxPendingSpans
    ) {
      return Promise.reject(
        new OverloadedError(
          `ingest queue is full (${this.#pendingSpans} spans waiting to be stored)`,
          this.#options.retryAfterMs,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ spans, resolve, reject });
      this.#pendingSpans += spans.length;
      this.#running ??= this.#drain();
    });
  }

  /** Commits everything accepted so far and refuses further writes. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }

  async #drain(): Promise<void> {
    // Let the writes of requests that arrive in the same tick join this commit.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      const spans = batch.flatMap((w) => w.spans);
      try {
        await this.#commit(spans);
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      } finally {
        this.#pendingSpans -= spans.length;
      }
    }
    this.#running = null;
  }
}

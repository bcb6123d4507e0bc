import { OverloadedError, TracehoundError } from '../model/errors.ts';

interface Waiter<T> {
  readonly item: T;
  readonly size: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface WriteQueueOptions {
  /** Spans waiting to be committed beyond which writers are turned away with OverloadedError. */
  readonly maxPendingSpans: number;
  /** How long a turned-away client should wait before retrying. */
  readonly retryAfterMs: number;
  /**
   * Commits that may run at once (default 1). With 2, one commit can prepare its rows while the
   * previous one waits for its write-ahead log to reach the disk; the store must then be able to
   * run commits concurrently (e.g. on separate connections).
   */
  readonly maxConcurrentCommits?: number;
}

/**
 * Group commit: writes that arrive while a commit runs are gathered into the next one, so that
 * each commit (and its fsync) serves many requests. Every writer's promise settles only when the
 * commit that holds its spans has finished, so acknowledging after it is safe. A write is an
 * item of `size` spans (an array of spans, a batch of rows...); a commit gets the items gathered.
 */
export class WriteQueue<T> {
  readonly #commit: (items: T[]) => Promise<void>;
  readonly #options: WriteQueueOptions;
  readonly #maxConcurrent: number;
  #waiting: Waiter<T>[] = [];
  #pendingSpans = 0;
  #running = 0;
  #scheduled = false;
  #idle: (() => void)[] = [];
  #closed = false;

  constructor(commit: (items: T[]) => Promise<void>, options: WriteQueueOptions) {
    this.#commit = commit;
    this.#options = options;
    this.#maxConcurrent = Math.max(1, options.maxConcurrentCommits ?? 1);
  }

  get pendingSpans(): number {
    return this.#pendingSpans;
  }

  write(item: T, size: number): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new TracehoundError('store_closed', 'the store is shutting down'));
    }
    if (size === 0) return Promise.resolve();
    if (this.#pendingSpans > 0 && this.#pendingSpans + size > this.#options.maxPendingSpans) {
      return Promise.reject(
        new OverloadedError(
          `ingest queue is full (${this.#pendingSpans} spans waiting to be stored)`,
          this.#options.retryAfterMs,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ item, size, resolve, reject });
      this.#pendingSpans += size;
      this.#schedule();
    });
  }

  /** Commits everything accepted so far and refuses further writes. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#running === 0 && this.#waiting.length === 0 && !this.#scheduled) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#running >= this.#maxConcurrent) return;
    this.#scheduled = true;
    // Let the writes of requests that arrive in the same tick join this commit.
    setImmediate(() => {
      this.#scheduled = false;
      this.#start();
    });
  }

  #start(): void {
    while (this.#waiting.length > 0 && this.#running < this.#maxConcurrent) {
      const batch = this.#waiting;
      this.#waiting = [];
      this.#running++;
      this.#commit(batch.map((w) => w.item)).then(
        () => this.#settle(batch, null),
        (error: unknown) => this.#settle(batch, error ?? new Error('commit failed')),
      );
    }
    this.#notifyIdle();
  }

  #settle(batch: Waiter<T>[], error: unknown): void {
    this.#running--;
    for (const w of batch) {
      this.#pendingSpans -= w.size;
      if (error === null) w.resolve();
      else w.reject(error);
    }
    if (this.#waiting.length > 0) this.#schedule();
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.#running > 0 || this.#waiting.length > 0 || this.#scheduled) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}

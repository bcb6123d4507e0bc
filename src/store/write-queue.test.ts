import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeSpan } from '../../test/support/make-span.ts';
import { OverloadedError } from '../model/errors.ts';
import type { Span } from '../model/span.ts';
import { WriteQueue } from './write-queue.ts';

describe('WriteQueue', () => {
  it('gathers writes that arrive together into one commit', async () => {
    const commits: number[] = [];
    const queue = new WriteQueue<Span[]>(
      async (writes) => void commits.push(writes.flat().length),
      {
        maxPendingSpans: 1000,
        retryAfterMs: 100,
      },
    );
    await Promise.all([write(queue, [makeSpan()]), write(queue, [makeSpan(), makeSpan()])]);
    assert.deepEqual(commits, [3]);
  });

  it('settles a write only after the commit holding it has finished', async () => {
    let finishCommit!: () => void;
    const queue = new WriteQueue<Span[]>(
      () => new Promise<void>((resolve) => (finishCommit = resolve)),
      { maxPendingSpans: 1000, retryAfterMs: 100 },
    );
    let settled = false;
    const written = write(queue, [makeSpan()]).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(settled, false);
    finishCommit();
    await written;
    assert.equal(settled, true);
  });

  it('turns writers away with retry advice once the queue is full', async () => {
    let finishCommit!: () => void;
    const queue = new WriteQueue<Span[]>(
      () => new Promise<void>((resolve) => (finishCommit = resolve)),
      { maxPendingSpans: 3, retryAfterMs: 250 },
    );
    const accepted = write(queue, [makeSpan(), makeSpan(), makeSpan()]);
    const refused = await write(queue, [makeSpan()]).catch((e: unknown) => e);
    assert.ok(refused instanceof OverloadedError);
    assert.equal(refused.retryAfterMs, 250);
    await new Promise((resolve) => setImmediate(resolve));
    finishCommit();
    await accepted;
    assert.equal(queue.pendingSpans, 0);
  });

  it('rejects every write of a failed commit and keeps working afterwards', async () => {
    let fail = true;
    const stored: Span[] = [];
    const queue = new WriteQueue<Span[]>(
      async (writes) => {
        if (fail) throw new Error('disk full');
        stored.push(...writes.flat());
      },
      { maxPendingSpans: 100, retryAfterMs: 100 },
    );
    await assert.rejects(write(queue, [makeSpan()]), /disk full/);
    fail = false;
    await write(queue, [makeSpan()]);
    assert.equal(stored.length, 1);
  });

  it('commits what it accepted before closing and refuses writes after', async () => {
    const stored: Span[] = [];
    const queue = new WriteQueue<Span[]>(async (writes) => void stored.push(...writes.flat()), {
      maxPendingSpans: 100,
      retryAfterMs: 100,
    });
    const written = write(queue, [makeSpan()]);
    await queue.close();
    await written;
    assert.equal(stored.length, 1);
    await assert.rejects(write(queue, [makeSpan()]), /shutting down/);
  });

  it('runs up to the allowed number of commits at once, and no more', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const finish: (() => void)[] = [];
    const queue = new WriteQueue<Span[]>(
      async () => {
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise<void>((resolve) => finish.push(resolve));
        running--;
      },
      { maxPendingSpans: 100, retryAfterMs: 100, maxConcurrentCommits: 2 },
    );
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 4; i++) {
      writes.push(write(queue, [makeSpan()]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(running, 2);
    while (finish.length > 0 || running > 0) {
      finish.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(writes);
    assert.equal(mostAtOnce, 2);
  });
});

function write(queue: WriteQueue<Span[]>, spans: Span[]): Promise<void> {
  return queue.write(spans, spans.length);
}

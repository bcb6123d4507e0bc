import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeSpan } from '../../test/support/make-span.ts';
import { OverloadedError } from '../model/errors.ts';
import type { Span } from '../model/span.ts';
import { WriteQueue } from './write-queue.ts';

describe('WriteQueue', () => {
  it('gathers writes that arrive together into one commit', async () => {
    const commits: number[] = [];
    const queue = new WriteQueue(async (spans) => void commits.push(spans.length), {
      maxPendingSpans: 1000,
      retryAfterMs: 100,
    });
    await Promise.all([queue.write([makeSpan()]), queue.write([makeSpan(), makeSpan()])]);
    assert.deepEqual(commits, [3]);
  });

  it('settles a write only after the commit holding it has finished', async () => {
    let finishCommit!: () => void;
    const queue = new WriteQueue(() => new Promise<void>((resolve) => (finishCommit = resolve)), {
      maxPendingSpans: 1000,
      retryAfterMs: 100,
    });
    let settled = false;
    const write = queue.write([makeSpan()]).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(settled, false);
    finishCommit();
    await write;
    assert.equal(settled, true);
  });

  it('turns writers away with retry advice once the queue is full', async () => {
    let finishCommit!: () => void;
    const queue = new WriteQueue(() => new Promise<void>((resolve) => (finishCommit = resolve)), {
      maxPendingSpans: 3,
      retryAfterMs: 250,
    });
    const accepted = queue.write([makeSpan(), makeSpan(), makeSpan()]);
    const refused = await queue.write([makeSpan()]).catch((e: unknown) => e);
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
    const queue = new WriteQueue(
      async (spans) => {
        if (fail) throw new Error('disk full');
        stored.push(...spans);
      },
      { maxPendingSpans: 100, retryAfterMs: 100 },
    );
    await assert.rejects(queue.write([makeSpan()]), /disk full/);
    fail = false;
    await queue.write([makeSpan()]);
    assert.equal(stored.length, 1);
  });

  it('commits what it accepted before closing and refuses writes after', async () => {
    const stored: Span[] = [];
    const queue = new WriteQueue(async (spans) => void stored.push(...spans), {
      maxPendingSpans: 100,
      retryAfterMs: 100,
    });
    const write = queue.write([makeSpan()]);
    await queue.close();
    await write;
    assert.equal(stored.length, 1);
    await assert.rejects(queue.write([makeSpan()]), /shutting down/);
  });
});

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { flushOnExit } from './shutdown.ts';

/** Enough of `process` for flushOnExit: events, a pid and kill. */
class FakeProcess extends EventEmitter {
  readonly pid = 4242;
  readonly kills: [number, string][] = [];
  kill(pid: number, signal: string): boolean {
    this.kills.push([pid, signal]);
    return true;
  }
}

function setUp() {
  const proc = new FakeProcess();
  const sdk = { shutdowns: 0, shutdown: async () => void sdk.shutdowns++ };
  flushOnExit(sdk, proc as unknown as NodeJS.Process);
  return { proc, sdk };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('flushOnExit', () => {
  it('shuts the SDK down once when the event loop runs dry', async () => {
    const { proc, sdk } = setUp();
    proc.emit('beforeExit', 0);
    proc.emit('beforeExit', 0);
    await settle();
    assert.equal(sdk.shutdowns, 1);
  });

  it('flushes on SIGTERM, then dies of it as the process would have without a listener', async () => {
    const { proc, sdk } = setUp();
    proc.emit('SIGTERM');
    await settle();
    assert.equal(sdk.shutdowns, 1);
    assert.deepEqual(proc.kills, [[4242, 'SIGTERM']]);
    assert.equal(proc.listenerCount('SIGTERM'), 0);
  });

  it('leaves exiting to the application when it handles the signal itself', async () => {
    const { proc, sdk } = setUp();
    let handled = false;
    proc.on('SIGINT', () => {
      handled = true;
    });
    proc.emit('SIGINT');
    await settle();
    assert.equal(handled, true);
    assert.equal(sdk.shutdowns, 0);
    assert.deepEqual(proc.kills, []);
  });
});

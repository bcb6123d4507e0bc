import { trace } from '@opentelemetry/api';

/** What {@link flushOnExit} needs from the SDK. */
export interface Flushable {
  shutdown(): Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Flushes the global tracer provider's span processors, if it has any. */
export async function forceFlushTraces(): Promise<void> {
  let provider: object = trace.getTracerProvider();
  // The API hands out a proxy; the SDK's provider sits behind it.
  if ('getDelegate' in provider && typeof provider.getDelegate === 'function') {
    provider = provider.getDelegate();
  }
  if ('forceFlush' in provider && typeof provider.forceFlush === 'function') {
    await provider.forceFlush();
  }
}

/**
 * Exports the spans still buffered when the process ends:
 * - the event loop runs dry (`beforeExit`): the SDK is shut down, which flushes;
 * - SIGINT or SIGTERM with no other listener: flush, shut down, then die of the same signal, as
 *   the process would have without us (a listener would otherwise keep it alive);
 * - SIGINT or SIGTERM that the application handles itself: flush, and leave exiting to it.
 *
 * A process that calls `process.exit()` at once loses what is buffered: no exporter can send
 * over the network synchronously.
 */
export function flushOnExit(sdk: Flushable, proc: NodeJS.Process = process): void {
  let shutDown: Promise<void> | undefined;
  const shutdownOnce = () => {
    shutDown ??= sdk.shutdown().catch(() => {});
    return shutDown;
  };
  proc.once('beforeExit', () => void shutdownOnce());
  for (const signal of SIGNALS) {
    const onSignal = () => {
      if (proc.listenerCount(signal) > 1) {
        void forceFlushTraces().catch(() => {});
        return;
      }
      void shutdownOnce().then(() => {
        proc.removeListener(signal, onSignal);
        proc.kill(proc.pid, signal);
      });
    };
    proc.on(signal, onSignal);
  }
}

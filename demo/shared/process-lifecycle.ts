import { isPeersMessage, type Peers } from './protocol.ts';

let peers: Peers | undefined;
const stoppers: (() => Promise<void> | void)[] = [];
let stopping = false;

/** The address of another process of the demo, known once the demo command sent them all. */
export function peerUrl(name: string): string {
  const url = peers?.[name];
  if (url === undefined) throw new Error(`no address for '${name}' yet`);
  return url;
}

/** Registers what to close when the process stops (servers, databases, pollers). */
export function onStop(stop: () => Promise<void> | void): void {
  stoppers.push(stop);
}

/** How long a process may take to close before it exits anyway. */
const STOP_GRACE_MS = 5_000;

/**
 * Runs the closers, then lets the event loop drain so that `tracehound/register` flushes the
 * spans still buffered (on `beforeExit`). A stuck closer cannot keep the process alive.
 */
export async function stopProcess(): Promise<void> {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
  for (const stop of stoppers.reverse()) {
    try {
      await stop();
    } catch (error) {
      console.error(`error while stopping: ${String(error)}`);
    }
  }
  if (process.connected) process.disconnect();
}

/**
 * Wires the process to the demo command: reports its ports, learns its peers, and stops on
 * SIGTERM or SIGINT, or when the parent goes away (the IPC channel closes even if the parent was
 * killed with SIGKILL, so no process is left behind).
 */
export function reportListening(ports: Readonly<Record<string, number>>): void {
  process.on('message', (message: unknown) => {
    if (!isPeersMessage(message)) return;
    peers = message.peers;
    process.send?.({ type: 'ready' });
  });
  process.on('disconnect', () => void stopProcess());
  process.on('SIGTERM', () => void stopProcess());
  process.on('SIGINT', () => void stopProcess());
  if (process.send === undefined) {
    throw new Error('demo processes are started by `tracehound demo` (no IPC channel)');
  }
  process.send({ type: 'listening', ports });
}

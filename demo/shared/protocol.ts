/** The seven instrumented services of the demo shop. */
export const SERVICE_NAMES = [
  'gateway',
  'auth',
  'cart',
  'inventory',
  'payment',
  'fraud',
  'notification',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * The uninstrumented outside world the shop talks to (card processor, warehouses, email API,
 * risk model): one process, not a service of ours, so it sends no spans.
 */
export const EXTERNALS = 'externals';

/** Every address a process may need, by name: services, `externals` and `risk-model` (tcp). */
export type Peers = Readonly<Record<string, string>>;

/** Child to parent: the process listens (a service: `http`; externals: `http` and `risk`). */
export interface ListeningMessage {
  readonly type: 'listening';
  readonly ports: Readonly<Record<string, number>>;
}

/** Parent to child: everyone's addresses, sent once every process listens. */
export interface PeersMessage {
  readonly type: 'peers';
  readonly peers: Peers;
}

/** Child to parent: the peers arrived; the process can take requests that need them. */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** Environment variables the demo command sets for its processes. */
export const DEMO_ENV = {
  /** Directory for the message queue's spool. */
  queueDir: 'TRACEHOUND_DEMO_QUEUE_DIR',
} as const;

export function isPeersMessage(value: unknown): value is PeersMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'peers' &&
    typeof (value as { peers?: unknown }).peers === 'object'
  );
}

export function isListeningMessage(value: unknown): value is ListeningMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'listening' &&
    typeof (value as { ports?: unknown }).ports === 'object'
  );
}

/** What cart puts on the `orders` queue for the notification worker. */
export interface OrderPlaced {
  readonly orderId: string;
  readonly customer: string;
  readonly totalCents: number;
}

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { CUSTOMER_BAGGAGE_KEY } from './customer-baggage.ts';

const tracer = trace.getTracer('tracehound-demo/queue');

/** A message on disk: trace context and baggage travel in its headers, as with Kafka or AMQP. */
export interface QueueMessage<T> {
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly body: T;
}

/** The messaging system's name in spans: a spool directory, no broker to run. */
const MESSAGING_SYSTEM = 'tracehound-spool';

/**
 * An asynchronous queue between processes: one file per message in a spool directory, written
 * atomically (write, then rename) and consumed by polling. No OpenTelemetry instrumentation knows
 * it, so producer and consumer spans are made here, following the messaging semantic conventions:
 * the producer injects its context into the message headers; the consumer's span continues that
 * trace and links to the producer span.
 *
 * @see https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/
 */
export class SpoolQueue<T> {
  readonly #dir: string;
  readonly #topic: string;

  constructor(spoolDir: string, topic: string) {
    this.#dir = join(spoolDir, topic);
    this.#topic = topic;
  }

  /** Sends one message, in a producer span that is the parent of its processing. */
  async publish(body: T): Promise<string> {
    await mkdir(this.#dir, { recursive: true });
    const id = `${Date.now().toString().padStart(15, '0')}-${randomUUID()}`;
    return tracer.startActiveSpan(
      `${this.#topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': MESSAGING_SYSTEM,
          'messaging.destination.name': this.#topic,
          'messaging.operation.type': 'send',
          'messaging.message.id': id,
        },
      },
      async (span) => {
        try {
          const headers: Record<string, string> = {};
          propagation.inject(context.active(), headers);
          const message: QueueMessage<T> = { id, headers, body };
          const temporary = join(this.#dir, `.${id}.tmp`);
          await writeFile(temporary, JSON.stringify(message));
          await rename(temporary, join(this.#dir, `${id}.json`));
          return id;
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /** Messages waiting, for draining before shutdown. */
  async pending(): Promise<number> {
    try {
      return (await readdir(this.#dir)).filter((name) => name.endsWith('.json')).length;
    } catch {
      return 0;
    }
  }

  /**
   * Processes messages in order as they arrive, each in a consumer span whose parent is the
   * producer's context from the headers and which links to it. Returns a function that stops
   * the polling once the message in hand is done.
   */
  consume(handle: (body: T) => Promise<void>, pollMs = 50): () => Promise<void> {
    let running = true;
    const loop = (async () => {
      await mkdir(this.#dir, { recursive: true });
      while (running) {
        const names = (await readdir(this.#dir)).filter((name) => name.endsWith('.json')).sort();
        for (const name of names) {
          if (!running) break;
          const path = join(this.#dir, name);
          let message: QueueMessage<T>;
          try {
            message = JSON.parse(await readFile(path, 'utf8')) as QueueMessage<T>;
          } finally {
            await unlink(path).catch(() => {});
          }
          await this.#process(message, handle);
        }
        if (names.length === 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    })();
    return async () => {
      running = false;
      await loop.catch(() => {});
    };
  }

  async #process(message: QueueMessage<T>, handle: (body: T) => Promise<void>): Promise<void> {
    const producer: Context = propagation.extract(ROOT_CONTEXT, message.headers);
    const producerSpan = trace.getSpanContext(producer);
    const customer = propagation.getBaggage(producer)?.getEntry(CUSTOMER_BAGGAGE_KEY)?.value;
    await tracer.startActiveSpan(
      `${this.#topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': MESSAGING_SYSTEM,
          'messaging.destination.name': this.#topic,
          'messaging.operation.type': 'process',
          'messaging.message.id': message.id,
          ...(customer === undefined ? {} : { [CUSTOMER_BAGGAGE_KEY]: customer }),
        },
        links: producerSpan === undefined ? [] : [{ context: producerSpan }],
      },
      producer,
      async (span) => {
        try {
          await handle(message.body);
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        } finally {
          span.end();
        }
      },
    );
  }
}

import { randomBytes } from 'node:crypto';
import { CUSTOMERS, PRODUCT_COUNT, skuOf, tokenOf } from './shared/catalog.ts';
import { CUSTOMER_BAGGAGE_KEY } from './shared/customer-baggage.ts';

/** The pages shoppers visit, and how often (weights sum to 1). */
export const SCENARIOS = [
  { name: 'home', weight: 0.25, method: 'GET', path: () => '/api/home' },
  { name: 'cart', weight: 0.25, method: 'GET', path: () => '/api/cart' },
  {
    name: 'availability',
    weight: 0.2,
    method: 'GET',
    path: () => `/api/products/${skuOf(Math.floor(Math.random() * PRODUCT_COUNT))}/availability`,
  },
  { name: 'checkout', weight: 0.3, method: 'POST', path: () => '/api/checkout' },
] as const;

export type ScenarioName = (typeof SCENARIOS)[number]['name'];

export interface LoadStats {
  sent: number;
  succeeded: number;
  failed: number;
  /** Requests that got no answer at all (refused, timed out), a sign the shop is down. */
  unanswered: number;
}

export interface LoadOptions {
  readonly gatewayUrl: string;
  readonly ratePerSecond: number;
  /** Requests in flight beyond which arrivals are skipped rather than queued (default 100). */
  readonly maxInFlight?: number;
  readonly random?: () => number;
}

function pickScenario(random: () => number): (typeof SCENARIOS)[number] {
  let roll = random();
  for (const scenario of SCENARIOS) {
    roll -= scenario.weight;
    if (roll < 0) return scenario;
  }
  return SCENARIOS[SCENARIOS.length - 1]!;
}

/**
 * Shoppers at a steady rate (each gap between requests 0.5 to 1.5 times the mean), a varied mix
 * of pages and customers. Every request carries the customer as W3C baggage (`customer_id`), which
 * each service puts on its spans, and a bearer token the gateway verifies with auth. The load
 * generator itself is not traced: the gateway starts every trace.
 */
export class LoadGenerator {
  readonly stats: LoadStats = { sent: 0, succeeded: 0, failed: 0, unanswered: 0 };
  readonly #options: LoadOptions;
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: LoadOptions) {
    this.#options = options;
  }

  /**
   * Sends every page a few times with a W3C `traceparent` that says "not sampled", which the
   * parent-based samplers of all services follow: the code paths, connection pools and database
   * connections warm up without a trace, so the first traces show the shop, not the JIT.
   */
  async warmUp(rounds = 3): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        SCENARIOS.map((scenario, i) => {
          const customer = CUSTOMERS[(round * SCENARIOS.length + i) % CUSTOMERS.length]!;
          const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
          return fetch(`${this.#options.gatewayUrl}${scenario.path()}`, {
            method: scenario.method,
            headers: { authorization: `Bearer ${tokenOf(customer)}`, traceparent },
            signal: AbortSignal.timeout(30_000),
          })
            .then((response) => response.arrayBuffer())
            .catch(() => {});
        }),
      );
    }
  }

  start(): void {
    this.#running = true;
    this.#schedule();
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await Promise.all(this.#inFlight);
  }

  #schedule(): void {
    if (!this.#running) return;
    const random = this.#options.random ?? Math.random;
    const meanGapMs = 1000 / this.#options.ratePerSecond;
    this.#timer = setTimeout(
      () => {
        if (this.#inFlight.size < (this.#options.maxInFlight ?? 100)) this.#send(random);
        this.#schedule();
      },
      meanGapMs * (0.5 + random()),
    );
  }

  #send(random: () => number): void {
    const scenario = pickScenario(random);
    const customer = CUSTOMERS[Math.floor(random() * CUSTOMERS.length)]!;
    this.stats.sent++;
    const request = fetch(`${this.#options.gatewayUrl}${scenario.path()}`, {
      method: scenario.method,
      headers: {
        authorization: `Bearer ${tokenOf(customer)}`,
        baggage: `${CUSTOMER_BAGGAGE_KEY}=${customer}`,
      },
      signal: AbortSignal.timeout(30_000),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        if (response.ok) this.stats.succeeded++;
        else this.stats.failed++;
      })
      .catch(() => {
        this.stats.unanswered++;
      })
      .finally(() => this.#inFlight.delete(request));
    this.#inFlight.add(request);
  }
}

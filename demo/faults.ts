/**
 * The problems the demo shop has, each on by default and each switchable (`--faults`,
 * `--no-faults`). Each names the finding the analysis should report for it and how often it
 * strikes, so the tour, the services and the tests agree.
 */
export const FAULTS = {
  'n-plus-one': {
    kind: 'n_plus_one',
    service: 'cart',
    rate: 1,
    what: 'cart loads each cart item with its own query (5-15 per cart)',
    look: 'a GET /api/cart trace: a ladder of SELECT products spans under cart',
  },
  'sequential-calls': {
    kind: 'sequential_calls',
    service: 'gateway',
    rate: 1,
    what: 'the home page calls profile, cart summary and recommendations one after another',
    look: 'a GET /api/home trace: profile, cart summary and recommendations in a staircase',
  },
  'slow-warehouse': {
    kind: 'fan_out',
    service: 'inventory',
    rate: 0.35,
    what: 'availability asks 8 warehouses at once and one of them is slow',
    look: 'a GET /api/products/{sku}/availability trace: eight calls, one much longer',
  },
  'retry-storm': {
    kind: 'retry_storm',
    service: 'payment',
    rate: 0.3,
    what: 'the external card processor answers 503 and payment retries at once, 3-5 times',
    look: 'a POST /api/checkout trace: repeated POST /v1/charges from payment, 503 then 200',
  },
  'fraud-timeout': {
    kind: 'silent_timeout',
    service: 'fraud',
    rate: 0.15,
    what: 'the risk model hangs; fraud waits out its 2 s client timeout and approves silently',
    look: 'a checkout over 2 s: risk-model score in fraud lasts exactly 2 s and says nothing',
  },
  'slow-query': {
    kind: 'cascading_latency',
    service: 'inventory',
    rate: 0.25,
    what: 'a stock-level query recomputes every running balance, and cart and gateway wait on it',
    look: 'a slow GET /api/cart: gateway and cart wait on one SELECT stock_movements',
  },
  'payment-errors': {
    kind: 'error_origin',
    service: 'payment',
    rate: 0.15,
    what: 'payment intermittently fails writing its ledger and the error reaches the customer',
    look: 'a failed POST /api/checkout: the error starts at ledger record in payment',
  },
} as const;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

/** How the demo tells its processes which faults are on: a comma-separated list. */
export const FAULTS_ENV = 'TRACEHOUND_DEMO_FAULTS';

/**
 * Reads a comma-separated fault list (`n-plus-one,retry-storm`; `all`; empty for none).
 * @throws Error naming the unknown fault
 */
export function parseFaultList(text: string): FaultName[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 1 && names[0] === 'all') return [...FAULT_NAMES];
  for (const name of names) {
    if (!(name in FAULTS)) {
      throw new Error(`unknown fault '${name}' (known: ${FAULT_NAMES.join(', ')})`);
    }
  }
  return [...new Set(names as FaultName[])];
}

/** Decides, request by request, whether a fault strikes. */
export class FaultSwitch {
  readonly #on: ReadonlySet<FaultName>;
  readonly #random: () => number;

  constructor(on: Iterable<FaultName>, random: () => number = Math.random) {
    this.#on = new Set(on);
    this.#random = random;
  }

  /** The faults in the environment variable {@link FAULTS_ENV}; none when it is unset. */
  static fromEnv(env: Readonly<Record<string, string | undefined>>): FaultSwitch {
    return new FaultSwitch(parseFaultList(env[FAULTS_ENV] ?? ''));
  }

  isOn(name: FaultName): boolean {
    return this.#on.has(name);
  }

  /** True when the fault is on and strikes this time (at its rate). */
  strikes(name: FaultName): boolean {
    return this.#on.has(name) && this.#random() < FAULTS[name].rate;
  }
}

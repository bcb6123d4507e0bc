import { propagation } from '@opentelemetry/api';

/** The baggage entry every request of the demo carries, from the load generator on. */
export const CUSTOMER_BAGGAGE_KEY = 'customer_id';

/** The customer in the active context's baggage, if any. */
export function customerFromBaggage(): string | undefined {
  return propagation.getActiveBaggage()?.getEntry(CUSTOMER_BAGGAGE_KEY)?.value;
}

/** The shop's fixed data, the same in every process: products, customers and their carts. */

export const PRODUCT_COUNT = 400;
export const WAREHOUSE_COUNT = 8;
export const CUSTOMERS = Array.from({ length: 40 }, (_, i) => `c-${1001 + i}`);

export function skuOf(index: number): string {
  return `SKU-${String(index).padStart(4, '0')}`;
}

/** A small deterministic generator (mulberry32), so every process derives the same data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ADJECTIVES = ['Trail', 'Urban', 'Alpine', 'Coastal', 'Classic', 'Studio', 'Field', 'Nordic'];
const NOUNS = ['Backpack', 'Jacket', 'Mug', 'Lamp', 'Boots', 'Notebook', 'Kettle', 'Scarf'];

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
}

export const PRODUCTS: readonly Product[] = Array.from({ length: PRODUCT_COUNT }, (_, i) => {
  const random = seededRandom(i + 1);
  const name = `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[Math.floor(random() * NOUNS.length)]}`;
  return { sku: skuOf(i), name, priceCents: 500 + Math.floor(random() * 20_000) };
});

/** Each customer's cart: 5 to 15 different products, one to three of each. */
export function cartOf(customer: string): { sku: string; quantity: number }[] {
  const random = seededRandom(Number(customer.replace(/\D/g, '')) * 7919);
  const count = 5 + Math.floor(random() * 11);
  const skus = new Set<string>();
  while (skus.size < count) skus.add(skuOf(Math.floor(random() * PRODUCT_COUNT)));
  return [...skus].map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 3) }));
}

/** The bearer token the load generator sends for a customer, which auth maps back. */
export function tokenOf(customer: string): string {
  return `tok-${customer}`;
}

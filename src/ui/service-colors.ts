/**
 * Service colours: a stable hash of the name picks from a palette, so a service has the same
 * colour on every page, in every trace and after a reload. Red is left out: it means error.
 */
export const SERVICE_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#9c755f',
  '#8cd17d',
  '#499894',
  '#d37295',
  '#a0cbe8',
  '#ffbe7d',
  '#6b6ecf',
  '#bab0ac',
] as const;

/**
 * FNV-1a over UTF-16 code units, then MurmurHash3's finaliser: FNV alone leaves the low bits
 * (all a modulo looks at) poorly mixed, so similar names would often share a colour.
 */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The colour of a service (a CSS hex colour), the same for the same name everywhere. */
export function serviceColor(service: string): string {
  return SERVICE_PALETTE[hash(service) % SERVICE_PALETTE.length]!;
}

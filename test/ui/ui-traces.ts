import { encodeOtlpTracesJson } from '../../src/ingest/otlp/encode-json.ts';
import type { Attribute } from '../../src/model/attributes.ts';
import {
  type Resource,
  type Span,
  SpanKind,
  type SpanLink,
  StatusCode,
} from '../../src/model/span.ts';
import { makeResource, makeSpan, randomId } from '../support/make-span.ts';

const NS_PER_MS = 1_000_000n;
const resources = new Map<string, Resource>();

/** One resource object per service, as an SDK sends it (so the encoder groups spans by it). */
function resourceOf(service: string): Resource {
  let resource = resources.get(service);
  if (resource === undefined) {
    resource = makeResource(service, [
      { key: 'service.version', value: '1.4.2' },
      { key: 'host.name', value: `${service}-7d9f` },
    ]);
    resources.set(service, resource);
  }
  return resource;
}

export interface SpanSpec {
  readonly service: string;
  readonly name: string;
  readonly kind?: keyof typeof SpanKind;
  readonly startMs: number;
  readonly durationMs: number;
  readonly attributes?: readonly Attribute[];
  readonly error?: string;
  readonly events?: Span['events'];
  readonly links?: readonly SpanLink[];
}

/** Builds one trace that started `agoMs` before now, so a "last hour" search finds it. */
export class LiveTrace {
  readonly traceId = randomId(16);
  readonly spans: Span[] = [];
  readonly baseNs: bigint;

  constructor(agoMs: number) {
    this.baseNs = BigInt(Date.now() - agoMs) * NS_PER_MS;
  }

  at(ms: number): bigint {
    return this.baseNs + BigInt(Math.round(ms * 1000)) * 1000n;
  }

  span(spec: SpanSpec, parent?: Span): Span {
    const span = makeSpan({
      traceId: this.traceId,
      spanId: randomId(8),
      parentSpanId: parent?.spanId ?? '',
      name: spec.name,
      kind: SpanKind[spec.kind ?? 'internal'],
      startTimeUnixNano: this.at(spec.startMs),
      endTimeUnixNano: this.at(spec.startMs + spec.durationMs),
      attributes: spec.attributes ?? [],
      events: spec.events ?? [],
      links: spec.links ?? [],
      status:
        spec.error === undefined
          ? { code: StatusCode.unset, message: '' }
          : { code: StatusCode.error, message: spec.error },
      resource: resourceOf(spec.service),
    });
    this.spans.push(span);
    return span;
  }
}

/**
 * GET /cart: the frontend calls cart-service, which runs eight SELECTs one after another (an
 * N+1) and then a pricing call that fails with a timeout.
 */
export function checkoutTrace(
  agoMs = 20_000,
  linkTo?: Span,
): { trace: LiveTrace; pricing: Span; root: Span } {
  const t = new LiveTrace(agoMs);
  const root = t.span({
    service: 'frontend',
    name: 'GET /cart',
    kind: 'server',
    startMs: 0,
    durationMs: 420,
    attributes: [
      { key: 'http.request.method', value: 'GET' },
      { key: 'http.route', value: '/cart' },
      { key: 'http.response.status_code', value: 502n },
      { key: 'user.id', value: 'u-1842' },
    ],
    error: 'upstream pricing failed',
  });
  const call = t.span(
    {
      service: 'frontend',
      name: 'GET cart-service',
      kind: 'client',
      startMs: 4,
      durationMs: 404,
      attributes: [
        { key: 'http.request.method', value: 'GET' },
        { key: 'server.address', value: 'cart-service' },
        { key: 'url.full', value: 'http://cart-service:8080/api/cart?user=u-1842' },
      ],
    },
    root,
  );
  const cart = t.span(
    {
      service: 'cart-service',
      name: 'GET /api/cart',
      kind: 'server',
      startMs: 8,
      durationMs: 396,
      attributes: [
        { key: 'http.request.method', value: 'GET' },
        { key: 'http.route', value: '/api/cart' },
        { key: 'cart.items', value: 8n },
        { key: 'cart.discount_ratio', value: 0.15 },
        { key: 'feature.flags', value: ['new-pricing', 'bulk-cart'] },
        { key: 'cache.hit', value: false },
      ],
      events: [
        {
          timeUnixNano: t.at(12),
          name: 'cache miss',
          attributes: [{ key: 'cache.key', value: 'cart:u-1842' }],
          droppedAttributesCount: 0,
        },
      ],
      links: linkTo
        ? [
            {
              traceId: linkTo.traceId,
              spanId: linkTo.spanId,
              traceState: '',
              attributes: [],
              droppedAttributesCount: 0,
              flags: 1,
            },
          ]
        : [],
    },
    call,
  );
  for (let i = 0; i < 8; i++) {
    t.span(
      {
        service: 'cart-service',
        name: 'SELECT shop.items',
        kind: 'client',
        startMs: 20 + i * 30,
        durationMs: 26,
        attributes: [
          { key: 'db.system', value: 'postgresql' },
          { key: 'db.statement', value: `SELECT * FROM items WHERE id = ${1000 + i}` },
          { key: 'server.address', value: 'postgres' },
        ],
      },
      cart,
    );
  }
  // Runs alongside the pricing call, so the trace never waits on it: off the critical path.
  t.span(
    {
      service: 'cart-service',
      name: 'publish cart.viewed',
      kind: 'producer',
      startMs: 272,
      durationMs: 9,
      attributes: [
        { key: 'messaging.system', value: 'kafka' },
        { key: 'messaging.destination.name', value: 'cart-events' },
      ],
    },
    cart,
  );
  const pricingCall = t.span(
    {
      service: 'cart-service',
      name: 'POST pricing-service',
      kind: 'client',
      startMs: 270,
      durationMs: 130,
      attributes: [
        { key: 'http.request.method', value: 'POST' },
        { key: 'server.address', value: 'pricing-service' },
      ],
      error: 'timeout',
    },
    cart,
  );
  const pricing = t.span(
    {
      service: 'pricing-service',
      name: 'POST /quote',
      kind: 'server',
      startMs: 274,
      durationMs: 122,
      attributes: [
        { key: 'http.request.method', value: 'POST' },
        { key: 'http.route', value: '/quote' },
        { key: 'http.response.status_code', value: 504n },
      ],
      error: 'deadline exceeded calling tax-rates',
      events: [
        {
          timeUnixNano: t.at(390),
          name: 'exception',
          attributes: [
            { key: 'exception.type', value: 'TimeoutError' },
            { key: 'exception.message', value: 'deadline exceeded calling tax-rates after 100 ms' },
          ],
          droppedAttributesCount: 0,
        },
      ],
    },
    pricingCall,
  );
  return { trace: t, pricing, root };
}

/** A small healthy trace: frontend GET /products through catalog-service. */
export function productsTrace(agoMs: number, durationMs: number): LiveTrace {
  const t = new LiveTrace(agoMs);
  const root = t.span({
    service: 'frontend',
    name: 'GET /products',
    kind: 'server',
    startMs: 0,
    durationMs,
  });
  const client = t.span(
    {
      service: 'frontend',
      name: 'GET catalog-service',
      kind: 'client',
      startMs: 2,
      durationMs: durationMs - 4,
    },
    root,
  );
  const server = t.span(
    {
      service: 'catalog-service',
      name: 'GET /api/products',
      kind: 'server',
      startMs: 3,
      durationMs: durationMs - 6,
    },
    client,
  );
  t.span(
    {
      service: 'catalog-service',
      name: 'SELECT shop.products',
      kind: 'client',
      startMs: 5,
      durationMs: Math.max(1, durationMs / 3),
      attributes: [{ key: 'db.system', value: 'postgresql' }],
    },
    server,
  );
  return t;
}

/**
 * A wide and deep trace of `count` spans: the root calls `count / 1000` services' worth of
 * subtrees, each a mix of siblings and chains five levels deep.
 */
export function largeTrace(count: number, agoMs = 30_000): LiveTrace {
  const t = new LiveTrace(agoMs);
  const root = t.span({
    service: 'gateway',
    name: 'POST /batch',
    kind: 'server',
    startMs: 0,
    durationMs: 9_000,
  });
  const groups = Math.max(1, Math.round(count / 1000));
  let made = 1;
  for (let g = 0; g < groups && made < count; g++) {
    const service = `worker-${g % 12}`;
    const group = t.span(
      { service, name: `process shard ${g}`, kind: 'server', startMs: g * 100, durationMs: 4_000 },
      root,
    );
    made++;
    let parent = group;
    for (let i = 0; made < count && i < 999; i++, made++) {
      // Every fifth span starts a new chain under the shard, the others nest one deeper.
      if (i % 5 === 0) parent = group;
      // A chain's spans nest in time as in the tree: each starts 1 ms into its parent.
      const startMs = g * 100 + (Math.floor(i / 5) % 200) * 18 + (i % 5);
      parent = t.span(
        {
          service,
          name: i % 5 === 4 ? 'SELECT shard.rows' : `step ${i % 5}`,
          kind: i % 5 === 4 ? 'client' : 'internal',
          startMs,
          durationMs: 15 - (i % 5) * 2,
          attributes: [
            { key: 'shard', value: BigInt(g) },
            { key: 'item', value: BigInt(i) },
          ],
          ...(i % 97 === 0 ? { error: 'row rejected' } : {}),
        },
        parent,
      );
    }
  }
  return t;
}

/** Posts spans to the real OTLP/HTTP receiver as OTLP JSON, in batches. */
export async function exportSpans(
  otlpHttpUrl: string,
  spans: readonly Span[],
  batchSize = 5_000,
): Promise<void> {
  for (let i = 0; i < spans.length; i += batchSize) {
    const response = await fetch(`${otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(encodeOtlpTracesJson(spans.slice(i, i + batchSize))),
    });
    if (!response.ok) throw new Error(`export failed: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as {
      partialSuccess?: { rejectedSpans?: string | number };
    };
    if (Number(body.partialSuccess?.rejectedSpans ?? 0) > 0) {
      throw new Error(`export rejected spans: ${JSON.stringify(body.partialSuccess)}`);
    }
  }
}

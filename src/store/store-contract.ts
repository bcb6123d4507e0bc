import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BASE_TIME_NS,
  bySpanId,
  MS,
  makeResource,
  makeSpan,
  randomId,
} from '../../test/support/make-span.ts';
import { type Span, SpanKind, StatusCode } from '../model/span.ts';
import type { TraceQuery } from '../query/trace-query.ts';
import type { TraceStore } from './trace-store.ts';

/**
 * The behaviour every store must have. Each store's test file calls this with a factory that
 * opens a fresh, empty store.
 */
export function storeContractTests(name: string, open: () => Promise<TraceStore>): void {
  describe(`${name} store contract`, () => {
    let store: TraceStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    const search = (q: Partial<TraceQuery>) =>
      store.findTraceIds({ attributes: [], limit: 100, ...q });

    it('returns every field of a span exactly as written', async () => {
      const span = richSpan();
      await store.write([span]);
      const [read] = await store.getTraces([span.traceId]);
      assert.deepEqual(read, span);
    });

    it('returns all spans of a trace and nothing for an unknown trace id', async () => {
      const traceId = randomId(16);
      const root = makeSpan({ traceId, service: 'gateway', name: 'GET /checkout' });
      const child = makeSpan({ traceId, parentSpanId: root.spanId, service: 'cart', name: 'load' });
      await store.write([root, child]);
      assert.deepEqual(bySpanId(await store.getTraces([traceId])), bySpanId([root, child]));
      assert.deepEqual(await store.getTraces([randomId(16)]), []);
      assert.deepEqual(await store.getTraces(['not-a-trace-id', "1' OR '1'='1"]), []);
    });

    it('keeps repeated attribute keys and values of every type', async () => {
      const span = makeSpan({
        attributes: [
          { key: 'dup', value: 'first' },
          { key: 'dup', value: 2n },
        ],
      });
      await store.write([span]);
      assert.deepEqual((await store.getTraces([span.traceId]))[0]?.attributes, span.attributes);
    });

    it('keeps the order and type of attributes in slots, repeated keys included', async () => {
      const span = makeSpan({
        attributes: [
          { key: 'http.method', value: 'GET' },
          { key: 'http.status_code', value: 599n },
          { key: 'http.status_code', value: '599' },
          { key: 'ratio', value: 0.5 },
          { key: 'whole', value: 2 },
          { key: 'flag', value: false },
          { key: 'list', value: ['a', 1n] },
          { key: 'text', value: 'héllo ☃' },
        ],
      });
      await store.write([span]);
      assert.deepEqual((await store.getTraces([span.traceId]))[0]?.attributes, span.attributes);
    });

    it('lists services and operations, filtered by span kind', async () => {
      await store.write([
        makeSpan({ service: 'ops-svc', name: 'GET /a', kind: SpanKind.server }),
        makeSpan({ service: 'ops-svc', name: 'SELECT', kind: SpanKind.client }),
      ]);
      assert.ok((await store.getServices()).includes('ops-svc'));
      assert.deepEqual(await store.getOperations('ops-svc'), [
        { name: 'GET /a', spanKind: SpanKind.server },
        { name: 'SELECT', spanKind: SpanKind.client },
      ]);
      assert.deepEqual(await store.getOperations('ops-svc', SpanKind.client), [
        { name: 'SELECT', spanKind: SpanKind.client },
      ]);
      assert.deepEqual(await store.getOperations('no-such-service'), []);
    });

    describe('search', () => {
      const t = (ms: number) => BASE_TIME_NS + 1_000_000_000_000n + BigInt(ms) * MS;
      const older = makeSpan({
        service: 'search-svc',
        name: 'GET /items',
        startTimeUnixNano: t(0),
        endTimeUnixNano: t(50),
        attributes: [
          { key: 'http.status_code', value: 200n },
          { key: 'ratio', value: 0.25 },
          { key: 'cached', value: true },
        ],
      });
      const newer = makeSpan({
        service: 'search-svc',
        name: 'GET /items',
        startTimeUnixNano: t(1000),
        endTimeUnixNano: t(1300),
        attributes: [{ key: 'http.status_code', value: 500n }],
        status: { code: StatusCode.error, message: 'boom' },
      });
      const other = makeSpan({
        service: 'search-other',
        name: 'POST /pay',
        kind: SpanKind.client,
        startTimeUnixNano: t(2000),
        endTimeUnixNano: t(2010),
        attributes: [{ key: 'customer', value: 'c-1' }],
        resource: makeResource('search-other', [{ key: 'deployment.environment', value: 'prod' }]),
      });
      before(async () => {
        await store.write([older, newer, other]);
      });

      it('finds traces of a service, newest first', async () => {
        assert.deepEqual(await search({ service: 'search-svc' }), [newer.traceId, older.traceId]);
      });

      it('finds traces across all services when no service is given', async () => {
        const ids = await search({ startTimeMinUnixNano: t(0), startTimeMaxUnixNano: t(2000) });
        assert.deepEqual(ids, [other.traceId, newer.traceId, older.traceId]);
      });

      it('filters by operation and span kind', async () => {
        assert.deepEqual(await search({ operation: 'POST /pay' }), [other.traceId]);
        assert.deepEqual(await search({ service: 'search-other', spanKind: SpanKind.server }), []);
      });

      it('matches attributes by their text form, of any scalar type', async () => {
        const tag = (key: string, value: string) => search({ attributes: [{ key, value }] });
        assert.deepEqual(await tag('http.status_code', '500'), [newer.traceId]);
        assert.deepEqual(await tag('ratio', '0.25'), [older.traceId]);
        assert.deepEqual(await tag('cached', 'true'), [older.traceId]);
        assert.deepEqual(await tag('customer', 'c-1'), [other.traceId]);
        assert.deepEqual(await tag('customer', 'c-2'), []);
      });

      it("matches an attribute wherever it sits among a span's attributes, of any type", async () => {
        const first = makeSpan({
          service: 'slots-svc',
          attributes: [{ key: 'peer.service', value: 'billing' }],
        });
        const later = makeSpan({
          service: 'slots-svc',
          attributes: [
            { key: 'a', value: 1n },
            { key: 'b', value: 2n },
            { key: 'peer.service', value: 'billing' },
          ],
        });
        const asInt = makeSpan({ service: 'slots-svc', attributes: [{ key: 'code', value: 7n }] });
        const asText = makeSpan({
          service: 'slots-svc',
          attributes: [{ key: 'code', value: '7' }],
        });
        await store.write([first, later, asInt, asText]);
        const tag = (key: string, value: string) =>
          search({ service: 'slots-svc', attributes: [{ key, value }] });
        assert.deepEqual(
          new Set(await tag('peer.service', 'billing')),
          new Set([first.traceId, later.traceId]),
        );
        assert.deepEqual(new Set(await tag('code', '7')), new Set([asInt.traceId, asText.traceId]));
        assert.deepEqual(await tag('a', '2'), []);
      });

      it('matches resource attributes', async () => {
        const ids = await search({
          attributes: [{ key: 'deployment.environment', value: 'prod' }],
        });
        assert.deepEqual(ids, [other.traceId]);
      });

      it('matches error=true, otel.status_code and span.kind against span fields', async () => {
        const tag = (key: string, value: string) =>
          search({ service: 'search-svc', attributes: [{ key, value }] });
        assert.deepEqual(await tag('error', 'true'), [newer.traceId]);
        assert.deepEqual(await tag('otel.status_code', 'ERROR'), [newer.traceId]);
        assert.deepEqual(await tag('span.kind', 'server'), [newer.traceId, older.traceId]);
        assert.deepEqual(await search({ service: 'search-svc', errorOnly: true }), [newer.traceId]);
      });

      it('filters by duration bounds and start time', async () => {
        assert.deepEqual(await search({ service: 'search-svc', minDurationNs: 100n * MS }), [
          newer.traceId,
        ]);
        assert.deepEqual(await search({ service: 'search-svc', maxDurationNs: 100n * MS }), [
          older.traceId,
        ]);
        assert.deepEqual(await search({ service: 'search-svc', startTimeMaxUnixNano: t(500) }), [
          older.traceId,
        ]);
      });

      it('requires every condition to hold on one span', async () => {
        const ids = await search({
          service: 'search-svc',
          attributes: [
            { key: 'http.status_code', value: '500' },
            { key: 'cached', value: 'true' },
          ],
        });
        assert.deepEqual(ids, []);
      });

      it('honours the limit', async () => {
        assert.deepEqual(await search({ service: 'search-svc', limit: 1 }), [newer.traceId]);
      });
    });

    it('counts calls between services from parent and child spans', async () => {
      const start = BASE_TIME_NS + 5_000_000_000_000n;
      const traceId = randomId(16);
      const root = makeSpan({ traceId, service: 'dep-a', startTimeUnixNano: start });
      const b1 = makeSpan({
        traceId,
        parentSpanId: root.spanId,
        service: 'dep-b',
        startTimeUnixNano: start,
      });
      const b2 = makeSpan({
        traceId,
        parentSpanId: root.spanId,
        service: 'dep-b',
        startTimeUnixNano: start,
        status: { code: StatusCode.error, message: '' },
      });
      const sameService = makeSpan({
        traceId,
        parentSpanId: b1.spanId,
        service: 'dep-b',
        startTimeUnixNano: start,
      });
      await store.write([root, b1, b2, sameService]);
      const links = await store.getDependencies(start - MS, start + MS);
      assert.deepEqual(links, [{ parent: 'dep-a', child: 'dep-b', callCount: 2, errorCount: 1 }]);
      assert.deepEqual(await store.getDependencies(start + MS, start + 2n * MS), []);
    });

    it('stores concurrent writes, each acknowledged once stored', async () => {
      const traceId = randomId(16);
      const writes = Array.from({ length: 20 }, (_, i) =>
        store.write(Array.from({ length: 50 }, () => makeSpan({ traceId, name: `op-${i}` }))),
      );
      await Promise.all(writes);
      assert.equal((await store.getTraces([traceId])).length, 1000);
    });

    it('answers reads while a large write is going on', async () => {
      const traceId = randomId(16);
      const spans: Span[] = Array.from({ length: 10_000 }, () => makeSpan({ traceId }));
      const writing = store.write(spans);
      const services = await store.getServices();
      assert.ok(services.length > 0);
      await writing;
      assert.equal((await store.getTraces([traceId])).length, 10_000);
    });
  });
}

/** A span that uses every field and every attribute type. */
export function richSpan(): Span {
  const traceId = randomId(16);
  return makeSpan({
    traceId,
    parentSpanId: randomId(8),
    traceState: 'vendor=abc,other=1',
    flags: 0x301,
    name: 'charge card',
    kind: SpanKind.client,
    startTimeUnixNano: BASE_TIME_NS + 123_456_789n,
    endTimeUnixNano: BASE_TIME_NS + 987_654_321n,
    attributes: [
      { key: 'string', value: 'héllo "quoted" \\ value' },
      { key: 'bool', value: false },
      { key: 'int', value: -42n },
      { key: 'big.int', value: 9_223_372_036_854_775_807n },
      { key: 'double', value: 3.5 },
      { key: 'whole.double', value: 2 },
      { key: 'nan', value: Number.NaN },
      { key: 'minus.zero', value: -0 },
      { key: 'bytes', value: new Uint8Array([0, 1, 254, 255]) },
      { key: 'array', value: ['a', 1n, 1.5, true, null] },
      {
        key: 'kvlist',
        value: { kvlist: [{ key: 'inner', value: { kvlist: [{ key: 'x', value: 1n }] } }] },
      },
      { key: 'empty', value: null },
      { key: 'key.with"quote', value: 'q' },
    ],
    droppedAttributesCount: 3,
    events: [
      {
        timeUnixNano: BASE_TIME_NS + 200_000_000n,
        name: 'exception',
        attributes: [
          { key: 'exception.type', value: 'Error' },
          { key: 'attempt', value: 2n },
        ],
        droppedAttributesCount: 1,
      },
      {
        timeUnixNano: BASE_TIME_NS + 300_000_000n,
        name: 'retry',
        attributes: [],
        droppedAttributesCount: 0,
      },
    ],
    droppedEventsCount: 4,
    links: [
      {
        traceId: randomId(16),
        spanId: randomId(8),
        traceState: 'a=b',
        attributes: [{ key: 'link.kind', value: 'batch' }],
        droppedAttributesCount: 0,
        flags: 1,
      },
    ],
    droppedLinksCount: 5,
    status: { code: StatusCode.error, message: 'card declined' },
    resource: {
      attributes: [
        { key: 'service.name', value: 'payment' },
        { key: 'service.version', value: '2.1.0' },
        { key: 'host.cpus', value: 8n },
      ],
      droppedAttributesCount: 1,
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
    },
    scope: {
      name: '@opentelemetry/instrumentation-http',
      version: '0.57.0',
      attributes: [{ key: 'scope.attr', value: true }],
      droppedAttributesCount: 0,
      schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
    },
  });
}

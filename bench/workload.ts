/**
 * The reference workload: traces of 10 spans across 10 services, 11 attributes per span
 * (OpenTelemetry semantic-convention keys, with the cardinalities real services show), random
 * ids; the shape of Jaeger's published ClickHouse benchmark, so that figures compare.
 *
 * A batch of 1,000 spans (100 traces) is encoded once as an OTLP `ExportTraceServiceRequest`,
 * then rewritten in place before every send: fresh random trace and span ids (parents kept
 * consistent), times moved to "now", and the per-request values (the id in `http.target`,
 * request sizes, row counts) drawn again, so that no two sent spans are alike and the store
 * cannot compress repeats that real traffic would not have.
 */
import { randomFillSync } from 'node:crypto';
import { seededRandom } from '../demo/shared/catalog.ts';
import { ProtoBuilder, varintBytes } from './proto-builder.ts';

export const SPANS_PER_TRACE = 10;
export const TRACES_PER_BATCH = 100;
export const SPANS_PER_BATCH = SPANS_PER_TRACE * TRACES_PER_BATCH;
export const ATTRIBUTES_PER_SPAN = 11;

type Mark =
  | { readonly kind: 'trace'; readonly trace: number }
  | { readonly kind: 'span'; readonly span: number }
  | { readonly kind: 'time'; readonly offsetNs: bigint; readonly jitter: boolean }
  /** Six ASCII digits, `skip` bytes into a string value. */
  | { readonly kind: 'digits'; readonly skip: number }
  | { readonly kind: 'varint'; readonly bytes: 1 | 2 };

interface Position {
  readonly service: string;
  readonly parent: number;
  readonly role: 'http' | 'db';
  readonly db?: { readonly system: string; readonly name: string; readonly tables: string[] };
  readonly routes?: readonly string[];
}

/** One span per service and trace: a call tree from the frontend down to three datastores. */
export const POSITIONS: readonly Position[] = [
  {
    service: 'frontend',
    parent: -1,
    role: 'http',
    routes: ['/product/{id}', '/cart/{id}', '/checkout/{id}', '/account/{id}'],
  },
  {
    service: 'api-gateway',
    parent: 0,
    role: 'http',
    routes: ['/api/products/{id}', '/api/cart/{id}', '/api/orders/{id}', '/api/users/{id}'],
  },
  { service: 'cart', parent: 1, role: 'http', routes: ['/carts/{id}', '/carts/{id}/items'] },
  { service: 'checkout', parent: 1, role: 'http', routes: ['/orders/{id}', '/orders/{id}/submit'] },
  { service: 'payment', parent: 3, role: 'http', routes: ['/charges/{id}', '/refunds/{id}'] },
  { service: 'shipping', parent: 3, role: 'http', routes: ['/quotes/{id}', '/shipments/{id}'] },
  {
    service: 'catalog',
    parent: 1,
    role: 'http',
    routes: ['/items/{id}', '/items/{id}/price', '/search/{id}'],
  },
  {
    service: 'inventory',
    parent: 6,
    role: 'db',
    db: {
      system: 'postgresql',
      name: 'inventory',
      tables: ['stock', 'warehouses', 'reservations'],
    },
  },
  {
    service: 'orders',
    parent: 3,
    role: 'db',
    db: { system: 'mysql', name: 'orders', tables: ['orders', 'order_lines', 'invoices'] },
  },
  {
    service: 'sessions',
    parent: 2,
    role: 'db',
    db: { system: 'redis', name: '0', tables: ['session', 'cart', 'rate'] },
  },
];

const METHODS = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE'];
const USER_AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
  'okhttp/4.12.0',
  'Go-http-client/1.1',
  'python-requests/2.31.0',
];
const SQL_OPERATIONS = ['SELECT', 'SELECT', 'SELECT', 'INSERT', 'UPDATE'];
const REDIS_OPERATIONS = ['GET', 'GET', 'SET', 'HGETALL', 'EXPIRE'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A log-normal duration in nanoseconds around `medianMs`, most fast, a few very slow. */
function durationNs(random: () => number, medianMs: number): bigint {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return BigInt(Math.max(50_000, Math.round(medianMs * 1e6 * Math.exp(0.9 * normal))));
}

/** OTLP KeyValue pieces, built once and reused. */
function stringAttr(key: string, value: string, mark?: Mark): ProtoBuilder<Mark> {
  return new ProtoBuilder<Mark>()
    .string(1, key)
    .message(2, new ProtoBuilder<Mark>().string(1, value, mark));
}

function intAttr(key: string, value: number, mark?: Mark): ProtoBuilder<Mark> {
  const any = new ProtoBuilder<Mark>();
  if (mark === undefined) {
    any.varint(3, value);
  } else {
    // A patched int keeps its varint width, so it is written as a raw fixed-size slot.
    any.bytes.push(3 << 3);
    any.marks.push({ at: any.bytes.length, mark });
    any.bytes.push(...varintBytes(value));
  }
  return new ProtoBuilder<Mark>().string(1, key).message(2, any);
}

/** The 11 attributes of an HTTP server span. */
function httpAttributes(
  random: () => number,
  position: Position,
  status: number,
  method: string,
  route: string,
  client: number,
): ProtoBuilder<Mark>[] {
  const target = route.replace('{id}', '000000');
  const skip = target.indexOf('000000');
  return [
    stringAttr('http.method', method),
    intAttr('http.status_code', status),
    stringAttr('http.route', route),
    stringAttr('http.target', target, { kind: 'digits', skip }),
    stringAttr('http.scheme', 'https'),
    stringAttr('http.flavor', '1.1'),
    stringAttr('net.host.name', `${position.service}.prod.svc.cluster.local`),
    intAttr('net.host.port', 8080),
    stringAttr(
      'net.sock.peer.addr',
      `10.${client % 8}.${Math.floor(random() * 16)}.${Math.floor(random() * 250) + 2}`,
    ),
    stringAttr('http.user_agent', pick(random, USER_AGENTS)),
    // 2-byte varints: 128..16383 bytes, rewritten before each send.
    intAttr('http.request_content_length', 128, { kind: 'varint', bytes: 2 }),
  ];
}

/** The 11 attributes of a database client span. */
function dbAttributes(
  random: () => number,
  position: Position,
  operation: string,
  table: string,
): ProtoBuilder<Mark>[] {
  const db = position.db!;
  const statement =
    db.system === 'redis'
      ? `${operation} ${table}:?`
      : operation === 'SELECT'
        ? `SELECT * FROM ${table} WHERE id = ? LIMIT 50`
        : operation === 'INSERT'
          ? `INSERT INTO ${table} (id, payload, created_at) VALUES (?, ?, ?)`
          : `UPDATE ${table} SET payload = ?, updated_at = ? WHERE id = ?`;
  return [
    stringAttr('db.system', db.system),
    stringAttr('db.name', db.name),
    stringAttr('db.user', `${position.service}_app`),
    stringAttr('db.operation', operation),
    stringAttr('db.sql.table', table),
    stringAttr('db.statement', statement),
    stringAttr('net.peer.name', `${db.system}-${Math.floor(random() * 3)}.${db.name}.internal`),
    intAttr('net.peer.port', db.system === 'redis' ? 6379 : db.system === 'mysql' ? 3306 : 5432),
    stringAttr('db.connection_id', 'conn-000000', { kind: 'digits', skip: 5 }),
    intAttr('thread.id', 1 + Math.floor(random() * 64)),
    intAttr('db.response.returned_rows', 0, { kind: 'varint', bytes: 1 }),
  ];
}

function resourceOf(position: Position, client: number): ProtoBuilder<Mark> {
  const resource = new ProtoBuilder<Mark>();
  const attrs = [
    stringAttr('service.name', position.service),
    stringAttr('service.version', '1.42.0'),
    stringAttr('service.instance.id', `${position.service}-${client}`),
    stringAttr('host.name', `node-${client}.prod`),
    stringAttr('telemetry.sdk.name', 'opentelemetry'),
    stringAttr('telemetry.sdk.language', 'nodejs'),
    stringAttr('telemetry.sdk.version', '2.12.1'),
  ];
  for (const a of attrs) resource.message(1, a);
  return resource;
}

/** One trace's span at `position`: fields in the order the OTel SDK writes them. */
function spanOf(
  random: () => number,
  trace: number,
  position: number,
  startOffsetNs: bigint,
  duration: bigint,
  client: number,
): ProtoBuilder<Mark> {
  const p = POSITIONS[position]!;
  const span = new ProtoBuilder<Mark>();
  span.raw(1, new Uint8Array(16), { kind: 'trace', trace });
  span.raw(2, new Uint8Array(8), { kind: 'span', span: trace * SPANS_PER_TRACE + position });
  if (p.parent >= 0) {
    span.raw(4, new Uint8Array(8), { kind: 'span', span: trace * SPANS_PER_TRACE + p.parent });
  }
  let attributes: ProtoBuilder<Mark>[];
  let error = false;
  if (p.role === 'http') {
    const method = pick(random, METHODS);
    const route = pick(random, p.routes!);
    const roll = random();
    const status = roll < 0.03 ? 500 : roll < 0.05 ? 404 : method === 'POST' ? 201 : 200;
    error = status >= 500;
    span.string(5, `${method} ${route}`).varint(6, 2); // SPAN_KIND_SERVER
    attributes = httpAttributes(random, p, status, method, route, client);
  } else {
    const operation = pick(random, p.db!.system === 'redis' ? REDIS_OPERATIONS : SQL_OPERATIONS);
    const table = pick(random, p.db!.tables);
    error = random() < 0.01;
    span.string(5, `${operation} ${p.db!.name}.${table}`).varint(6, 3); // SPAN_KIND_CLIENT
    attributes = dbAttributes(random, p, operation, table);
  }
  span.fixed64(7, startOffsetNs, { kind: 'time', offsetNs: startOffsetNs, jitter: false });
  span.fixed64(8, startOffsetNs + duration, {
    kind: 'time',
    offsetNs: startOffsetNs + duration,
    jitter: true,
  });
  for (const a of attributes) span.message(9, a);
  const status = new ProtoBuilder<Mark>();
  if (error) status.varint(3, 2); // STATUS_CODE_ERROR
  span.message(15, status);
  span.fixed32(16, p.parent < 0 ? 0x101 : 0x301);
  return span;
}

/** Patch positions by kind, as flat arrays so that a refresh is a few tight loops. */
interface Patches {
  traceAt: Int32Array;
  traceOf: Int32Array;
  spanAt: Int32Array;
  spanOf: Int32Array;
  timeAt: Int32Array;
  timeOffsetNs: BigInt64Array;
  timeJitter: Uint8Array;
  digitsAt: Int32Array;
  varint2At: Int32Array;
  varint1At: Int32Array;
}

/** A batch payload, rewritten in place before each send. */
export interface WorkloadBatch {
  readonly body: Uint8Array;
  /**
   * Gives the batch fresh random ids and per-request values and moves its traces to end at
   * `nowUnixNano`; returns the 100 new trace ids, 16 bytes each, back to back.
   */
  refresh(nowUnixNano: bigint): Uint8Array;
}

/**
 * Builds one batch template. `seed` picks the methods, routes, statuses, durations and peers;
 * `client` names the sending process (its own host and instance ids, as a real fleet has).
 */
export function createBatch(seed: number, client: number): WorkloadBatch {
  const random = seededRandom(seed);
  const spansByPosition: ProtoBuilder<Mark>[][] = POSITIONS.map(() => []);
  for (let t = 0; t < TRACES_PER_BATCH; t++) {
    // Traces of one batch started over the last second, root first, children inside parents.
    const rootStart = -BigInt(TRACES_PER_BATCH - t) * 10_000_000n - 2_000_000_000n;
    const starts: bigint[] = [];
    const durations: bigint[] = [];
    for (let position = 0; position < SPANS_PER_TRACE; position++) {
      const p = POSITIONS[position]!;
      let start = rootStart;
      let duration = durationNs(random, p.role === 'db' ? 3 : 40);
      if (p.parent >= 0) {
        const parentDuration = durations[p.parent]!;
        start = starts[p.parent]! + BigInt(Math.floor(Number(parentDuration) * 0.1 * random()));
        const room = Number(parentDuration) * 0.85;
        if (Number(duration) > room) duration = BigInt(Math.max(10_000, Math.floor(room)));
      } else {
        duration = durationNs(random, 120);
      }
      starts.push(start);
      durations.push(duration);
      spansByPosition[position]!.push(spanOf(random, t, position, start, duration, client));
    }
  }
  const request = new ProtoBuilder<Mark>();
  for (const [position, spans] of spansByPosition.entries()) {
    const p = POSITIONS[position]!;
    const scope = new ProtoBuilder<Mark>()
      .string(
        1,
        p.role === 'http'
          ? '@opentelemetry/instrumentation-http'
          : '@opentelemetry/instrumentation-db',
      )
      .string(2, '0.57.0');
    const scopeSpans = new ProtoBuilder<Mark>().message(1, scope);
    for (const span of spans) scopeSpans.message(2, span);
    scopeSpans.string(3, 'https://opentelemetry.io/schemas/1.24.0');
    const resourceSpans = new ProtoBuilder<Mark>()
      .message(1, resourceOf(p, client))
      .message(2, scopeSpans)
      .string(3, 'https://opentelemetry.io/schemas/1.24.0');
    request.message(1, resourceSpans);
  }
  return batchFrom(Uint8Array.from(request.bytes), patchesOf(request.marks));
}

function patchesOf(marks: readonly { at: number; mark: Mark }[]): Patches {
  const of = (kind: Mark['kind']) => marks.filter((m) => m.mark.kind === kind);
  const traces = of('trace');
  const spans = of('span');
  const times = of('time');
  const varints = of('varint');
  return {
    traceAt: Int32Array.from(traces, (m) => m.at),
    traceOf: Int32Array.from(traces, (m) => (m.mark as { trace: number }).trace),
    spanAt: Int32Array.from(spans, (m) => m.at),
    spanOf: Int32Array.from(spans, (m) => (m.mark as { span: number }).span),
    timeAt: Int32Array.from(times, (m) => m.at),
    timeOffsetNs: BigInt64Array.from(times, (m) => (m.mark as { offsetNs: bigint }).offsetNs),
    timeJitter: Uint8Array.from(times, (m) => ((m.mark as { jitter: boolean }).jitter ? 1 : 0)),
    digitsAt: Int32Array.from(of('digits'), (m) => m.at + (m.mark as { skip: number }).skip),
    varint2At: Int32Array.from(
      varints.filter((m) => (m.mark as { bytes: number }).bytes === 2),
      (m) => m.at,
    ),
    varint1At: Int32Array.from(
      varints.filter((m) => (m.mark as { bytes: number }).bytes === 1),
      (m) => m.at,
    ),
  };
}

function batchFrom(body: Uint8Array, patches: Patches): WorkloadBatch {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const traceIds = new Uint8Array(TRACES_PER_BATCH * 16);
  const spanIds = new Uint8Array(SPANS_PER_BATCH * 8);
  return {
    body,
    refresh(nowUnixNano: bigint): Uint8Array {
      randomFillSync(traceIds);
      randomFillSync(spanIds);
      const { traceAt, traceOf, spanAt, spanOf, timeAt, timeOffsetNs, timeJitter } = patches;
      for (let i = 0; i < traceAt.length; i++) {
        body.set(traceIds.subarray(traceOf[i]! * 16, traceOf[i]! * 16 + 16), traceAt[i]!);
      }
      for (let i = 0; i < spanAt.length; i++) {
        body.set(spanIds.subarray(spanOf[i]! * 8, spanOf[i]! * 8 + 8), spanAt[i]!);
      }
      for (let i = 0; i < timeAt.length; i++) {
        const jitter = timeJitter[i] ? BigInt(Math.floor(Math.random() * 1_000_000)) : 0n;
        view.setBigUint64(timeAt[i]!, nowUnixNano + timeOffsetNs[i]! + jitter, true);
      }
      for (const at of patches.digitsAt) {
        for (let d = 0; d < 6; d++) body[at + d] = 0x30 + Math.floor(Math.random() * 10);
      }
      for (const at of patches.varint2At) {
        const value = 128 + Math.floor(Math.random() * 16_256);
        body[at] = (value & 0x7f) | 0x80;
        body[at + 1] = value >>> 7;
      }
      for (const at of patches.varint1At) body[at] = Math.floor(Math.random() * 128);
      return traceIds;
    },
  };
}

import type { AnyValue } from '../model/attributes.ts';
import { type Span, SpanKind, StatusCode } from '../model/span.ts';
import { normaliseRoute, normaliseSpanName, normaliseStatement } from './normalise.ts';

/** gRPC codes that mean the call failed and may be retried (UNAVAILABLE, DEADLINE_EXCEEDED, ...). */
const GRPC_FAILURE_CODES = new Set([2, 4, 8, 13, 14, 15]);
const GRPC_DEADLINE_EXCEEDED = 4;
const TIMEOUT_TEXT_RE = /time[ds]?[\s_-]?out|deadline/i;

function asText(value: AnyValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  return undefined;
}

function asInteger(value: AnyValue | undefined): number | undefined {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return undefined;
}

function hasTimeoutException(span: Span): boolean {
  for (const event of span.events) {
    if (event.name !== 'exception') continue;
    for (const { key, value } of event.attributes) {
      if (
        (key === 'exception.type' || key === 'exception.message') &&
        typeof value === 'string' &&
        TIMEOUT_TEXT_RE.test(value)
      ) {
        return true;
      }
    }
  }
  return false;
}

/** Attributes naming what a call does, read only for calls whose key is needed. */
interface CallDetails {
  dbStatement?: string;
  dbOperation?: string;
  dbCollection?: string;
  httpRoute?: string;
  urlPath?: string;
  urlFull?: string;
}

function readCallDetails(span: Span): CallDetails {
  const details: CallDetails = {};
  for (const { key, value } of span.attributes) {
    switch (key) {
      case 'db.statement':
      case 'db.query.text':
        details.dbStatement ??= asText(value);
        break;
      case 'db.operation':
      case 'db.operation.name':
        details.dbOperation ??= asText(value);
        break;
      case 'db.collection.name':
      case 'db.sql.table':
        details.dbCollection ??= asText(value);
        break;
      case 'http.route':
        details.httpRoute = asText(value);
        break;
      case 'url.path':
      case 'http.target':
        details.urlPath ??= asText(value);
        break;
      case 'url.full':
      case 'http.url':
        details.urlFull ??= asText(value);
        break;
    }
  }
  return details;
}

/**
 * What the detectors need to know about one span, read from its attributes once (the semantic
 * conventions, old and new names both: `db.statement`/`db.query.text`, `http.method`/
 * `http.request.method`, ...). One is built per span, so it holds only what most detectors ask
 * about; the statement and route behind the call key are read again, and normalised, only for
 * the calls whose key a detector needs.
 */
export class SpanFacts {
  declare readonly span: Span;
  declare readonly kind: SpanKind;
  declare readonly dbSystem: string | undefined;
  declare readonly httpMethod: string | undefined;
  declare readonly peer: string | undefined;
  declare readonly rpcService: string | undefined;
  declare readonly rpcMethod: string | undefined;
  declare readonly httpStatus: number | undefined;
  declare readonly grpcStatus: number | undefined;
  declare readonly resendCount: number;
  /** Error status, HTTP status >= 500 or a failing gRPC code. */
  declare readonly failed: boolean;
  /** A timeout by status, error type, exception or HTTP 408/504. */
  declare readonly timedOut: boolean;
  declare readonly hasEvents: boolean;
  // Caches filled on first use. Plain fields, declared and assigned in the constructor: one
  // SpanFacts is built per span, and class-field definitions would cost a second pass.
  declare private cachedCallKey: string | undefined;
  declare private cachedCallLabel: string | undefined;
  declare private cachedNormalisedName: string | undefined;

  constructor(span: Span) {
    let dbSystem: string | undefined;
    let httpMethod: string | undefined;
    let peerService: string | undefined;
    let serverAddress: string | undefined;
    let netPeerName: string | undefined;
    let rpcService: string | undefined;
    let rpcMethod: string | undefined;
    let httpStatus: number | undefined;
    let grpcStatus: number | undefined;
    let resendCount = 0;
    let errorType: string | undefined;
    for (const { key, value } of span.attributes) {
      switch (key) {
        case 'db.system':
        case 'db.system.name':
          dbSystem ??= asText(value);
          break;
        case 'http.request.method':
        case 'http.method':
          httpMethod ??= asText(value);
          break;
        case 'peer.service':
          peerService = asText(value);
          break;
        case 'server.address':
          serverAddress = asText(value);
          break;
        case 'net.peer.name':
          netPeerName = asText(value);
          break;
        case 'rpc.service':
          rpcService = asText(value);
          break;
        case 'rpc.method':
          rpcMethod = asText(value);
          break;
        case 'http.response.status_code':
        case 'http.status_code':
          httpStatus ??= asInteger(value);
          break;
        case 'rpc.grpc.status_code':
          grpcStatus = asInteger(value);
          break;
        case 'http.request.resend_count':
          resendCount = asInteger(value) ?? 0;
          break;
        case 'error.type':
          errorType = asText(value);
          break;
      }
    }
    this.cachedCallKey = undefined;
    this.cachedCallLabel = undefined;
    this.cachedNormalisedName = undefined;
    this.span = span;
    this.kind = span.kind;
    this.dbSystem = dbSystem;
    this.httpMethod = httpMethod;
    this.peer = peerService ?? serverAddress ?? netPeerName;
    this.rpcService = rpcService;
    this.rpcMethod = rpcMethod;
    this.httpStatus = httpStatus;
    this.grpcStatus = grpcStatus;
    this.resendCount = resendCount;
    this.hasEvents = span.events.length > 0 || span.droppedEventsCount > 0;

    const grpcFailed = grpcStatus !== undefined && GRPC_FAILURE_CODES.has(grpcStatus);
    this.failed =
      span.status.code === StatusCode.error ||
      (httpStatus !== undefined && httpStatus >= 500) ||
      grpcFailed;
    this.timedOut =
      grpcStatus === GRPC_DEADLINE_EXCEEDED ||
      httpStatus === 408 ||
      httpStatus === 504 ||
      (errorType !== undefined && TIMEOUT_TEXT_RE.test(errorType)) ||
      (span.status.code === StatusCode.error && TIMEOUT_TEXT_RE.test(span.status.message)) ||
      (span.events.length > 0 && hasTimeoutException(span));
  }

  /** The span name with id-like tokens stripped (the name itself when it has no digits). */
  get normalisedName(): string {
    this.cachedNormalisedName ??= normaliseSpanName(this.span.name);
    return this.cachedNormalisedName;
  }

  get isDatabase(): boolean {
    return this.dbSystem !== undefined;
  }

  /** An outgoing call: a client or producer span, or a database span of any kind but server. */
  get isCall(): boolean {
    return (
      this.kind === SpanKind.client ||
      this.kind === SpanKind.producer ||
      (this.isDatabase && this.kind !== SpanKind.server && this.kind !== SpanKind.consumer)
    );
  }

  /** A redirect answer, which makes the next `http.request.resend_count` a redirect, not a retry. */
  get redirected(): boolean {
    return this.httpStatus !== undefined && this.httpStatus >= 300 && this.httpStatus < 400;
  }

  /**
   * What is being called, with literals and ids stripped, as one string: kind, system, method,
   * peer and the call label (normalised statement, route or RPC method). Two calls with the same
   * key do the same thing. Detectors avoid building it for every span: see compareCallShape.
   */
  get callKey(): string {
    this.cachedCallKey ??= this.computeCallKey();
    return this.cachedCallKey;
  }

  /** The statement or route the call key is built from, readable, for summaries. */
  get callLabel(): string {
    this.cachedCallLabel ??= this.computeCallLabel();
    return this.cachedCallLabel;
  }

  private computeCallLabel(): string {
    const name = this.span.name;
    if (this.isDatabase) {
      const { dbStatement, dbOperation, dbCollection } = readCallDetails(this.span);
      if (dbStatement !== undefined) return normaliseStatement(dbStatement);
      if (dbOperation !== undefined) return [dbOperation, dbCollection].filter(Boolean).join(' ');
      return normaliseSpanName(name);
    }
    if (this.rpcService !== undefined || this.rpcMethod !== undefined) {
      return `${this.rpcService ?? ''}/${this.rpcMethod ?? ''}`;
    }
    const { httpRoute, urlPath, urlFull } = readCallDetails(this.span);
    const path = urlPath ?? urlFull;
    const route = httpRoute ?? (path === undefined ? undefined : normaliseRoute(path));
    if (route !== undefined) return [this.httpMethod, route].filter(Boolean).join(' ');
    return normaliseSpanName(name);
  }

  private computeCallKey(): string {
    return `${this.kind}|${this.dbSystem ?? ''}|${this.httpMethod ?? ''}|${this.rpcService ?? ''}/${this.rpcMethod ?? ''}|${this.peer ?? ''}|${this.callLabel}`;
  }
}

function compareText(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

/**
 * Orders calls by what can be told without normalising any statement or route: kind, database
 * system, HTTP method, RPC service and method, peer and normalised span name. Calls that differ
 * here never share a call key (a database span's name comes from its statement, an HTTP client's
 * from its method or route), so detectors group by this first, without building key strings,
 * and compare call labels only within a group.
 */
export function compareCallShape(a: SpanFacts, b: SpanFacts): number {
  return (
    a.kind - b.kind ||
    compareText(a.dbSystem, b.dbSystem) ||
    compareText(a.httpMethod, b.httpMethod) ||
    compareText(a.rpcService, b.rpcService) ||
    compareText(a.rpcMethod, b.rpcMethod) ||
    compareText(a.peer, b.peer) ||
    compareText(a.normalisedName, b.normalisedName)
  );
}

/** True when two spans make the same call: same shape and same normalised statement or route. */
export function isSameCall(a: SpanFacts, b: SpanFacts): boolean {
  return a === b || (compareCallShape(a, b) === 0 && a.callLabel === b.callLabel);
}

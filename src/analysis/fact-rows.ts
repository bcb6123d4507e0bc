import type { AnyValue } from '../model/attributes.ts';
import { type Span, StatusCode } from '../model/span.ts';

/** gRPC codes that mean the call failed and may be retried (UNAVAILABLE, DEADLINE_EXCEEDED, ...). */
const GRPC_FAILURE_CODES = new Set([2, 4, 8, 13, 14, 15]);

/** A bit of {@link FactRows.flags}: error status, HTTP status >= 500 or a failing gRPC code. */
export const FAILED = 1;
/** What {@link FactRows.callText} holds: a statement, a route, or a path or URL to normalise. */
export const TEXT_IS_STATEMENT = 2;
export const TEXT_IS_ROUTE = 4;
export const TEXT_IS_PATH = 8;

/** What {@link FactRows.nameState} holds besides 0 (not normalised yet): a name without ids... */
export const NAME_IS_NORMAL = 1;
/** ...or one whose normalised form is in {@link FactRows.normalisedNames}. */
export const NAME_NORMALISED = 2;

export function asText(value: AnyValue | undefined): string | undefined {
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

/**
 * The facts of spans by row, their place in the order they were read, stored as columns rather
 * than as an object per span: a 50,000-span trace costs a dozen arrays instead of 50,000 objects
 * for the garbage collector to copy. Filled with {@link FactRows.read}; asked through
 * `SpanFacts`, by node.
 */
export class FactRows {
  readonly spans: readonly Span[];
  readonly names: readonly string[];
  readonly kind: Uint8Array;
  /** FAILED, and what `callText` holds. */
  readonly flags: Uint8Array;
  /** The statement, route or path a call's label comes from. */
  readonly callText: (string | undefined)[];
  /** NaN when absent. */
  readonly httpStatus: Float64Array;
  /** NaN when absent. */
  readonly grpcStatus: Float64Array;
  readonly resendCount: Float64Array;
  readonly dbSystem: (string | undefined)[];
  readonly httpMethod: (string | undefined)[];
  readonly peer: (string | undefined)[];
  /** Allocated when an RPC span turns up: most traces have none. */
  rpcService: (string | undefined)[] | undefined;
  rpcMethod: (string | undefined)[] | undefined;
  /**
   * Filled on first use. Most names carry no id and are their own normalised name: those are
   * only marked (NAME_IS_NORMAL), the others kept in `normalisedNames`, by row.
   */
  nameState: Uint8Array | undefined;
  normalisedNames: Map<number, string> | undefined;
  callLabel: (string | undefined)[] | undefined;

  /** Room for the facts of `spans`, whose names are `names`, the arrays being filled. */
  constructor(spans: readonly Span[], names: readonly string[]) {
    const count = spans.length;
    this.spans = spans;
    this.names = names;
    this.kind = new Uint8Array(count);
    this.flags = new Uint8Array(count);
    this.callText = new Array(count);
    this.httpStatus = new Float64Array(count);
    this.grpcStatus = new Float64Array(count);
    this.resendCount = new Float64Array(count);
    this.dbSystem = new Array(count);
    this.httpMethod = new Array(count);
    this.peer = new Array(count);
  }

  /**
   * Reads the attributes of `spans[row]` in one pass, under the current and the older
   * semantic-convention names both (`db.statement`/`db.query.text`, `http.method`/
   * `http.request.method`, ...).
   */
  read(row: number): void {
    const span = this.spans[row]!;
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
    let dbStatement: string | undefined;
    let httpRoute: string | undefined;
    let urlPath: string | undefined;
    let urlFull: string | undefined;
    const attributes = span.attributes;
    for (let a = 0; a < attributes.length; a++) {
      const { key, value } = attributes[a]!;
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
        case 'db.statement':
        case 'db.query.text':
          dbStatement ??= asText(value);
          break;
        case 'http.route':
          httpRoute = asText(value);
          break;
        case 'url.path':
        case 'http.target':
          urlPath ??= asText(value);
          break;
        case 'url.full':
        case 'http.url':
          urlFull ??= asText(value);
          break;
      }
    }
    // The text a call's label will come from (see SpanFacts.callLabel), kept so that labels
    // need no second pass over the attributes.
    let callText: string | undefined;
    let textIs = 0;
    if (dbSystem !== undefined) {
      callText = dbStatement;
      textIs = TEXT_IS_STATEMENT;
    } else if (rpcService === undefined && rpcMethod === undefined) {
      callText = httpRoute ?? urlPath ?? urlFull;
      textIs = httpRoute !== undefined ? TEXT_IS_ROUTE : TEXT_IS_PATH;
    }
    const failed =
      span.status.code === StatusCode.error ||
      (httpStatus !== undefined && httpStatus >= 500) ||
      (grpcStatus !== undefined && GRPC_FAILURE_CODES.has(grpcStatus));

    this.kind[row] = span.kind;
    this.flags[row] = (failed ? FAILED : 0) | (callText === undefined ? 0 : textIs);
    this.callText[row] = callText;
    this.httpStatus[row] = httpStatus ?? Number.NaN;
    this.grpcStatus[row] = grpcStatus ?? Number.NaN;
    this.resendCount[row] = resendCount;
    this.dbSystem[row] = dbSystem;
    this.httpMethod[row] = httpMethod;
    this.peer[row] = peerService ?? serverAddress ?? netPeerName;
    if (rpcService !== undefined || rpcMethod !== undefined) {
      this.rpcService ??= new Array(this.spans.length);
      this.rpcMethod ??= new Array(this.spans.length);
      this.rpcService[row] = rpcService;
      this.rpcMethod[row] = rpcMethod;
    }
  }
}

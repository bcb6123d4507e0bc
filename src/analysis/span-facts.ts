import { type Span, SpanKind, StatusCode } from '../model/span.ts';
import {
  asText,
  FAILED,
  FactRows,
  NAME_IS_NORMAL,
  NAME_NORMALISED,
  TEXT_IS_PATH,
  TEXT_IS_ROUTE,
  TEXT_IS_STATEMENT,
} from './fact-rows.ts';
import { normaliseRoute, normaliseSpanName, normaliseStatement } from './normalise.ts';

const GRPC_DEADLINE_EXCEEDED = 4;
const TIMEOUT_TEXT_RE = /time[ds]?[\s_-]?out|deadline/i;

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

/** The last `error.type`, read only when a timeout is asked about. */
function errorTypeOf(span: Span): string | undefined {
  let errorType: string | undefined;
  for (const { key, value } of span.attributes) if (key === 'error.type') errorType = asText(value);
  return errorType;
}

/**
 * A database call's operation and collection, which name it when it has no statement: read only
 * then, and rarely.
 */
function operationLabel(span: Span): string | undefined {
  let operation: string | undefined;
  let collection: string | undefined;
  for (const { key, value } of span.attributes) {
    switch (key) {
      case 'db.operation':
      case 'db.operation.name':
        operation ??= asText(value);
        break;
      case 'db.collection.name':
      case 'db.sql.table':
        collection ??= asText(value);
        break;
    }
  }
  return operation === undefined ? undefined : [operation, collection].filter(Boolean).join(' ');
}

function compareText(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

/**
 * What the detectors need to know about the spans of a trace, asked by node (the span's place
 * in a trace tree; see `TraceTree`), answered from the row its span was read into. Timeouts and
 * events, which few spans are asked about, are read from the span when asked.
 */
export class SpanFacts {
  readonly #rows: FactRows;
  /** The row of each node. */
  readonly #rowOf: Int32Array;

  /** The facts in `rows`, the node `i` being row `rowOf[i]`. */
  constructor(rows: FactRows, rowOf: Int32Array) {
    this.#rows = rows;
    this.#rowOf = rowOf;
  }

  /** The facts of `spans`, asked by position in that array. */
  static of(spans: readonly Span[]): SpanFacts {
    const rows = new FactRows(
      spans,
      spans.map((span) => span.name),
    );
    const rowOf = new Int32Array(spans.length);
    for (let i = 0; i < spans.length; i++) {
      rows.read(i);
      rowOf[i] = i;
    }
    return new SpanFacts(rows, rowOf);
  }

  /** The same facts after renumbering: node `i` of the result is node `oldNodeOf[i]` of these. */
  renumbered(oldNodeOf: Int32Array): SpanFacts {
    const rowOf = new Int32Array(oldNodeOf.length);
    for (let i = 0; i < rowOf.length; i++) rowOf[i] = this.#rowOf[oldNodeOf[i]!]!;
    return new SpanFacts(this.#rows, rowOf);
  }

  #span(i: number): Span {
    return this.#rows.spans[this.#rowOf[i]!]!;
  }

  kind(i: number): SpanKind {
    return this.#rows.kind[this.#rowOf[i]!] as SpanKind;
  }

  dbSystem(i: number): string | undefined {
    return this.#rows.dbSystem[this.#rowOf[i]!];
  }

  httpMethod(i: number): string | undefined {
    return this.#rows.httpMethod[this.#rowOf[i]!];
  }

  /** `peer.service`, else `server.address`, else `net.peer.name`. */
  peer(i: number): string | undefined {
    return this.#rows.peer[this.#rowOf[i]!];
  }

  rpcService(i: number): string | undefined {
    return this.#rows.rpcService?.[this.#rowOf[i]!];
  }

  rpcMethod(i: number): string | undefined {
    return this.#rows.rpcMethod?.[this.#rowOf[i]!];
  }

  httpStatus(i: number): number | undefined {
    const status = this.#rows.httpStatus[this.#rowOf[i]!]!;
    return Number.isNaN(status) ? undefined : status;
  }

  grpcStatus(i: number): number | undefined {
    const status = this.#rows.grpcStatus[this.#rowOf[i]!]!;
    return Number.isNaN(status) ? undefined : status;
  }

  resendCount(i: number): number {
    return this.#rows.resendCount[this.#rowOf[i]!]!;
  }

  /** Error status, HTTP status >= 500 or a failing gRPC code. */
  failed(i: number): boolean {
    return (this.#rows.flags[this.#rowOf[i]!]! & FAILED) !== 0;
  }

  /** A timeout by status, error type, exception or HTTP 408/504. */
  timedOut(i: number): boolean {
    const grpcStatus = this.grpcStatus(i);
    const httpStatus = this.httpStatus(i);
    if (grpcStatus === GRPC_DEADLINE_EXCEEDED || httpStatus === 408 || httpStatus === 504) {
      return true;
    }
    const span = this.#span(i);
    const errorType = errorTypeOf(span);
    return (
      (errorType !== undefined && TIMEOUT_TEXT_RE.test(errorType)) ||
      (span.status.code === StatusCode.error && TIMEOUT_TEXT_RE.test(span.status.message)) ||
      (span.events.length > 0 && hasTimeoutException(span))
    );
  }

  hasEvents(i: number): boolean {
    const span = this.#span(i);
    return span.events.length > 0 || span.droppedEventsCount > 0;
  }

  isDatabase(i: number): boolean {
    return this.dbSystem(i) !== undefined;
  }

  /** An outgoing call: a client or producer span, or a database span of any kind but server. */
  isCall(i: number): boolean {
    const row = this.#rowOf[i]!;
    const kind = this.#rows.kind[row];
    return (
      kind === SpanKind.client ||
      kind === SpanKind.producer ||
      (this.#rows.dbSystem[row] !== undefined &&
        kind !== SpanKind.server &&
        kind !== SpanKind.consumer)
    );
  }

  /** A redirect answer, which makes the next `http.request.resend_count` a redirect, not a retry. */
  redirected(i: number): boolean {
    const status = this.#rows.httpStatus[this.#rowOf[i]!]!;
    return status >= 300 && status < 400;
  }

  /** The span name with id-like tokens stripped (the name itself when it has no digits). */
  normalisedName(i: number): string {
    const row = this.#rowOf[i]!;
    const rows = this.#rows;
    rows.nameState ??= new Uint8Array(rows.spans.length);
    const state = rows.nameState[row];
    const raw = rows.names[row]!;
    if (state === NAME_IS_NORMAL) return raw;
    if (state === NAME_NORMALISED) return rows.normalisedNames!.get(row)!;
    const name = normaliseSpanName(raw);
    if (name === raw) {
      rows.nameState[row] = NAME_IS_NORMAL;
    } else {
      rows.normalisedNames ??= new Map();
      rows.normalisedNames.set(row, name);
      rows.nameState[row] = NAME_NORMALISED;
    }
    return name;
  }

  /** The statement or route the call key is built from, readable, for summaries. */
  callLabel(i: number): string {
    const row = this.#rowOf[i]!;
    const rows = this.#rows;
    rows.callLabel ??= new Array(rows.spans.length);
    const cached = rows.callLabel[row];
    if (cached !== undefined) return cached;
    const label = callLabelOf(rows, row);
    rows.callLabel[row] = label;
    return label;
  }

  /**
   * What is being called, with literals and ids stripped, as one string: kind, system, method,
   * peer and the call label (normalised statement, route or RPC method). Two calls with the same
   * key do the same thing. Detectors avoid building it: see compareCallShape and isSameCall.
   */
  callKey(i: number): string {
    return `${this.kind(i)}|${this.dbSystem(i) ?? ''}|${this.httpMethod(i) ?? ''}|${this.rpcService(i) ?? ''}/${this.rpcMethod(i) ?? ''}|${this.peer(i) ?? ''}|${this.callLabel(i)}`;
  }

  /**
   * Orders calls by what can be told without normalising any statement or route: kind, database
   * system, HTTP method, RPC service and method, peer and normalised span name. Calls that differ
   * here never share a call key (a database span's name comes from its statement, an HTTP
   * client's from its method or route), so detectors group by this first, without building key
   * strings, and compare call labels only within a group.
   */
  compareCallShape(a: number, b: number): number {
    const rows = this.#rows;
    const rowA = this.#rowOf[a]!;
    const rowB = this.#rowOf[b]!;
    return (
      rows.kind[rowA]! - rows.kind[rowB]! ||
      compareText(rows.dbSystem[rowA], rows.dbSystem[rowB]) ||
      compareText(rows.httpMethod[rowA], rows.httpMethod[rowB]) ||
      compareText(rows.rpcService?.[rowA], rows.rpcService?.[rowB]) ||
      compareText(rows.rpcMethod?.[rowA], rows.rpcMethod?.[rowB]) ||
      compareText(rows.peer[rowA], rows.peer[rowB]) ||
      // Equal names are equal normalised: no need to normalise them.
      (rows.names[rowA] === rows.names[rowB]
        ? 0
        : compareText(this.normalisedName(a), this.normalisedName(b)))
    );
  }

  /** True when two spans make the same call: same shape and same normalised statement or route. */
  isSameCall(a: number, b: number): boolean {
    return (
      a === b || (this.compareCallShape(a, b) === 0 && this.callLabel(a) === this.callLabel(b))
    );
  }
}

/** A call's label, from the text kept while reading its attributes. */
function callLabelOf(rows: FactRows, row: number): string {
  const flags = rows.flags[row]!;
  const text = rows.callText[row];
  const name = rows.names[row]!;
  if (rows.dbSystem[row] !== undefined) {
    if ((flags & TEXT_IS_STATEMENT) !== 0) return normaliseStatement(text!);
    return operationLabel(rows.spans[row]!) ?? normaliseSpanName(name);
  }
  const rpcService = rows.rpcService?.[row];
  const rpcMethod = rows.rpcMethod?.[row];
  if (rpcService !== undefined || rpcMethod !== undefined) {
    return `${rpcService ?? ''}/${rpcMethod ?? ''}`;
  }
  const route =
    (flags & TEXT_IS_ROUTE) !== 0
      ? text
      : (flags & TEXT_IS_PATH) !== 0
        ? normaliseRoute(text!)
        : undefined;
  if (route !== undefined) return [rows.httpMethod[row], route].filter(Boolean).join(' ');
  return normaliseSpanName(name);
}

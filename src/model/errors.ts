/** The base of every error Tracehound raises on purpose; `code` is stable and machine-readable. */
export class TracehoundError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Untrusted input that cannot be used; `path` names the offending field (`resourceSpans[0].scopeSpans[1].spans[3].traceId`). */
export class InvalidInputError extends TracehoundError {
  readonly path: string;
  constructor(message: string, path = '', options?: { cause?: unknown }) {
    super('invalid_input', path ? `${path}: ${message}` : message, options);
    this.path = path;
  }
}

export class PayloadTooLargeError extends TracehoundError {
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super('payload_too_large', `request body exceeds the limit of ${limitBytes} bytes`);
    this.limitBytes = limitBytes;
  }
}

export class UnsupportedMediaTypeError extends TracehoundError {
  constructor(contentType: string, supported: readonly string[]) {
    super(
      'unsupported_media_type',
      `unsupported content type '${contentType || '(none)'}'; use ${supported.join(' or ')}`,
    );
  }
}

/** The server is too busy to take more work now; the client should retry after `retryAfterMs`. */
export class OverloadedError extends TracehoundError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super('overloaded', message);
    this.retryAfterMs = retryAfterMs;
  }
}

export class NotFoundError extends TracehoundError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** A query string that cannot be parsed; line and column are 1-based. */
export class QueryParseError extends TracehoundError {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line = 1, column = 1) {
    super('query_parse', `parse error at line ${line}, col ${column}: ${message}`);
    this.line = line;
    this.column = column;
  }
}

/** A storage driver failure, with the statement that failed. */
export class StoreError extends TracehoundError {
  readonly statement: string;
  constructor(message: string, statement: string, options?: { cause?: unknown }) {
    super('store', message, options);
    this.statement = statement;
  }
}

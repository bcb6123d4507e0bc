/**
 * Normalisation of what a call is about, so that calls differing only by literals and ids group
 * together: `SELECT * FROM items WHERE id = 42` and `... id = 7` are one statement, `/users/123`
 * and `/users/456` one route.
 */

const MAX_STATEMENT_CHARS = 2_000;
const CACHE_LIMIT = 10_000;
const SQL_IN_LIST_RE = /\bIN\s*\(\s*\?(?:\s*,\s*\?)*\s*\)/gi;
const SQL_VALUES_RE =
  /\bVALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)(?:\s*,\s*\(\s*\?(?:\s*,\s*\?)*\s*\))*/gi;

/** Cheap test before the two list-collapsing passes, which most statements do not need. */
const KEYWORD_LIST_RE = /\b(?:IN|VALUES)\s*\(\s*\?/i;

const statementCache = new Map<string, string>();

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isHex(code: number): boolean {
  return isDigit(code) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70);
}

/** Letters, digits, `_` and `$`: the characters of identifiers and of id-like tokens. */
function isWordChar(code: number): boolean {
  return (
    isDigit(code) ||
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    code === 95 ||
    code === 36 ||
    code > 127
  );
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/** Characters after which a `+` or `-` is a sign rather than an operator between operands. */
const SIGN_CONTEXT = new Set(['', '=', '<', '>', '(', ',', '+', '-', '*', '/']);

/** A uuid (8-4-4-4-12 hex digits) starts at `i`. */
function isUuidAt(text: string, i: number): boolean {
  if (i + 36 > text.length) return false;
  for (let k = 0; k < 36; k++) {
    const code = text.charCodeAt(i + k);
    if (k === 8 || k === 13 || k === 18 || k === 23 ? code !== 45 : !isHex(code)) return false;
  }
  return i + 36 === text.length || !isWordChar(text.charCodeAt(i + 36));
}

/** Where a run of whitespace and comments starting at `i` ends. */
function skipSpaceAndComments(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      i++;
    } else if (code === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (code === 45 && text.charCodeAt(i + 1) === 45) {
      const close = text.indexOf('\n', i + 2);
      i = close < 0 ? n : close + 1;
    } else {
      break;
    }
  }
  return i;
}

/**
 * Where the literal or bind parameter starting at `i` ends, or -1 if none starts there.
 * `previous` is the character just before (a space counts), `lastToken` the last one that is
 * not a space: a sign follows an operator, a literal never follows a word character directly.
 */
function literalEnd(text: string, i: number, previous: number, lastToken: number): number {
  const n = text.length;
  const code = text.charCodeAt(i);
  const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
  if (code === 39) {
    // 'string', with '' and \' escapes
    let end = i + 1;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === 92) end += 2;
      else if (c === 39 && text.charCodeAt(end + 1) === 39) end += 2;
      else if (c === 39) break;
      else end++;
    }
    return Math.min(end + 1, n);
  }
  if (isHex(code) && !isWordChar(previous) && isUuidAt(text, i)) return i + 36;
  const signed =
    (code === 45 || code === 43) &&
    (isDigit(next) || next === 46) &&
    SIGN_CONTEXT.has(lastToken === 0 ? '' : String.fromCharCode(lastToken));
  if (
    (isDigit(code) && !isWordChar(previous)) ||
    (code === 46 && isDigit(next) && !isWordChar(previous)) ||
    signed
  ) {
    // A number, a hex literal or an id-like token (`9f8e7d`, `1e-5`): all one literal.
    let end = i + 1;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (isWordChar(c) || (c === 46 && isDigit(text.charCodeAt(end + 1)))) end++;
      else if (
        (c === 45 || c === 43) &&
        (text.charCodeAt(end - 1) | 32) === 101 &&
        isDigit(text.charCodeAt(end + 1))
      ) {
        end++;
      } else break;
    }
    return end;
  }
  if (code === 36 && isDigit(next)) {
    // $1
    let end = i + 1;
    while (end < n && isDigit(text.charCodeAt(end))) end++;
    return end;
  }
  if (code === 63) {
    // ? and ?1
    let end = i + 1;
    while (end < n && isDigit(text.charCodeAt(end))) end++;
    return end;
  }
  if (
    (code === 58 || code === 64) &&
    isWordChar(next) &&
    !isDigit(next) &&
    previous !== 58 &&
    !isWordChar(previous)
  ) {
    // :name and @name bind parameters, not the `::` of a cast nor the `:` inside `cart:abc`
    let end = i + 1;
    while (end < n && isWordChar(text.charCodeAt(end))) end++;
    return end;
  }
  if (code === 37 && next === 115) return i + 2; // %s
  if (code === 37 && next === 40) {
    // %(name)s
    const close = text.indexOf(')', i + 2);
    if (close >= 0 && text.charCodeAt(close + 1) === 115) return close + 2;
  }
  return -1;
}

/**
 * A SQL (or other query text) statement with its literals replaced by `?`: string, number, hex
 * and uuid literals, id-like tokens starting with a digit, bind parameters (`$1`, `:name`, `@p`,
 * `%s`, `%(name)s`), `IN (...)` lists and multi-row `VALUES`, with comments removed and
 * whitespace collapsed. Statements come by the thousand in an N+1, so this is one pass that copies
 * unchanged stretches whole, with a bounded cache for one parameterised statement repeated.
 * Never throws.
 */
export function normaliseStatement(statement: string): string {
  const cached = statementCache.get(statement);
  if (cached !== undefined) return cached;
  const text =
    statement.length > MAX_STATEMENT_CHARS ? statement.slice(0, MAX_STATEMENT_CHARS) : statement;
  const n = text.length;
  let out = '';
  let copyFrom = 0;
  // The character before `i` (0 at the start) and the last one that is not a space.
  let previous = 0;
  let lastToken = 0;
  let i = skipSpaceAndComments(text, 0);
  copyFrom = i;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (
      isSpace(code) ||
      ((code === 47 || code === 45) && text.charCodeAt(i + 1) === code + (code === 47 ? -5 : 0))
    ) {
      const end = skipSpaceAndComments(text, i);
      if (end === i) {
        // A lone `/` or `-`: punctuation.
        previous = code;
        lastToken = code;
        i++;
        continue;
      }
      previous = 32;
      // One plain space inside the statement stays as it is; other runs become one space, and
      // none at the end.
      if (end >= n) {
        out += text.slice(copyFrom, i);
        copyFrom = n;
      } else if (!(end === i + 1 && code === 32)) {
        out += `${text.slice(copyFrom, i)} `;
        copyFrom = end;
      }
      i = end;
      continue;
    }
    if (code === 34 || code === 96) {
      // "identifier" or `identifier`: kept
      const close = text.indexOf(String.fromCharCode(code), i + 1);
      i = close < 0 ? n : close + 1;
      previous = code;
      lastToken = code;
      continue;
    }
    const end = literalEnd(text, i, previous, lastToken);
    if (end >= 0) {
      out += `${text.slice(copyFrom, i)}?`;
      copyFrom = end;
      previous = 63;
      lastToken = 63;
      i = end;
      continue;
    }
    if (isWordChar(code)) {
      let wordEnd = i + 1;
      while (wordEnd < n && isWordChar(text.charCodeAt(wordEnd))) wordEnd++;
      previous = text.charCodeAt(wordEnd - 1);
      lastToken = previous;
      i = wordEnd;
      continue;
    }
    previous = code;
    lastToken = code;
    i++;
  }
  if (copyFrom < n) out += text.slice(copyFrom, n);
  if (out.endsWith(';')) out = out.slice(0, -1).trimEnd();
  if (KEYWORD_LIST_RE.test(out)) {
    out = out.replace(SQL_IN_LIST_RE, 'IN (?)').replace(SQL_VALUES_RE, 'VALUES (?)');
  }
  if (statementCache.size >= CACHE_LIMIT) statementCache.clear();
  statementCache.set(statement, out);
  return out;
}

const URL_ORIGIN_RE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;
const QUERY_OR_FRAGMENT_RE = /[?#]/;
const UUID_SEGMENT_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER_SEGMENT_RE = /^[-+]?\d+(?:\.\d+)?$/;
const HEX_SEGMENT_RE = /^[0-9a-f]{8,}$/i;
const PREFIXED_ID_SEGMENT_RE = /^[a-z]+[-_:]?\d+$/i;
const VERSION_TAG_RE = /^v\d{1,2}$/i;
const DIGIT_RE = /\d/;

/** True for path segments that look like an id: numbers, uuids, long hex or digit-laden tokens. */
function isIdSegment(segment: string): boolean {
  if (segment === '' || !DIGIT_RE.test(segment)) return false;
  if (NUMBER_SEGMENT_RE.test(segment) || UUID_SEGMENT_RE.test(segment)) return true;
  if (HEX_SEGMENT_RE.test(segment)) return true;
  // `user-42`, `item_7`, `ord123`; but keep short version tags such as `v1` or `v2beta`.
  if (PREFIXED_ID_SEGMENT_RE.test(segment)) return !VERSION_TAG_RE.test(segment);
  // Long tokens mixing letters and digits are generated ids (`a1b2c3d4e5`, base64 keys, dates).
  return segment.length >= 8;
}

/**
 * A URL path (or full URL, or `http.target`) with scheme, host, query and fragment removed and
 * id-like segments replaced by `{id}`: `/users/123/orders?page=2` -> `/users/{id}/orders`.
 * Never throws.
 */
export function normaliseRoute(pathOrUrl: string): string {
  let path = pathOrUrl.trim().replace(URL_ORIGIN_RE, '');
  const cut = path.search(QUERY_OR_FRAGMENT_RE);
  if (cut >= 0) path = path.slice(0, cut);
  // One pass over the segments, empty ones dropped: one string built, no arrays.
  let route = '';
  for (let from = 0; from < path.length; ) {
    let to = path.indexOf('/', from);
    if (to < 0) to = path.length;
    if (to > from) {
      const segment = path.slice(from, to);
      route += `/${isIdSegment(segment) ? '{id}' : segment}`;
    }
    from = to + 1;
  }
  return route === '' ? '/' : route;
}

const NAME_TOKEN_RE = /[^\s/]+/g;

/**
 * A span name with id-like tokens replaced by `{id}` (`GET /users/42` -> `GET /users/{id}`,
 * `process order 1234` -> `process order {id}`), for spans that carry no statement or route.
 */
export function normaliseSpanName(name: string): string {
  // Ids carry digits; most names have none and come back as they are, without allocating.
  if (!DIGIT_RE.test(name)) return name;
  return name.replace(NAME_TOKEN_RE, (token) => (isIdSegment(token) ? '{id}' : token));
}

import { SLOT_COLUMNS } from './attribute-slots.ts';

/**
 * The DuckDB layout (see docs/architecture.md, "DuckDB layout"). One `spans` table with few
 * columns, because DuckDB's append and commit cost grows with every column, even a NULL one;
 * each column chosen for DuckDB's compression: ids as fixed-width integers, names, resources,
 * scopes and attribute keys as small numbers into catalogue tables, attributes in value columns
 * of their own (`attribute-slots.ts`), rarely set fields together in one JSON text.
 *
 * Version 2 replaced version 1 (one JSON text for all attributes, 64-bit resource hashes,
 * explicit parent ids, a column per rarely set field). Version 1 directories are refused with a
 * clear error rather than migrated: no release wrote them.
 */
export const SCHEMA_VERSION = 2;

/**
 * The tables. In `spans`:
 * - `batch` numbers the commit that stored the row: the trace locator finds a trace by it.
 * - `ordinal` numbers a trace's spans within one commit and `parent_ordinal` points at the
 *   parent among them, so that the random 8-byte `parent_span_id` is stored only when the parent
 *   came in another commit.
 * - `operation_id` names (service, span name, kind) in `operations`.
 * - `extras`: status message, trace state, events, links and dropped counts, as JSON; NULL when
 *   all are empty.
 * - `attribute_layout`, `attributes` (the typed JSON of the attributes not in a slot) and the
 *   slot columns `a0`...`a11` hold the attributes (attribute-slots.ts).
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR NOT NULL, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
  id UINTEGER NOT NULL,
  hash UBIGINT NOT NULL,
  service VARCHAR NOT NULL,
  attributes VARCHAR NOT NULL,
  dropped_attributes_count UINTEGER NOT NULL,
  schema_url VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scopes (
  id UINTEGER NOT NULL,
  hash UBIGINT NOT NULL,
  name VARCHAR NOT NULL,
  version VARCHAR NOT NULL,
  attributes VARCHAR NOT NULL,
  dropped_attributes_count UINTEGER NOT NULL,
  schema_url VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS operations (
  id UINTEGER NOT NULL,
  service VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  kind UTINYINT NOT NULL
);
CREATE TABLE IF NOT EXISTS attribute_keys (
  id USMALLINT NOT NULL,
  key VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS spans (
  batch UINTEGER NOT NULL,
  trace_id UHUGEINT NOT NULL,
  ordinal UINTEGER NOT NULL,
  span_id UBIGINT NOT NULL,
  parent_ordinal UINTEGER,
  parent_span_id UBIGINT,
  start_ns BIGINT NOT NULL,
  duration_ns BIGINT NOT NULL,
  operation_id UINTEGER NOT NULL,
  status_code UTINYINT NOT NULL,
  flags UINTEGER NOT NULL,
  resource_id UINTEGER NOT NULL,
  scope_id UINTEGER NOT NULL,
  extras VARCHAR,
  attribute_layout VARCHAR,
  attributes VARCHAR,
  ${SLOT_COLUMNS.map((name) => `${name} VARCHAR`).join(',\n  ')}
);
`;

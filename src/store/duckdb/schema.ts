/**
 * The DuckDB layout. One wide `spans` table, columns chosen for DuckDB's compression: ids as
 * fixed-width integers, low-cardinality text (service, name) dictionary-encoded, times as
 * integers, attributes as one JSON text a JSON path can search. Resources and scopes repeat on
 * every span of a process, so they live once in their own tables, referenced by a content hash.
 */
export const SCHEMA_VERSION = 1;

export const SPAN_COLUMNS = [
  'trace_id',
  'span_id',
  'parent_span_id',
  'service',
  'name',
  'kind',
  'start_ns',
  'duration_ns',
  'status_code',
  'status_message',
  'trace_state',
  'flags',
  'resource_id',
  'scope_id',
  'attributes',
  'events',
  'links',
  'dropped_attributes_count',
  'dropped_events_count',
  'dropped_links_count',
] as const;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR NOT NULL, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
  id UBIGINT NOT NULL,
  service VARCHAR NOT NULL,
  attributes VARCHAR NOT NULL,
  dropped_attributes_count UINTEGER NOT NULL,
  schema_url VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scopes (
  id UBIGINT NOT NULL,
  name VARCHAR NOT NULL,
  version VARCHAR NOT NULL,
  attributes VARCHAR NOT NULL,
  dropped_attributes_count UINTEGER NOT NULL,
  schema_url VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS operations (
  service VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  kind UTINYINT NOT NULL
);
CREATE TABLE IF NOT EXISTS spans (
  trace_id UHUGEINT NOT NULL,
  span_id UBIGINT NOT NULL,
  parent_span_id UBIGINT,
  service VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  kind UTINYINT NOT NULL,
  start_ns BIGINT NOT NULL,
  duration_ns BIGINT NOT NULL,
  status_code UTINYINT NOT NULL,
  status_message VARCHAR,
  trace_state VARCHAR,
  flags UINTEGER NOT NULL,
  resource_id UBIGINT NOT NULL,
  scope_id UBIGINT NOT NULL,
  attributes VARCHAR NOT NULL,
  events VARCHAR,
  links VARCHAR,
  dropped_attributes_count UINTEGER NOT NULL,
  dropped_events_count UINTEGER NOT NULL,
  dropped_links_count UINTEGER NOT NULL
);
`;

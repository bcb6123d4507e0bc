import { StatusCode } from '../../model/span.ts';
import { syntheticConditionOf } from '../../query/synthetic-conditions.ts';
import type { AttributeCondition, TraceQuery } from '../../query/trace-query.ts';
import { keyCodeOf, SLOT_CHARS, SLOT_COLUMNS } from './attribute-slots.ts';
import type { StoredOperation } from './catalog.ts';

export interface Statement {
  readonly sql: string;
  readonly params: (string | number | bigint)[];
}

/** What the search needs from the catalogue, which the store keeps in memory. */
export interface SearchCatalog {
  operations(): readonly { id: number; operation: StoredOperation }[];
  /** Resources having an attribute that meets the condition. */
  resourceIdsMatching(condition: AttributeCondition): readonly number[];
  /** The dictionary number of an attribute key; undefined if no span has it in a slot. */
  attributeKeyId(key: string): number | undefined;
  /** The slots a key number has been stored in, one bit each (all slots when absent). */
  attributeKeySlots?(id: number): number;
}

/**
 * The SQL that finds trace ids for a search, or null when nothing can match (an unknown service
 * or operation): conditions on one span at a time (Jaeger's semantics), newest matching span
 * first. Service, operation and kind become a list of operation numbers from the catalogue.
 * `windowStartNs` limits the search to spans starting at or after it (newest-first windows).
 * Every user-supplied value travels as a bound parameter.
 */
export function searchStatement(
  query: TraceQuery,
  catalog: SearchCatalog,
  windowStartNs?: bigint,
): Statement | null {
  const where: string[] = [];
  const params: (string | number | bigint)[] = [];
  const add = (clause: string, ...values: (string | number | bigint)[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (
    query.service !== undefined ||
    query.operation !== undefined ||
    query.spanKind !== undefined
  ) {
    const ids = catalog
      .operations()
      .filter(
        ({ operation: o }) =>
          (query.service === undefined || o.service === query.service) &&
          (query.operation === undefined || o.name === query.operation) &&
          (query.spanKind === undefined || o.kind === query.spanKind),
      )
      .map(({ id }) => id);
    if (ids.length === 0) return null;
    add(`operation_id IN (${ids.join(', ')})`);
  }
  if (query.errorOnly) add(`status_code = ${StatusCode.error}`);
  if (query.startTimeMinUnixNano !== undefined) add('start_ns >= ?', query.startTimeMinUnixNano);
  if (query.startTimeMaxUnixNano !== undefined) add('start_ns <= ?', query.startTimeMaxUnixNano);
  if (windowStartNs !== undefined) add('start_ns >= ?', windowStartNs);
  if (query.minDurationNs !== undefined) add('duration_ns >= ?', query.minDurationNs);
  if (query.maxDurationNs !== undefined) add('duration_ns <= ?', query.maxDurationNs);
  for (const condition of query.attributes) {
    const { sql, params: values } = attributeClause(condition, catalog);
    add(sql, ...values);
  }
  const sql = `SELECT trace_id, max(start_ns) AS latest FROM spans
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    GROUP BY trace_id ORDER BY latest DESC LIMIT ${Math.max(0, Math.trunc(query.limit))}`;
  return { sql, params };
}

/** JSON path of a top-level key, quoted so that dots and quotes in keys stay part of the key. */
export function jsonPathOf(key: string): string {
  return `$."${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * A span attribute matches by its text form. In a slot, that is the slot's value, where the
 * layout names the key; in the typed JSON of the other attributes, it is the plain JSON value
 * for strings, bools and safe ints, and the inner value of the `{"d":..}`, `{"i":..}` and
 * `{"b":..}` wrappers otherwise. A resource attribute matches through the resource's number.
 */
function attributeClause(condition: AttributeCondition, catalog: SearchCatalog): Statement {
  const alternatives: string[] = [];
  const params: (string | number)[] = [];
  const keyId = catalog.attributeKeyId(condition.key);
  if (keyId !== undefined) {
    // Key codes are two characters of a fixed alphabet: safe to write into the statement.
    const code = keyCodeOf(keyId);
    const slots = catalog.attributeKeySlots?.(keyId) ?? (1 << SLOT_COLUMNS.length) - 1;
    SLOT_COLUMNS.forEach((column, slot) => {
      if ((slots & (1 << slot)) === 0) return;
      alternatives.push(
        `(${column} = ? AND substr(attribute_layout, ${slot * SLOT_CHARS + 1}, 2) = '${code}')`,
      );
      params.push(condition.value);
    });
  }
  const path = jsonPathOf(condition.key);
  // Most spans have no rest JSON: the test on NULL spares building a list for each of them.
  alternatives.push(
    `(attributes IS NOT NULL AND list_contains([json_extract_string(attributes, ?),
      json_extract_string(attributes, ?), json_extract_string(attributes, ?),
      json_extract_string(attributes, ?)], ?))`,
  );
  params.push(path, `${path}.d`, `${path}.i`, `${path}.b`, condition.value);
  const resourceIds = catalog.resourceIdsMatching(condition);
  if (resourceIds.length > 0) alternatives.push(`resource_id IN (${resourceIds.join(', ')})`);
  const synthetic = syntheticConditionOf(condition);
  if (synthetic?.field === 'status') {
    alternatives.push('status_code = ?');
    params.push(synthetic.code);
  } else if (synthetic?.field === 'kind') {
    const ids = catalog
      .operations()
      .filter(({ operation }) => operation.kind === synthetic.kind)
      .map(({ id }) => id);
    if (ids.length > 0) alternatives.push(`operation_id IN (${ids.join(', ')})`);
  }
  return { sql: `(${alternatives.join(' OR ')})`, params };
}

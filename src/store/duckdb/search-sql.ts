import { syntheticConditionOf } from '../../query/synthetic-conditions.ts';
import type { AttributeCondition, TraceQuery } from '../../query/trace-query.ts';

export interface Statement {
  readonly sql: string;
  readonly params: (string | number | bigint)[];
}

/**
 * The SQL that finds trace ids for a search: conditions on one span at a time (Jaeger's
 * semantics), newest matching span first. Every user value travels as a bound parameter.
 */
export function searchStatement(query: TraceQuery): Statement {
  const where: string[] = [];
  const params: (string | number | bigint)[] = [];
  const add = (clause: string, ...values: (string | number | bigint)[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (query.service !== undefined) add('service = ?', query.service);
  if (query.operation !== undefined) add('name = ?', query.operation);
  if (query.spanKind !== undefined) add('kind = ?', query.spanKind);
  if (query.errorOnly) add('status_code = 2');
  if (query.startTimeMinUnixNano !== undefined) add('start_ns >= ?', query.startTimeMinUnixNano);
  if (query.startTimeMaxUnixNano !== undefined) add('start_ns <= ?', query.startTimeMaxUnixNano);
  if (query.minDurationNs !== undefined) add('duration_ns >= ?', query.minDurationNs);
  if (query.maxDurationNs !== undefined) add('duration_ns <= ?', query.maxDurationNs);
  for (const condition of query.attributes) {
    const { sql, params: values } = attributeClause(condition);
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
 * A value matches in its text form: plain JSON for strings, bools and safe ints; the inner
 * value of the `{"d":..}`, `{"i":..}` and `{"b":..}` wrappers of typed JSON otherwise.
 */
function valueMatch(column: string): string {
  return `list_contains([json_extract_string(${column}, ?), json_extract_string(${column}, ?),
    json_extract_string(${column}, ?), json_extract_string(${column}, ?)], ?)`;
}

function attributeClause(condition: AttributeCondition): Statement {
  const path = jsonPathOf(condition.key);
  const paths = [path, `${path}.d`, `${path}.i`, `${path}.b`];
  const alternatives = [
    valueMatch('attributes'),
    `resource_id IN (SELECT id FROM resources WHERE ${valueMatch('attributes')})`,
  ];
  const params: (string | number)[] = [...paths, condition.value, ...paths, condition.value];
  const synthetic = syntheticConditionOf(condition);
  if (synthetic?.field === 'status') {
    alternatives.push('status_code = ?');
    params.push(synthetic.code);
  } else if (synthetic?.field === 'kind') {
    alternatives.push('kind = ?');
    params.push(synthetic.kind);
  }
  return { sql: `(${alternatives.join(' OR ')})`, params };
}

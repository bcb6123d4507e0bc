import { type Attribute, attributeValueToString } from '../model/attributes.ts';
import { durationNsOf, type Span, StatusCode, serviceNameOf } from '../model/span.ts';
import { syntheticConditionOf } from './synthetic-conditions.ts';
import type { AttributeCondition, TraceQuery } from './trace-query.ts';

/** Whether one span meets every condition of the query (the reference semantics for stores). */
export function spanMatches(span: Span, query: TraceQuery): boolean {
  if (query.service !== undefined && serviceNameOf(span.resource) !== query.service) return false;
  if (query.operation !== undefined && span.name !== query.operation) return false;
  if (query.spanKind !== undefined && span.kind !== query.spanKind) return false;
  if (query.errorOnly && span.status.code !== StatusCode.error) return false;
  const start = span.startTimeUnixNano;
  if (query.startTimeMinUnixNano !== undefined && start < query.startTimeMinUnixNano) return false;
  if (query.startTimeMaxUnixNano !== undefined && start > query.startTimeMaxUnixNano) return false;
  const duration = durationNsOf(span);
  if (query.minDurationNs !== undefined && duration < query.minDurationNs) return false;
  if (query.maxDurationNs !== undefined && duration > query.maxDurationNs) return false;
  return query.attributes.every((condition) => conditionMatches(span, condition));
}

function conditionMatches(span: Span, condition: AttributeCondition): boolean {
  const synthetic = syntheticConditionOf(condition);
  if (synthetic?.field === 'status' && span.status.code === synthetic.code) return true;
  if (synthetic?.field === 'kind' && span.kind === synthetic.kind) return true;
  return (
    hasAttribute(span.attributes, condition) || hasAttribute(span.resource.attributes, condition)
  );
}

function hasAttribute(attributes: readonly Attribute[], condition: AttributeCondition): boolean {
  for (const a of attributes) {
    if (a.key === condition.key && attributeValueToString(a.value) === condition.value) return true;
  }
  return false;
}

import { SPAN_KIND_NAMES, type SpanKind, StatusCode } from '../model/span.ts';
import type { AttributeCondition } from './trace-query.ts';

/**
 * Tags that Jaeger-style clients search for but that OTLP keeps in span fields, not attributes:
 * `error=true`, `otel.status_code=ERROR`, `span.kind=server`. A condition on one of these matches
 * the span field, or a real attribute of that name and value.
 */
export type SyntheticCondition =
  | { readonly field: 'status'; readonly code: StatusCode }
  | { readonly field: 'kind'; readonly kind: SpanKind };

const STATUS_BY_NAME: Record<string, StatusCode> = {
  UNSET: StatusCode.unset,
  OK: StatusCode.ok,
  ERROR: StatusCode.error,
};

export function syntheticConditionOf(condition: AttributeCondition): SyntheticCondition | null {
  const value = condition.value.trim();
  switch (condition.key) {
    case 'error':
      return value === 'true' ? { field: 'status', code: StatusCode.error } : null;
    case 'otel.status_code': {
      const code = STATUS_BY_NAME[value.toUpperCase()];
      return code === undefined ? null : { field: 'status', code };
    }
    case 'span.kind': {
      const entry = Object.entries(SPAN_KIND_NAMES).find(
        ([, name]) => name === value.toLowerCase(),
      );
      return entry ? { field: 'kind', kind: Number(entry[0]) as SpanKind } : null;
    }
    default:
      return null;
  }
}

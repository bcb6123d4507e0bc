import type { TraceNode } from './trace-tree.ts';

/** Shortens a statement or route for a one-line summary. */
export function clip(text: string, maxChars = 80): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/**
 * A span as summaries name it: `service operation`. HTTP client instrumentation names its spans
 * by the bare method (`GET`), so those read `frontend → cart GET /api/cart/{id}` instead.
 */
export function nameOf(node: TraceNode): string {
  const { facts } = node;
  if (facts.isCall && facts.httpMethod !== undefined && node.operation === facts.httpMethod) {
    return callNameOf(node);
  }
  return `${node.service} ${node.operation}`;
}

/**
 * What a call is, for summaries: `frontend → payment POST /charges`, `checkout → payment
 * hipstershop.PaymentService/Charge`, `cart → postgresql UPDATE carts ...`; other spans by name.
 */
export function callNameOf(node: TraceNode): string {
  const { facts } = node;
  if (!facts.isCall) return `${node.service} ${node.operation}`;
  const target = facts.isDatabase ? facts.dbSystem : (facts.peer ?? facts.rpcService);
  return `${node.service} → ${target === undefined ? '' : `${target} `}${clip(facts.callLabel, 60)}`;
}

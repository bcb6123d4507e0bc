import type { TraceTree } from './trace-tree.ts';

/** Shortens a statement or route for a one-line summary. */
export function clip(text: string, maxChars = 80): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/**
 * A span as summaries name it: `service operation`. HTTP client instrumentation names its spans
 * by the bare method (`GET`), so those read `frontend → cart GET /api/cart/{id}` instead.
 */
export function nameOf(tree: TraceTree, node: number): string {
  const { facts } = tree;
  const operation = tree.operation(node);
  const httpMethod = facts.httpMethod(node);
  if (facts.isCall(node) && httpMethod !== undefined && operation === httpMethod) {
    return callNameOf(tree, node);
  }
  return `${tree.service(node)} ${operation}`;
}

/**
 * What a call is, for summaries: `frontend → payment POST /charges`, `checkout → payment
 * hipstershop.PaymentService/Charge`, `cart → postgresql UPDATE carts ...`; other spans by name.
 */
export function callNameOf(tree: TraceTree, node: number): string {
  const { facts } = tree;
  const service = tree.service(node);
  if (!facts.isCall(node)) return `${service} ${tree.operation(node)}`;
  const target = facts.isDatabase(node)
    ? facts.dbSystem(node)
    : (facts.peer(node) ?? facts.rpcService(node));
  return `${service} → ${target === undefined ? '' : `${target} `}${clip(facts.callLabel(node), 60)}`;
}

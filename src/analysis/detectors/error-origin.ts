import { formatDuration } from '../format-duration.ts';
import { isSameCall } from '../span-facts.ts';
import type { TraceNode } from '../trace-tree.ts';
import { clip, type Detection, type Detector, detection, nameOf } from './detector.ts';

function errorText(node: TraceNode): string {
  const { facts } = node;
  const parts: string[] = [];
  if (facts.httpStatus !== undefined && facts.httpStatus >= 400)
    parts.push(`HTTP ${facts.httpStatus}`);
  if (facts.grpcStatus !== undefined && facts.grpcStatus !== 0)
    parts.push(`gRPC code ${facts.grpcStatus}`);
  if (node.span.status.message !== '') parts.push(`"${clip(node.span.status.message, 60)}"`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** The unbroken line of failed ancestors above `node`, nearest first. */
function failedAncestors(node: TraceNode): TraceNode[] {
  const ancestors: TraceNode[] = [];
  for (let at = node.parent; at?.facts.failed; at = at.parent) ancestors.push(at);
  return ancestors;
}

/**
 * error_origin: in a trace whose request failed, where the error started. Candidates are failed
 * spans with no failed child whose error reached a failed root through an unbroken line of failed
 * ancestors (or which are a failed root themselves). For each failed root the deepest candidate is
 * the origin (ties: the one that ended last, nearest the failure); a shallower failed span beside
 * the path (a cache read that timed out and was handled) is not. The finding lists the origin,
 * other candidates doing the same call (the attempts of a retried call, or the same failure
 * reached by retries at several levels), then the failed ancestors up to the root. Errors a caller
 * handled (a retry that recovered, a fallback) did not fail the request and are not reported.
 * Severity: critical. Impact: the time spent in the failed origin span(s), which never produced a
 * result.
 */
export const detectErrorOrigin: Detector = (context) => {
  // Most requests succeed: then no span needs looking at.
  if (!context.tree.roots.some((root) => root.facts.failed)) return [];
  const candidatesByRoot = new Map<TraceNode, TraceNode[]>();
  for (let nodeIndex = 0; nodeIndex < context.tree.nodes.length; nodeIndex++) {
    const node = context.tree.nodes[nodeIndex]!;
    if (!node.facts.failed) continue;
    if (node.children.some((child) => child.facts.failed)) continue;
    const ancestors = failedAncestors(node);
    const top = ancestors[ancestors.length - 1] ?? node;
    if (top.parent !== undefined) continue;
    const candidates = candidatesByRoot.get(top);
    if (candidates === undefined) candidatesByRoot.set(top, [node]);
    else candidates.push(node);
  }

  const detections: Detection[] = [];
  for (const [root, candidates] of candidatesByRoot) {
    let origin = candidates[0]!;
    for (const candidate of candidates) {
      if (
        candidate.depth > origin.depth ||
        (candidate.depth === origin.depth && candidate.endNs > origin.endNs)
      ) {
        origin = candidate;
      }
    }
    const sameCall = candidates.filter(
      (node) =>
        node !== origin && node.service === origin.service && isSameCall(node.facts, origin.facts),
    );
    const ancestors = failedAncestors(origin);
    const times = sameCall.length > 0 ? ` (${sameCall.length + 1} times)` : '';
    const propagation =
      ancestors.length === 0
        ? ', the root span'
        : `, and the error propagated through ${ancestors.length} span${ancestors.length > 1 ? 's' : ''} up to ${nameOf(root)}, the root`;
    const impactNs = [origin, ...sameCall].reduce((sum, node) => sum + node.durationNs, 0);
    detections.push(
      detection(context, {
        kind: 'error_origin',
        nodes: [origin, ...sameCall, ...ancestors],
        anchor: origin,
        impactNs,
        severity: 'critical',
        summary: `The error started in ${nameOf(origin)}${errorText(origin)}${times} after ${formatDuration(origin.durationNs)}${propagation}`,
      }),
    );
  }
  return detections;
};

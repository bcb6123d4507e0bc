import { formatDuration } from '../format-duration.ts';
import type { TraceTree } from '../trace-tree.ts';
import { clip, type Detection, type Detector, detection, nameOf } from './detector.ts';

function errorText(tree: TraceTree, node: number): string {
  const { facts } = tree;
  const httpStatus = facts.httpStatus(node);
  const grpcStatus = facts.grpcStatus(node);
  const message = tree.span(node).status.message;
  const parts: string[] = [];
  if (httpStatus !== undefined && httpStatus >= 400) parts.push(`HTTP ${httpStatus}`);
  if (grpcStatus !== undefined && grpcStatus !== 0) parts.push(`gRPC code ${grpcStatus}`);
  if (message !== '') parts.push(`"${clip(message, 60)}"`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** The unbroken line of failed ancestors above `node`, nearest first. */
function failedAncestors(tree: TraceTree, node: number): number[] {
  const ancestors: number[] = [];
  for (let at = tree.parent[node]!; at >= 0 && tree.facts.failed(at); at = tree.parent[at]!) {
    ancestors.push(at);
  }
  return ancestors;
}

function hasFailedChild(tree: TraceTree, node: number): boolean {
  const { facts, subtreeEnd } = tree;
  for (let child = node + 1; child < subtreeEnd[node]!; child = subtreeEnd[child]!) {
    if (facts.failed(child)) return true;
  }
  return false;
}

/**
 * Failed spans without a failed child, by the failed root their error reached through an unbroken
 * line of failed ancestors. The top of each span's line is carried down the tree in pre-order,
 * so that a deep failed chain is not walked up once per span in it.
 */
function findCandidates(tree: TraceTree): Map<number, number[]> {
  const { facts, parent } = tree;
  const failedTop = new Int32Array(tree.size);
  const candidatesByRoot = new Map<number, number[]>();
  for (let node = 0; node < tree.size; node++) {
    if (!facts.failed(node)) continue;
    const up = parent[node]!;
    const top = up >= 0 && facts.failed(up) ? failedTop[up]! : node;
    failedTop[node] = top;
    if (parent[top]! >= 0 || hasFailedChild(tree, node)) continue;
    const candidates = candidatesByRoot.get(top);
    if (candidates === undefined) candidatesByRoot.set(top, [node]);
    else candidates.push(node);
  }
  return candidatesByRoot;
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
  const { tree } = context;
  const { facts } = tree;
  // Most requests succeed: then no span needs looking at.
  if (!tree.roots.some((root) => facts.failed(root))) return [];
  const candidatesByRoot = findCandidates(tree);

  const detections: Detection[] = [];
  for (const [root, candidates] of candidatesByRoot) {
    let origin = candidates[0]!;
    for (const candidate of candidates) {
      if (
        tree.depth[candidate]! > tree.depth[origin]! ||
        (tree.depth[candidate] === tree.depth[origin] &&
          tree.endNs[candidate]! > tree.endNs[origin]!)
      ) {
        origin = candidate;
      }
    }
    const sameCall = candidates.filter(
      (node) =>
        node !== origin &&
        tree.service(node) === tree.service(origin) &&
        facts.isSameCall(node, origin),
    );
    const ancestors = failedAncestors(tree, origin);
    const times = sameCall.length > 0 ? ` (${sameCall.length + 1} times)` : '';
    const propagation =
      ancestors.length === 0
        ? ', the root span'
        : `, and the error propagated through ${ancestors.length} span${ancestors.length > 1 ? 's' : ''} up to ${nameOf(tree, root)}, the root`;
    const impactNs = [origin, ...sameCall].reduce((sum, node) => sum + tree.durationNs[node]!, 0);
    detections.push(
      detection(context, {
        kind: 'error_origin',
        nodes: [origin, ...sameCall, ...ancestors],
        anchor: origin,
        impactNs,
        severity: 'critical',
        summary: `The error started in ${nameOf(tree, origin)}${errorText(tree, origin)}${times} after ${formatDuration(tree.durationNs[origin]!)}${propagation}`,
      }),
    );
  }
  return detections;
};

import { formatDuration, formatShare } from '../format-duration.ts';
import { type Detection, type Detector, detection, nameOf } from './detector.ts';

/** The round timeout `durationNs` sits on (within `tolerance`, relative), if any. */
export function roundTimeoutNear(
  durationNs: number,
  roundTimeoutsNs: readonly number[],
  tolerance: number,
): number | undefined {
  return roundTimeoutsNs.find((timeout) => Math.abs(durationNs - timeout) <= tolerance * timeout);
}

/**
 * silent_timeout: a leaf span (no children, no events) of at least `minDurationNs` that covers at
 * least `minParentFraction` of its parent and either ends in an error or timeout, or lasts a
 * round timeout value (1, 2, 5, 10, 30, 60 s within 2%): the caller waited for a limit to expire
 * and nothing says what happened. Roots are skipped (there is no caller in the trace). Impact: the
 * span's duration, which failing fast would save.
 */
export const detectSilentTimeout: Detector = (context) => {
  const { tree } = context;
  const { facts, durationNs } = tree;
  const { minDurationNs, minParentFraction, roundTimeoutsNs, roundTolerance } =
    context.options.silentTimeout;
  const detections: Detection[] = [];
  for (let node = 0; node < tree.size; node++) {
    const parent = tree.parent[node]!;
    const nodeNs = durationNs[node]!;
    if (parent < 0 || tree.childCount[node]! > 0 || nodeNs < minDurationNs) continue;
    const parentNs = durationNs[parent]!;
    if (nodeNs < minParentFraction * parentNs || facts.hasEvents(node)) continue;
    const roundTimeout = roundTimeoutNear(nodeNs, roundTimeoutsNs, roundTolerance);
    const timedOut = facts.timedOut(node);
    const errored = facts.failed(node) || timedOut;
    if (!errored && roundTimeout === undefined) continue;
    const ending = errored
      ? timedOut
        ? 'timed out'
        : 'ended in an error'
      : `ended right on a ${formatDuration(roundTimeout!)} limit`;
    const onLimit =
      errored && roundTimeout !== undefined ? ` (a ${formatDuration(roundTimeout)} limit)` : '';
    detections.push(
      detection(context, {
        kind: 'silent_timeout',
        nodes: [node],
        anchor: node,
        impactNs: nodeNs,
        summary: `${nameOf(tree, node)} waited ${formatDuration(nodeNs)} (${formatShare(nodeNs, parentNs)} of ${nameOf(tree, parent)}) with no child spans or events and ${ending}${onLimit}`,
      }),
    );
  }
  return detections;
};

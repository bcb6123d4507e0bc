import { formatDuration, formatShare } from '../format-duration.ts';
import type { TraceTree } from '../trace-tree.ts';
import { type Detection, type Detector, detection, nameOf } from './detector.ts';

/** The child that makes up nearly all of `node`'s duration, or -1 if none does. */
function dominantChild(tree: TraceTree, node: number, maxSelfFraction: number): number {
  const { startNs, endNs, durationNs, subtreeEnd } = tree;
  let longest = -1;
  for (let child = node + 1; child < subtreeEnd[node]!; child = subtreeEnd[child]!) {
    if (longest < 0 || durationNs[child]! > durationNs[longest]!) longest = child;
  }
  if (longest < 0 || durationNs[node]! <= 0) return -1;
  const covered =
    Math.min(endNs[longest]!, endNs[node]!) - Math.max(startNs[longest]!, startNs[node]!);
  return covered >= (1 - maxSelfFraction) * durationNs[node]! ? longest : -1;
}

/**
 * cascading_latency: a chain of at least `minDepth` nested spans across at least `minServices`
 * services, where each span but the deepest spends at most `maxSelfFraction` of its time outside
 * the next one (its duration is inherited), the top takes at least `minDurationNs`, and the
 * deepest (the cause) spends at least `minCauseSelfFraction` of its time in its own code.
 *
 * A slow span whose children explain its time is not a cause: the pattern lies in those children
 * (a loop, sequential calls, a fan-out) and the chain either continues into one dominant child or
 * stops at a span with little self time, which does not qualify. The rule is structural: a cause
 * that another detector also reports (a silent timeout, say) is still the cause of the cascade.
 * Impact: the cause's self time.
 */
export const detectCascadingLatency: Detector = (context) => {
  const { tree } = context;
  const { minDepth, minServices, maxSelfFraction, minCauseSelfFraction, minDurationNs } =
    context.options.cascadingLatency;
  const detections: Detection[] = [];
  const dominant = new Int32Array(tree.size);
  for (let node = 0; node < tree.size; node++) {
    dominant[node] = dominantChild(tree, node, maxSelfFraction);
  }
  for (let top = 0; top < tree.size; top++) {
    // Only maximal chains: a span its parent hands nearly all its time to is not a chain top.
    const parent = tree.parent[top]!;
    if (parent >= 0 && dominant[parent] === top) continue;
    const topNs = tree.durationNs[top]!;
    if (topNs < minDurationNs || dominant[top]! < 0) continue;
    const chain = [top];
    for (let next = dominant[top]!; next >= 0; next = dominant[next]!) chain.push(next);
    if (chain.length < minDepth) continue;
    const services = [...new Set(chain.map((node) => tree.service(node)))];
    if (services.length < minServices) continue;
    const cause = chain[chain.length - 1]!;
    const causeSelfNs = context.selfTimeNs[cause]!;
    if (causeSelfNs < minCauseSelfFraction * tree.durationNs[cause]!) continue;
    detections.push(
      detection(context, {
        kind: 'cascading_latency',
        nodes: [cause, ...chain.slice(0, -1)],
        anchor: cause,
        impactNs: causeSelfNs,
        summary: `${nameOf(tree, cause)} spent ${formatDuration(causeSelfNs)} in its own code, and ${nameOf(tree, top)} inherited it (${formatShare(causeSelfNs, topNs)} of its ${formatDuration(topNs)}) through ${chain.length} nested spans across ${services.join(' → ')}`,
      }),
    );
  }
  return detections;
};

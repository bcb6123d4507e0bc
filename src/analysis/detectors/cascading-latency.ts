import { formatDuration, formatShare } from '../format-duration.ts';
import type { TraceNode } from '../trace-tree.ts';
import { type Detection, type Detector, detection, nameOf } from './detector.ts';

/** The child that makes up nearly all of `node`'s duration, if one does. */
function dominantChild(node: TraceNode, maxSelfFraction: number): TraceNode | undefined {
  let longest: TraceNode | undefined;
  for (const child of node.children) {
    if (longest === undefined || child.durationNs > longest.durationNs) longest = child;
  }
  if (longest === undefined || node.durationNs <= 0) return undefined;
  const covered = Math.min(longest.endNs, node.endNs) - Math.max(longest.startNs, node.startNs);
  return covered >= (1 - maxSelfFraction) * node.durationNs ? longest : undefined;
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
  const { minDepth, minServices, maxSelfFraction, minCauseSelfFraction, minDurationNs } =
    context.options.cascadingLatency;
  const detections: Detection[] = [];
  const dominant = context.tree.nodes.map((node) => dominantChild(node, maxSelfFraction));
  for (let nodeIndex = 0; nodeIndex < context.tree.nodes.length; nodeIndex++) {
    const top = context.tree.nodes[nodeIndex]!;
    // Only maximal chains: a span its parent hands nearly all its time to is not a chain top.
    if (top.parent !== undefined && dominant[top.parent.index] === top) continue;
    if (top.durationNs < minDurationNs || dominant[top.index] === undefined) continue;
    const chain: TraceNode[] = [top];
    for (let next = dominant[top.index]; next !== undefined; next = dominant[next.index]) {
      chain.push(next);
    }
    if (chain.length < minDepth) continue;
    const services = [...new Set(chain.map((node) => node.service))];
    if (services.length < minServices) continue;
    const cause = chain[chain.length - 1]!;
    const causeSelfNs = context.selfTimeNs[cause.index]!;
    if (causeSelfNs < minCauseSelfFraction * cause.durationNs) continue;
    detections.push(
      detection(context, {
        kind: 'cascading_latency',
        nodes: [cause, ...chain.slice(0, -1)],
        anchor: cause,
        impactNs: causeSelfNs,
        summary: `${nameOf(cause)} spent ${formatDuration(causeSelfNs)} in its own code, and ${nameOf(top)} inherited it (${formatShare(causeSelfNs, top.durationNs)} of its ${formatDuration(top.durationNs)}) through ${chain.length} nested spans across ${services.join(' → ')}`,
      }),
    );
  }
  return detections;
};

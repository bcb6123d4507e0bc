import { formatDuration } from '../format-duration.ts';
import type { TraceNode } from '../trace-tree.ts';
import { type Detection, type Detector, detection, median, nameOf } from './detector.ts';

/**
 * Children that overlap one another transitively, in start order, keeping only clusters of at
 * least `minSize` (the others are never copied out: most parents run their children in sequence).
 */
function overlappingClusters(children: readonly TraceNode[], minSize: number): TraceNode[][] {
  const clusters: TraceNode[][] = [];
  let clusterStart = 0;
  let clusterEnd = Number.NEGATIVE_INFINITY;
  for (let i = 0; i <= children.length; i++) {
    const child = children[i];
    if (child === undefined || (i > clusterStart && child.startNs >= clusterEnd)) {
      if (i - clusterStart >= minSize) clusters.push(children.slice(clusterStart, i));
      clusterStart = i;
      clusterEnd = Number.NEGATIVE_INFINITY;
    }
    if (child !== undefined) clusterEnd = Math.max(clusterEnd, child.endNs);
  }
  return clusters;
}

/**
 * fan_out: a parent with at least `minChildren` children running in parallel (all overlapping
 * the slowest) where the slowest finishes last, so the parent waits for it, and takes at least
 * `minSlowestToMedian` times the median of its siblings. The finding lists the slowest child, the
 * parent, then the other children. Impact: the slowest minus that median,
 * what the parent would save if the straggler were as fast as the others.
 */
export const detectFanOut: Detector = (context) => {
  const { minChildren, minSlowestToMedian } = context.options.fanOut;
  const detections: Detection[] = [];
  for (let nodeIndex = 0; nodeIndex < context.tree.nodes.length; nodeIndex++) {
    const parent = context.tree.nodes[nodeIndex]!;
    if (parent.children.length < minChildren) continue;
    for (const cluster of overlappingClusters(parent.children, minChildren)) {
      let slowest = cluster[0]!;
      let clusterEnd = slowest.endNs;
      for (const child of cluster) {
        clusterEnd = Math.max(clusterEnd, child.endNs);
        if (child.durationNs > slowest.durationNs) slowest = child;
      }
      if (slowest.endNs < clusterEnd) continue;
      const parallel = cluster.filter(
        (child) =>
          child === slowest || (child.startNs < slowest.endNs && child.endNs > slowest.startNs),
      );
      if (parallel.length < minChildren) continue;
      const siblings = parallel.filter((child) => child !== slowest);
      const medianNs = median(siblings.map((child) => child.durationNs));
      if (slowest.durationNs <= 0 || slowest.durationNs < minSlowestToMedian * medianNs) continue;
      const impactNs = slowest.durationNs - medianNs;
      detections.push(
        detection(context, {
          kind: 'fan_out',
          nodes: [slowest, parent, ...siblings],
          anchor: slowest,
          impactNs,
          summary: `${nameOf(parent)} waited ${formatDuration(slowest.durationNs)} for ${nameOf(slowest)}, the slowest of ${parallel.length} parallel calls whose median took ${formatDuration(medianNs)}`,
        }),
      );
    }
  }
  return detections;
};

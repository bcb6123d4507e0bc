import { formatDuration } from '../format-duration.ts';
import type { TraceTree } from '../trace-tree.ts';
import { type Detection, type Detector, detection, median, nameOf } from './detector.ts';

/**
 * The children of `parent` that overlap one another transitively, in start order, keeping only
 * clusters of at least `minSize` (the others are never copied out: most parents run their
 * children in sequence).
 */
function overlappingClusters(tree: TraceTree, parent: number, minSize: number): number[][] {
  const { startNs, endNs, subtreeEnd } = tree;
  const end = subtreeEnd[parent]!;
  const clusters: number[][] = [];
  let clusterFirst = parent + 1;
  let clusterSize = 0;
  let clusterEnd = Number.NEGATIVE_INFINITY;
  for (let child = parent + 1; ; child = subtreeEnd[child]!) {
    const done = child >= end;
    if (done || (clusterSize > 0 && startNs[child]! >= clusterEnd)) {
      if (clusterSize > 0 && clusterSize >= minSize) {
        const cluster: number[] = [];
        for (let c = clusterFirst; c !== child; c = subtreeEnd[c]!) cluster.push(c);
        clusters.push(cluster);
      }
      clusterFirst = child;
      clusterSize = 0;
      clusterEnd = Number.NEGATIVE_INFINITY;
    }
    if (done) return clusters;
    clusterSize++;
    clusterEnd = Math.max(clusterEnd, endNs[child]!);
  }
}

/**
 * fan_out: a parent with at least `minChildren` children running in parallel (all overlapping
 * the slowest) where the slowest finishes last, so the parent waits for it, and takes at least
 * `minSlowestToMedian` times the median of its siblings. The finding lists the slowest child,
 * the parent, then the other children. Impact: the slowest minus that median, what the parent
 * would save if the straggler were as fast as the others.
 */
export const detectFanOut: Detector = (context) => {
  const { tree } = context;
  const { startNs, endNs, durationNs } = tree;
  const { minChildren, minSlowestToMedian } = context.options.fanOut;
  const detections: Detection[] = [];
  for (let parent = 0; parent < tree.size; parent++) {
    if (tree.childCount[parent]! < minChildren) continue;
    for (const cluster of overlappingClusters(tree, parent, minChildren)) {
      let slowest = cluster[0]!;
      let clusterEnd = endNs[slowest]!;
      for (const child of cluster) {
        clusterEnd = Math.max(clusterEnd, endNs[child]!);
        if (durationNs[child]! > durationNs[slowest]!) slowest = child;
      }
      if (endNs[slowest]! < clusterEnd) continue;
      const parallel = cluster.filter(
        (child) =>
          child === slowest ||
          (startNs[child]! < endNs[slowest]! && endNs[child]! > startNs[slowest]!),
      );
      if (parallel.length < minChildren) continue;
      const siblings = parallel.filter((child) => child !== slowest);
      const medianNs = median(siblings.map((child) => durationNs[child]!));
      const slowestNs = durationNs[slowest]!;
      if (slowestNs <= 0 || slowestNs < minSlowestToMedian * medianNs) continue;
      const impactNs = slowestNs - medianNs;
      detections.push(
        detection(context, {
          kind: 'fan_out',
          nodes: [slowest, parent, ...siblings],
          anchor: slowest,
          impactNs,
          summary: `${nameOf(tree, parent)} waited ${formatDuration(slowestNs)} for ${nameOf(tree, slowest)}, the slowest of ${parallel.length} parallel calls whose median took ${formatDuration(medianNs)}`,
        }),
      );
    }
  }
  return detections;
};

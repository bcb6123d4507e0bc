import { formatDuration } from '../format-duration.ts';
import type { TraceNode } from '../trace-tree.ts';
import {
  clip,
  type Detection,
  type Detector,
  detection,
  groupSameCalls,
  nameOf,
  runsAfter,
} from './detector.ts';

/**
 * sequential_calls: at least `minCalls` sibling client calls to different operations, each at
 * least `minCallNs`, running one after another, where running them in parallel would save at
 * least `minSavingNs` and `minSavingFraction` of the parent. Calls whose operation repeats under
 * the parent are left to n_plus_one and retry_storm. The finding lists the calls, then the parent. Impact: the sum of the calls minus the
 * longest (the time the run would take in parallel).
 */
export const detectSequentialCalls: Detector = (context) => {
  const { minCalls, minCallNs, minSavingNs, minSavingFraction } = context.options.sequentialCalls;
  const detections: Detection[] = [];
  for (let nodeIndex = 0; nodeIndex < context.tree.nodes.length; nodeIndex++) {
    const parent = context.tree.nodes[nodeIndex]!;
    if (parent.children.length < minCalls) continue;
    const calls = parent.children.filter((child) => child.facts.isCall);
    if (calls.length < minCalls) continue;
    // Only long calls can form a run: skip the parent before normalising anything if too few.
    let longCalls = 0;
    for (const call of calls) if (call.durationNs >= minCallNs) longCalls++;
    if (longCalls < minCalls) continue;
    // Calls whose operation repeats under the parent belong to a loop or a retry.
    const repeated = new Set<TraceNode>();
    for (const group of groupSameCalls(calls, 2)) for (const call of group) repeated.add(call);
    const eligible = calls.filter((call) => call.durationNs >= minCallNs && !repeated.has(call));
    if (eligible.length < minCalls) continue;

    const report = (run: readonly TraceNode[]) => {
      if (run.length < minCalls) return;
      let totalNs = 0;
      let longestNs = 0;
      for (const call of run) {
        totalNs += call.durationNs;
        longestNs = Math.max(longestNs, call.durationNs);
      }
      const savingNs = totalNs - longestNs;
      if (savingNs < minSavingNs || savingNs < minSavingFraction * parent.durationNs) return;
      const steps = run.map(
        (call) => `${clip(call.facts.callLabel, 40)} ${formatDuration(call.durationNs)}`,
      );
      detections.push(
        detection(context, {
          kind: 'sequential_calls',
          nodes: [...run, parent],
          anchor: parent,
          impactNs: savingNs,
          service: parent.service,
          operation: parent.operation,
          summary: `${run.length} calls from ${nameOf(parent)} ran one after another (${steps.join(', then ')}: ${formatDuration(totalNs)}); in parallel they would take ${formatDuration(longestNs)}, saving about ${formatDuration(savingNs)}`,
        }),
      );
    };

    let run: TraceNode[] = [];
    for (const call of eligible) {
      const last = run[run.length - 1];
      if (last !== undefined && !runsAfter(last, call)) {
        report(run);
        run = [];
      }
      run.push(call);
    }
    report(run);
  }
  return detections;
};

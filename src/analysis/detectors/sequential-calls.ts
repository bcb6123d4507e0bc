import { formatDuration } from '../format-duration.ts';
import {
  callsAmong,
  clip,
  type Detection,
  type Detector,
  type DetectorContext,
  detection,
  groupSameCalls,
  nameOf,
  runsAfter,
} from './detector.ts';

/** Adds a finding for `run`, calls under `parent` one after another, if it saves enough. */
function report(
  context: DetectorContext,
  parent: number,
  run: readonly number[],
  detections: Detection[],
): void {
  const { tree } = context;
  const { facts, durationNs } = tree;
  const { minCalls, minSavingNs, minSavingFraction } = context.options.sequentialCalls;
  if (run.length < minCalls) return;
  let totalNs = 0;
  let longestNs = 0;
  for (const call of run) {
    totalNs += durationNs[call]!;
    longestNs = Math.max(longestNs, durationNs[call]!);
  }
  const savingNs = totalNs - longestNs;
  if (savingNs < minSavingNs || savingNs < minSavingFraction * durationNs[parent]!) return;
  const steps = run.map(
    (call) => `${clip(facts.callLabel(call), 40)} ${formatDuration(durationNs[call]!)}`,
  );
  detections.push(
    detection(context, {
      kind: 'sequential_calls',
      nodes: [...run, parent],
      anchor: parent,
      impactNs: savingNs,
      service: tree.service(parent),
      operation: tree.operation(parent),
      summary: `${run.length} calls from ${nameOf(tree, parent)} ran one after another (${steps.join(', then ')}: ${formatDuration(totalNs)}); in parallel they would take ${formatDuration(longestNs)}, saving about ${formatDuration(savingNs)}`,
    }),
  );
}

/**
 * sequential_calls: at least `minCalls` sibling client calls to different operations, each at
 * least `minCallNs`, running one after another, where running them in parallel would save at
 * least `minSavingNs` and `minSavingFraction` of the parent. Calls whose operation repeats under
 * the parent are left to n_plus_one and retry_storm. The finding lists the calls, then the
 * parent. Impact: the sum of the calls minus the longest (the time the run would take in
 * parallel).
 */
export const detectSequentialCalls: Detector = (context) => {
  const { tree } = context;
  const { facts, durationNs, subtreeEnd } = tree;
  const { minCalls, minCallNs } = context.options.sequentialCalls;
  const detections: Detection[] = [];
  // Marks the calls whose operation repeats under the parent being looked at.
  const repeated = new Uint8Array(tree.size);
  for (let parent = 0; parent < tree.size; parent++) {
    if (tree.childCount[parent]! < minCalls) continue;
    // Only long calls can form a run: skip the parent before allocating or normalising anything
    // if too few.
    let longCalls = 0;
    for (let child = parent + 1; child < subtreeEnd[parent]!; child = subtreeEnd[child]!) {
      if (durationNs[child]! >= minCallNs && facts.isCall(child)) longCalls++;
    }
    if (longCalls < minCalls) continue;
    const calls = callsAmong(tree, parent, minCalls)!;
    // Calls whose operation repeats under the parent belong to a loop or a retry.
    const groups = groupSameCalls(tree, calls, 2);
    for (const group of groups) for (const call of group) repeated[call] = 1;
    const eligible = calls.filter((call) => durationNs[call]! >= minCallNs && repeated[call] === 0);
    for (const group of groups) for (const call of group) repeated[call] = 0;
    if (eligible.length < minCalls) continue;

    let run: number[] = [];
    for (const call of eligible) {
      const last = run[run.length - 1];
      if (last !== undefined && !runsAfter(tree, last, call)) {
        report(context, parent, run, detections);
        run = [];
      }
      run.push(call);
    }
    report(context, parent, run, detections);
  }
  return detections;
};

import { formatDuration } from '../format-duration.ts';
import type { TraceTree } from '../trace-tree.ts';
import {
  callsAmong,
  clip,
  type Detection,
  type Detector,
  detection,
  groupSameCalls,
  nameOf,
  runsAfter,
} from './detector.ts';

/**
 * True for a call that is a retry or was retried (a failure followed by the same call, or a
 * resend): those belong to retry_storm, not to a loop.
 */
function isRetryTraffic(
  tree: TraceTree,
  call: number,
  position: number,
  group: readonly number[],
): boolean {
  if (tree.facts.resendCount(call) > 0) return true;
  return tree.facts.failed(call) && position < group.length - 1;
}

/** The group without its retry traffic; the group itself when it has none, as loops rarely do. */
function withoutRetryTraffic(tree: TraceTree, group: readonly number[]): readonly number[] {
  for (let i = 0; i < group.length; i++) {
    if (isRetryTraffic(tree, group[i]!, i, group)) {
      return group.filter((call, position) => !isRetryTraffic(tree, call, position, group));
    }
  }
  return group;
}

/**
 * The most calls that ran one after another, none overlapping the previous: interval
 * scheduling's earliest-end greedy, over calls sorted by start.
 */
export function longestSequentialRun(tree: TraceTree, calls: readonly number[]): number[] {
  const run: number[] = [];
  for (const call of calls) {
    const last = run[run.length - 1];
    if (last === undefined || runsAfter(tree, last, call)) run.push(call);
    else if (tree.endNs[call]! < tree.endNs[last]!) run[run.length - 1] = call;
  }
  return run;
}

function describeCalls(tree: TraceTree, call: number): string {
  const { facts } = tree;
  if (facts.isDatabase(call)) return `${facts.dbSystem(call)} queries`;
  if (facts.httpMethod(call) !== undefined) return 'HTTP calls';
  if (facts.rpcService(call) !== undefined || facts.rpcMethod(call) !== undefined) {
    return 'RPC calls';
  }
  return 'calls';
}

/**
 * n_plus_one: at least `minCalls` sibling database or client calls under one parent, with the
 * same normalised statement or route, running one after another. Retries are left out (see
 * {@link isRetryTraffic}). The finding lists the calls, then the parent. Impact: the sum of the
 * calls minus the longest, about what one batched call would save.
 */
export const detectNPlusOne: Detector = (context) => {
  const { tree } = context;
  const { minCalls } = context.options.nPlusOne;
  const detections: Detection[] = [];
  for (let parent = 0; parent < tree.size; parent++) {
    if (tree.childCount[parent]! < minCalls) continue;
    const calls = callsAmong(tree, parent, minCalls);
    if (calls === undefined) continue;
    for (const group of groupSameCalls(tree, calls, minCalls)) {
      const run = longestSequentialRun(tree, withoutRetryTraffic(tree, group));
      if (run.length < minCalls) continue;
      let totalNs = 0;
      let longestNs = 0;
      for (const call of run) {
        totalNs += tree.durationNs[call]!;
        longestNs = Math.max(longestNs, tree.durationNs[call]!);
      }
      const first = run[0]!;
      const impactNs = totalNs - longestNs;
      detections.push(
        detection(context, {
          kind: 'n_plus_one',
          nodes: [...run, parent],
          anchor: parent,
          impactNs,
          summary: `${run.length} sequential ${describeCalls(tree, first)} "${clip(tree.facts.callLabel(first))}" under ${nameOf(tree, parent)} took ${formatDuration(totalNs)}; one batched call would save about ${formatDuration(impactNs)}`,
        }),
      );
    }
  }
  return detections;
};

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
 * True for a call that is a retry or was retried (a failure followed by the same call, or a
 * resend): those belong to retry_storm, not to a loop.
 */
function isRetryTraffic(call: TraceNode, position: number, group: readonly TraceNode[]): boolean {
  if (call.facts.resendCount > 0) return true;
  return call.facts.failed && position < group.length - 1;
}

/**
 * The most calls that ran one after another, none overlapping the previous: interval
 * scheduling's earliest-end greedy, over calls sorted by start.
 */
export function longestSequentialRun(calls: readonly TraceNode[]): TraceNode[] {
  const run: TraceNode[] = [];
  for (const call of calls) {
    const last = run[run.length - 1];
    if (last === undefined || runsAfter(last, call)) run.push(call);
    else if (call.endNs < last.endNs) run[run.length - 1] = call;
  }
  return run;
}

function describeCalls(call: TraceNode): string {
  const { facts } = call;
  if (facts.isDatabase) return `${facts.dbSystem} queries`;
  if (facts.httpMethod !== undefined) return 'HTTP calls';
  if (facts.rpcService !== undefined || facts.rpcMethod !== undefined) return 'RPC calls';
  return 'calls';
}

/**
 * n_plus_one: at least `minCalls` sibling database or client calls under one parent, with the
 * same normalised statement or route, running one after another. Retries are left out (see
 * {@link isRetryTraffic}). The finding lists the calls, then the parent. Impact: the sum of the calls minus the longest, about what one batched
 * call would save.
 */
export const detectNPlusOne: Detector = (context) => {
  const { minCalls } = context.options.nPlusOne;
  const detections: Detection[] = [];
  for (let nodeIndex = 0; nodeIndex < context.tree.nodes.length; nodeIndex++) {
    const parent = context.tree.nodes[nodeIndex]!;
    if (parent.children.length < minCalls) continue;
    const calls = parent.children.filter((child) => child.facts.isCall);
    if (calls.length < minCalls) continue;
    for (const group of groupSameCalls(calls, minCalls)) {
      const loopCalls = group.filter((call, i) => !isRetryTraffic(call, i, group));
      const run = longestSequentialRun(loopCalls);
      if (run.length < minCalls) continue;
      let totalNs = 0;
      let longestNs = 0;
      for (const call of run) {
        totalNs += call.durationNs;
        longestNs = Math.max(longestNs, call.durationNs);
      }
      const first = run[0]!;
      const impactNs = totalNs - longestNs;
      detections.push(
        detection(context, {
          kind: 'n_plus_one',
          nodes: [...run, parent],
          anchor: parent,
          impactNs,
          summary: `${run.length} sequential ${describeCalls(first)} "${clip(first.facts.callLabel)}" under ${nameOf(parent)} took ${formatDuration(totalNs)}; one batched call would save about ${formatDuration(impactNs)}`,
        }),
      );
    }
  }
  return detections;
};

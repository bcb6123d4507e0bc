import { formatDuration } from '../format-duration.ts';
import type { TraceTree } from '../trace-tree.ts';
import {
  callNameOf,
  clip,
  type Detection,
  type Detector,
  detection,
  groupSameCalls,
  nameOf,
  runsAfter,
} from './detector.ts';

/** Consecutive attempts of one call under one parent, each after a failure or as a resend. */
interface RetryChain {
  readonly parent: number;
  readonly attempts: readonly number[];
  /** Chains found inside this chain's attempts (retries multiplying across levels). */
  readonly nested: RetryChain[];
}

/** Why `previous` was followed by `next`: a failure, or a resend that is not a redirect. */
function isRetryOf(tree: TraceTree, previous: number, next: number): boolean {
  if (!runsAfter(tree, previous, next)) return false;
  if (tree.facts.failed(previous)) return true;
  return tree.facts.resendCount(next) > 0 && !tree.facts.redirected(previous);
}

/** Splits same-call siblings (in start order) into chains of retries. */
function retryChains(tree: TraceTree, parent: number, calls: readonly number[]): RetryChain[] {
  const chains: RetryChain[] = [];
  let attempts: number[] = [];
  const flush = () => {
    if (attempts.length >= 2) chains.push({ parent, attempts, nested: [] });
  };
  for (const call of calls) {
    const last = attempts[attempts.length - 1];
    if (last !== undefined && isRetryOf(tree, last, call)) {
      attempts.push(call);
    } else {
      flush();
      attempts = [call];
    }
  }
  flush();
  return chains;
}

function hasFailedOrResentChild(tree: TraceTree, parent: number): boolean {
  const { facts, subtreeEnd } = tree;
  for (let child = parent + 1; child < subtreeEnd[parent]!; child = subtreeEnd[child]!) {
    if (facts.failed(child) || facts.resendCount(child) > 0) return true;
  }
  return false;
}

function failureOf(tree: TraceTree, node: number): string {
  const { facts } = tree;
  const grpcStatus = facts.grpcStatus(node);
  const httpStatus = facts.httpStatus(node);
  if (grpcStatus === 14) return 'UNAVAILABLE';
  if (grpcStatus === 4) return 'DEADLINE_EXCEEDED';
  if (httpStatus !== undefined && httpStatus >= 500) return `HTTP ${httpStatus}`;
  if (facts.timedOut(node)) return 'timeout';
  const message = tree.span(node).status.message;
  if (message !== '') return clip(message, 40);
  return 'error';
}

/** Time lost to failures: from the first attempt's start to the end of the last failed one. */
function failedTimeNs(tree: TraceTree, chain: RetryChain): number {
  const { startNs, endNs } = tree;
  const first = chain.attempts[0]!;
  let lastFailedEnd = startNs[first]!;
  for (const attempt of chain.attempts) {
    if (tree.facts.failed(attempt)) lastFailedEnd = endNs[attempt]!;
  }
  const lastAttempt = chain.attempts[chain.attempts.length - 1]!;
  // A chain held together by resends alone: the attempts before the last were wasted.
  if (lastFailedEnd === startNs[first]!) lastFailedEnd = startNs[lastAttempt]!;
  return lastFailedEnd - startNs[first]!;
}

function allAttempts(chain: RetryChain): number[] {
  return [...chain.attempts, ...chain.nested.flatMap(allAttempts)];
}

/** The number of levels, and the attempts at the deepest one, of a chain and those nested in it. */
function depthAndDeepestAttempts(chain: RetryChain): [number, number] {
  if (chain.nested.length === 0) return [1, chain.attempts.length];
  let depth = 0;
  let deepest = 0;
  for (const nested of chain.nested) {
    const [d, n] = depthAndDeepestAttempts(nested);
    if (d > depth) {
      depth = d;
      deepest = n;
    } else if (d === depth) deepest += n;
  }
  return [depth + 1, deepest];
}

function longestChain(chain: RetryChain): number {
  return Math.max(chain.attempts.length, ...chain.nested.map(longestChain));
}

/**
 * Puts each chain inside the chain of the nearest attempt above it (or at top level), keeping
 * the order the chains were found in. The nearest attempt above each node is carried down the
 * tree in pre-order rather than looked for by walking up from every chain.
 */
function nestChains(tree: TraceTree, chains: readonly RetryChain[]): RetryChain[] {
  const chainOfAttempt = new Int32Array(tree.size).fill(-1);
  chains.forEach((chain, index) => {
    for (const attempt of chain.attempts) chainOfAttempt[attempt] = index;
  });
  const nearest = nearestChainAbove(tree, chainOfAttempt);
  const topLevel: RetryChain[] = [];
  for (const chain of chains) {
    const enclosing = nearest[chain.parent]!;
    if (enclosing < 0) topLevel.push(chain);
    else chains[enclosing]!.nested.push(chain);
  }
  return topLevel;
}

/** For each node, the chain of the nearest attempt among itself and its ancestors, or -1. */
function nearestChainAbove(tree: TraceTree, chainOfAttempt: Int32Array): Int32Array {
  const nearest = new Int32Array(tree.size);
  for (let node = 0; node < tree.size; node++) {
    const parent = tree.parent[node]!;
    const own = chainOfAttempt[node]!;
    nearest[node] = own >= 0 ? own : parent >= 0 ? nearest[parent]! : -1;
  }
  return nearest;
}

/**
 * retry_storm: at least `minRetries` repeats of one call (same normalised operation and peer)
 * under one parent, each after the previous attempt failed (error status, HTTP 5xx, gRPC
 * UNAVAILABLE or DEADLINE_EXCEEDED, ...) or marked as a resend (`http.request.resend_count`,
 * redirects excepted): "3 or more repeated calls after failures" is three retries, four
 * attempts. Chains inside the attempts of another chain are reported with it, as retries that
 * multiply across levels; such a nest counts when the calls at its deepest level add up to
 * `minRetries` + 1 attempts, even if no single level has that many. Impact: the time from the
 * first attempt to the end of the last failed one. The finding lists the attempts (nested ones
 * after), then the parent.
 */
export const detectRetryStorm: Detector = (context) => {
  const { tree } = context;
  const minAttempts = context.options.retryStorm.minRetries + 1;
  const chains: RetryChain[] = [];
  for (let parent = 0; parent < tree.size; parent++) {
    if (tree.childCount[parent]! < 2) continue;
    // A chain needs a failure or a resend: most parents have neither, and need no call keys.
    if (!hasFailedOrResentChild(tree, parent)) continue;
    for (const group of groupSameCalls(tree, tree.children(parent), 2)) {
      chains.push(...retryChains(tree, parent, group));
    }
  }
  if (chains.length === 0) return [];

  const topLevel = nestChains(tree, chains);

  const detections: Detection[] = [];
  for (const chain of topLevel) {
    const [levels, deepestAttempts] = depthAndDeepestAttempts(chain);
    const qualifies =
      longestChain(chain) >= minAttempts || (levels > 1 && deepestAttempts >= minAttempts);
    if (!qualifies) continue;
    const first = chain.attempts[0]!;
    const impactNs = failedTimeNs(tree, chain);
    const failures = chain.attempts.filter((attempt) => tree.facts.failed(attempt));
    const outcome = tree.facts.failed(chain.attempts[chain.attempts.length - 1]!)
      ? 'all failed'
      : 'the last succeeded';
    const reason = failures.length > 0 ? ` after ${failureOf(tree, failures[0]!)}` : ' (resends)';
    const multiplied =
      levels > 1
        ? `; retries nested below multiply across ${levels} levels to ${deepestAttempts} attempts at the deepest`
        : '';
    detections.push(
      detection(context, {
        kind: 'retry_storm',
        nodes: [...allAttempts(chain), chain.parent],
        anchor: chain.parent,
        impactNs,
        summary: `${nameOf(tree, chain.parent)} tried ${callNameOf(tree, first)} ${chain.attempts.length} times${reason}, ${outcome}${multiplied}; failed attempts cost ${formatDuration(impactNs)}`,
      }),
    );
  }
  return detections;
};

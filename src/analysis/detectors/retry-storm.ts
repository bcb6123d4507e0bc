import { formatDuration } from '../format-duration.ts';
import type { TraceNode } from '../trace-tree.ts';
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
  readonly parent: TraceNode;
  readonly attempts: readonly TraceNode[];
  /** Chains found inside this chain's attempts (retries multiplying across levels). */
  readonly nested: RetryChain[];
}

/** Why `previous` was followed by `next`: a failure, or a resend that is not a redirect. */
function isRetryOf(previous: TraceNode, next: TraceNode): boolean {
  if (!runsAfter(previous, next)) return false;
  if (previous.facts.failed) return true;
  return next.facts.resendCount > 0 && !previous.facts.redirected;
}

/** Splits same-call siblings (in start order) into chains of retries. */
function retryChains(parent: TraceNode, calls: readonly TraceNode[]): RetryChain[] {
  const chains: RetryChain[] = [];
  let attempts: TraceNode[] = [];
  const flush = () => {
    if (attempts.length >= 2) chains.push({ parent, attempts, nested: [] });
  };
  for (const call of calls) {
    const last = attempts[attempts.length - 1];
    if (last !== undefined && isRetryOf(last, call)) {
      attempts.push(call);
    } else {
      flush();
      attempts = [call];
    }
  }
  flush();
  return chains;
}

function failureOf(node: TraceNode): string {
  const { facts } = node;
  if (facts.grpcStatus === 14) return 'UNAVAILABLE';
  if (facts.grpcStatus === 4) return 'DEADLINE_EXCEEDED';
  if (facts.httpStatus !== undefined && facts.httpStatus >= 500) return `HTTP ${facts.httpStatus}`;
  if (facts.timedOut) return 'timeout';
  if (node.span.status.message !== '') return clip(node.span.status.message, 40);
  return 'error';
}

/** Time lost to failures: from the first attempt's start to the end of the last failed one. */
function failedTimeNs(chain: RetryChain): number {
  const first = chain.attempts[0]!;
  let lastFailedEnd = first.startNs;
  for (const attempt of chain.attempts) if (attempt.facts.failed) lastFailedEnd = attempt.endNs;
  const lastAttempt = chain.attempts[chain.attempts.length - 1]!;
  // A chain held together by resends alone: the attempts before the last were wasted.
  if (lastFailedEnd === first.startNs) lastFailedEnd = lastAttempt.startNs;
  return lastFailedEnd - first.startNs;
}

function allAttempts(chain: RetryChain): TraceNode[] {
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
 * retry_storm: at least `minRetries` repeats of one call (same normalised operation and peer)
 * under one parent, each after the previous attempt failed (error status, HTTP 5xx, gRPC
 * UNAVAILABLE or DEADLINE_EXCEEDED, ...) or marked as a resend (`http.request.resend_count`,
 * redirects excepted): "3 or more repeated calls after failures" is three retries, four
 * attempts. Chains inside the attempts of another chain are reported with it, as retries that
 * multiply across levels; such a nest counts when the calls at its deepest level add up to
 * `minRetries` + 1 attempts, even if no single level has that many. Impact: the time from the first attempt to the end of the
 * last failed one. The finding lists the attempts (nested ones after), then the parent.
 */
export const detectRetryStorm: Detector = (context) => {
  const minAttempts = context.options.retryStorm.minRetries + 1;
  const chains: RetryChain[] = [];
  for (let nodeIndex = 0; nodeIndex < context.tree.nodes.length; nodeIndex++) {
    const parent = context.tree.nodes[nodeIndex]!;
    if (parent.children.length < 2) continue;
    // A chain needs a failure or a resend: most parents have neither, and need no call keys.
    if (!parent.children.some((child) => child.facts.failed || child.facts.resendCount > 0)) {
      continue;
    }
    for (const group of groupSameCalls(parent.children, 2)) {
      chains.push(...retryChains(parent, group));
    }
  }
  if (chains.length === 0) return [];

  // Nodes come in pre-order, so a chain's enclosing chains were found before it.
  const chainOfAttempt = new Map<TraceNode, RetryChain>();
  const topLevel: RetryChain[] = [];
  for (const chain of chains) {
    let enclosing: RetryChain | undefined;
    for (let node = chain.parent as TraceNode | undefined; node !== undefined; node = node.parent) {
      enclosing = chainOfAttempt.get(node);
      if (enclosing !== undefined) break;
    }
    if (enclosing === undefined) topLevel.push(chain);
    else enclosing.nested.push(chain);
    for (const attempt of chain.attempts) chainOfAttempt.set(attempt, chain);
  }

  const detections: Detection[] = [];
  for (const chain of topLevel) {
    const [levels, deepestAttempts] = depthAndDeepestAttempts(chain);
    const qualifies =
      longestChain(chain) >= minAttempts || (levels > 1 && deepestAttempts >= minAttempts);
    if (!qualifies) continue;
    const first = chain.attempts[0]!;
    const impactNs = failedTimeNs(chain);
    const failures = chain.attempts.filter((attempt) => attempt.facts.failed);
    const outcome = chain.attempts[chain.attempts.length - 1]!.facts.failed
      ? 'all failed'
      : 'the last succeeded';
    const reason = failures.length > 0 ? ` after ${failureOf(failures[0]!)}` : ' (resends)';
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
        summary: `${nameOf(chain.parent)} tried ${callNameOf(first)} ${chain.attempts.length} times${reason}, ${outcome}${multiplied}; failed attempts cost ${formatDuration(impactNs)}`,
      }),
    );
  }
  return detections;
};

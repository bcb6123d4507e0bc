import { SpanKind } from '../model/span.ts';
import type { CriticalPath } from './critical-path.ts';
import type { Detection } from './detectors/detector.ts';
import { formatDuration, formatShare } from './format-duration.ts';
import { nameOf } from './span-names.ts';
import type { TraceNode, TraceTree } from './trace-tree.ts';

const MAX_STEPS = 10;
/** A healthy chain follows a child only while it holds at least this much of the path below. */
const MAJORITY = 0.5;

/** The root whose subtree holds most of the critical path. */
function mainRoot(tree: TraceTree, criticalPath: CriticalPath): TraceNode | undefined {
  let best: TraceNode | undefined;
  for (const root of tree.roots) {
    if (
      best === undefined ||
      criticalPath.subtreeContributionNs[root.index]! >
        criticalPath.subtreeContributionNs[best.index]!
    ) {
      best = root;
    }
  }
  return best;
}

/** Root-to-node path, leaving out a client span whose server half follows (one call, two ends). */
function pathTo(node: TraceNode): TraceNode[] {
  const path: TraceNode[] = [];
  for (let at: TraceNode | undefined = node; at !== undefined; at = at.parent) path.push(at);
  path.reverse();
  return path.filter((step, i) => {
    const next = path[i + 1];
    return !(
      next !== undefined &&
      step.facts.kind === SpanKind.client &&
      next.facts.kind === SpanKind.server &&
      next.service !== step.service
    );
  });
}

/** Down from `root` into the child holding most of the critical path, while one does. */
function heaviestPath(root: TraceNode, criticalPath: CriticalPath): TraceNode {
  let node = root;
  for (;;) {
    let heaviest: TraceNode | undefined;
    for (const child of node.children) {
      if (
        heaviest === undefined ||
        criticalPath.subtreeContributionNs[child.index]! >
          criticalPath.subtreeContributionNs[heaviest.index]!
      ) {
        heaviest = child;
      }
    }
    if (
      heaviest === undefined ||
      criticalPath.subtreeContributionNs[heaviest.index]! <
        MAJORITY * criticalPath.subtreeContributionNs[node.index]!
    ) {
      return node;
    }
    node = heaviest;
  }
}

function stepSentences(path: readonly TraceNode[]): string[] {
  const sentences = path.map((node, i) =>
    i === 0
      ? `${nameOf(node)} took ${formatDuration(node.durationNs)}.`
      : `Because ${nameOf(node)} took ${formatDuration(node.durationNs)}.`,
  );
  if (sentences.length <= MAX_STEPS) return sentences;
  const hidden = sentences.length - MAX_STEPS + 1;
  return [
    sentences[0]!,
    `(${hidden} nested spans, each waiting for the next, are left out here.)`,
    ...sentences.slice(sentences.length - MAX_STEPS + 2),
  ];
}

function asClause(summary: string): string {
  const clause = summary.startsWith('The ') ? `the ${summary.slice(4)}` : summary;
  return clause.endsWith('.') ? clause : `${clause}.`;
}

/**
 * The why-chain: one sentence per step from the root down to the latency finding with the largest
 * impact ("checkout took 2.4 s." "Because payment charge took 1.8 s." ... "Because <finding>."),
 * naming service, operation and duration; when the request failed, a last sentence names where the
 * error started (an error origin leads the chain only when no latency finding exists). With no finding, it follows the critical path down to where
 * the time went and says so without inventing a problem. Empty for an empty trace.
 */
export function buildWhyChain(
  tree: TraceTree,
  criticalPath: CriticalPath,
  selfTimeNs: Float64Array,
  traceDurationNs: number,
  detections: readonly Detection[],
): string[] {
  // The chain explains where the time went, so it leads to the largest latency finding; an error
  // origin answers "why did it fail", which is told after it (or leads when nothing was slow).
  const errorOrigin = detections.find((d) => d.finding.kind === 'error_origin');
  const top = detections.find((d) => d.finding.kind !== 'error_origin') ?? errorOrigin;
  if (top !== undefined) {
    // The finding's summary describes its anchor, so the steps stop above it (at a root, on it).
    const path = pathTo(top.anchor);
    const steps = path.length > 1 ? path.slice(0, -1) : path;
    const chain = [...stepSentences(steps), `Because ${asClause(top.finding.summary)}`];
    if (errorOrigin !== undefined && errorOrigin !== top) {
      chain.push(`The request also failed: ${asClause(errorOrigin.finding.summary)}`);
    }
    return chain;
  }
  const root = mainRoot(tree, criticalPath);
  if (root === undefined) return [];
  const end = heaviestPath(root, criticalPath);
  const sentences = stepSentences(pathTo(end));
  const ownNs = selfTimeNs[end.index]!;
  const onPathChildren = end.children.filter(
    (child) => criticalPath.subtreeContributionNs[child.index]! > 0,
  ).length;
  if (ownNs >= MAJORITY * end.durationNs || onPathChildren === 0) {
    sentences.push(
      `${nameOf(end)} spent ${formatDuration(ownNs)} in its own code (${formatShare(ownNs, traceDurationNs)} of the trace); no problem pattern was found.`,
    );
  } else {
    sentences.push(
      `Its time is spread over ${onPathChildren} child span${onPathChildren > 1 ? 's' : ''} on the critical path and ${formatDuration(ownNs)} of its own code; no problem pattern was found.`,
    );
  }
  return sentences;
}

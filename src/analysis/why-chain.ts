import { SpanKind } from '../model/span.ts';
import type { CriticalPath } from './critical-path.ts';
import type { Detection } from './detectors/detector.ts';
import { formatDuration, formatShare } from './format-duration.ts';
import { nameOf } from './span-names.ts';
import type { TraceTree } from './trace-tree.ts';

const MAX_STEPS = 10;
/** A healthy chain follows a child only while it holds at least this much of the path below. */
const MAJORITY = 0.5;

/** The root whose subtree holds most of the critical path, or -1 for an empty tree. */
function mainRoot(tree: TraceTree, criticalPath: CriticalPath): number {
  const { subtreeContributionNs } = criticalPath;
  let best = -1;
  for (const root of tree.roots) {
    if (best < 0 || subtreeContributionNs[root]! > subtreeContributionNs[best]!) best = root;
  }
  return best;
}

/** Root-to-node path, leaving out a client span whose server half follows (one call, two ends). */
function pathTo(tree: TraceTree, node: number): number[] {
  const { facts } = tree;
  const path: number[] = [];
  for (let at = node; at >= 0; at = tree.parent[at]!) path.push(at);
  path.reverse();
  return path.filter((step, i) => {
    const next = path[i + 1];
    return !(
      next !== undefined &&
      facts.kind(step) === SpanKind.client &&
      facts.kind(next) === SpanKind.server &&
      tree.service(next) !== tree.service(step)
    );
  });
}

/** Down from `root` into the child holding most of the critical path, while one does. */
function heaviestPath(tree: TraceTree, root: number, criticalPath: CriticalPath): number {
  const { subtreeContributionNs } = criticalPath;
  const { subtreeEnd } = tree;
  let node = root;
  for (;;) {
    let heaviest = -1;
    for (let child = node + 1; child < subtreeEnd[node]!; child = subtreeEnd[child]!) {
      if (heaviest < 0 || subtreeContributionNs[child]! > subtreeContributionNs[heaviest]!) {
        heaviest = child;
      }
    }
    if (
      heaviest < 0 ||
      subtreeContributionNs[heaviest]! < MAJORITY * subtreeContributionNs[node]!
    ) {
      return node;
    }
    node = heaviest;
  }
}

function stepSentences(tree: TraceTree, path: readonly number[]): string[] {
  const sentences = path.map((node, i) => {
    const took = `${nameOf(tree, node)} took ${formatDuration(tree.durationNs[node]!)}.`;
    return i === 0 ? took : `Because ${took}`;
  });
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
    const path = pathTo(tree, top.anchor);
    const steps = path.length > 1 ? path.slice(0, -1) : path;
    const chain = [...stepSentences(tree, steps), `Because ${asClause(top.finding.summary)}`];
    if (errorOrigin !== undefined && errorOrigin !== top) {
      chain.push(`The request also failed: ${asClause(errorOrigin.finding.summary)}`);
    }
    return chain;
  }
  const root = mainRoot(tree, criticalPath);
  if (root < 0) return [];
  const end = heaviestPath(tree, root, criticalPath);
  const sentences = stepSentences(tree, pathTo(tree, end));
  const ownNs = selfTimeNs[end]!;
  const onPathChildren = tree
    .children(end)
    .filter((child) => criticalPath.subtreeContributionNs[child]! > 0).length;
  if (ownNs >= MAJORITY * tree.durationNs[end]! || onPathChildren === 0) {
    sentences.push(
      `${nameOf(tree, end)} spent ${formatDuration(ownNs)} in its own code (${formatShare(ownNs, traceDurationNs)} of the trace); no problem pattern was found.`,
    );
  } else {
    sentences.push(
      `Its time is spread over ${onPathChildren} child span${onPathChildren > 1 ? 's' : ''} on the critical path and ${formatDuration(ownNs)} of its own code; no problem pattern was found.`,
    );
  }
  return sentences;
}

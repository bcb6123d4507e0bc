import { SpanKind } from '../../model/span.ts';
import { formatDuration, formatShare } from '../format-duration.ts';
import type { TraceTree } from '../trace-tree.ts';
import { type Detection, type Detector, detection, nameOf } from './detector.ts';

/** A child of kind server in another service: the other end of the client's call. */
function isServerOf(tree: TraceTree, child: number, client: number): boolean {
  return tree.facts.kind(child) === SpanKind.server && tree.service(child) !== tree.service(client);
}

/**
 * The time the client's server-side children cover, each clipped to the client span; -1 when it
 * has none.
 */
function coveredByServers(tree: TraceTree, client: number): number {
  const { startNs, endNs, subtreeEnd } = tree;
  let servers = 0;
  let covered = 0;
  let runStart = 0;
  let runEnd = Number.NEGATIVE_INFINITY;
  for (let child = client + 1; child < subtreeEnd[client]!; child = subtreeEnd[child]!) {
    if (!isServerOf(tree, child, client)) continue;
    servers++;
    const start = Math.max(startNs[child]!, startNs[client]!);
    const end = Math.min(endNs[child]!, endNs[client]!);
    if (end <= start) continue;
    if (start > runEnd) {
      if (runEnd > runStart) covered += runEnd - runStart;
      runStart = start;
      runEnd = end;
    } else runEnd = Math.max(runEnd, end);
  }
  if (runEnd > runStart) covered += runEnd - runStart;
  return servers === 0 ? -1 : covered;
}

/**
 * client_server_gap: a client span whose server span in the next service (a child of kind server
 * in another service) is much shorter: the gap (client duration minus the time its server spans
 * cover) is at least `minGapFraction` of the client span and at least `minGapNs`. That time went
 * to the network, a proxy, a connection pool or the server's queue. Times are skew-corrected;
 * durations are not affected by skew. Impact: the gap.
 */
export const detectClientServerGap: Detector = (context) => {
  const { tree } = context;
  const { durationNs } = tree;
  const { minGapFraction, minGapNs } = context.options.clientServerGap;
  const detections: Detection[] = [];
  for (let client = 0; client < tree.size; client++) {
    if (tree.childCount[client] === 0 || tree.facts.kind(client) !== SpanKind.client) continue;
    const coveredNs = coveredByServers(tree, client);
    if (coveredNs < 0) continue;
    const clientNs = durationNs[client]!;
    const gapNs = clientNs - coveredNs;
    if (gapNs < minGapNs || gapNs < minGapFraction * clientNs) continue;
    const servers = tree.children(client).filter((child) => isServerOf(tree, child, client));
    const server = servers[0]!;
    const serverPart =
      servers.length === 1
        ? `${nameOf(tree, server)} took ${formatDuration(durationNs[server]!)}`
        : `its ${servers.length} server spans in ${tree.service(server)} cover ${formatDuration(clientNs - gapNs)}`;
    detections.push(
      detection(context, {
        kind: 'client_server_gap',
        nodes: [client, ...servers],
        anchor: client,
        impactNs: gapNs,
        summary: `${nameOf(tree, client)} took ${formatDuration(clientNs)} but ${serverPart}: ${formatDuration(gapNs)} (${formatShare(gapNs, clientNs)}) lost between client and server (network, proxy or queue)`,
      }),
    );
  }
  return detections;
};

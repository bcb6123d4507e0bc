import { SpanKind } from '../../model/span.ts';
import { formatDuration, formatShare } from '../format-duration.ts';
import type { TraceNode } from '../trace-tree.ts';
import { type Detection, type Detector, detection, nameOf } from './detector.ts';

/** The time the client's server-side children cover, each clipped to the client span. */
function coveredByServers(client: TraceNode, servers: readonly TraceNode[]): number {
  let covered = 0;
  let runStart = 0;
  let runEnd = Number.NEGATIVE_INFINITY;
  for (const server of servers) {
    const start = Math.max(server.startNs, client.startNs);
    const end = Math.min(server.endNs, client.endNs);
    if (end <= start) continue;
    if (start > runEnd) {
      if (runEnd > runStart) covered += runEnd - runStart;
      runStart = start;
      runEnd = end;
    } else runEnd = Math.max(runEnd, end);
  }
  if (runEnd > runStart) covered += runEnd - runStart;
  return covered;
}

/**
 * client_server_gap: a client span whose server span in the next service (a child of kind server
 * in another service) is much shorter: the gap (client duration minus the time its server spans
 * cover) is at least `minGapFraction` of the client span and at least `minGapNs`. That time went
 * to the network, a proxy, a connection pool or the server's queue. Times are skew-corrected;
 * durations are not affected by skew. Impact: the gap.
 */
export const detectClientServerGap: Detector = (context) => {
  const { minGapFraction, minGapNs } = context.options.clientServerGap;
  const detections: Detection[] = [];
  for (let nodeIndex = 0; nodeIndex < context.tree.nodes.length; nodeIndex++) {
    const client = context.tree.nodes[nodeIndex]!;
    if (client.children.length === 0 || client.span.kind !== SpanKind.client) continue;
    const servers = client.children.filter(
      (child) => child.span.kind === SpanKind.server && child.service !== client.service,
    );
    if (servers.length === 0) continue;
    const gapNs = client.durationNs - coveredByServers(client, servers);
    if (gapNs < minGapNs || gapNs < minGapFraction * client.durationNs) continue;
    const server = servers[0]!;
    const serverPart =
      servers.length === 1
        ? `${nameOf(server)} took ${formatDuration(server.durationNs)}`
        : `its ${servers.length} server spans in ${server.service} cover ${formatDuration(client.durationNs - gapNs)}`;
    detections.push(
      detection(context, {
        kind: 'client_server_gap',
        nodes: [client, ...servers],
        anchor: client,
        impactNs: gapNs,
        summary: `${nameOf(client)} took ${formatDuration(client.durationNs)} but ${serverPart}: ${formatDuration(gapNs)} (${formatShare(gapNs, client.durationNs)}) lost between client and server (network, proxy or queue)`,
      }),
    );
  }
  return detections;
};

import { Graph, layout } from '@dagrejs/dagre';

/** Calls from one service to another, as `/api/dependencies` returns them. */
export interface ServiceLink {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
  /** Calls that ended in an error status; absent from servers that do not count them. */
  readonly errorCount?: number;
}

export interface MapNode {
  readonly name: string;
  /** Centre of the node. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly callsIn: number;
  readonly callsOut: number;
}

export interface MapEdge {
  readonly from: string;
  readonly to: string;
  readonly callCount: number;
  readonly errorCount: number;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** Where the label goes. */
  readonly labelX: number;
  readonly labelY: number;
}

export interface ServiceMap {
  readonly nodes: readonly MapNode[];
  readonly edges: readonly MapEdge[];
  readonly width: number;
  readonly height: number;
}

export const NODE_HEIGHT = 44;
const CHAR_WIDTH = 7.5;

/**
 * Lays the services out left to right with dagre (callers before callees, crossings kept few);
 * links between the same two services are summed. Node widths fit their names.
 */
export function layoutServiceMap(links: readonly ServiceLink[]): ServiceMap {
  const merged = new Map<
    string,
    { from: string; to: string; callCount: number; errorCount: number }
  >();
  const callsIn = new Map<string, number>();
  const callsOut = new Map<string, number>();
  for (const link of links) {
    const key = `${link.parent}\u0000${link.child}`;
    const edge = merged.get(key) ?? {
      from: link.parent,
      to: link.child,
      callCount: 0,
      errorCount: 0,
    };
    edge.callCount += link.callCount;
    edge.errorCount += link.errorCount ?? 0;
    merged.set(key, edge);
    callsOut.set(link.parent, (callsOut.get(link.parent) ?? 0) + link.callCount);
    callsIn.set(link.child, (callsIn.get(link.child) ?? 0) + link.callCount);
    callsIn.set(link.parent, callsIn.get(link.parent) ?? 0);
    callsOut.set(link.child, callsOut.get(link.child) ?? 0);
  }
  const graph = new Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 140, marginx: 24, marginy: 24 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const name of [...callsIn.keys()].sort()) {
    graph.setNode(name, {
      width: Math.max(120, 40 + name.length * CHAR_WIDTH),
      height: NODE_HEIGHT,
    });
  }
  for (const edge of merged.values()) {
    graph.setEdge(edge.from, edge.to, { width: 110, height: 18, labelpos: 'c' });
  }
  layout(graph);
  const nodes: MapNode[] = graph.nodes().map((name) => {
    const node = graph.node(name) as { x: number; y: number; width: number; height: number };
    return {
      name,
      x: node.x,
      y: node.y,
      width: node.width,
      height: node.height,
      callsIn: callsIn.get(name) ?? 0,
      callsOut: callsOut.get(name) ?? 0,
    };
  });
  const edges: MapEdge[] = [...merged.values()].map((edge) => {
    const label = graph.edge(edge.from, edge.to) as {
      points?: { x: number; y: number }[];
      x?: number;
      y?: number;
    };
    const points = label.points ?? [];
    const middle = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    return { ...edge, points, labelX: label.x ?? middle.x, labelY: label.y ?? middle.y };
  });
  const size = graph.graph() as { width?: number; height?: number };
  return { nodes, edges, width: size.width ?? 0, height: size.height ?? 0 };
}

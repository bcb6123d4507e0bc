import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceBuilder } from '../../test/support/trace-builder.ts';
import { SpanKind } from '../model/span.ts';
import { assembleTraceTree } from './assemble-trace-tree.ts';
import type { TraceTree } from './trace-tree.ts';

/** Every structural promise of a tree: pre-order numbering, subtree ranges, depths, links. */
function assertWellFormed(tree: TraceTree): void {
  for (let node = 0; node < tree.size; node++) {
    const parent = tree.parent[node]!;
    assert.equal(tree.depth[node], parent < 0 ? 0 : tree.depth[parent]! + 1);
    const children = tree.children(node);
    assert.equal(tree.childCount[node], children.length);
    for (const child of children) {
      assert.equal(tree.parent[child], node);
      assert.ok(tree.isInSubtree(child, node));
    }
    for (let c = 1; c < children.length; c++) {
      assert.ok(tree.startNs[children[c - 1]!]! <= tree.startNs[children[c]!]!);
    }
    assert.ok(tree.subtreeEnd[node]! > node && tree.subtreeEnd[node]! <= tree.size);
    assert.equal(tree.facts.kind(node), tree.span(node).kind);
    assert.equal(tree.spanId(node), tree.span(node).spanId);
  }
  for (const root of tree.roots) assert.equal(tree.parent[root], -1);
}

describe('assembleTraceTree', () => {
  it('builds a tree with roots and children sorted by start and relative times', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'root', startMs: 0, durationMs: 100 });
    t.span({ parent: root, name: 'late', startMs: 50, durationMs: 10 });
    t.span({ parent: root, name: 'early', startMs: 10, durationMs: 10 });
    const tree = assembleTraceTree(t.spans);
    assertWellFormed(tree);
    assert.deepEqual(
      [0, 1, 2].map((node) => tree.operation(node)),
      ['root', 'early', 'late'],
    );
    assert.equal(tree.startNs[1], 10_000_000);
    assert.equal(tree.durationNs[1], 10_000_000);
    assert.deepEqual(tree.orphanSpanIds, []);
    assert.deepEqual(tree.problems, []);
  });

  it('keeps spans whose parent never arrived as roots of their own subtree and names the parent', () => {
    const t = new TraceBuilder();
    t.span({ name: 'root', startMs: 0, durationMs: 100 });
    const orphan = t.span({
      parent: 'aaaaaaaaaaaaaaaa',
      name: 'orphan',
      startMs: 10,
      durationMs: 50,
    });
    t.span({ parent: orphan, name: 'under orphan', startMs: 20, durationMs: 5 });
    const tree = assembleTraceTree(t.spans);
    assertWellFormed(tree);
    assert.equal(tree.roots.length, 2);
    assert.deepEqual(tree.orphanSpanIds, [orphan.spanId]);
    assert.deepEqual(tree.missingParentIds, ['aaaaaaaaaaaaaaaa']);
    assert.equal(tree.childCount[tree.nodeOf(orphan.spanId)], 1);
    assert.match(tree.problems.join('\n'), /1 span\(s\) whose parent never arrived/);
  });

  it('drops an exact copy of a span delivered twice', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'root', startMs: 0, durationMs: 100 });
    const tree = assembleTraceTree([...t.spans, { ...root }]);
    assert.equal(tree.size, 1);
    assert.match(tree.problems.join('\n'), /1 exact duplicate/);
  });

  it('puts the server half of a Zipkin shared span under its client half, with its children', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'root', startMs: 0, durationMs: 100 });
    const client = t.span({
      parent: root,
      name: 'call',
      kind: 'client',
      startMs: 10,
      durationMs: 50,
    });
    const server = t.span({
      parent: root,
      spanId: client.spanId,
      service: 'backend',
      name: 'handle',
      kind: 'server',
      startMs: 12,
      durationMs: 45,
    });
    t.span({ parent: client, service: 'backend', name: 'query', startMs: 20, durationMs: 10 });
    const tree = assembleTraceTree(t.spans);
    assertWellFormed(tree);
    const clientNode = tree.nodeOf(client.spanId);
    assert.equal(tree.span(clientNode), client);
    assert.equal(tree.childCount[clientNode], 1);
    const [serverNode] = tree.children(clientNode);
    assert.equal(tree.span(serverNode!), server);
    assert.deepEqual(
      tree.children(serverNode!).map((node) => tree.operation(node)),
      ['query'],
    );
    assert.deepEqual(tree.problems, []);
  });

  it('keeps other spans reusing an id apart and says so', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'root', startMs: 0, durationMs: 100 });
    const a = t.span({ parent: root, name: 'a', startMs: 10, durationMs: 10 });
    t.span({ parent: root, spanId: a.spanId, name: 'b', startMs: 30, durationMs: 10 });
    const tree = assembleTraceTree(t.spans);
    assertWellFormed(tree);
    assert.equal(tree.size, 3);
    assert.equal(tree.operation(tree.nodeOf(a.spanId)), 'a');
    assert.match(tree.problems.join('\n'), /used by more than one span; kept apart/);
  });

  it('keeps siblings sharing an id, start and end in the order they came', () => {
    const t = new TraceBuilder();
    const root = t.span({ name: 'root', startMs: 0, durationMs: 100 });
    // Out of order, so that the siblings are sorted: the twins compare equal to each other.
    t.span({ parent: root, name: 'late', startMs: 50, durationMs: 10 });
    const twin = t.span({ parent: root, name: 'twin 1', startMs: 10, durationMs: 10 });
    for (const name of ['twin 2', 'twin 3']) {
      t.span({ parent: root, spanId: twin.spanId, name, startMs: 10, durationMs: 10 });
    }
    const tree = assembleTraceTree(t.spans);
    assertWellFormed(tree);
    assert.deepEqual(
      tree.children(0).map((node) => tree.operation(node)),
      ['twin 1', 'twin 2', 'twin 3', 'late'],
    );
  });

  it('treats a span that ends before it starts as zero-length', () => {
    const t = new TraceBuilder();
    t.span({ name: 'backwards', startMs: 10, durationMs: -5 });
    const tree = assembleTraceTree(t.spans);
    assert.equal(tree.durationNs[0], 0);
    assert.match(tree.problems.join('\n'), /ends before it starts/);
  });

  it('cuts a span that is its own parent', () => {
    const t = new TraceBuilder();
    t.span({ spanId: 'bbbbbbbbbbbbbbbb', parent: 'bbbbbbbbbbbbbbbb', startMs: 0, durationMs: 10 });
    const tree = assembleTraceTree(t.spans);
    assertWellFormed(tree);
    assert.equal(tree.roots.length, 1);
    assert.match(tree.problems.join('\n'), /its own parent/);
  });

  it('breaks a cycle of parents, keeping every span and the subtree hanging off it', () => {
    const t = new TraceBuilder();
    t.span({ name: 'real root', startMs: 0, durationMs: 100 });
    t.span({
      spanId: 'c000000000000001',
      parent: 'c000000000000003',
      name: 'one',
      startMs: 1,
      durationMs: 90,
    });
    t.span({
      spanId: 'c000000000000002',
      parent: 'c000000000000001',
      name: 'two',
      startMs: 2,
      durationMs: 80,
    });
    t.span({
      spanId: 'c000000000000003',
      parent: 'c000000000000002',
      name: 'three',
      startMs: 3,
      durationMs: 70,
    });
    t.span({ parent: 'c000000000000002', name: 'hanging', startMs: 4, durationMs: 1 });
    const tree = assembleTraceTree(t.spans);
    assertWellFormed(tree);
    assert.equal(tree.size, 5);
    assert.equal(tree.roots.length, 2);
    assert.match(tree.problems.join('\n'), /cycle of parents/);
  });

  it('indexes links between spans of the trace', () => {
    const t = new TraceBuilder();
    const producer = t.span({ name: 'send', kind: 'producer', startMs: 0, durationMs: 1 });
    const consumer = t.span({ name: 'receive', kind: 'consumer', startMs: 5, durationMs: 1 });
    const linked = {
      ...consumer,
      links: [
        {
          traceId: t.traceId,
          spanId: producer.spanId,
          traceState: '',
          attributes: [],
          droppedAttributesCount: 0,
          flags: 0,
        },
      ],
    };
    const tree = assembleTraceTree([producer, linked]);
    assert.deepEqual(tree.linkedFrom.get(producer.spanId), [consumer.spanId]);
    assert.equal(tree.facts.kind(tree.nodeOf(consumer.spanId)), SpanKind.consumer);
  });

  it('assembles an empty trace and a 50,000-level chain without overflowing the stack', () => {
    assert.equal(assembleTraceTree([]).size, 0);
    const t = new TraceBuilder();
    let parent = t.span({ startMs: 0, durationMs: 100_000 });
    for (let i = 1; i < 50_000; i++) {
      parent = t.span({ parent, startMs: i / 1000, durationMs: 100_000 - i / 500 });
    }
    const tree = assembleTraceTree(t.spans);
    assert.equal(tree.size, 50_000);
    assert.equal(tree.depth[49_999], 49_999);
    assert.equal(tree.subtreeEnd[0], 50_000);
  });
});

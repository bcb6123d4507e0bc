import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceBuilder } from '../../test/support/trace-builder.ts';
import { SpanKind } from '../model/span.ts';
import { assembleTraceTree } from './assemble-trace-tree.ts';
import { correctClockSkew, skewShiftNs } from './clock-skew.ts';

const MS = 1_000_000;

describe('skewShiftNs', () => {
  const parent = { startNs: 100 * MS, endNs: 200 * MS };
  const cases: [string, { startNs: number; endNs: number }, number][] = [
    ['leaves a child that fits', { startNs: 110 * MS, endNs: 190 * MS }, 0],
    ['centres a child that starts too early', { startNs: 60 * MS, endNs: 140 * MS }, 50 * MS],
    ['centres a child that ends too late', { startNs: 180 * MS, endNs: 260 * MS }, -70 * MS],
    ['aligns a longer child that starts too early', { startNs: 50 * MS, endNs: 300 * MS }, 50 * MS],
    ['leaves a longer child that starts inside', { startNs: 150 * MS, endNs: 400 * MS }, 0],
  ];
  for (const [name, child, expected] of cases) {
    it(name, () => assert.equal(skewShiftNs(parent, child), expected));
  }
});

describe('correctClockSkew', () => {
  it('shifts a callee from another service inside its caller, with its subtree', () => {
    const t = new TraceBuilder();
    const root = t.span({ service: 'frontend', startMs: 0, durationMs: 100 });
    const client = t.span({
      parent: root,
      service: 'frontend',
      kind: 'client',
      startMs: 10,
      durationMs: 60,
    });
    // The backend's clock runs 50 ms behind: its server span seems to start before the call.
    const server = t.span({
      parent: client,
      service: 'backend',
      kind: 'server',
      startMs: -39,
      durationMs: 58,
    });
    const query = t.span({
      parent: server,
      service: 'backend',
      kind: 'client',
      startMs: -30,
      durationMs: 20,
    });
    const { tree, adjustments } = correctClockSkew(assembleTraceTree(t.spans));
    assert.deepEqual(
      adjustments.map((a) => [a.spanId, a.shiftNs]),
      [[server.spanId, 50 * MS]],
    );
    assert.match(adjustments[0]!.reason, /started .* before its parent frontend/);
    assert.equal(tree.startNs[tree.nodeOf(server.spanId)], 11 * MS + 39 * MS);
    assert.equal(tree.startNs[tree.nodeOf(query.spanId)], 20 * MS + 39 * MS);
    // The spans themselves are untouched.
    assert.equal(server.startTimeUnixNano < client.startTimeUnixNano, true);
  });

  it('never moves spans of the same process, nor messaging consumers', () => {
    const t = new TraceBuilder();
    const root = t.span({ service: 'frontend', startMs: 10, durationMs: 100 });
    t.span({ parent: root, service: 'frontend', startMs: 0, durationMs: 20 });
    const producer = t.span({
      parent: root,
      service: 'frontend',
      kind: 'producer',
      startMs: 20,
      durationMs: 1,
    });
    t.span({ parent: producer, service: 'worker', kind: 'consumer', startMs: 500, durationMs: 50 });
    const { adjustments } = correctClockSkew(assembleTraceTree(t.spans));
    assert.deepEqual(adjustments, []);
  });

  it('composes shifts down a chain of skewed services', () => {
    const t = new TraceBuilder();
    const a = t.span({ service: 'a', startMs: 0, durationMs: 100 });
    // b is 200 ms ahead; c is 200 ms ahead of b.
    const b = t.span({ parent: a, service: 'b', startMs: 210, durationMs: 80 });
    const c = t.span({ parent: b, service: 'c', startMs: 420, durationMs: 60 });
    const { tree, adjustments } = correctClockSkew(assembleTraceTree(t.spans));
    assert.equal(adjustments.length, 2);
    const { startNs, endNs } = tree;
    const [aNode, bNode, cNode] = [a, b, c].map((span) => tree.nodeOf(span.spanId));
    assert.ok(startNs[bNode!]! >= startNs[aNode!]! && endNs[bNode!]! <= endNs[aNode!]!);
    assert.ok(startNs[cNode!]! >= startNs[bNode!]! && endNs[cNode!]! <= endNs[bNode!]!);
  });

  it('re-sorts siblings whose order the shift changed', () => {
    const t = new TraceBuilder();
    const root = t.span({ service: 'a', startMs: 0, durationMs: 100 });
    t.span({ parent: root, service: 'a', name: 'local', startMs: 5, durationMs: 10 });
    t.span({ parent: root, service: 'b', name: 'remote', startMs: 60, durationMs: 50 });
    const { tree } = correctClockSkew(assembleTraceTree(t.spans));
    const [first, second] = tree.children(0);
    assert.ok(tree.startNs[first!]! <= tree.startNs[second!]!);
    assert.deepEqual(
      tree.children(0).map((node) => tree.operation(node)),
      ['local', 'remote'],
    );
  });

  it('renumbers the tree when a shift changes the order of siblings', () => {
    const t = new TraceBuilder();
    const root = t.span({ service: 'a', name: 'root', startMs: 0, durationMs: 100 });
    t.span({ parent: root, service: 'a', name: 'local', startMs: 50, durationMs: 10 });
    // b's clock is far ahead: centred in the root, the call moves before `local`.
    const remote = t.span({
      parent: root,
      service: 'b',
      name: 'remote',
      kind: 'server',
      startMs: 150,
      durationMs: 20,
    });
    t.span({ parent: remote, service: 'b', name: 'query', startMs: 155, durationMs: 5 });
    const { tree } = correctClockSkew(assembleTraceTree(t.spans));
    assert.deepEqual(
      tree.children(0).map((node) => tree.operation(node)),
      ['remote', 'local'],
    );
    assert.deepEqual(
      [0, 1, 2, 3].map((node) => tree.operation(node)),
      ['root', 'remote', 'query', 'local'],
    );
    assert.deepEqual([...tree.parent], [-1, 0, 1, 0]);
    assert.deepEqual([...tree.subtreeEnd], [4, 3, 3, 4]);
    const remoteNode = tree.nodeOf(remote.spanId);
    assert.equal(remoteNode, 1);
    assert.equal(tree.span(remoteNode), remote);
    assert.equal(tree.facts.kind(remoteNode), SpanKind.server);
    assert.equal(tree.startNs[remoteNode], 40 * MS);
  });
});

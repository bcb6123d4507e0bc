import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutServiceMap } from './service-map-layout.ts';

describe('layoutServiceMap', () => {
  const map = layoutServiceMap([
    { parent: 'frontend', child: 'checkout', callCount: 10, errorCount: 1 },
    { parent: 'checkout', child: 'postgres', callCount: 40, errorCount: 0 },
    { parent: 'checkout', child: 'postgres', callCount: 2 },
    { parent: 'frontend', child: 'frontend', callCount: 3 },
  ]);

  it('places every service once, callers left of callees', () => {
    const x = Object.fromEntries(map.nodes.map((n) => [n.name, n.x]));
    assert.deepEqual(Object.keys(x).sort(), ['checkout', 'frontend', 'postgres']);
    assert.ok(x.frontend! < x.checkout! && x.checkout! < x.postgres!);
    assert.ok(map.width > 0 && map.height > 0);
  });

  it('sums links between the same services and routes every edge', () => {
    const db = map.edges.find((e) => e.from === 'checkout' && e.to === 'postgres');
    assert.equal(db?.callCount, 42);
    assert.equal(db?.errorCount, 0);
    for (const edge of map.edges) assert.ok(edge.points.length >= 2, `${edge.from}->${edge.to}`);
    assert.equal(map.nodes.find((n) => n.name === 'checkout')?.callsIn, 10);
  });
});

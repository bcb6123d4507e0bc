import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SERVICE_PALETTE, serviceColor } from './service-colors.ts';

describe('serviceColor', () => {
  it('gives a service the same palette colour every time', () => {
    assert.equal(serviceColor('checkout'), serviceColor('checkout'));
    assert.ok((SERVICE_PALETTE as readonly string[]).includes(serviceColor('checkout')));
  });

  it('spreads a handful of similar names over several colours', () => {
    const colours = new Set(['svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-5'].map(serviceColor));
    assert.ok(colours.size >= 3, `only ${colours.size} colours`);
    const demo = ['frontend', 'cart-service', 'pricing-service', 'catalog-service'];
    assert.equal(new Set(demo.map(serviceColor)).size, demo.length);
  });
});

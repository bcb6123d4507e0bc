import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixOf, TraceLocator } from './trace-locator.ts';

const A = '0af7651916cd43dd8448eb211c80319c';
const B = '4bf92f3577b34da6a3ce929d0e0e4736';
/** Shares its first 32 bits with A. */
const A_TWIN = '0af76519ffffffffffffffffffffffff';

describe('TraceLocator', () => {
  it('names the commits that stored spans of a trace, in ascending order', () => {
    const locator = new TraceLocator();
    locator.add(7, [B, A]);
    locator.add(3, [A, A]);
    locator.add(9, [B]);
    assert.deepEqual(locator.batchesOf([A]), [3, 7]);
    assert.deepEqual(locator.batchesOf([A, B]), [3, 7, 9]);
  });

  it('names no commit for a trace never stored', () => {
    const locator = new TraceLocator();
    locator.add(1, [A]);
    assert.deepEqual(locator.batchesOf([B]), []);
  });

  it('counts a trace sharing the first 32 bits of a stored one as a candidate only', () => {
    const locator = new TraceLocator();
    locator.add(1, [A]);
    assert.equal(prefixOf(A), prefixOf(A_TWIN));
    assert.deepEqual(locator.batchesOf([A_TWIN]), [1]);
  });

  it('takes prefixes in any order and with repeats', () => {
    const locator = new TraceLocator();
    locator.addPrefixes(4, Uint32Array.from([prefixOf(B), prefixOf(A), prefixOf(B)]));
    assert.deepEqual(locator.batchesOf([A]), [4]);
    assert.deepEqual(locator.batchesOf([B]), [4]);
  });
});

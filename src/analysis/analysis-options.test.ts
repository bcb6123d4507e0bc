import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AnalysisOptionsInput,
  DEFAULT_ANALYSIS_OPTIONS,
  resolveAnalysisOptions,
} from './analysis-options.ts';

describe('resolveAnalysisOptions', () => {
  it('returns the documented defaults when given nothing', () => {
    assert.equal(resolveAnalysisOptions(undefined), DEFAULT_ANALYSIS_OPTIONS);
    assert.equal(DEFAULT_ANALYSIS_OPTIONS.nPlusOne.minCalls, 5);
    assert.equal(DEFAULT_ANALYSIS_OPTIONS.retryStorm.minRetries, 3);
  });

  it('overrides single thresholds and keeps the rest of their group', () => {
    const options = resolveAnalysisOptions({ sequentialCalls: { minCalls: 4 } });
    assert.equal(options.sequentialCalls.minCalls, 4);
    assert.equal(options.sequentialCalls.minCallNs, 30_000_000);
    assert.deepEqual(options.fanOut, DEFAULT_ANALYSIS_OPTIONS.fanOut);
  });

  it('ignores unknown keys and values of the wrong type', () => {
    const options = resolveAnalysisOptions({
      nPlusOne: { minCalls: 'many', extra: 1 },
      nonsense: {},
      silentTimeout: { roundTimeoutsNs: 5 },
    } as unknown as AnalysisOptionsInput);
    assert.equal(options.nPlusOne.minCalls, 5);
    assert.deepEqual(
      options.silentTimeout.roundTimeoutsNs,
      DEFAULT_ANALYSIS_OPTIONS.silentTimeout.roundTimeoutsNs,
    );
    assert.equal('nonsense' in options, false);
  });
});

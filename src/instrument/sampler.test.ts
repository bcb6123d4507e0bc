import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { samplerFromEnv } from './sampler.ts';

const TRACE_ID = 'ffffffffffffffffffffffffffffffff';

function decide(env: Record<string, string>, parentSampled?: boolean): SamplingDecision {
  const { sampler } = samplerFromEnv(env);
  assert.ok(sampler);
  const parent =
    parentSampled === undefined
      ? ROOT_CONTEXT
      : trace.setSpanContext(ROOT_CONTEXT, {
          traceId: TRACE_ID,
          spanId: '00f067aa0ba902b7',
          traceFlags: parentSampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
          isRemote: true,
        });
  return sampler.shouldSample(parent, TRACE_ID, 'GET /', SpanKind.SERVER, {}, []).decision;
}

describe('samplerFromEnv', () => {
  it('keeps every new trace by default, parent-based with a ratio of 1', () => {
    const { sampler, warning } = samplerFromEnv({});
    assert.equal(warning, undefined);
    assert.match(String(sampler), /ParentBased\{root=TraceIdRatioBased\{1\}/);
    assert.equal(decide({}), SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('takes the ratio for new traces from OTEL_TRACES_SAMPLER_ARG', () => {
    assert.match(String(samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: '0.25' }).sampler), /\{0\.25\}/);
    assert.equal(decide({ OTEL_TRACES_SAMPLER_ARG: '0' }), SamplingDecision.NOT_RECORD);
  });

  it("follows the caller's decision whatever the ratio", () => {
    assert.equal(
      decide({ OTEL_TRACES_SAMPLER_ARG: '0' }, true),
      SamplingDecision.RECORD_AND_SAMPLED,
    );
    assert.equal(decide({ OTEL_TRACES_SAMPLER_ARG: '1' }, false), SamplingDecision.NOT_RECORD);
  });

  it('warns about a ratio out of range or not a number, and keeps everything', () => {
    for (const arg of ['1.5', '-0.1', 'half']) {
      const { sampler, warning } = samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: arg });
      assert.match(warning ?? '', new RegExp(`not '${arg}'`));
      assert.match(String(sampler), /\{1\}/);
    }
  });

  it('leaves the choice to the SDK when OTEL_TRACES_SAMPLER names a sampler', () => {
    assert.deepEqual(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }), {
      sampler: undefined,
    });
  });
});

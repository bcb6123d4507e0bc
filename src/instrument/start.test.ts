import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trace } from '@opentelemetry/api';
import { startInstrumentation } from './start.ts';

describe('startInstrumentation', () => {
  it('does nothing at all with OTEL_SDK_DISABLED=true: no SDK, no tracer provider, no patching', async () => {
    const warnings: string[] = [];
    const started = startInstrumentation({
      env: { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_SAMPLER_ARG: 'bogus' },
      warn: (message) => warnings.push(message),
    });
    assert.equal(started.sdk, undefined);
    assert.deepEqual(warnings, []);
    assert.equal(trace.getTracer('t').startSpan('s').isRecording(), false);
    await started.shutdown();
  });
});

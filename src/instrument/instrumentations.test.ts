import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSTRUMENTATION_NAMES, instrumentationsFromEnv } from './instrumentations.ts';

/** Instrumentations enable themselves when made; these tests must not patch the test runner. */
function choose(env: Record<string, string>) {
  const choice = instrumentationsFromEnv(env);
  for (const instrumentation of choice.instrumentations) instrumentation.disable();
  return choice;
}

describe('instrumentationsFromEnv', () => {
  it('instruments http, fetch, express, fastify, pg, mysql, redis, ioredis, pino and winston', () => {
    const { instrumentations, names, warning } = choose({});
    assert.deepEqual(names, [...INSTRUMENTATION_NAMES]);
    assert.equal(instrumentations.length, INSTRUMENTATION_NAMES.length);
    assert.equal(warning, undefined);
    const packages = instrumentations.map((i) => i.instrumentationName);
    for (const name of ['instrumentation-http', 'instrumentation-undici', 'fastify']) {
      assert.ok(
        packages.some((p) => p.includes(name)),
        `${name} in ${packages.join(', ')}`,
      );
    }
  });

  it('leaves out those OTEL_NODE_DISABLED_INSTRUMENTATIONS names', () => {
    const { names } = choose({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'fastify, mysql' });
    assert.deepEqual(
      names,
      INSTRUMENTATION_NAMES.filter((n) => n !== 'fastify' && n !== 'mysql'),
    );
  });

  it('warns about names it does not know', () => {
    const { names, warning } = choose({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http,grpc' });
    assert.ok(!names.includes('http'));
    assert.match(warning ?? '', /unknown instrumentations: grpc/);
  });
});

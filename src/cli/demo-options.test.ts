import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAULT_NAMES, FaultSwitch, parseFaultList } from '../../demo/faults.ts';
import { DEFAULT_CONFIG } from '../app.ts';
import {
  DEFAULT_RATE_PER_SECOND,
  DEMO_DATA_DIR,
  demoHelp,
  parseDemoOptions,
} from './demo-options.ts';
import { UsageError } from './usage-error.ts';

function parse(argv: string[], env: Record<string, string> = {}) {
  const options = parseDemoOptions(argv, env);
  assert.notEqual(options, 'help');
  return options as Exclude<typeof options, 'help'>;
}

describe('parseDemoOptions', () => {
  it('runs every fault until Ctrl-C, on the default ports, in its own data directory', () => {
    const options = parse([]);
    assert.deepEqual(options.faults, FAULT_NAMES);
    assert.equal(options.durationMs, undefined);
    assert.equal(options.ratePerSecond, DEFAULT_RATE_PER_SECOND);
    assert.equal(options.config.dataDir, DEMO_DATA_DIR);
    assert.equal(options.config.httpPort, DEFAULT_CONFIG.httpPort);
  });

  it("takes the server's flags and environment as tracehound start does", () => {
    const options = parse(['--http-port', '0', '--storage=memory'], {
      TRACEHOUND_OTLP_HTTP_PORT: '14318',
    });
    assert.equal(options.config.httpPort, 0);
    assert.equal(options.config.storage, 'memory');
    assert.equal(options.config.otlpHttpPort, 14318);
    assert.equal(parse(['--data-dir', '/tmp/shop']).config.dataDir, '/tmp/shop');
    assert.equal(parse([], { TRACEHOUND_DATA_DIR: '/tmp/env' }).config.dataDir, '/tmp/env');
  });

  it('reads --duration as a Go duration or a number of seconds, and --rate', () => {
    assert.equal(parse(['--duration', '1m30s']).durationMs, 90_000);
    assert.equal(parse(['--duration=25']).durationMs, 25_000);
    assert.equal(parse(['--rate', '2.5']).ratePerSecond, 2.5);
  });

  it('switches faults off, or picks some', () => {
    assert.deepEqual(parse(['--no-faults']).faults, []);
    assert.deepEqual(parse(['--faults', 'retry-storm,n-plus-one']).faults, [
      'retry-storm',
      'n-plus-one',
    ]);
  });

  it('rejects what it cannot use with a usage error', () => {
    for (const argv of [
      ['--duration', 'soon'],
      ['--duration', '10ms'],
      ['--rate', '0'],
      ['--rate', 'fast'],
      ['--faults', 'gremlins'],
      ['--faults', 'n-plus-one', '--no-faults'],
      ['--http-port', '70000'],
      ['--colour'],
      ['extra'],
    ]) {
      assert.throws(() => parseDemoOptions(argv, {}), UsageError, argv.join(' '));
    }
  });

  it('answers --help with every demo and server option', () => {
    assert.equal(parseDemoOptions(['-h'], {}), 'help');
    const help = demoHelp();
    for (const flag of [
      '--duration',
      '--rate',
      '--faults',
      '--no-faults',
      '--http-port',
      '--data-dir',
    ]) {
      assert.ok(help.includes(flag), flag);
    }
  });
});

describe('faults', () => {
  it('reads fault lists, "all" and nothing', () => {
    assert.deepEqual(parseFaultList('all'), FAULT_NAMES);
    assert.deepEqual(parseFaultList(' slow-query , slow-query '), ['slow-query']);
    assert.deepEqual(parseFaultList(''), []);
    assert.throws(() => parseFaultList('n+1'), /unknown fault 'n\+1'/);
  });

  it('strikes only faults that are on, at their rate', () => {
    const always = new FaultSwitch(['slow-query'], () => 0);
    assert.equal(always.strikes('slow-query'), true);
    assert.equal(always.strikes('retry-storm'), false);
    assert.equal(new FaultSwitch(['slow-query'], () => 0.99).strikes('slow-query'), false);
  });
});

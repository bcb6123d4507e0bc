import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../model/errors.ts';
import { parseGoDuration } from './go-duration.ts';

describe('parseGoDuration', () => {
  const valid: ReadonlyArray<readonly [string, bigint]> = [
    ['0', 0n],
    ['-0', 0n],
    ['+0', 0n],
    ['10ns', 10n],
    ['300us', 300_000n],
    ['300µs', 300_000n],
    ['300μs', 300_000n],
    ['150ms', 150_000_000n],
    ['1.5s', 1_500_000_000n],
    ['.5s', 500_000_000n],
    ['5.s', 5_000_000_000n],
    ['1h2m3.5s', 3_723_500_000_000n],
    ['2h45m', 9_900_000_000_000n],
    ['1m0s', 60_000_000_000n],
    ['0s', 0n],
    ['+5s', 5_000_000_000n],
    ['-1s', -1_000_000_000n],
    ['-1.5h', -5_400_000_000_000n],
    ['1.0000000009s', 1_000_000_000n],
    ['0.000000001s', 1n],
    ['1.9ns', 1n],
    ['9223372036854775807ns', 9_223_372_036_854_775_807n],
    ['-9223372036854775808ns', -9_223_372_036_854_775_808n],
  ];
  for (const [text, expected] of valid) {
    it(`reads '${text}' as ${expected}ns`, () => {
      assert.equal(parseGoDuration(text), expected);
    });
  }

  const invalid = [
    '',
    '-',
    '1',
    '150',
    'abc',
    's',
    '.s',
    '1.2.3s',
    '1d',
    '1 s',
    ' 1s',
    '1s ',
    '1S',
    '1sec',
    '--1s',
    '9223372036854775808ns',
    '3000000h',
  ];
  for (const text of invalid) {
    it(`rejects '${text}' with an error naming it`, () => {
      assert.throws(
        () => parseGoDuration(text),
        (error: unknown) =>
          error instanceof InvalidInputError && error.message.includes(`'${text}'`),
      );
    });
  }
});

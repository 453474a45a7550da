import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseDurationMs, parseDurationSec } from '../../../src/model/time.js';

describe('parseDurationMs', () => {
  const cases: [string, number | null][] = [
    ['30s', 30_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['15', 15_000],
    ['0s', 0],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['2d', 172_800_000],
    ['1s500ms', 1_500],
    ['fast', null],
    ['', null],
    ['1.5s', null],
    ['-5', null],
    ['30m1h', null],
    ['10 minutes', null],
  ];
  for (const [input, out] of cases) {
    it(`should read ${JSON.stringify(input)} as ${out}`, () => assert.equal(parseDurationMs(input), out));
  }

  it('should read back any combination of parts, each part optional', () => {
    const part = fc.option(fc.nat(10_000), { nil: undefined });
    fc.assert(
      fc.property(part, part, part, part, part, (d, h, m, s, ms) => {
        const text = [
          d === undefined ? '' : `${d}d`,
          h === undefined ? '' : `${h}h`,
          m === undefined ? '' : `${m}m`,
          s === undefined ? '' : `${s}s`,
          ms === undefined ? '' : `${ms}ms`,
        ].join('');
        const want =
          (d ?? 0) * 86_400_000 + (h ?? 0) * 3_600_000 + (m ?? 0) * 60_000 + (s ?? 0) * 1000 + (ms ?? 0);
        assert.equal(parseDurationMs(text), text === '' ? null : want);
      }),
    );
  });
});

describe('parseDurationSec', () => {
  const cases: [unknown, number | null][] = [
    [600, 600],
    ['600', 600],
    ['600s', 600],
    ['10m', 600],
    ['1h', 3600],
    ['1h30m', 5400],
    ['2d', 172_800],
    ['1500ms', null],
    ['-5', null],
    [1.5, null],
    [-1, null],
    ['10 minutes', null],
    ['', null],
    [null, null],
  ];
  for (const [input, out] of cases) {
    it(`should read ${JSON.stringify(input)} as ${out}`, () => assert.equal(parseDurationSec(input), out));
  }
});

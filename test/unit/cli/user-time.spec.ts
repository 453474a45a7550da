/**
 * Times as people write them for `where` and `who`: with a zone, without one (the rig's zone), epoch
 * seconds or milliseconds; and the rig-zone wall time the answers show beside UTC.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { localTimeText, parseUserTime, windowFromArgs } from '../../../src/cli/command.js';
import { AuditError } from '../../../src/model/errors.js';

const STO = 'Europe/Stockholm';

describe('parseUserTime', () => {
  const cases: [string, number, string | null][] = [
    ['2026-11-28T02:55:00Z', Date.UTC(2026, 10, 28, 2, 55), null],
    ['2026-11-28T03:55:00+01:00', Date.UTC(2026, 10, 28, 2, 55), null],
    ['2026-11-28 03:55:00+0100', Date.UTC(2026, 10, 28, 2, 55), null],
    ['2026-11-28T03:55', Date.UTC(2026, 10, 28, 2, 55), STO],
    ['2026-11-28 03:55:00', Date.UTC(2026, 10, 28, 2, 55), STO],
    ['2026-11-28 03:55:00.250', Date.UTC(2026, 10, 28, 2, 55, 0, 250), STO],
    ['2026-07-01 12:00', Date.UTC(2026, 6, 1, 10, 0), STO],
    ['2026-11-28', Date.UTC(2026, 10, 27, 23, 0), STO],
    ['1795834500', 1795834500_000, null],
    ['1795834500.5', 1795834500_500, null],
    ['1795834500000', 1795834500_000, null],
  ];
  for (const [text, ms, zone] of cases) {
    it(`should read '${text}'`, () => {
      assert.deepEqual(parseUserTime('where', 'at', text, STO), { ms, readInZone: zone });
    });
  }

  it('should resolve a wall time the autumn fold repeats to the first pass, as the syslog reader does', () => {
    assert.equal(parseUserTime('where', 'at', '2026-10-25 02:30', STO).ms, Date.UTC(2026, 9, 25, 0, 30));
  });

  for (const bad of ['yesterday', '2026-13-01', '2026-02-30 10:00', '2026-11-28T25:00', '28/11/2026', '']) {
    it(`should refuse '${bad}' with GV_USAGE naming the option`, () => {
      assert.throws(
        () => parseUserTime('where', 'at', bad, STO),
        (err: unknown) => err instanceof AuditError && err.code === 'GV_USAGE' && /--at/.test(err.message),
      );
    });
  }

  it('should read back the wall time localTimeText writes, in any zone', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) })
          .map((ms) => Math.floor(ms / 1000) * 1000),
        fc.constantFrom('UTC', STO, 'America/New_York', 'Asia/Kolkata'),
        (ms, zone) => {
          const text = localTimeText(ms, zone);
          const back = parseUserTime('who', 'from', text, zone);
          // A folded hour reads back as its first pass: the same wall time, maybe an hour earlier.
          assert.equal(localTimeText(back.ms, zone), text);
          assert.ok(ms - back.ms === 0 || ms - back.ms === 3_600_000);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('windowFromArgs with a zone', () => {
  it('should read --from/--to as people write them and still refuse a window that ends before it starts', () => {
    assert.deepEqual(windowFromArgs('who', { from: '2026-11-28 03:00', to: '1795834800' }, 0, STO).window, {
      fromMs: Date.UTC(2026, 10, 28, 2),
      toMs: 1795834800_000,
    });
    assert.throws(() =>
      windowFromArgs('who', { from: '2026-11-28 04:00', to: '2026-11-28T02:00:00Z' }, 0, STO),
    );
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { civilFromMs, isKnownZone, localToUtc, offsetAt, utcFromFields } from '../../../src/parse/zone.js';

const ZONES = [
  'UTC',
  'Europe/Stockholm',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/St_Johns',
  'Pacific/Chatham',
];
const arbInstant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) });

/** Oracle: the offset straight from Intl, no caching. */
function intlOffset(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(utcMs);
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  const sec = Math.floor(utcMs / 1000) * 1000;
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - sec;
}

describe('offsetAt', () => {
  it('should give Stockholm +1 h in winter and +2 h in summer', () => {
    assert.equal(offsetAt('Europe/Stockholm', Date.UTC(2026, 10, 28)), 3_600_000);
    assert.equal(offsetAt('Europe/Stockholm', Date.UTC(2026, 6, 1)), 7_200_000);
    assert.equal(offsetAt('Europe/Stockholm', Date.UTC(2026, 2, 29, 0, 59, 59)), 3_600_000);
    assert.equal(offsetAt('Europe/Stockholm', Date.UTC(2026, 2, 29, 1, 0, 0)), 7_200_000);
  });

  it('should return null for an unknown zone instead of throwing', () => {
    assert.equal(offsetAt('Mars/Olympus', 0), null);
    assert.equal(isKnownZone('Mars/Olympus'), false);
    assert.equal(isKnownZone('Europe/Stockholm'), true);
  });

  it('should agree with Intl at every instant (the cache never answers wrong)', () => {
    fc.assert(
      fc.property(arbInstant, fc.constantFrom(...ZONES), (t, zone) => {
        assert.equal(offsetAt(zone, t), intlOffset(zone, t));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('localToUtc', () => {
  it('should resolve a wall time so that it reads back as the same wall time, or lies in a gap', () => {
    fc.assert(
      fc.property(arbInstant, fc.constantFrom(...ZONES), (wall, zone) => {
        const wallSec = Math.floor(wall / 1000) * 1000;
        const utc = localToUtc(zone, wallSec) as number;
        const back = utc + (offsetAt(zone, utc) as number);
        if (back !== wallSec) {
          // A wall time skipped by a spring-forward gap: read with the offset before the gap.
          assert.ok(back > wallSec, `${zone} ${new Date(wallSec).toISOString()}`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('should pick the earliest instant for a wall time that happens twice', () => {
    fc.assert(
      fc.property(arbInstant, fc.constantFrom(...ZONES), (t, zone) => {
        const sec = Math.floor(t / 1000) * 1000;
        const wall = sec + (offsetAt(zone, sec) as number);
        const utc = localToUtc(zone, wall) as number;
        assert.ok(
          utc <= sec,
          `${zone}: ${new Date(sec).toISOString()} resolved to the later ${new Date(utc).toISOString()}`,
        );
        assert.equal(utc + (offsetAt(zone, utc) as number), wall);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('civilFromMs', () => {
  it('should agree with Date for any instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_000 }), (ms) => {
        const d = new Date(ms);
        assert.deepEqual(civilFromMs(ms), {
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
          hour: d.getUTCHours(),
          minute: d.getUTCMinutes(),
          second: d.getUTCSeconds(),
          ms: d.getUTCMilliseconds(),
        });
      }),
    );
  });

  it('should invert utcFromFields, including years below 100', () => {
    assert.equal(utcFromFields(50, 3, 1, 0, 0, 0), Date.UTC(2050, 2, 1) - 2000 * 365.2425 * 86_400_000);
    assert.deepEqual(civilFromMs(utcFromFields(50, 3, 1, 4, 5, 6)), {
      year: 50,
      month: 3,
      day: 1,
      hour: 4,
      minute: 5,
      second: 6,
      ms: 0,
    });
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  formatGluffTimestamp,
  gluffLeaseInWindow,
  parseGluffLeaseRow,
  parseGluffTimestamp,
} from '../../../src/parse/gluff-row.js';

describe('parseGluffTimestamp', () => {
  const cases: [string, string, number | null][] = [
    ['2026-11-28 02:23:45', 'Europe/Stockholm', Date.UTC(2026, 10, 28, 1, 23, 45)],
    ['2026-07-01 12:00:00', 'Europe/Stockholm', Date.UTC(2026, 6, 1, 10, 0, 0)],
    ['2026-11-28 02:23:45', 'UTC', Date.UTC(2026, 10, 28, 2, 23, 45)],
    ['2026-11-27 20:23:45', 'America/New_York', Date.UTC(2026, 10, 28, 1, 23, 45)],
    // The repeated hour at the end of DST: the earlier instant.
    ['2026-10-25 02:30:00', 'Europe/Stockholm', Date.UTC(2026, 9, 25, 0, 30, 0)],
    ['2026-11-28T02:23:45', 'UTC', Date.UTC(2026, 10, 28, 2, 23, 45)],
    ['2026-11-28 02:23:45.000000', 'UTC', Date.UTC(2026, 10, 28, 2, 23, 45)],
    ['2024-02-29 00:00:00', 'UTC', Date.UTC(2024, 1, 29)],
    ['2026-02-29 00:00:00', 'UTC', null],
    ['2026-11-28 24:00:00', 'UTC', null],
    ['2026-11-28 02:23:45 ', 'UTC', null],
    ['2026-11-28 2:23:45', 'UTC', null],
    ['0000-00-00 00:00:00', 'Europe/Stockholm', null],
    ['2026-00-10 00:00:00', 'UTC', null],
    ['2026-02-30 00:00:00', 'UTC', null],
    ['', 'UTC', null],
    ['2026-11-28 02:23:45', 'Not/AZone', null],
  ];
  for (const [text, zone, ms] of cases) {
    it(`should read '${text}' in ${zone} as ${ms === null ? 'null' : new Date(ms).toISOString()}`, () => {
      assert.equal(parseGluffTimestamp(text, zone), ms);
    });
  }

  it('should round-trip whole-second instants through formatGluffTimestamp', () => {
    const zones = ['UTC', 'Europe/Stockholm', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        fc.integer({ min: 946_684_800, max: 4_102_444_800 }),
        fc.constantFrom(...zones),
        (sec, zone) => {
          const ms = sec * 1000;
          const back = parseGluffTimestamp(formatGluffTimestamp(ms, zone), zone);
          // In a repeated (fall-back) hour the text is ambiguous and reads as the earlier instant.
          assert.ok(
            back === ms || (back !== null && back < ms && ms - back <= 3_600_000),
            `${ms} -> ${back}`,
          );
          assert.equal(formatGluffTimestamp(back as number, zone), formatGluffTimestamp(ms, zone));
        },
      ),
    );
  });
});

describe('parseGluffLeaseRow', () => {
  it('should turn a joined row into an ActualLease with hex option values and UTC times', () => {
    // Arrange
    const row = {
      id: 7,
      ip: '10.1.0.50',
      hw: '00:0c:29:00:00:01',
      cid: '0:4:0:1:0:2',
      rid: '"sw1"',
      lstart: '2026-11-28 02:00:00',
      lend: '2026-11-28 02:10:00',
    };
    // Act
    const lease = parseGluffLeaseRow(row, 'Europe/Stockholm');
    // Assert
    assert.deepEqual(lease, {
      id: 7,
      ip: '10.1.0.50',
      hw: '00:0c:29:00:00:01',
      cidHex: '00:04:00:01:00:02',
      remoteIdHex: '73:77:31',
      cidText: '0:4:0:1:0:2',
      ridText: '"sw1"',
      startMs: Date.UTC(2026, 10, 28, 1, 0, 0),
      endMs: Date.UTC(2026, 10, 28, 1, 10, 0),
      startText: '2026-11-28 02:00:00',
      endText: '2026-11-28 02:10:00',
    });
  });

  it('should give null option values for absent lookups and null times for zero dates', () => {
    const lease = parseGluffLeaseRow(
      { id: 1, ip: null, hw: null, cid: null, rid: null, lstart: '0000-00-00 00:00:00', lend: '' },
      'UTC',
    );
    assert.equal(lease.cidHex, null);
    assert.equal(lease.startMs, null);
    assert.equal(lease.endMs, null);
    assert.equal(lease.startText, '0000-00-00 00:00:00');
  });
});

describe('gluffLeaseInWindow', () => {
  const lease = parseGluffLeaseRow(
    {
      id: 1,
      ip: 'x',
      hw: null,
      cid: null,
      rid: null,
      lstart: '2026-01-01 10:00:00',
      lend: '2026-01-01 11:00:00',
    },
    'UTC',
  );
  const at = (h: number) => Date.UTC(2026, 0, 1, h);
  it('should keep rows that touch the window, lend inclusive', () => {
    assert.equal(gluffLeaseInWindow(lease, undefined), true);
    assert.equal(gluffLeaseInWindow(lease, { fromMs: at(11), toMs: null }), true);
    assert.equal(gluffLeaseInWindow(lease, { fromMs: null, toMs: at(10) }), false);
    assert.equal(gluffLeaseInWindow(lease, { fromMs: at(12), toMs: at(13) }), false);
    assert.equal(gluffLeaseInWindow(lease, { fromMs: at(9), toMs: at(10) + 1 }), true);
  });
  it('should always keep invalid rows', () => {
    const bad = { ...lease, startMs: null };
    assert.equal(gluffLeaseInWindow(bad, { fromMs: at(20), toMs: at(21) }), true);
  });
});

import { strict as assert } from 'node:assert';
import {
  applyQueueRow,
  applyQueueRows,
  sortQueueRows,
  type GluffRow,
  type QueueRow,
} from '../../../src/sim/gluff-model.js';

const IP = '10.1.0.50';
const A = '52:54:00:12:34:01';
const B = '52:54:00:12:34:02';
const P1 = '70:6f:72:74:31';
const P2 = '70:6f:72:74:32';

function ack(start: number, end: number, hw = A, cid: string | null = P1): QueueRow {
  return { start, rtype: 0, idx: 1, end, ip: IP, hw, cid, rid: null };
}
function rel(start: number, end: number, hw = A, cid: string | null = P1): QueueRow {
  return { start, rtype: 1, idx: 1, end, ip: IP, hw, cid, rid: null };
}
const spans = (t: GluffRow[]) => t.map((r) => [r.id, r.lstart, r.lend, r.hw, r.cid]);

describe('applyQueueRow', () => {
  it('should make a row when none covers the start, and a new one after a 1 s gap', () => {
    const t: GluffRow[] = [];
    applyQueueRow(t, ack(1000, 1600));
    applyQueueRow(t, ack(1601, 2201));
    assert.deepEqual(spans(t), [
      [1, 1000, 1600, A, P1],
      [2, 1601, 2201, A, P1],
    ]);
  });

  it('should prolong only forwards, also at exactly lend', () => {
    const t: GluffRow[] = [];
    applyQueueRow(t, ack(1000, 1600));
    applyQueueRow(t, ack(1100, 1300));
    applyQueueRow(t, ack(1600, 2200));
    assert.deepEqual(spans(t), [[1, 1000, 2200, A, P1]]);
  });

  it('should cut off at the start on another hw or cid and make a new row', () => {
    const t: GluffRow[] = [];
    applyQueueRow(t, ack(1000, 1600));
    applyQueueRow(t, ack(1200, 1800, A, P2));
    assert.deepEqual(spans(t), [
      [1, 1000, 1200, A, P1],
      [2, 1200, 1800, A, P2],
    ]);
  });

  it('should cut off at the release time on a release of the same lease', () => {
    const t: GluffRow[] = [];
    applyQueueRow(t, ack(1000, 1600));
    applyQueueRow(t, rel(1000, 1300));
    assert.deepEqual(spans(t), [[1, 1000, 1300, A, P1]]);
  });

  it("should compare with the second row's hw/cid/rid when two rows cover t, as gluff.c does", () => {
    // A duplicate ACK in the cut-off second: find returns the cut row (id 1) and the new one (id 2); gluff
    // keeps id 1's times but id 2's hw/cid/rid, sees "identical" and prolongs the CUT row.
    const t: GluffRow[] = [];
    applyQueueRow(t, ack(1000, 1600));
    applyQueueRow(t, ack(1200, 1800, B, P2));
    applyQueueRow(t, ack(1200, 1800, B, P2));
    assert.deepEqual(spans(t), [
      [1, 1000, 1800, A, P1],
      [2, 1200, 1800, B, P2],
    ]);
  });

  it('should make a duplicate row instead when told to use the first row, as the documentation says', () => {
    const t: GluffRow[] = [];
    const rows = [ack(1000, 1600), ack(1200, 1800, B, P2), ack(1200, 1800, B, P2)];
    for (const r of rows) applyQueueRow(t, r, { find: 'first' });
    assert.deepEqual(spans(t), [
      [1, 1000, 1200, A, P1],
      [2, 1200, 1800, B, P2],
      [3, 1200, 1800, B, P2],
    ]);
  });

  it("should keep one row per stint in ideal mode where gluff.c mixes two rows (find: 'ideal')", () => {
    // The same duplicate ACK in the cut-off second: the intended rules continue the latest row (id 2) and
    // leave the cut row alone.
    const t: GluffRow[] = [];
    const rows = [ack(1000, 1600), ack(1200, 1800, B, P2), ack(1200, 1800, B, P2)];
    for (const r of rows) applyQueueRow(t, r, { find: 'ideal' });
    assert.deepEqual(spans(t), [
      [1, 1000, 1200, A, P1],
      [2, 1200, 1800, B, P2],
    ]);
  });

  it('should let the copy that changes the row win in ideal mode, in either order of the two copies', () => {
    // A direct renewal with dhcpd's remembered circuit-id P1 and the relayed one with the new port P2.
    for (const copies of [
      [ack(1300, 1900, A, P1), ack(1300, 1900, A, P2)],
      [ack(1300, 1900, A, P2), ack(1300, 1900, A, P1)],
    ]) {
      const t: GluffRow[] = [];
      for (const r of [ack(1000, 1600), ...copies]) applyQueueRow(t, r, { find: 'ideal' });
      assert.deepEqual(
        t.map((r) => [r.lstart, r.lend, r.cid]),
        [
          [1000, 1300, P1],
          [1300, 1900, P2],
        ],
      );
    }
  });

  it('should cut the released row at the release time in ideal mode, whatever its Option 82 values', () => {
    // The peer's copy of the lease may have lost Option 82 (failover updates drop it): still the same lease.
    const t: GluffRow[] = [];
    applyQueueRow(t, ack(1000, 1600), { find: 'ideal' });
    applyQueueRow(t, ack(1200, 1800, A, P2), { find: 'ideal' });
    applyQueueRow(t, rel(1200, 1250, A, null), { find: 'ideal' });
    assert.deepEqual(spans(t), [
      [1, 1000, 1200, A, P1],
      [2, 1200, 1250, A, P2],
    ]);
  });

  it('should apply a batch in (start, idx) order', () => {
    const t: GluffRow[] = [];
    const later = { ...ack(1100, 1700), idx: 1 };
    const first = { ...ack(1000, 1600), idx: 2 };
    assert.deepEqual(sortQueueRows([later, first]), [first, later]);
    applyQueueRows(t, [later, first]);
    assert.deepEqual(spans(t), [[1, 1000, 1700, A, P1]]);
  });
});

/**
 * The queue patch model against a naive replay of hl_ldb.c's statements: one `lease_queue` table with its
 * primary key (start, idx), the process statics `ldb_idx` / `ldb_lasttime`, the lazily opened file, and gluff
 * deleting the rows it processed.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QueuePatch, type QueueRowInsert } from '../../../src/attribute/queue-patch.js';

type Op =
  | { op: 'insert'; row: QueueRowInsert }
  | { op: 'restart' }
  | { op: 'consume'; pick: number }
  | { op: 'poll'; atS: number };

/** hl_ldb.c, statement by statement (ldb_log_lease lines 128-245, ldb_log_release lines 34-126). */
class NaiveReplay {
  ldb_idx = 1;
  ldb_lasttime = 0;
  ldb: boolean = false;
  table: (QueueRowInsert & { idx: number })[] = [];

  logLease(row: QueueRowInsert): string {
    if (!this.ldb) this.ldb = true; // sqlite3_open + CREATE TABLE IF NOT EXISTS
    if (row.start !== this.ldb_lasttime) {
      this.ldb_lasttime = row.start;
      this.ldb_idx = 1;
    }
    return this.step(row, this.ldb_idx++);
  }

  logRelease(row: QueueRowInsert): string {
    if (!this.ldb) return 'not-open';
    if (row.start !== this.ldb_lasttime) {
      this.ldb_lasttime = row.start;
      this.ldb_idx = 1;
    }
    return this.step(row, this.ldb_idx++);
  }

  /** sqlite3_step of the INSERT: SQLITE_CONSTRAINT on a taken primary key ("SQL logic error" in the log). */
  step(row: QueueRowInsert, idx: number): string {
    if (this.table.some((r) => r.start === row.start && r.idx === idx)) return 'collision';
    this.table.push({ ...row, idx });
    return 'queued';
  }
}

const rowArb: fc.Arbitrary<QueueRowInsert> = fc.record({
  record: fc.constantFrom('ack' as const, 'release' as const),
  // Few distinct starts, so idx restarts and collisions are common.
  start: fc.integer({ min: 1000, max: 1004 }),
  end: fc.integer({ min: 1000, max: 2000 }),
  ip: fc.constantFrom('10.0.0.1', '10.0.0.2'),
  hw: fc.constantFrom('02:00:00:00:00:01', '02:00:00:00:00:02'),
  cidHex: fc.constantFrom(null, '70:31', '70:32'),
  ridHex: fc.constantFrom(null, '72:31'),
  atS: fc.integer({ min: 1000, max: 1010 }),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: rowArb.map((row) => ({ op: 'insert' as const, row })) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
  { weight: 2, arbitrary: fc.nat({ max: 20 }).map((pick) => ({ op: 'consume' as const, pick })) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 1012 }).map((atS) => ({ op: 'poll' as const, atS })) },
);

describe('attribute: the queue patch model (hl_ldb.c)', () => {
  it('should give every insert the outcome and the queue the content of a naive replay of the patch', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (generated) => {
        // dhcpd makes its calls in time order: the inserts' times never go back, and a poll looks back from now.
        let now = 1000;
        const ops = generated.map((o): Op => {
          if (o.op === 'insert') {
            now += o.row.atS % 3;
            return { op: 'insert', row: { ...o.row, atS: now } };
          }
          return o.op === 'poll' ? { op: 'poll', atS: now - (o.atS % 6) } : o;
        });
        const model = new QueuePatch();
        const naive = new NaiveReplay();
        for (const o of ops) {
          if (o.op === 'insert') {
            const want = o.row.record === 'ack' ? naive.logLease(o.row) : naive.logRelease(o.row);
            assert.equal(model.insert(o.row).outcome, want);
          } else if (o.op === 'restart') {
            model.restart();
            naive.ldb_idx = 1;
            naive.ldb_lasttime = 0;
            naive.ldb = false; // a new process; the file and its rows stay
          } else if (o.op === 'consume') {
            // gluff processes rows in (start, idx) order and deletes them.
            const order = [...naive.table].sort((a, b) => a.start - b.start || a.idx - b.idx);
            const r = order[o.pick % Math.max(1, order.length)];
            if (r === undefined) continue;
            naive.table = naive.table.filter((x) => x !== r);
            const got = model.consume(r.start, r.idx);
            assert.deepEqual(got, r);
          } else {
            naive.table = naive.table.filter((r) => r.atS >= o.atS);
            model.consumeInsertedBefore(o.atS);
          }
        }
        const key = (r: { start: number; idx: number }) => r.start * 1000 + r.idx;
        assert.deepEqual(
          model.content(),
          [...naive.table].sort((a, b) => key(a) - key(b)),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('should drop a release before the first ACK since start, with no error', () => {
    const q = new QueuePatch();
    const row: QueueRowInsert = {
      record: 'release',
      start: 100,
      end: 150,
      ip: '10.0.0.1',
      hw: '02:00:00:00:00:01',
      cidHex: null,
      ridHex: null,
      atS: 150,
    };
    assert.equal(q.insert(row).outcome, 'not-open');
    assert.equal(q.insert({ ...row, record: 'ack', start: 200 }).outcome, 'queued');
    assert.equal(q.insert(row).outcome, 'queued');
    q.restart();
    assert.equal(q.insert({ ...row, start: 300 }).outcome, 'not-open');
  });

  it("should collide a release with its lease's still-queued ACK once another start came between", () => {
    const q = new QueuePatch();
    const ack: QueueRowInsert = {
      record: 'ack',
      start: 100,
      end: 160,
      ip: '10.0.0.1',
      hw: '02:00:00:00:00:01',
      cidHex: '70:31',
      ridHex: null,
      atS: 100,
    };
    assert.equal(q.insert(ack).outcome, 'queued'); // (100, 1)
    assert.equal(q.insert({ ...ack, ip: '10.0.0.2', start: 101, atS: 101 }).outcome, 'queued'); // (101, 1)
    // The release carries its lease's start: idx restarts at 1, and (100, 1) is still queued.
    assert.equal(q.insert({ ...ack, record: 'release', end: 102, atS: 102 }).outcome, 'collision');
  });
});

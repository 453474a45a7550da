/**
 * Gluff's dhcpd patch (hl_ldb.c) as a link of its own: what one dhcpd process does to its `lease_queue` for
 * each call, statement by statement, and what gluff takes out of it.
 *
 * - `ldb_log_lease` (every DHCPACK) opens the queue file on its first call; `ldb_log_release` returns at once
 *   while it is not open, so a release before the first ACK since dhcpd started is dropped without a line.
 * - Both keep one `ldb_idx` / `ldb_lasttime` per process (not per address): idx restarts at 1 whenever the
 *   row's start differs from the previous row's start, so an insert whose (start, idx) is still queued fails on
 *   the primary key (`Line N: sqlite3 error: SQL logic error`, then `ldb error: …`).
 * - gluff claims and deletes rows as it processes them; a stopped gluff leaves them queued.
 */

/** One row the patch tries to insert. Times in epoch seconds. */
export interface QueueRowInsert {
  record: 'ack' | 'release';
  start: number;
  end: number;
  ip: string;
  hw: string;
  cidHex: string | null;
  ridHex: string | null;
  /** When dhcpd made the call (its line's time), epoch seconds: not a column, for the consumption model. */
  atS: number;
}

export type InsertOutcome = 'queued' | 'collision' | 'not-open';

/** A row in the queue, keyed by (start, idx). */
export interface QueuedRow extends QueueRowInsert {
  idx: number;
}

/** One dhcpd process's queue: the patch's static state and the table's rows. */
export class QueuePatch {
  private open = false;
  private lastStart = 0;
  private idx = 1;
  /** Keyed by start * 65536 + idx (idx stays far below 65536: it counts rows of one start). */
  private readonly rows = new Map<number, QueuedRow>();

  /** dhcpd (re)started: the process statics start over and the file is not open; queued rows stay. */
  restart(): void {
    this.open = false;
    this.lastStart = 0;
    this.idx = 1;
  }

  /** One `ldb_log_lease` (ACK) or `ldb_log_release` call. A queued row object is kept (given its idx). */
  insert(row: QueueRowInsert): { outcome: InsertOutcome; idx: number } {
    if (row.record === 'ack') this.open = true;
    else if (!this.open) return { outcome: 'not-open', idx: 0 };
    if (row.start !== this.lastStart) {
      this.lastStart = row.start;
      this.idx = 1;
    }
    const idx = this.idx++;
    const key = row.start * 65536 + idx;
    if (this.rows.has(key)) return { outcome: 'collision', idx };
    const queued = row as QueuedRow;
    queued.idx = idx;
    this.rows.set(key, queued);
    return { outcome: 'queued', idx };
  }

  /** gluff processed (and deleted) the row with this start and idx. */
  consume(start: number, idx: number): QueuedRow | null {
    const key = start * 65536 + idx;
    const row = this.rows.get(key) ?? null;
    this.rows.delete(key);
    return row;
  }

  /** The queued rows, in gluff's processing order (start, idx). */
  content(): QueuedRow[] {
    return [...this.rows.values()].sort((a, b) => a.start - b.start || a.idx - b.idx);
  }

  /** The queued row gluff would take for a record it logged: the first with these values, in (start, idx) order. */
  find(record: 'ack' | 'release', ip: string, start: number): QueuedRow | null {
    let best: QueuedRow | null = null;
    for (const r of this.rows.values()) {
      if (r.record !== record || r.ip !== ip || r.start !== start) continue;
      if (best === null || r.idx < best.idx) best = r;
    }
    return best;
  }

  /**
   * gluff took every row inserted before `beforeS` (its poll, when its own lines are not collected). Calls come
   * in time order and the map keeps insertion order, so this stops at the first younger row.
   */
  consumeInsertedBefore(beforeS: number): void {
    for (const [k, r] of this.rows) {
      if (r.atS >= beforeS) break;
      this.rows.delete(k);
    }
  }
}

/**
 * A naive, independent model of what one gluff daemon does with one queue row: the statements of
 * hansliss/gluff gluff.c (v1.12) replayed over an in-memory `leases` table, one at a time, with no
 * cleverness. The simulator feeds it the queue rows its simulated dhcpd would write; property tests use it as
 * the oracle for rebuild/. It must never import rebuild/ or diff/. Two modes matter: `find: 'ideal'`, the
 * intended rules (the simulator's clean Gluff, and the rebuild's oracle), and `find: 'source'` (default),
 * Gluff 1.12 as coded (the catalogue fault `gluff-1.12-find`).
 *
 * Facts from the source (gluff.c, read for facts only):
 * - FIND_LEASE_RSQL (line 62) selects the rows of the ip with `lstart <= t and lend >= t` with no ORDER BY;
 *   the table has no index but the primary key, so the server returns them in id order.
 * - do_find_lease (lines 395-411): with several rows it keeps lstart/lend of the FIRST row, then fetches the
 *   second row, which overwrites the bound hw/cid/rid: the comparison uses the SECOND row's hw/cid/rid. The
 *   compaction loop never runs (mysql_stmt_fetch returns 0 on success) and do_replace_leases is commented out.
 * - CUTOFF_LEASE_RSQL (line 63) sets lend on every row of the ip with `lstart <= thatstart and lend >= thatend`;
 *   PROLONG_LEASE_RSQL (line 64) on every row with `lstart <= thatstart and thatend <= lend <= newend`.
 * - Different hw/cid/rid: cut off at the row's start, then make (lines 853-857, 876-880); same and RELEASE:
 *   cut off at the row's end, the release time (line 863); same and ACK: prolong to the row's end (line 868).
 */

/** One `lease_queue` row (SQLite, on a DHCP server). Times are epoch seconds. */
export interface QueueRow {
  /** The lease's `starts`: the ACK time (for a release: the time of the lease's last ACK). */
  start: number;
  /** 0 = ACK, 1 = RELEASE. */
  rtype: 0 | 1;
  /** 1, 2, ... within rows of the same start on one server; only orders the queue. */
  idx: number;
  /** The lease's `ends` for an ACK; the time the release was processed for a RELEASE. */
  end: number;
  ip: string;
  /** Normalised MAC. */
  hw: string;
  /** Circuit-id as canonical hex, null when absent (Gluff stores id 0). */
  cid: string | null;
  /** Remote-id as canonical hex, null when absent. */
  rid: string | null;
}

/** One `leases` row, lookup ids resolved to their values. Times are epoch seconds. */
export interface GluffRow {
  /** auto_increment id: creation order. */
  id: number;
  ip: string;
  lstart: number;
  lend: number;
  hw: string;
  cid: string | null;
  rid: string | null;
}

export interface GluffModelOptions {
  /**
   * How a find with several rows compares: `source` (default) as gluff.c does it (first row's times, second
   * row's hw/cid/rid, cut-off and prolong of every enclosing row); `first` as the documentation says (the
   * first row entirely); `ideal` as Gluff is meant to behave: the covering row is the one the queue row
   * continues (the latest row of the address), only that row is cut or prolonged, and a copy that differs
   * from a row made in the same second (a superseded copy of one client action) changes nothing.
   */
  find?: 'source' | 'first' | 'ideal';
}

/** Sort queue rows the way gluff's GET_LSQL does (`order by start, idx`); stable for equal keys. */
export function sortQueueRows(rows: readonly QueueRow[]): QueueRow[] {
  return [...rows].sort((a, b) => a.start - b.start || a.idx - b.idx);
}

/** Apply one queue row to the table in place, exactly as one pass of gluff's main loop does. */
export function applyQueueRow(table: GluffRow[], row: QueueRow, options: GluffModelOptions = {}): void {
  if (options.find === 'ideal') {
    applyIdeal(table, row);
    return;
  }
  const t = row.start;
  const found = table
    .filter((r) => r.ip === row.ip && r.lstart <= t && r.lend >= t)
    .sort((a, b) => a.id - b.id);
  const first = found[0];
  if (first === undefined) {
    makeLease(table, row);
    return;
  }
  const thatStart = first.lstart;
  const thatEnd = first.lend;
  const second = found[1];
  const same = options.find !== 'first' && second !== undefined ? second : first;
  if (same.hw !== row.hw || same.cid !== row.cid || same.rid !== row.rid) {
    cutOff(table, row.ip, thatStart, thatEnd, t);
    makeLease(table, row);
  } else if (row.rtype === 1) {
    cutOff(table, row.ip, thatStart, thatEnd, row.end);
  } else {
    prolong(table, row.ip, thatStart, thatEnd, row.end);
  }
}

/** Apply a whole batch in queue order. */
export function applyQueueRows(
  table: GluffRow[],
  rows: readonly QueueRow[],
  options: GluffModelOptions = {},
): void {
  for (const row of sortQueueRows(rows)) applyQueueRow(table, row, options);
}

/**
 * The intended rules: one row per stint, only the row the queue row continues (the latest of the address)
 * changes. A release of the same hw cuts that row at the release time whatever its Option 82 values (a peer's
 * copy of the lease may have lost them). A copy that differs from a row made at most 1 s before is a superseded
 * copy of the same client action (same hw: the other server's, or a direct renewal with dhcpd's stale options):
 * it changes nothing.
 */
function applyIdeal(table: GluffRow[], row: QueueRow): void {
  const t = row.start;
  let latest: GluffRow | undefined;
  for (const r of table) {
    if (r.ip !== row.ip) continue;
    if (latest === undefined || r.lstart > latest.lstart || (r.lstart === latest.lstart && r.id > latest.id))
      latest = r;
  }
  if (
    latest !== undefined &&
    latest.lstart > t &&
    latest.lstart - t <= 1 &&
    row.rtype === 0 &&
    latest.hw === row.hw
  ) {
    // The other server's copy of the action that made the latest row, a second earlier but applied later:
    // the row starts at the first ACK; a copy with other values is superseded.
    if (latest.hw === row.hw && latest.cid === row.cid && latest.rid === row.rid) {
      latest.lstart = t;
      if (row.end > latest.lend) latest.lend = row.end;
    }
    return;
  }
  if (latest === undefined || latest.lstart > t || latest.lend < t) {
    makeLease(table, row);
    return;
  }
  if (row.rtype === 1 && latest.hw === row.hw) {
    latest.lend = row.end;
  } else if (latest.hw !== row.hw || latest.cid !== row.cid || latest.rid !== row.rid) {
    if (latest.hw === row.hw && t - latest.lstart <= 1) return;
    latest.lend = t;
    makeLease(table, row);
  } else if (row.end > latest.lend) {
    latest.lend = row.end;
  }
}

function cutOff(table: GluffRow[], ip: string, thatStart: number, thatEnd: number, newEnd: number): void {
  for (const r of table) {
    if (r.ip === ip && r.lstart <= thatStart && r.lend >= thatEnd) r.lend = newEnd;
  }
}

function prolong(table: GluffRow[], ip: string, thatStart: number, thatEnd: number, newEnd: number): void {
  for (const r of table) {
    if (r.ip === ip && r.lstart <= thatStart && r.lend <= newEnd && r.lend >= thatEnd) r.lend = newEnd;
  }
}

function makeLease(table: GluffRow[], row: QueueRow): void {
  let id = 0;
  for (const r of table) if (r.id > id) id = r.id;
  table.push({
    id: id + 1,
    ip: row.ip,
    lstart: row.start,
    lend: row.end,
    hw: row.hw,
    cid: row.cid,
    rid: row.rid,
  });
}

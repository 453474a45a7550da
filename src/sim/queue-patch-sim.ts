/**
 * The simulated dhcpd's side of the queue: Gluff's dhcpd patch (hl_ldb.c) replayed statement by statement over
 * every call the simulated dhcpds made, with the `lease_queue` table of each DHCP server and the times its gluff
 * takes rows out of it. Independent of src/attribute (the verifier's own model of the same patch): this one is
 * the oracle, written from the patch's facts, never from the verifier.
 *
 * Facts (hl_ldb.c, read for facts only):
 * - `ldb_log_lease` runs for every DHCPACK; its first call opens (creates) the queue file. `ldb_log_release` runs
 *   for a DHCPRELEASE of a lease that has not ended, before dhcpd logs the DHCPRELEASE line, and returns at once
 *   while the file is not open: a release before the first ACK since dhcpd started is dropped without a line.
 * - Both share one `ldb_lasttime` / `ldb_idx` per process (not per address): idx restarts at 1 whenever the row's
 *   start differs from the previous call's start, and is taken (idx++) even when the insert then fails.
 * - The table's primary key is (start, idx): an insert whose key is still queued (gluff has not taken that row
 *   yet) fails, and dhcpd logs `Line N: sqlite3 error: SQL logic error`, then `ldb error: SQL logic error`.
 * - A dhcpd restart starts the process statics over (file closed, lasttime 0, idx 1); the queue file keeps its rows.
 */
import type { QueueRow } from './gluff-model.js';

/** One call of the patch: a DHCPACK or a found DHCPRELEASE of a lease that had not ended, on one server. */
export interface PatchCall {
  /** Index of the call in the order dhcpd made them (stable id). */
  id: number;
  server: number;
  /** True simulation time of the DHCPACK / DHCPRELEASE line, ms. */
  atMs: number;
  /** The row the patch reads from dhcpd's lease struct (idx is the patch's to give). */
  row: Omit<QueueRow, 'idx'>;
}

/** A dhcpd (re)start on a server: the patch's statics start over. */
export interface DhcpdRestart {
  server: number;
  atMs: number;
}

export type PatchOutcome = 'queued' | 'collision' | 'not-open';

/** What became of one call. */
export interface PatchResult {
  call: PatchCall;
  outcome: PatchOutcome;
  /** The idx the patch bound (0 for a release dropped before the file was open). */
  idx: number;
}

/** A row the patch queued: what gluff will take, with when it was inserted. */
export interface QueueInput {
  server: number;
  row: QueueRow;
  /** When dhcpd inserted it (true time, ms). */
  queuedMs: number;
  /** The patch call that queued it. */
  callId: number;
}

/** The queue patch's error line numbers in dhcpd 4.4.3 (`Line N:`): inside ldb_log_lease and ldb_log_release. */
export const ACK_ERROR_LINE = 241;
export const RELEASE_ERROR_LINE = 115;
/** The row reaches the table a few ms after the call (sqlite3_step). */
export const INSERT_DELAY_MS = 5;

/**
 * Replays the patch over the calls and restarts (any order; taken in time order, calls in id order within a
 * ms). `takenAt(server, queuedMs)`: when that server's gluff takes a row inserted at queuedMs (null: never
 * within the run), so a key stays occupied until then.
 */
export function runQueuePatch(
  calls: readonly PatchCall[],
  restarts: readonly DhcpdRestart[],
  servers: number,
  takenAt: (server: number, queuedMs: number) => number | null,
): { results: PatchResult[]; queued: QueueInput[] } {
  // Restarts first within a ms (the call after one is the new process's), then calls in the order dhcpd made them.
  const order = [...restarts.map((r, i) => -1 - i), ...calls.map((c) => c.id)];
  const atOf = (k: number) => (k < 0 ? restarts[-1 - k]!.atMs : calls[k]!.atMs);
  order.sort((a, b) => atOf(a) - atOf(b) || a - b);
  const state = Array.from({ length: servers }, () => ({
    open: false,
    lastStart: 0,
    idx: 1,
    /** key(start, idx) -> until when the row is in the table. */
    occupied: new Map<number, number>(),
  }));
  const results: PatchResult[] = [];
  const queued: QueueInput[] = [];
  let n = 0;
  const base = calls[0]?.row.start ?? 0;
  for (const k of order) {
    if (k < 0) {
      const st = state[restarts[-1 - k]!.server];
      if (st === undefined) continue;
      st.open = false;
      st.lastStart = 0;
      st.idx = 1;
      continue;
    }
    const c = calls[k]!;
    const st = state[c.server];
    if (st === undefined) continue;
    if (c.row.rtype === 0) st.open = true;
    else if (!st.open) {
      results.push({ call: c, outcome: 'not-open', idx: 0 });
      continue;
    }
    if (c.row.start !== st.lastStart) {
      st.lastStart = c.row.start;
      st.idx = 1;
    }
    const idx = st.idx++;
    // (start, idx) as one small number (a V8 small integer for runs of days): idx counts rows of one start in a
    // row, far below 4096.
    const key = (c.row.start - base) * 4096 + idx;
    const until = st.occupied.get(key);
    if (until !== undefined && until > c.atMs) {
      results.push({ call: c, outcome: 'collision', idx });
      continue;
    }
    const queuedMs = c.atMs + INSERT_DELAY_MS;
    st.occupied.set(key, takenAt(c.server, queuedMs) ?? Number.POSITIVE_INFINITY);
    if (++n % 4096 === 0) {
      for (const s of state) for (const [kk, u] of s.occupied) if (u <= c.atMs) s.occupied.delete(kk);
    }
    results.push({ call: c, outcome: 'queued', idx });
    queued.push({ server: c.server, row: { ...c.row, idx }, queuedMs, callId: c.id });
  }
  return { results, queued };
}

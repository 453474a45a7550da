/**
 * What each dhcpd queued for Gluff, modelled from the secondary channel: every DHCPACK and found DHCPRELEASE a
 * server logged becomes one call of Gluff's dhcpd patch (queue-patch.ts) with the values the patch reads from
 * dhcpd's lease struct, not from the packet:
 *
 * - an ACK queues `lease->starts`, `lease->ends` and the lease's stored Option 82. A fresh ACK stores the
 *   packet's options (what the `gv-commit` line shows); a `reuse_lease` answer leaves the struct unaltered, so
 *   its row carries the previous commit's start and options, whatever the packet said;
 * - the failover peer learns of a lease by a binding update, which carries no Option 82: its struct then has
 *   none, and a release it processes is queued without circuit-id or remote-id;
 * - a release queues the lease's starts and the release time, and only while the lease has not ended.
 *
 * Witnesses are attached where the channel has them: the patch's `sqlite3 error`/`ldb error` lines (an ACK's
 * follow its DHCPACK line, a release's precede its DHCPRELEASE line: ldb_log_release runs before log_info) and
 * gluff's own `ACK on ip: …`/`RELEASE on ip: …` line for the row it consumed. Pure.
 */
import type {
  DhcpCommit,
  DhcpdQueueError,
  DhcpReuseLease,
  GluffRecord,
  RigSpec,
  StoredEvent,
} from '../model/index.js';
import { QueuePatch, type InsertOutcome, type QueueRowInsert } from './queue-patch.js';

/** hl_ldb.c: ldb_log_release spans lines 34-126, ldb_log_lease starts at 128 (the `Line N:` of an error). */
const RELEASE_FUNCTION_LAST_LINE = 126;
/** gluff polls its queue every 5 s: without its own lines, a row is taken as consumed by then. */
const GLUFF_POLL_SEC = 5;

/** One call of the patch, with the lines behind it and what became of the row. */
export interface QueueCall {
  host: string;
  record: 'ack' | 'release';
  ip: string;
  hw: string;
  /** Time of the DHCPACK / DHCPRELEASE line, ms. */
  atMs: number;
  /** The DHCPACK or DHCPRELEASE event. */
  lineId: number;
  commitId: number | null;
  reuseId: number | null;
  /** What dhcpd's commit line said (the packet's options for a relayed exchange); undefined without one. */
  commitCidHex?: string | null;
  commitRidHex?: string | null;
  commitGiaddr?: string;
  /** The row the patch tried to queue. */
  row: QueueRowInsert;
  /** False when the lease struct behind the row's options was not seen (its cid/rid are a guess). */
  optionsKnown: boolean;
  outcome: InsertOutcome;
  /** The idx the model queued the row at; null when the model did not queue it. */
  queueIdx: number | null;
  /** The patch's error lines for this call (witness of a failed insert). */
  errorIds: number[];
  /** gluff's record line for the consumed row, and the circuit-id / remote-id it printed. */
  gluffRecordId: number | null;
  /** When gluff logged that record (its processing order across servers), ms. */
  gluffRecordMs?: number;
  gluffCidHex?: string | null;
  gluffRidHex?: string | null;
}

export interface QueueTrace {
  /** The calls of the addresses asked for, in time order. */
  callsByIp: Map<string, QueueCall[]>;
  /** Servers whose gluff record lines reached the channel (their absence proves nothing elsewhere). */
  gluffHosts: Set<string>;
}

interface LeaseStruct {
  mac: string;
  starts: number;
  ends: number;
  cid: string | null;
  rid: string | null;
  /**
   * False when the stored options are uncertain: the peer ACKed since, and its binding update (which carries
   * no Option 82 and, applied, clears them: mdb.c supersede_lease) may have arrived or been rejected.
   */
  optionsKnown: boolean;
}

type CommitEvent = StoredEvent & DhcpCommit;

/** Replays the channel through the queue patch. `ips`: the addresses whose calls are kept (all when absent). */
export function modelQueues(
  events: Iterable<StoredEvent>,
  spec: RigSpec,
  options: { ips?: ReadonlySet<string>; hostOffsetsMs?: Readonly<Record<string, number>> } = {},
): QueueTrace {
  const servers = spec.servers.map((s) => s.host);
  const isServer = new Set(servers);
  const offsets = options.hostOffsetsMs ?? {};
  const patches = new Map<string, QueuePatch>(servers.map((h) => [h, new QueuePatch()]));
  const pids = new Map<string, number>();
  const structs = new Map<string, Map<string, LeaseStruct>>(servers.map((h) => [h, new Map()]));
  /** Per server, per address: commit and reuse_lease lines not yet matched to their ACK. */
  const commits = new Map<string, Map<string, CommitEvent[]>>(servers.map((h) => [h, new Map()]));
  const reuses = new Map<string, Map<string, (StoredEvent & DhcpReuseLease)[]>>(
    servers.map((h) => [h, new Map()]),
  );
  const lastAck = new Map<string, QueueCall>();
  const lastErrorCall = new Map<string, QueueCall>();
  const releaseErrors = new Map<string, { ids: number[]; atMs: number }>();
  /** Kept calls by the queue row the model inserted (host/start/idx), for gluff's record lines. */
  const byQueueKey = new Map<string, QueueCall>();
  const callsByIp = new Map<string, QueueCall[]>();
  const gluffHosts = new Set<string>();
  /** Keeps the call when its address is asked for; says whether it did. */
  const keep = (call: QueueCall): boolean => {
    if (options.ips !== undefined && !options.ips.has(call.ip)) return false;
    const list = callsByIp.get(call.ip);
    if (list === undefined) callsByIp.set(call.ip, [call]);
    else list.push(call);
    return true;
  };

  /** Runs the patch for a call built with outcome 'queued' (set here) and no witness yet. */
  const call = (host: string, made: QueueCall): QueueCall => {
    const patch = patches.get(host)!;
    const c = made;
    if (!gluffHosts.has(host)) patch.consumeInsertedBefore(c.row.atS - GLUFF_POLL_SEC);
    // A row no gluff line ever claimed (a lost line, a dead gluff) must not make every later row collide.
    patch.consumeInsertedBefore(c.row.atS - 2 * spec.lease.maxSec);
    const { outcome, idx } = patch.insert(c.row);
    made.outcome = outcome;
    if (outcome === 'queued') made.queueIdx = idx;
    // Only a line proves a collision: the consumption model may be off, dhcpd never is.
    if (outcome === 'collision') made.outcome = 'queued';
    if (keep(made) && outcome === 'queued') byQueueKey.set(`${host}/${c.row.start}/${idx}`, made);
    return made;
  };

  for (const raw of events) {
    const shift = offsets[raw.host] ?? 0;
    const ev = shift === 0 ? raw : { ...raw, timeMs: raw.timeMs - shift };
    if (ev.kind === 'gluff-record') {
      onGluffRecord(ev);
      continue;
    }
    if (!isServer.has(ev.host)) continue;
    if (ev.pid !== null && DHCPD_KINDS.has(ev.kind)) {
      const before = pids.get(ev.host);
      if (before !== undefined && before !== ev.pid) patches.get(ev.host)!.restart();
      pids.set(ev.host, ev.pid);
    }
    switch (ev.kind) {
      case 'commit': {
        if (ev.mac === null) break;
        const byIp = commits.get(ev.host)!;
        const list = byIp.get(ev.ip);
        if (list === undefined) byIp.set(ev.ip, [ev as CommitEvent]);
        else {
          pruneOlder(list, sec(ev.timeMs) - 2);
          list.push(ev as CommitEvent);
        }
        break;
      }
      case 'reuse-lease': {
        const byIp = reuses.get(ev.host)!;
        const list = (byIp.get(ev.ip) ?? []).filter((r) => sec(ev.timeMs) - sec(r.timeMs) <= 1);
        list.push(ev);
        byIp.set(ev.ip, list);
        break;
      }
      case 'dhcpack':
        onAck(ev);
        break;
      case 'dhcprelease':
        if (ev.found) onRelease(ev);
        break;
      case 'queue-error':
        onQueueError(ev);
        break;
      default:
        break;
    }
  }
  return { callsByIp, gluffHosts };

  function onAck(ev: StoredEvent & { kind: 'dhcpack' }): void {
    const t = sec(ev.timeMs);
    const cs = commits.get(ev.host)!.get(ev.ip) ?? [];
    const ci = cs.findIndex((c) => c.mac === ev.mac && t - sec(c.timeMs) >= 0 && t - sec(c.timeMs) <= 1);
    const commit = ci >= 0 ? cs.splice(ci, 1)[0]! : null;
    const rs = reuses.get(ev.host)!.get(ev.ip) ?? [];
    const ri = rs.findIndex((r) => t - sec(r.timeMs) >= 0 && t - sec(r.timeMs) <= 1);
    const reuse = ri >= 0 ? rs.splice(ri, 1)[0]! : null;
    const own = structs.get(ev.host)!;
    const leaseSec = commit?.leaseSec ?? spec.lease.defaultSec;
    let row: QueueRowInsert;
    let optionsKnown: boolean;
    if (reuse !== null) {
      // The struct is not superseded: its starts, ends and stored options go to the queue.
      const start = t - reuse.ageSec;
      const s = own.get(ev.ip);
      const known = s !== undefined && s.starts === start && s.mac === ev.mac;
      optionsKnown = known && s.optionsKnown;
      row = {
        record: 'ack',
        start,
        end: known ? s.ends : start + leaseSec,
        ip: ev.ip,
        hw: ev.mac,
        cidHex: known ? s.cid : null,
        ridHex: known ? s.rid : null,
        atS: t,
      };
    } else {
      optionsKnown = commit !== null;
      const cid = commit?.circuitIdHex ?? null;
      const rid = commit?.remoteIdHex ?? null;
      row = {
        record: 'ack',
        start: t,
        end: t + leaseSec,
        ip: ev.ip,
        hw: ev.mac,
        cidHex: cid,
        ridHex: rid,
        atS: t,
      };
      for (const [host, m] of structs) {
        const before = m.get(ev.ip);
        // The peer learns of it by a binding update, which carries no Option 82: a lease it never had gets none;
        // options it stored itself are cleared once the update is applied, which the channel cannot see.
        const mine = host === ev.host;
        const had =
          !mine &&
          before !== undefined &&
          before.mac === ev.mac &&
          (before.cid !== null || before.rid !== null);
        const next = before ?? { mac: ev.mac, starts: t, ends: t, cid: null, rid: null, optionsKnown: true };
        next.mac = ev.mac;
        next.starts = t;
        next.ends = t + leaseSec;
        next.cid = mine ? cid : had ? next.cid : null;
        next.rid = mine ? rid : had ? next.rid : null;
        next.optionsKnown = mine ? commit !== null : !had;
        if (before === undefined) m.set(ev.ip, next);
      }
    }
    const made = call(ev.host, {
      host: ev.host,
      record: 'ack',
      ip: ev.ip,
      hw: ev.mac,
      atMs: ev.timeMs,
      lineId: ev.id,
      commitId: commit?.id ?? null,
      reuseId: reuse?.id ?? null,
      commitCidHex: commit === null ? undefined : commit.circuitIdHex,
      commitRidHex: commit === null ? undefined : commit.remoteIdHex,
      commitGiaddr: commit === null ? undefined : commit.giaddr,
      row,
      optionsKnown,
      outcome: 'queued',
      queueIdx: null,
      errorIds: [],
      gluffRecordId: null,
    });
    lastAck.set(ev.host, made);
  }

  function onRelease(ev: StoredEvent & { kind: 'dhcprelease' }): void {
    const t = sec(ev.timeMs);
    const s = structs.get(ev.host)!.get(ev.ip);
    // dhcpd queues a release only for the lease it has on the address, while that lease has not ended.
    if (s === undefined || s.mac !== ev.mac || s.ends <= t) return;
    const made = call(ev.host, {
      host: ev.host,
      record: 'release',
      ip: ev.ip,
      hw: ev.mac,
      atMs: ev.timeMs,
      lineId: ev.id,
      commitId: null,
      reuseId: null,
      row: {
        record: 'release',
        start: s.starts,
        end: t,
        ip: ev.ip,
        hw: ev.mac,
        cidHex: s.cid,
        ridHex: s.rid,
        atS: t,
      },
      optionsKnown: s.optionsKnown,
      outcome: 'queued',
      queueIdx: null,
      errorIds: [],
      gluffRecordId: null,
    });
    for (const [host, m] of structs) {
      const other = m.get(ev.ip);
      if (other === undefined || other.mac !== ev.mac) continue;
      // The peer's binding update comes later: a copy of the release it processes itself within the next
      // seconds still finds the lease (seen in a real run), a later one does not.
      if (host === ev.host) other.ends = t;
      else other.ends = Math.min(other.ends, t + 2);
    }
    const err = releaseErrors.get(ev.host);
    if (err !== undefined && ev.timeMs - err.atMs <= 2000) {
      releaseErrors.delete(ev.host);
      failed(made, err.ids);
    }
  }

  function onQueueError(ev: StoredEvent & DhcpdQueueError): void {
    if (ev.stage === 'ldb') {
      // The summary line that follows every failed call.
      const target = lastErrorCall.get(ev.host);
      if (target !== undefined && ev.timeMs - target.atMs <= 2000) target.errorIds.push(ev.id);
      else {
        const pending = releaseErrors.get(ev.host);
        if (pending !== undefined) pending.ids.push(ev.id);
      }
      return;
    }
    if (ev.line !== null && ev.line <= RELEASE_FUNCTION_LAST_LINE) {
      releaseErrors.set(ev.host, { ids: [ev.id], atMs: ev.timeMs });
      lastErrorCall.delete(ev.host);
      return;
    }
    const ack = lastAck.get(ev.host);
    if (ack !== undefined && ev.timeMs - ack.atMs <= 1000 && ack.errorIds.length === 0) failed(ack, [ev.id]);
  }

  /** A witnessed failed insert: the row never reached the queue. */
  function failed(c: QueueCall, ids: number[]): void {
    c.errorIds.push(...ids);
    lastErrorCall.set(c.host, c);
    const idx = c.queueIdx;
    if (c.outcome === 'queued' && idx !== null) {
      patches.get(c.host)!.consume(c.row.start, idx);
      byQueueKey.delete(`${c.host}/${c.row.start}/${idx}`);
    }
    c.outcome = 'collision';
  }

  function onGluffRecord(ev: StoredEvent & GluffRecord): void {
    // gluff runs beside its dhcpd and logs under the same host name.
    const patch = patches.get(ev.host);
    if (patch === undefined) return;
    gluffHosts.add(ev.host);
    const start = sec(ev.startMs);
    const row = patch.find(ev.record, ev.ip, start);
    if (row === null) return;
    patch.consume(row.start, row.idx);
    const key = `${ev.host}/${row.start}/${row.idx}`;
    const c = byQueueKey.get(key);
    byQueueKey.delete(key);
    if (c === undefined) return;
    c.gluffRecordId = ev.id;
    c.gluffRecordMs = ev.timeMs;
    c.gluffCidHex = ev.cidHex;
    c.gluffRidHex = ev.remoteIdHex;
  }
}

/**
 * What the queue delivered for a call: gluff's own record line when collected (the witness), else the model's
 * row when its options are known, else null (unknown).
 */
export function delivered(
  c: QueueCall,
): { cidHex: string | null; ridHex: string | null; witnessed: boolean } | null {
  if (c.outcome !== 'queued') return null;
  if (c.gluffRecordId !== null)
    return { cidHex: c.gluffCidHex ?? null, ridHex: c.gluffRidHex ?? null, witnessed: true };
  return c.optionsKnown ? { cidHex: c.row.cidHex, ridHex: c.row.ridHex, witnessed: false } : null;
}

/** Kinds only dhcpd logs: a new pid among them is a dhcpd restart. */
const DHCPD_KINDS: ReadonlySet<string> = new Set([
  'dhcpack',
  'commit',
  'reuse-lease',
  'dhcprelease',
  'queue-error',
  'failover-state',
  'failover-note',
]);

/** Drops, in place, the commit lines from before `fromSec` (no later ACK can take them). */
function pruneOlder(list: CommitEvent[], fromSec: number): void {
  let w = 0;
  for (const c of list) if (sec(c.timeMs) >= fromSec) list[w++] = c;
  list.length = w;
}

function sec(ms: number): number {
  return Math.floor(ms / 1000);
}

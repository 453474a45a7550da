/**
 * Rebuild the lease rows Gluff should have written from the secondary channel (dhcpd + permuter events): the
 * IDEAL audit log, one row per lease stint (client x port), as a table repaired by hand would be.
 *
 * One pass over events in time order. Each DHCPACK line (with its `gv-commit` line, and its `reuse_lease`
 * line when dhcpd answered with the lease unaltered) is the `lease_queue` row the patched dhcpd wrote; each
 * found DHCPRELEASE of a lease that has not ended is one release row. Lines repeated within 1 s for one IP
 * and MAC are one client action; its rows are applied in log order by Gluff's intended rules (applyFact):
 * the row an action continues is the latest row of the address; the same values prolong it, a release of the
 * same hw cuts it at the release time, other values cut it at the ACK and make a new row (a copy with other
 * values within 1 s of the row's start is superseded and changes nothing), nothing covering makes a new row.
 * Gluff 1.12's as-coded statements (gluffStep: gluff.c lines 62-64, 395-411, 848-880) are replayed alongside
 * on a separate replica, only to name in `asCodedCause` the statement that makes the real Gluff deviate.
 */
import { PermuterPorts, type GapInterval, type PortAt } from './permuter-ports.js';
import type {
  ChannelLoss,
  DhcpCommit,
  DhcpReuseLease,
  ExpectedLease,
  Finding,
  PortDisagreementCulprit,
  RigSpec,
  StoredEvent,
  SwitchPortSpec,
  TimeWindow,
} from '../model/index.js';

export interface RebuildOptions {
  /** The instant the actual table was read; events after it are ignored. */
  asOfMs: number;
  /** Rows starting in this window are the ones reported as not settled / channel gaps; null bounds are open. */
  window?: TimeWindow;
  /** Intervals where the collector lost messages (see lossIntervals). */
  losses?: readonly ChannelLoss[];
  /**
   * Per host, how far its syslog clock runs ahead of the times dhcpd gives Gluff (ms; measureClockSkew):
   * that host's line times are moved back by it before the replay. Absent: no correction.
   */
  hostOffsetsMs?: Readonly<Record<string, number>>;
  /**
   * When the events are a part of the evidence (`where`: one address's lines), the time of the first event of
   * the whole of it, which decides what the rebuild and the diff take as the start of the evidence
   * (startMayBeEarlier, evidenceFromMs). Absent: the first event given.
   */
  evidenceFromMs?: number | null;
}

export interface RebuildResult {
  /** Expected rows, sorted by ip then startMs. */
  rows: ExpectedLease[];
  /** port-disagreement, channel-gap and not-settled findings. */
  findings: Finding[];
  /** Why the evidence itself is incomplete (empty when complete). */
  inconclusiveReasons: string[];
  /** Time of the first event seen: rows before it cannot be known. Null when there was no event. */
  evidenceFromMs: number | null;
}

type CommitEvent = StoredEvent & DhcpCommit;

/** One ACK line with the commit line (and reuse_lease line) matched to it. */
interface AckCopy {
  id: number;
  host: string;
  timeMs: number;
  commit: CommitEvent | null;
  /** dhcpd logged `reuse_lease: lease age N` for this ACK: the lease (and its queue row) kept its times. */
  reuseAgeSec: number | null;
  reuseId: number | null;
}

/** Repeated lines of one client action not yet applied: ACKs (with commits) or found releases. */
interface PendingGroup {
  kind: 'ack' | 'release';
  mac: string;
  firstMs: number;
  lastMs: number;
  acks: AckCopy[];
  releaseIds: number[];
  port: PortAt;
}

interface PortNote {
  culprit: PortDisagreementCulprit;
  count: number;
  firstMs: number;
  lastMs: number;
  ids: number[];
  seenCid: string | null;
  portCid: string | null;
  port: string | null;
  /** moved-without-dhcp: the client leased this address next (another subnet), at this time. */
  movedTo?: { ip: string; atMs: number };
}

/** One row of the per-IP replica of Gluff's `leases` table, with what the verifier knows about it. */
interface OpenRow extends BareRow {
  lease: ExpectedLease;
  firstIds: number[];
  lastIds: number[];
  extraIds: number[];
  /** The row's cid came from the permuter (no commit line). */
  usesPort: boolean;
  /** Made by a fact newer than as-of − settle. */
  unsettledMade: boolean;
  /** The permuter moved this client at this time and no DHCP exchange followed yet. */
  pendingMoveMs: number | null;
  pendingMoveId: number | null;
  /** After that move the client leased another address (a subnet per port): which, and when. */
  movedTo: { ip: string; atMs: number } | null;
  notes: Map<PortDisagreementCulprit, PortNote>;
}

/** dhcpd's own lease on an address (both failover servers keep it in step): what its queue rows carry. */
interface DhcpdLease {
  mac: string;
  startsS: number;
  endsS: number;
  cid: string | null;
  rid: string | null;
}

interface IpState {
  ip: string;
  pending: PendingGroup | null;
  /** The live rows of Gluff's table for this IP, in id order (rows that can no longer be found are done). */
  table: OpenRow[];
  /** The row of the client's last ACK fact (port notes and moves attach here). */
  current: OpenRow | null;
  dhcpd: DhcpdLease | null;
  commits: CommitEvent[];
  /** reuse_lease lines not yet matched to their ACK. */
  reuses: (StoredEvent & DhcpReuseLease)[] | null;
  rowsMade: number;
  /**
   * Set while the replica may differ from Gluff's table because a row alive during a collector loss is still
   * live (a lost ACK changes what every later queue row finds); cleared when every live row has ended.
   */
  lossTaint: string | null;
  /** Time of the last line applied for this IP (ms); -Infinity before the first. */
  lastFactMs: number;
  /** Gluff 1.12's as-coded replica of this IP's rows (for the details of findings only). */
  coded: BareRow[];
}

/** One `lease_queue` row the patched dhcpd writes, with the verifier's bookkeeping. Times in seconds. */
interface QueueFact {
  host: string;
  start: number;
  /**
   * When the fact happened (the ACK or release line): where a change of hw/cid/rid cuts the row. It is `start`
   * except for a `reuse_lease` ACK, whose queue row keeps the lease's old start although the client's port
   * changed now.
   */
  changeAt: number;
  release: boolean;
  end: number;
  hw: string;
  cid: string | null;
  rid: string | null;
  /** Time of the line behind it (settle bound), ms. */
  atMs: number;
  endSource: 'commit' | 'approximate' | 'release';
  usesPort: boolean;
}

/** The part of a row Gluff's statements read and write. */
interface BareRow {
  /** Creation order (Gluff's auto_increment id order: its find returns rows in this order). */
  id: number;
  lstartS: number;
  lendS: number;
  hw: string;
  cid: string | null;
  rid: string | null;
}

const DIRECT = '0.0.0.0';

/**
 * What one queue row does to Gluff's table, statement by statement (gluff.c lines 848-880): the find at
 * t = start returns every row with `lstart <= t <= lend` in id order (FIND_LEASE_RSQL line 62 has no ORDER
 * BY); do_find_lease (lines 395-411) keeps the FIRST row's lstart/lend and the SECOND row's hw/cid/rid.
 * Different values: cut off every row enclosing the first one at t (CUTOFF_LEASE_RSQL line 63), then make;
 * same and RELEASE: cut off at the release time; same and ACK: prolong every row with `lstart <= thatstart`
 * and `thatend <= lend <= newend` (PROLONG_LEASE_RSQL line 64).
 */
type GluffStep =
  | { op: 'make' }
  | { op: 'cut'; rows: BareRow[]; toS: number; thenMake: boolean; same: BareRow; first: BareRow }
  | { op: 'prolong'; rows: BareRow[]; toS: number; same: BareRow; first: BareRow };

function gluffStep(table: readonly BareRow[], q: QueueFact): GluffStep {
  const t = q.start;
  let first: BareRow | null = null;
  let second: BareRow | null = null;
  for (const r of table) {
    if (r.lstartS <= t && r.lendS >= t) {
      if (first === null) first = r;
      else if (second === null) second = r;
    }
  }
  if (first === null) return { op: 'make' };
  const same = second ?? first;
  const thatStart = first.lstartS;
  const thatEnd = first.lendS;
  // The usual case, one row in the table, without allocating a filtered copy (this runs once per ACK line).
  const alone = table.length === 1;
  if (same.hw !== q.hw || same.cid !== q.cid || same.rid !== q.rid || q.release) {
    const differ = same.hw !== q.hw || same.cid !== q.cid || same.rid !== q.rid;
    const rows = alone ? [first] : table.filter((r) => r.lstartS <= thatStart && r.lendS >= thatEnd);
    return { op: 'cut', rows, toS: differ ? t : q.end, thenMake: differ, same, first };
  }
  const rows = alone
    ? first.lendS <= q.end
      ? [first]
      : []
    : table.filter((r) => r.lstartS <= thatStart && r.lendS <= q.end && r.lendS >= thatEnd);
  return { op: 'prolong', rows, toS: q.end, same, first };
}

/**
 * Applies one queue row to the as-coded replica (Gluff 1.12's statements) and says which statement made it
 * leave the intended rules, or null. The replica is a hint for findings' details, never an expectation.
 */
function applyCoded(table: BareRow[], q: QueueFact, nextId: () => number): string | null {
  const step = gluffStep(table, q);
  let cause: string | null = null;
  if (step.op !== 'make' && step.same !== step.first) {
    cause = "gluff.c do_find_lease: two rows cover t (the first row's times, the second row's hw/cid/rid)";
  } else if (step.op !== 'make' && step.rows.length > 1) {
    cause = `gluff.c ${step.op === 'cut' ? 'CUTOFF' : 'PROLONG'}_LEASE_RSQL: every row enclosing the found one is ${step.op === 'cut' ? 'cut off' : 'prolonged'}`;
  } else if (step.op === 'cut' && step.thenMake && q.release) {
    cause =
      'gluff.c: a release whose hw/cid/rid differ from the row (a failover copy without Option 82) cuts the row and makes a new one';
  }
  if (step.op === 'make' || (step.op === 'cut' && step.thenMake)) {
    if (step.op === 'cut') for (const r of step.rows) r.lendS = step.toS;
    table.push({ id: nextId(), lstartS: q.start, lendS: q.end, hw: q.hw, cid: q.cid, rid: q.rid });
  } else {
    for (const r of step.rows) r.lendS = step.toS;
  }
  return cause;
}

/** Rebuild the expected `leases` rows. Pure; events must come in time order (ties in store order). */
export function rebuildLeases(
  events: Iterable<StoredEvent>,
  spec: RigSpec,
  options: RebuildOptions,
): RebuildResult {
  const settleBoundMs = options.asOfMs - spec.tolerances.settleSec * 1000;
  const losses = options.losses ?? [];
  const serverHosts = new Set(spec.servers.map((s) => s.host));
  // A row whose lend is older than this before the newest fact can no longer be found: a queue row's start
  // is at most one lease back (a release carries its lease's starts).
  const horizonS = spec.lease.maxSec + 60;
  const states = new Map<string, IpState>();
  const macToIp = new Map<string, string>();
  const done: OpenRow[] = [];
  let nextRowId = 1;
  const ports = new PermuterPorts(spec);
  /** Releases Gluff applies to the wrong row (reported as warnings). */
  let codedId = 0;
  const nextCodedId = (): number => ++codedId;
  /** Replays the queue rows of one action through Gluff 1.12's statements; names the deviation on the rows. */
  const replayCoded = (st: IpState, facts: readonly QueueFact[], t: number): void => {
    if (st.coded.some((r) => r.lendS < t - horizonS))
      st.coded = st.coded.filter((r) => r.lendS >= t - horizonS);
    let cause: string | null = null;
    for (const f of facts) cause = applyCoded(st.coded, f, nextCodedId) ?? cause;
    if (cause === null) return;
    for (const r of st.table) if (r.lendS >= t) r.lease.asCodedCause ??= cause;
  };
  let evidenceFromMs: number | null = options.evidenceFromMs ?? null;
  const rules: RuleContext = { spec, settleBoundMs, evidenceFromMs, nextRowId: () => nextRowId++ };

  // Groups in creation order: a group is complete 2 s after its first line (copies come within 1 s and a
  // commit within 1 s of its ACK), so it is applied then and its events can be collected young.
  const open: { st: IpState; g: PendingGroup }[] = [];
  let openHead = 0;
  const flushOlderThan = (nowMs: number): void => {
    while (openHead < open.length) {
      const o = open[openHead]!;
      if (o.st.pending === o.g) {
        if (nowMs - o.g.firstMs <= 2000) break;
        flush(o.st);
      }
      open[openHead++] = undefined as never;
    }
    if (openHead > 4096 && openHead * 2 > open.length) {
      open.splice(0, openHead);
      openHead = 0;
    }
  };

  const stateOf = (ip: string): IpState => {
    let st = states.get(ip);
    if (st === undefined) {
      st = {
        ip,
        pending: null,
        table: [],
        current: null,
        dhcpd: null,
        commits: [],
        reuses: null,
        rowsMade: 0,
        lossTaint: null,
        lastFactMs: -Infinity,
        coded: [],
      };
      states.set(ip, st);
    }
    return st;
  };

  /** Moves rows that no later queue row can find out of the live table. */
  const retire = (st: IpState, nowS: number): void => {
    let old = false;
    for (const r of st.table) if (r.lendS < nowS - horizonS) old = true;
    if (!old) return;
    const keep: OpenRow[] = [];
    for (const r of st.table) {
      if (r.lendS >= nowS - horizonS) keep.push(r);
      else done.push(r);
    }
    st.table = keep;
  };

  const flush = (st: IpState): void => {
    const g = st.pending;
    st.pending = null;
    if (g === null) return;
    if (g.kind === 'release') applyRelease(st, g);
    else applyAck(st, g);
  };

  /**
   * Applies the queue rows of one client action in log order by the intended rules (applyFact), with the
   * collector-loss bookkeeping: repeated copies prolong, a superseded copy changes nothing, so the action is
   * one fact. Returns the row that holds the lease.
   */
  const applyFacts = (st: IpState, facts: readonly QueueFact[], ids: number[], port: PortAt): OpenRow => {
    const q = facts[0]!;
    retire(st, q.start);
    const t0 = q.start;
    if (st.lossTaint !== null && st.table.every((r) => r.lendS < t0)) st.lossTaint = null;
    if (losses.length > 0) {
      // A line lost since this IP's previous fact may have been an ACK that made or prolonged a row.
      const since = losses.find((l) => overlaps(st.lastFactMs, q.atMs, l.fromMs, l.toMs));
      if (since !== undefined) {
        st.lossTaint ??= `follows a collector loss on ${since.listener} (${tok(since.fromMs)} to ${tok(since.toMs)}) that may have held a line of this address`;
      }
      for (const r of st.table) {
        const loss = losses.find((l) => overlaps(r.lease.startMs, r.lease.endMs, l.fromMs, l.toMs));
        if (loss !== undefined && r.lendS >= t0) {
          st.lossTaint ??= `follows rows the collector may have lost lines of (${loss.listener}, ${tok(loss.fromMs)} to ${tok(loss.toMs)})`;
        }
      }
    }
    st.lastFactMs = facts[facts.length - 1]!.atMs;
    let held = applyFact(rules, st, q, ids, port);
    for (let i = 1; i < facts.length; i++) held = applyFact(rules, st, facts[i]!, ids, port);
    if (st.lossTaint !== null) {
      for (const r of st.table) if (r.lendS >= t0) r.lease.inconclusive ??= st.lossTaint;
    }
    return held;
  };

  const applyRelease = (st: IpState, g: PendingGroup): void => {
    const d = st.dhcpd;
    const tS = sec(g.firstMs);
    // dhcpd queues a release only for a lease that has not ended (dhcp.c: `lease->ends > cur_time`), with the
    // lease's starts and stored agent options (the patch's ldb_log_release); the lease ends then.
    if (d === null || d.mac !== g.mac || d.endsS <= tS) return;
    const q: QueueFact = {
      host: '',
      start: d.startsS,
      changeAt: tS,
      release: true,
      end: tS,
      hw: g.mac,
      cid: d.cid,
      rid: d.rid,
      atMs: g.firstMs,
      endSource: 'release',
      usesPort: false,
    };
    d.endsS = tS;
    applyFacts(st, [q], g.releaseIds, g.port);
    replayCoded(st, [q], q.start);
  };

  const applyAck = (st: IpState, g: PendingGroup): void => {
    const { facts, applied, ids } = ackActionFacts(g, st, spec);
    const r = applyFacts(st, applied, ids, g.port);
    replayCoded(st, facts, applied[0]!.start);
    st.current = r;
    macToIp.set(g.mac, st.ip);
    if (r.pendingMoveMs !== null && g.firstMs >= r.pendingMoveMs) {
      r.pendingMoveMs = null;
      r.pendingMoveId = null;
    }
    // Port disagreement: what dhcpd recorded vs. where the permuter put the client.
    const port = g.port.port;
    if (port !== null) {
      for (const a of g.acks) {
        const c = a.commit;
        if (c === null) continue;
        if (c.circuitIdHex === port.circuitIdHex && c.remoteIdHex === port.remoteIdHex) continue;
        const culprit: PortDisagreementCulprit =
          c.giaddr === DIRECT ? 'dhcpd-stale-options' : 'switch-not-stamping';
        const ids2 = [a.id, c.id, ...(g.port.mapId !== null ? [g.port.mapId] : [])];
        note(r, culprit, a.timeMs, ids2, c.circuitIdHex, port);
      }
    }
  };

  const note = (
    r: OpenRow,
    culprit: PortDisagreementCulprit,
    atMs: number,
    ids: number[],
    seenCid: string | null,
    port: SwitchPortSpec,
  ): void => {
    const n = r.notes.get(culprit);
    if (n === undefined) {
      r.notes.set(culprit, {
        culprit,
        count: 1,
        firstMs: atMs,
        lastMs: atMs,
        ids,
        seenCid,
        portCid: port.circuitIdHex,
        port: port.name,
      });
    } else {
      n.count++;
      n.lastMs = atMs;
    }
  };

  const portOf = (mac: string): PortAt => ports.portOf(mac);

  /** The permuter moved a client: its current row holds a move that no DHCP exchange followed yet. */
  const onMoved = (ev: StoredEvent & { kind: 'port-map' }, mac: string): void => {
    const ip = macToIp.get(mac);
    if (ip === undefined) return;
    const st = stateOf(ip);
    flush(st);
    const r = st.current;
    if (r !== null && r.lease.hw === mac && r.lease.endMs > ev.timeMs && r.pendingMoveMs === null) {
      r.pendingMoveMs = ev.timeMs;
      r.pendingMoveId = ev.id;
    }
  };

  /**
   * A client ACKed on another address than its last one (moved to another subnet; its old lease is left to
   * expire): the old row's pending move was followed by DHCP, on the new address. The row still keeps the
   * old circuit-id until its lease ends, which the note says with the new address.
   */
  const leftAddress = (mac: string, ip: string, atMs: number): void => {
    const before = macToIp.get(mac);
    if (before === undefined || before === ip) return;
    const r = stateOf(before).current;
    if (r !== null && r.lease.hw === mac && r.pendingMoveMs !== null && atMs >= r.pendingMoveMs)
      r.movedTo ??= { ip, atMs };
  };

  const offsets = options.hostOffsetsMs ?? {};
  const shifted = Object.values(offsets).some((ms) => ms !== 0);
  const input: Iterable<StoredEvent> = shifted ? shiftHosts(events, offsets) : events;
  for (const ev of input) {
    if (ev.timeMs > options.asOfMs) continue;
    if (evidenceFromMs === null) evidenceFromMs = rules.evidenceFromMs = ev.timeMs;
    flushOlderThan(ev.timeMs);
    switch (ev.kind) {
      case 'dhcpack': {
        if (serverHosts.size > 0 && !serverHosts.has(ev.host)) break;
        const st = stateOf(ev.ip);
        const p = st.pending;
        if (p !== null && (p.kind !== 'ack' || p.mac !== ev.mac || ev.timeMs - p.firstMs > 1000)) flush(st);
        const commit = takeCommit(st, ev.host, ev.mac, ev.timeMs);
        const reuse = takeReuse(st, ev.host, ev.timeMs);
        const copy: AckCopy = {
          id: ev.id,
          host: ev.host,
          timeMs: ev.timeMs,
          commit,
          reuseAgeSec: reuse?.ageSec ?? null,
          reuseId: reuse?.id ?? null,
        };
        leftAddress(ev.mac, ev.ip, ev.timeMs);
        macToIp.set(ev.mac, ev.ip);
        if (st.pending === null) {
          st.pending = {
            kind: 'ack',
            mac: ev.mac,
            firstMs: ev.timeMs,
            lastMs: ev.timeMs,
            acks: [copy],
            releaseIds: [],
            port: portOf(ev.mac),
          };
          open.push({ st, g: st.pending });
        } else {
          st.pending.acks.push(copy);
          st.pending.lastMs = ev.timeMs;
        }
        break;
      }
      case 'commit': {
        if (serverHosts.size > 0 && !serverHosts.has(ev.host)) break;
        if (ev.mac === null) break;
        const st = stateOf(ev.ip);
        const p = st.pending;
        const c = ev as CommitEvent;
        // A commit logged before its ACK but stored after it (same second) still belongs to that ACK.
        let waiting: AckCopy | null = null;
        if (p !== null && p.kind === 'ack' && p.mac === ev.mac) {
          const cs = sec(ev.timeMs);
          for (const a of p.acks) {
            const as = sec(a.timeMs);
            if (a.commit === null && a.host === ev.host && as >= cs && as <= cs + 1) {
              waiting = a;
              break;
            }
          }
        }
        if (waiting !== null) waiting.commit = c;
        else {
          if (st.commits.length > 0) pruneCommits(st.commits, sec(ev.timeMs));
          st.commits.push(c);
        }
        break;
      }
      case 'reuse-lease': {
        // Logged between the commit line and the ACK on the same host (commit, reuse_lease, REQUEST, ACK).
        if (serverHosts.size > 0 && !serverHosts.has(ev.host)) break;
        const st = stateOf(ev.ip);
        st.reuses = (st.reuses ?? []).filter((r) => sec(ev.timeMs) - sec(r.timeMs) <= 1);
        st.reuses.push(ev);
        break;
      }
      case 'dhcprelease': {
        if (!ev.found) break;
        if (serverHosts.size > 0 && !serverHosts.has(ev.host)) break;
        const st = stateOf(ev.ip);
        const p = st.pending;
        if (p !== null && (p.kind !== 'release' || p.mac !== ev.mac || ev.timeMs - p.firstMs > 1000))
          flush(st);
        if (st.pending === null) {
          st.pending = {
            kind: 'release',
            mac: ev.mac,
            firstMs: ev.timeMs,
            lastMs: ev.timeMs,
            acks: [],
            releaseIds: [ev.id],
            port: portOf(ev.mac),
          };
          open.push({ st, g: st.pending });
        } else {
          st.pending.releaseIds.push(ev.id);
          st.pending.lastMs = ev.timeMs;
        }
        break;
      }
      case 'port-down':
        if (ev.host === spec.permuterHost) ports.onDown(ev);
        break;
      case 'port-map':
        if (ev.host === spec.permuterHost) ports.onMap(ev, (mac) => onMoved(ev, mac));
        break;
      default:
        break;
    }
  }
  for (const st of states.values()) {
    flush(st);
    done.push(...st.table);
    st.table = [];
  }
  ports.finish(settleBoundMs, options.asOfMs);
  const result = finish(done, ports.gaps, spec, options, settleBoundMs, evidenceFromMs);
  return result;
}

/** What the intended rules read besides the address's own state. */
interface RuleContext {
  spec: RigSpec;
  /** as-of − settle: changes newer than this may not be in Gluff's table yet. */
  settleBoundMs: number;
  /** Time of the first event seen (rows before it cannot be known); null before the first. */
  evidenceFromMs: number | null;
  /** Creation order of the replica's rows. */
  nextRowId: () => number;
}

/** Sets a row's end after a change, keeping the settled end when the change is too new to be judged. */
function moveEnd(ctx: RuleContext, r: OpenRow, toS: number, atMs: number): void {
  const L = r.lease;
  if (atMs > ctx.settleBoundMs && L.settledEndMs == null && !r.unsettledMade) L.settledEndMs = L.endMs;
  r.lendS = toS;
  L.endMs = toS * 1000;
}

/**
 * Applies one fact to the IP's table by Gluff's intended rules; returns the row that holds the lease. The
 * row a fact continues is the latest row of the address: when it covers the fact's start, the same
 * hw/cid/rid prolong it (lend only moves forward), a release of the same hw cuts it at the release time,
 * other values cut it at the fact's start and make a new row; nothing covering makes a new row.
 */
function applyFact(ctx: RuleContext, st: IpState, q: QueueFact, ids: number[], port: PortAt): OpenRow {
  const latest = latestRow(st.table);
  if (latest !== null && isEarlierCopy(latest, q)) return startEarlier(ctx, latest, q);
  // An ACK is placed at the time it happened (a reuse_lease row's start is the lease's old one); a release at
  // its lease's start, as Gluff finds it, or in the latest row of its hw when a reuse_lease move started that
  // row after the lease began (the lease's start then lies in the stint before).
  const at = q.release ? releasedAt(latest, q) : q.changeAt;
  if (latest === null || latest.lstartS > at || at > latest.lendS)
    return makeRow(ctx, st, q, q.start, ids, port);
  if (q.release && latest.hw === q.hw) return releaseCut(ctx, latest, q, ids);
  if (latest.hw === q.hw && latest.cid === q.cid && latest.rid === q.rid) return prolong(ctx, latest, q, ids);
  // Other options for the same hw within 1 s of the row's start: a superseded copy of the action that made it
  // (the other server's, or one more than 1 s after its sibling), which changes nothing.
  if (latest.hw === q.hw && q.changeAt - latest.lstartS <= 1) return latest;
  cutOff(ctx, latest, q, ids);
  return makeRow(ctx, st, q, q.changeAt, ids, port);
}

/** Where a release lands: its lease's start, moved into the latest row of the same hw that began after it. */
function releasedAt(latest: OpenRow | null, q: QueueFact): number {
  const movedSince =
    latest !== null && latest.hw === q.hw && q.start < latest.lstartS && q.end >= latest.lstartS;
  return movedSince ? latest.lstartS : q.start;
}

/** A fresh copy of the action that made the latest row, up to a second before that row's start. */
function isEarlierCopy(latest: OpenRow, q: QueueFact): boolean {
  return (
    !q.release &&
    q.changeAt === q.start &&
    latest.hw === q.hw &&
    latest.lstartS > q.start &&
    latest.lstartS - q.start <= 1
  );
}

/** Rule: the row starts at the action's first ACK; a copy with other values is superseded. */
function startEarlier(ctx: RuleContext, latest: OpenRow, q: QueueFact): OpenRow {
  if (latest.cid === q.cid && latest.rid === q.rid) {
    latest.lstartS = q.start;
    latest.lease.startMs = q.start * 1000;
    if (q.end > latest.lendS) moveEnd(ctx, latest, q.end, q.atMs);
  }
  return latest;
}

/** Rule: a found release of the row's hw cuts it at the release time, whatever its Option 82 values. */
function releaseCut(ctx: RuleContext, r: OpenRow, q: QueueFact, ids: number[]): OpenRow {
  const L = r.lease;
  if (r.lendS !== q.end) {
    const beforeMs = L.endMs;
    moveEnd(ctx, r, q.end, q.atMs);
    L.ackEndMs = L.endSource === 'release' ? (L.ackEndMs ?? beforeMs) : beforeMs;
    L.endSource = 'release';
    L.releaseMs = q.end * 1000;
  }
  r.extraIds.push(...ids);
  return r;
}

/** Rule: the same hw/cid/rid prolong the row (lend only moves forward). */
function prolong(ctx: RuleContext, r: OpenRow, q: QueueFact, ids: number[]): OpenRow {
  const L = r.lease;
  if (q.end > r.lendS) {
    moveEnd(ctx, r, q.end, q.atMs);
    L.endSource = q.endSource;
    L.releaseMs = null;
    L.ackEndMs = null;
    if (q.usesPort) r.usesPort = true;
  }
  r.lastIds = ids;
  return r;
}

/** Rule: other hw/cid/rid cut the row off at the ACK (a new row follows). */
function cutOff(ctx: RuleContext, r: OpenRow, q: QueueFact, ids: number[]): void {
  const L = r.lease;
  if (r.lendS !== q.changeAt) moveEnd(ctx, r, q.changeAt, q.atMs);
  L.endSource = 'cutoff';
  L.releaseMs = null;
  L.ackEndMs = null;
  r.extraIds.push(...ids.slice(0, 2));
}

/** Rule: nothing covering the fact (or a cut-off) makes a new row `[startS, end]`. */
function makeRow(
  ctx: RuleContext,
  st: IpState,
  q: QueueFact,
  startS: number,
  ids: number[],
  port: PortAt,
): OpenRow {
  const lease: ExpectedLease = {
    ip: st.ip,
    hw: q.hw,
    cidHex: q.cid,
    remoteIdHex: q.rid,
    startMs: startS * 1000,
    endMs: q.end * 1000,
    endSource: q.endSource === 'release' ? 'commit' : q.endSource,
    releaseMs: null,
    physicalPort: port.port?.name ?? null,
    evidence: [],
    inconclusive: null,
    ackEndMs: null,
    settledEndMs: null,
    startMayBeEarlier:
      st.rowsMade === 0 &&
      ctx.evidenceFromMs !== null &&
      startS * 1000 <= ctx.evidenceFromMs + ctx.spec.lease.maxSec * 1000,
    startHost: q.release ? null : q.host,
  };
  st.rowsMade++;
  const r: OpenRow = {
    id: ctx.nextRowId(),
    lstartS: startS,
    lendS: q.end,
    hw: q.hw,
    cid: q.cid,
    rid: q.rid,
    lease,
    firstIds: ids,
    lastIds: ids,
    extraIds: port.mapId !== null ? [port.mapId] : [],
    usesPort: q.usesPort,
    unsettledMade: q.atMs > ctx.settleBoundMs,
    pendingMoveMs: null,
    pendingMoveId: null,
    movedTo: null,
    notes: new Map(),
  };
  st.table.push(r);
  return r;
}

/**
 * The queue facts of one ACK action (its copies, each with its commit line and reuse_lease line), and dhcpd's
 * lease on the address after it. Each ACK line is one queue row; a copy without its commit line borrows a
 * sibling's (same host first). The action's port fact is its relayed commit's Option 82 (actionPortFact);
 * a `reuse_lease` copy keeps the lease's old start and end. `applied`: the facts the intended rules replay
 * (reuse_lease copies count only when the action has no other); `facts`: every copy, for the as-coded replay.
 */
function ackActionFacts(
  g: PendingGroup,
  st: IpState,
  spec: RigSpec,
): { facts: QueueFact[]; applied: QueueFact[]; ids: number[] } {
  // Each ACK line is one queue row; a copy without its commit line borrows a sibling's (same host first).
  const ids: number[] = [];
  const facts: QueueFact[] = [];
  const fresh: boolean[] = [];
  for (const a of g.acks) {
    ids.push(a.id);
    if (a.commit !== null) ids.push(a.commit.id);
    if (a.reuseId !== null) ids.push(a.reuseId);
  }
  const portFact = actionPortFact(g.acks);
  for (const a of g.acks) {
    const c =
      a.commit ??
      g.acks.find((b) => b.commit !== null && b.host === a.host)?.commit ??
      g.acks.find((b) => b.commit !== null)?.commit ??
      null;
    const t = sec(a.timeMs);
    const leaseSec = c !== null ? c.leaseSec : spec.lease.defaultSec;
    const from = portFact ?? c;
    const cid = from !== null ? from.circuitIdHex : (g.port.port?.circuitIdHex ?? null);
    const rid = from !== null ? from.remoteIdHex : (g.port.port?.remoteIdHex ?? null);
    let start = t;
    let end = t + leaseSec;
    if (a.reuseAgeSec !== null) {
      // reuse_lease: dhcpd answered with the lease unaltered, so the queue row has its old starts and ends.
      start = t - a.reuseAgeSec;
      const d = st.dhcpd;
      end = d !== null && d.mac === g.mac && d.startsS === start ? d.endsS : start + leaseSec;
    } else if (st.dhcpd === null) {
      st.dhcpd = { mac: g.mac, startsS: start, endsS: end, cid, rid };
    } else {
      const d = st.dhcpd;
      d.mac = g.mac;
      d.startsS = start;
      d.endsS = end;
      d.cid = cid;
      d.rid = rid;
    }
    facts.push({
      host: a.host,
      start,
      changeAt: t,
      release: false,
      end,
      hw: g.mac,
      cid,
      rid,
      atMs: a.timeMs,
      endSource: c !== null ? 'commit' : 'approximate',
      usesPort: c === null,
    });
    fresh.push(a.reuseAgeSec === null);
  }
  // reuse_lease copies (the lease unaltered, its old start) count only when the action has no other.
  const applied = fresh.some((f) => f) ? facts.filter((_, i) => fresh[i]) : facts;
  return { facts, applied, ids };
}

/**
 * The Option 82 values an ACK action states about the client's port: those of its last relayed commit (giaddr
 * set: the switch stamped them on this packet), else null. A direct renewal's commit (giaddr 0.0.0.0) shows
 * dhcpd's remembered values, stale after a move, so it is a port fact only when the action has no relayed one.
 */
function actionPortFact(acks: readonly AckCopy[]): CommitEvent | null {
  let fact: CommitEvent | null = null;
  for (const a of acks) if (a.commit !== null && a.commit.giaddr !== DIRECT) fact = a.commit;
  return fact;
}

/** The row a fact continues: the latest of the address (by start, then creation). */
function latestRow(table: readonly OpenRow[]): OpenRow | null {
  let latest: OpenRow | null = null;
  for (const r of table) {
    if (latest === null || r.lstartS > latest.lstartS || (r.lstartS === latest.lstartS && r.id > latest.id))
      latest = r;
  }
  return latest;
}

function takeCommit(st: IpState, host: string, mac: string, timeMs: number): CommitEvent | null {
  let best = -1;
  for (let i = 0; i < st.commits.length; i++) {
    const c = st.commits[i]!;
    const d = sec(timeMs) - sec(c.timeMs);
    // dhcpd logs each commit line before its ACK, one exchange after another: the oldest open one is this ACK's.
    if (c.host === host && c.mac === mac && d >= 0 && d <= 1) {
      best = i;
      break;
    }
  }
  if (best < 0) return null;
  const [c] = st.commits.splice(best, 1);
  return c ?? null;
}

/** Events with each host's clock offset taken off, back in time order (ties in store order). */
function shiftHosts(events: Iterable<StoredEvent>, offsets: Readonly<Record<string, number>>): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (const ev of events) {
    const d = offsets[ev.host] ?? 0;
    out.push(d === 0 ? ev : { ...ev, timeMs: ev.timeMs - d });
  }
  return out.sort((a, b) => a.timeMs - b.timeMs || a.id - b.id);
}

/** The reuse_lease line of this host for an ACK at timeMs (same second or one before), consumed. */
function takeReuse(st: IpState, host: string, timeMs: number): (StoredEvent & DhcpReuseLease) | null {
  const reuses = st.reuses;
  if (reuses === null) return null;
  for (let i = reuses.length - 1; i >= 0; i--) {
    const r = reuses[i]!;
    const d = sec(timeMs) - sec(r.timeMs);
    if (r.host === host && d >= 0 && d <= 1) {
      reuses.splice(i, 1);
      return r;
    }
  }
  return null;
}

/** An instant in a message: report/ expands the token to ISO 8601 UTC (pure folders never format time). */
function tok(ms: number): string {
  return `{{t:${ms}}}`;
}

/** Drop commit lines too old to belong to any later ACK (in place: this runs for every commit line). */
function pruneCommits(commits: CommitEvent[], nowSec: number): void {
  let w = 0;
  for (const c of commits) if (nowSec - sec(c.timeMs) <= 2) commits[w++] = c;
  commits.length = w;
}

function sec(ms: number): number {
  return Math.floor(ms / 1000);
}

function inWindow(ms: number, w: TimeWindow | undefined): boolean {
  if (w === undefined) return true;
  return (w.fromMs === null || ms >= w.fromMs) && (w.toMs === null || ms < w.toMs);
}

function overlaps(aFrom: number, aTo: number, bFrom: number, bTo: number): boolean {
  return aFrom <= bTo && bFrom <= aTo;
}

function baseFinding(
  kind: Finding['kind'],
  severity: Finding['severity'],
  culprit: Finding['culprit'],
): Finding {
  return {
    kind,
    severity,
    culprit,
    ip: null,
    hw: null,
    message: '',
    expected: null,
    actual: [],
    evidence: [],
    evidenceLines: [],
    details: {},
  };
}

function finish(
  done: OpenRow[],
  gaps: GapInterval[],
  spec: RigSpec,
  options: RebuildOptions,
  settleBoundMs: number,
  evidenceFromMs: number | null,
): RebuildResult {
  const findings: Finding[] = [];
  const reasons: string[] = [];
  const losses = options.losses ?? [];
  const w = options.window;
  let unsettledInWindow = 0;
  for (const r of done) {
    const L = r.lease;
    L.evidence = [...new Set([...r.firstIds, ...r.lastIds, ...r.extraIds])];
    for (const loss of losses) {
      if (L.inconclusive === null && overlaps(L.startMs, L.endMs, loss.fromMs, loss.toMs)) {
        L.inconclusive = `collector lost ${count(loss.kernelDrops + loss.appDrops, 'message')} on ${loss.listener} between ${tok(loss.fromMs)} and ${tok(loss.toMs)}`;
      }
    }
    const gapHit = gaps.find((g) => overlaps(L.startMs, L.endMs, g.fromMs, g.toMs));
    if (gapHit !== undefined && r.usesPort && L.inconclusive === null) {
      L.inconclusive = `port unknown: ${gapHit.reason}`;
    }
    if (r.unsettledMade && L.inconclusive === null) {
      L.inconclusive = `not settled: first ACK at ${tok(L.startMs)} is newer than as-of − ${spec.tolerances.settleSec} s`;
      if (inWindow(L.startMs, w)) unsettledInWindow++;
    }
    if (r.pendingMoveMs !== null && r.pendingMoveMs < L.endMs) {
      const m = r.pendingMoveMs;
      r.notes.set('moved-without-dhcp', {
        culprit: 'moved-without-dhcp',
        count: 1,
        firstMs: m,
        lastMs: m,
        ids: r.pendingMoveId !== null ? [r.pendingMoveId] : [],
        seenCid: L.cidHex,
        portCid: null,
        port: null,
        ...(r.movedTo === null ? {} : { movedTo: r.movedTo }),
      });
    }
    for (const n of r.notes.values()) {
      if (gaps.some((g) => overlaps(n.firstMs, n.lastMs, g.fromMs, g.toMs))) continue;
      if (!inWindow(L.startMs, w) && !inWindow(n.firstMs, w)) continue;
      const f = baseFinding('port-disagreement', spec.portDisagreement[n.culprit], culpritOf(n.culprit));
      f.ip = L.ip;
      f.hw = L.hw;
      f.expected = L;
      f.evidence = [...n.ids, ...r.firstIds.slice(0, 2)];
      f.details = {
        culprit: n.culprit,
        count: n.count,
        firstMs: n.firstMs,
        lastMs: n.lastMs,
        recordedCidHex: n.seenCid,
        portCidHex: n.portCid,
        port: n.port,
      };
      f.message = portMessage(n, L, spec);
      findings.push(f);
    }
  }
  for (const g of gaps) {
    if (w !== undefined && !overlaps(g.fromMs, g.toMs, w.fromMs ?? -Infinity, w.toMs ?? Infinity)) continue;
    const f = baseFinding('channel-gap', 'inconclusive', 'channel');
    f.message = `${g.reason}: switch ports unknown from ${tok(g.fromMs)} to ${tok(g.toMs)}`;
    f.evidence = g.ids;
    f.details = { fromMs: g.fromMs, toMs: g.toMs, source: 'permuter' };
    findings.push(f);
    reasons.push(f.message);
  }
  for (const loss of losses) {
    if (w !== undefined && !overlaps(loss.fromMs, loss.toMs, w.fromMs ?? -Infinity, w.toMs ?? Infinity))
      continue;
    const f = baseFinding('channel-gap', 'inconclusive', 'channel');
    f.message = `collector lost ${count(loss.kernelDrops, 'datagram')} in the kernel and ${loss.appDrops} itself on ${loss.listener} between ${tok(loss.fromMs)} and ${tok(loss.toMs)}`;
    f.details = { ...loss, source: 'collector' };
    findings.push(f);
    reasons.push(f.message);
  }
  if (unsettledInWindow > 0) {
    const f = baseFinding('not-settled', 'inconclusive', 'channel');
    f.message = `${count(unsettledInWindow, 'row')} ${unsettledInWindow === 1 ? 'starts' : 'start'} after as-of − ${spec.tolerances.settleSec} s (${tok(settleBoundMs)}): Gluff may not have written ${unsettledInWindow === 1 ? 'it' : 'them'} yet`;
    f.details = { rows: unsettledInWindow, settleBoundMs };
    findings.push(f);
    reasons.push(f.message);
  }
  const rows = done.map((r) => r.lease);
  rows.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.startMs - b.startMs));
  return { rows, findings, inconclusiveReasons: reasons, evidenceFromMs };
}

function culpritOf(c: PortDisagreementCulprit): Finding['culprit'] {
  return c === 'dhcpd-stale-options' ? 'dhcpd' : 'rig';
}

function portMessage(n: PortNote, L: ExpectedLease, spec: RigSpec): string {
  switch (n.culprit) {
    case 'dhcpd-stale-options':
      return `${L.ip} (${L.hw}): ${count(n.count, 'direct renewal')} from ${tok(n.firstMs)} recorded ${circuitIdText(spec, n.seenCid)} kept from an earlier relayed exchange, but the permuter had the client on ${n.port} (${n.portCid ?? 'no circuit-id'})`;
    case 'switch-not-stamping':
      return `${L.ip} (${L.hw}): ${count(n.count, 'relayed exchange')} from ${tok(n.firstMs)} carried ${circuitIdText(spec, n.seenCid)}, but the permuter had the client on ${n.port} (${n.portCid ?? 'no circuit-id'})`;
    case 'moved-without-dhcp':
      return n.movedTo !== undefined
        ? `${L.ip} (${L.hw}): the permuter moved the client at ${tok(n.firstMs)} and it leased another address (${n.movedTo.ip} at ${tok(n.movedTo.atMs)}); this lease was left to run out at ${tok(L.endMs)}, so the row keeps ${circuitIdText(spec, L.cidHex)}`
        : `${L.ip} (${L.hw}): the permuter moved the client at ${tok(n.firstMs)} and no DHCP exchange followed before the row ended at ${tok(L.endMs)}, so the row keeps ${circuitIdText(spec, L.cidHex)}`;
  }
}

/** `the circuit-id of Fa0/2 (00:04:00:01:00:02)` when a port of the spec stamps it, else `circuit-id …` / `no circuit-id`. */
function circuitIdText(spec: RigSpec, cidHex: string | null): string {
  if (cidHex === null) return 'no circuit-id';
  const port = spec.switch.ports.find((p) => p.circuitIdHex === cidHex);
  return port === undefined ? `circuit-id ${cidHex}` : `the circuit-id of ${port.name} (${cidHex})`;
}

/** `1 row`, `2 rows`: a count and its noun in the number it needs. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

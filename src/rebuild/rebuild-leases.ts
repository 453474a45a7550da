/**
 * Rebuild the lease rows Gluff should have written from the secondary channel (dhcpd + permuter events).
 *
 * One pass over events in time order, with a little state per IP: a pending group of repeated lines (one
 * fact), the open row, and recent commit lines. Gluff's rules (docs: gluff.md; source: gluff.c lines 848-880):
 * a fact at t finds the row covering t (`lstart <= t <= lend`, inclusive); a different hw/cid/rid cuts it off
 * at t and makes a new row; the same values prolong it (lend only moves forward); a found release for a lease
 * that has not ended cuts it at the release time; no covering row (a gap of even 1 s) makes a new row.
 */
import type {
  ChannelLoss,
  DhcpCommit,
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

/** One ACK line with the commit line matched to it. */
interface AckCopy {
  id: number;
  host: string;
  timeMs: number;
  commit: CommitEvent | null;
}

interface PortAt {
  port: SwitchPortSpec | null;
  mapId: number | null;
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
}

interface OpenRow {
  lease: ExpectedLease;
  firstIds: number[];
  lastIds: number[];
  extraIds: number[];
  /** Time of the last ACK fact (dhcpd's `starts`, the queue start of a later release). */
  lastAckMs: number;
  /** End granted by the last ACK fact (dhcpd's `ends`: a release after it is not queued). */
  lastAckEndMs: number;
  /** Made by cutting the previous row at its start second. */
  cutFrom: boolean;
  /** The row's cid came from the permuter (no commit line). */
  usesPort: boolean;
  /** Made by a fact newer than as-of − settle. */
  unsettledMade: boolean;
  /** The permuter moved this client at this time and no DHCP exchange followed yet. */
  pendingMoveMs: number | null;
  pendingMoveId: number | null;
  notes: Map<PortDisagreementCulprit, PortNote>;
}

interface IpState {
  ip: string;
  pending: PendingGroup | null;
  row: OpenRow | null;
  commits: CommitEvent[];
  rowsMade: number;
  /** The row the open row was cut from, while the open row is the one made at that cut. */
  cutPrev: OpenRow | null;
}

interface GapInterval {
  fromMs: number;
  toMs: number;
  reason: string;
  ids: number[];
}

const DIRECT = '0.0.0.0';
const NO_PORT: PortAt = { port: null, mapId: null };

/** Rebuild the expected `leases` rows. Pure; events must come in time order (ties in store order). */
export function rebuildLeases(
  events: Iterable<StoredEvent>,
  spec: RigSpec,
  options: RebuildOptions,
): RebuildResult {
  const settleBoundMs = options.asOfMs - spec.tolerances.settleSec * 1000;
  const serverHosts = new Set(spec.servers.map((s) => s.host));
  const portBySwitchIf = new Map(spec.switch.ports.map((p) => [p.switchIf, p]));
  const macsByIface = new Map(spec.clientSegments.map((s) => [s.iface, s.macs]));
  const states = new Map<string, IpState>();
  const macToIp = new Map<string, string>();
  const done: OpenRow[] = [];
  let macPort = new Map<string, PortAt>();
  let lastSeq: number | null = null;
  let downSeq: number | null = null;
  let downMs = 0;
  let downId = 0;
  let lastMapMs: number | null = null;
  const gaps: GapInterval[] = [];
  /** Releases Gluff applies to the wrong row (reported as warnings). */
  const quirks: { row: OpenRow; releaseMs: number; prev: OpenRow }[] = [];
  let evidenceFromMs: number | null = null;
  // The port state before the last `down`: a move is judged between the maps around a down.
  let pendingBefore: Map<string, PortAt> | null = null;

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
      st = { ip, pending: null, row: null, commits: [], rowsMade: 0, cutPrev: null };
      states.set(ip, st);
    }
    return st;
  };

  const finalize = (st: IpState): void => {
    if (st.row !== null) done.push(st.row);
    st.row = null;
  };

  const flush = (st: IpState): void => {
    const g = st.pending;
    st.pending = null;
    if (g === null) return;
    if (g.kind === 'release') applyRelease(st, g);
    else applyAck(st, g);
  };

  const applyRelease = (st: IpState, g: PendingGroup): void => {
    const r = st.row;
    const t = g.firstMs;
    // dhcpd queues a release only for a lease that has not ended (dhcp.c: `lease->ends > cur_time`).
    if (r === null || r.lease.hw !== g.mac || t >= r.lastAckEndMs || t > r.lease.endMs || t < r.lease.startMs)
      return;
    const L = r.lease;
    // dhcpd's lease has ended now: a later copy of this release is not queued again.
    r.lastAckEndMs = t;
    // The queue row's start is the lease's last ACK time. When that is the second this row was cut from the
    // previous one, Gluff's find returns both rows; it takes the times of the first (the cut row) and the
    // hw/cid/rid of the second (this row), sees "same lease" and cuts the CUT row at the release time: this
    // row keeps its ACK end (gluff.c lines 395-411, 63, 863), and later renewals prolong it as usual. This row
    // is predicted exactly; the previous row keeps its intended end here but is flagged (Gluff stretches it
    // to the release, overlapping this one), so what the diff sees around it is a warning.
    const prev = st.cutPrev;
    if (r.cutFrom && sec(r.lastAckMs) === sec(L.startMs) && prev !== null && prev.lease.endMs === L.startMs) {
      prev.lease.gluffQuirk ??= `Gluff ends this row at the release of the next row's lease (${t} ms) instead`;
      prev.extraIds.push(...g.releaseIds);
      r.extraIds.push(...g.releaseIds);
      quirks.push({ row: r, releaseMs: t, prev });
      return;
    }
    if (t > settleBoundMs && L.settledEndMs == null && !r.unsettledMade) L.settledEndMs = L.endMs;
    L.ackEndMs = L.endSource === 'release' ? (L.ackEndMs ?? L.endMs) : L.endMs;
    L.endMs = t;
    L.endSource = 'release';
    L.releaseMs = t;
    r.extraIds.push(...g.releaseIds);
  };

  const applyAck = (st: IpState, g: PendingGroup): void => {
    const t = g.firstMs;
    const firstSec = sec(t);
    // One loop over the copies (this runs once per renewal: keep it allocation-light).
    let lastRelayed: CommitEvent | null = null;
    let lastAny: CommitEvent | null = null;
    let conflict = false;
    let sameSecondCopies = 0;
    let commitEndMs = -Infinity;
    for (const a of g.acks) {
      if (sec(a.timeMs) === firstSec) sameSecondCopies++;
      const c = a.commit;
      if (c === null) continue;
      if (
        lastAny !== null &&
        (c.circuitIdHex !== lastAny.circuitIdHex || c.remoteIdHex !== lastAny.remoteIdHex)
      ) {
        conflict = true;
      }
      lastAny = c;
      if (c.giaddr !== DIRECT) lastRelayed = c;
      const end = a.timeMs + c.leaseSec * 1000;
      if (end > commitEndMs) commitEndMs = end;
    }
    const chosen = lastRelayed ?? lastAny;
    const endMs = chosen !== null ? commitEndMs : t + spec.lease.defaultSec * 1000;
    const endSource: 'commit' | 'approximate' = chosen !== null ? 'commit' : 'approximate';
    const cidHex = chosen !== null ? chosen.circuitIdHex : (g.port.port?.circuitIdHex ?? null);
    const ridHex = chosen !== null ? chosen.remoteIdHex : (g.port.port?.remoteIdHex ?? null);
    const ids: number[] = [];
    for (const a of g.acks) {
      ids.push(a.id);
      if (a.commit !== null) ids.push(a.commit.id);
    }
    const unsettled = t > settleBoundMs;
    let r = st.row;
    const covers = r !== null && r.lease.startMs <= t && t <= r.lease.endMs;
    if (
      r !== null &&
      covers &&
      r.lease.hw === g.mac &&
      r.lease.cidHex === cidHex &&
      r.lease.remoteIdHex === ridHex
    ) {
      // Prolong: lend only moves forward.
      const L = r.lease;
      if (endMs > L.endMs) {
        if (unsettled && L.settledEndMs == null && !r.unsettledMade) L.settledEndMs = L.endMs;
        L.endMs = endMs;
        L.endSource = endSource;
        L.releaseMs = null;
        L.ackEndMs = null;
      }
      r.lastIds = ids;
      r.lastAckMs = t;
      r.lastAckEndMs = endMs;
      if (chosen === null) r.usesPort = true;
      if (r.pendingMoveMs !== null && t >= r.pendingMoveMs) {
        r.pendingMoveMs = null;
        r.pendingMoveId = null;
      }
      if (conflict)
        L.gluffQuirk ??= `ACK copies at ${t} ms carry different circuit-ids: Gluff's result depends on their order`;
      if (r.cutFrom && sec(L.startMs) === firstSec) {
        L.gluffQuirk ??= `a second fact in the cut-off second ${t} ms: Gluff finds two rows`;
      }
    } else {
      let cutFrom = false;
      let cutQuirk: string | null = null;
      if (r !== null && covers) {
        const L = r.lease;
        if (unsettled && L.settledEndMs == null && !r.unsettledMade) L.settledEndMs = L.endMs;
        L.endMs = t;
        L.endSource = 'cutoff';
        L.releaseMs = null;
        L.ackEndMs = null;
        r.extraIds.push(...ids.slice(0, 2));
        cutFrom = true;
        // Any further queue row in second t finds the cut row and the new one (gluff.c do_find_lease).
        if (sameSecondCopies > 1 || conflict || (r.cutFrom && sec(L.startMs) === firstSec)) {
          cutQuirk = `${sameSecondCopies} ACK copies in the cut-off second ${t} ms: Gluff finds two rows`;
          L.gluffQuirk ??= cutQuirk;
        }
      }
      const prev = r;
      if (r !== null) finalize(st);
      st.cutPrev = cutFrom ? prev : null;
      const lease: ExpectedLease = {
        ip: st.ip,
        hw: g.mac,
        cidHex,
        remoteIdHex: ridHex,
        startMs: t,
        endMs,
        endSource,
        releaseMs: null,
        physicalPort: g.port.port?.name ?? null,
        evidence: [],
        inconclusive: null,
        ackEndMs: null,
        settledEndMs: null,
        startMayBeEarlier:
          st.rowsMade === 0 && evidenceFromMs !== null && t <= evidenceFromMs + spec.lease.maxSec * 1000,
        gluffQuirk: conflict
          ? `ACK copies at ${t} ms carry different circuit-ids: Gluff's result depends on their order`
          : cutQuirk,
      };
      st.rowsMade++;
      r = {
        lease,
        firstIds: ids,
        lastIds: ids,
        extraIds: g.port.mapId !== null ? [g.port.mapId] : [],
        lastAckMs: t,
        lastAckEndMs: endMs,
        cutFrom,
        usesPort: chosen === null,
        unsettledMade: unsettled,
        pendingMoveMs: null,
        pendingMoveId: null,
        notes: new Map(),
      };
      st.row = r;
      macToIp.set(g.mac, st.ip);
    }
    // Port disagreement: what dhcpd recorded vs. where the permuter put the client.
    const port = g.port.port;
    if (port !== null && chosen !== null) {
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

  const portOf = (mac: string): PortAt => macPort.get(mac) ?? NO_PORT;

  const onPortMap = (ev: StoredEvent & { kind: 'port-map' }): void => {
    if (lastSeq !== null && ev.seq !== lastSeq + 1 && ev.seq !== downSeq) {
      gaps.push({
        fromMs: lastMapMs ?? ev.timeMs,
        toMs: ev.timeMs,
        reason: `permuter seq jumped from ${lastSeq} to ${ev.seq}`,
        ids: [ev.id],
      });
    }
    const next = new Map<string, PortAt>();
    for (const b of ev.bridges) {
      const port = portBySwitchIf.get(b.switchIf) ?? null;
      for (const iface of b.clientIfs) {
        for (const mac of macsByIface.get(iface) ?? []) next.set(mac, { port, mapId: ev.id });
      }
    }
    for (const [mac, before] of macPort) {
      const after = next.get(mac);
      if (before.port === null || after?.port?.name === before.port.name) continue;
      const ip = macToIp.get(mac);
      if (ip === undefined) continue;
      const st = stateOf(ip);
      flush(st);
      const r = st.row;
      if (r !== null && r.lease.hw === mac && r.lease.endMs > ev.timeMs && r.pendingMoveMs === null) {
        r.pendingMoveMs = ev.timeMs;
        r.pendingMoveId = ev.id;
      }
    }
    macPort = next;
    lastSeq = ev.seq;
    downSeq = null;
    lastMapMs = ev.timeMs;
  };

  const onPortDown = (ev: StoredEvent & { kind: 'port-down' }): void => {
    if (downSeq !== null) {
      gaps.push({
        fromMs: downMs,
        toMs: ev.timeMs,
        reason: `permuter 'down seq=${downSeq}' had no following map`,
        ids: [downId, ev.id],
      });
    } else if (lastSeq !== null && ev.seq !== lastSeq + 1) {
      gaps.push({
        fromMs: lastMapMs ?? ev.timeMs,
        toMs: ev.timeMs,
        reason: `permuter seq jumped from ${lastSeq} to ${ev.seq}`,
        ids: [ev.id],
      });
    }
    downSeq = ev.seq;
    downMs = ev.timeMs;
    downId = ev.id;
    lastSeq = ev.seq;
    // Between down and map the ports are unknown; the map that follows says where clients went.
    const unknown = new Map<string, PortAt>();
    for (const [mac, at] of macPort) unknown.set(mac, { port: null, mapId: at.mapId });
    // Keep the before-state for move detection, but no port is trusted until the map.
    pendingBefore = macPort;
    macPort = unknown;
  };

  for (const ev of events) {
    if (ev.timeMs > options.asOfMs) continue;
    if (evidenceFromMs === null) evidenceFromMs = ev.timeMs;
    flushOlderThan(ev.timeMs);
    switch (ev.kind) {
      case 'dhcpack': {
        if (serverHosts.size > 0 && !serverHosts.has(ev.host)) break;
        const st = stateOf(ev.ip);
        const p = st.pending;
        if (p !== null && (p.kind !== 'ack' || p.mac !== ev.mac || ev.timeMs - p.firstMs > 1000)) flush(st);
        const commit = takeCommit(st, ev.host, ev.mac, ev.timeMs);
        const copy: AckCopy = { id: ev.id, host: ev.host, timeMs: ev.timeMs, commit };
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
        if (ev.host === spec.permuterHost) onPortDown(ev);
        break;
      case 'port-map':
        if (ev.host === spec.permuterHost) {
          if (pendingBefore !== null) {
            macPort = pendingBefore;
            pendingBefore = null;
          }
          onPortMap(ev);
        }
        break;
      default:
        break;
    }
  }
  for (const st of states.values()) {
    flush(st);
    finalize(st);
  }
  // A `down` whose map may still be on its way (newer than as-of − settle) is not a gap yet.
  if (downSeq !== null && downMs <= settleBoundMs) {
    gaps.push({
      fromMs: downMs,
      toMs: options.asOfMs,
      reason: `permuter 'down seq=${downSeq}' had no following map`,
      ids: [downId],
    });
  }
  const result = finish(done, gaps, spec, options, settleBoundMs, evidenceFromMs);
  for (const q of quirks) {
    const L = q.row.lease;
    if (!inWindow(L.startMs, options.window)) continue;
    const f = baseFinding('release-not-applied', 'warn', 'gluff');
    f.ip = L.ip;
    f.hw = L.hw;
    f.expected = L;
    f.evidence = [...q.row.firstIds, ...q.prev.extraIds.slice(-1)];
    f.message = `${L.ip}: ${L.hw} released at ${q.releaseMs} ms, but its last ACK was in the second the row was cut from the previous one (${L.startMs} ms); Gluff's find then mixes the two rows and ends the previous row at the release instead, so this row keeps its ACK end (known Gluff behaviour, gluff.c do_find_lease)`;
    f.details = {
      releaseMs: q.releaseMs,
      gluffQuirk: 'release-on-cut-second',
      previousRowStartMs: q.prev.lease.startMs,
    };
    result.findings.push(f);
  }
  return result;
}

function takeCommit(st: IpState, host: string, mac: string, timeMs: number): CommitEvent | null {
  let best = -1;
  for (let i = 0; i < st.commits.length; i++) {
    const c = st.commits[i]!;
    const d = sec(timeMs) - sec(c.timeMs);
    if (c.host === host && c.mac === mac && d >= 0 && d <= 1) best = i;
  }
  if (best < 0) return null;
  const [c] = st.commits.splice(best, 1);
  return c ?? null;
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
        L.inconclusive = `collector lost ${loss.kernelDrops + loss.appDrops} messages on ${loss.listener} between ${loss.fromMs} and ${loss.toMs} ms`;
      }
    }
    const gapHit = gaps.find((g) => overlaps(L.startMs, L.endMs, g.fromMs, g.toMs));
    if (gapHit !== undefined && r.usesPort && L.inconclusive === null) {
      L.inconclusive = `port unknown: ${gapHit.reason}`;
    }
    if (r.unsettledMade && L.inconclusive === null) {
      L.inconclusive = `not settled: first ACK at ${L.startMs} ms is newer than as-of − ${spec.tolerances.settleSec} s`;
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
      f.message = portMessage(n, L);
      findings.push(f);
    }
  }
  for (const g of gaps) {
    if (w !== undefined && !overlaps(g.fromMs, g.toMs, w.fromMs ?? -Infinity, w.toMs ?? Infinity)) continue;
    const f = baseFinding('channel-gap', 'inconclusive', 'channel');
    f.message = `${g.reason}: switch ports unknown from ${g.fromMs} to ${g.toMs} ms`;
    f.evidence = g.ids;
    f.details = { fromMs: g.fromMs, toMs: g.toMs, source: 'permuter' };
    findings.push(f);
    reasons.push(f.message);
  }
  for (const loss of losses) {
    if (w !== undefined && !overlaps(loss.fromMs, loss.toMs, w.fromMs ?? -Infinity, w.toMs ?? Infinity))
      continue;
    const f = baseFinding('channel-gap', 'inconclusive', 'channel');
    f.message = `collector lost ${loss.kernelDrops} datagrams in the kernel and ${loss.appDrops} itself on ${loss.listener} between ${loss.fromMs} and ${loss.toMs} ms`;
    f.details = { ...loss, source: 'collector' };
    findings.push(f);
    reasons.push(f.message);
  }
  if (unsettledInWindow > 0) {
    const f = baseFinding('not-settled', 'inconclusive', 'channel');
    f.message = `${unsettledInWindow} rows start after as-of − ${spec.tolerances.settleSec} s (${settleBoundMs} ms): Gluff may not have written them yet`;
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

function portMessage(n: PortNote, L: ExpectedLease): string {
  switch (n.culprit) {
    case 'dhcpd-stale-options':
      return `${L.ip} (${L.hw}): ${n.count} direct renewal(s) from ${n.firstMs} ms recorded circuit-id ${n.seenCid ?? 'none'} kept from an earlier relayed exchange, but the permuter had the client on ${n.port} (${n.portCid ?? 'no circuit-id'})`;
    case 'switch-not-stamping':
      return `${L.ip} (${L.hw}): ${n.count} relayed exchange(s) from ${n.firstMs} ms carried circuit-id ${n.seenCid ?? 'none'}, but the permuter had the client on ${n.port} (${n.portCid ?? 'no circuit-id'})`;
    case 'moved-without-dhcp':
      return `${L.ip} (${L.hw}): the permuter moved the client at ${n.firstMs} ms and no DHCP exchange followed before the row ended at ${L.endMs} ms, so the row keeps circuit-id ${L.cidHex ?? 'none'}`;
  }
}

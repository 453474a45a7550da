/**
 * fast-check generators for the rebuild/diff properties.
 *
 * - `historyArb`: lease histories per IP (clients holding the address, renewals, releases, cut-offs, gaps),
 *   turned into the events that must produce them (construct, then check).
 * - `actionsArb`: free event sequences per IP, turned into events AND the queue rows the patched dhcpd would
 *   write for them (for the naive-model oracle).
 */
import fc from 'fast-check';
import type { ExpectedLease, EndSource } from '../../../src/model/index.js';
import type { QueueRow } from '../../../src/sim/gluff-model.js';
import { CID1, CID2, EventLog, MAC1, MAC2, MAC3, MAC4, S, T0 } from './fixtures.js';

const MACS = [MAC1, MAC2, MAC3, MAC4];

/**
 * dhcpd is single-threaded: one host's lines come in processing order with non-decreasing times. A commit
 * line logged a second before its ACK must not go before that host's previous line.
 */
class HostClock {
  private readonly last = new Map<string, number>();
  /** The commit lag (s) that keeps `host`'s lines in order for an ACK at ackMs; records the ACK. */
  lag(host: string, ackMs: number, wantSec: number): number {
    const prev = this.last.get(host) ?? -Infinity;
    const lag = ackMs - wantSec * S >= prev ? wantSec : 0;
    this.last.set(host, Math.max(prev, ackMs));
    return lag;
  }
}
const CIDS: (string | null)[] = [CID1, CID2, null];

export interface CopyPlan {
  host: 'dhcp1' | 'dhcp2';
  /** Seconds after the client action (copies from the other server may come a second later). */
  dtSec: number;
  direct: boolean;
  commitLagSec: 0 | 1;
}

const copyArb: fc.Arbitrary<CopyPlan> = fc.record({
  host: fc.constantFrom('dhcp1' as const, 'dhcp2' as const),
  dtSec: fc.constantFrom(0 as const, 1 as const),
  direct: fc.boolean(),
  commitLagSec: fc.constantFrom(0 as const, 1 as const),
});
const copiesArb = fc
  .array(copyArb, { minLength: 1, maxLength: 3 })
  .map((cs) => [...cs].sort((a, b) => a.dtSec - b.dtSec));

interface RowPlan {
  macIdx: number;
  cidIdx: number;
  leaseSec: number;
  gapSec: number;
  renewals: { frac: number; leaseSec: number; copies: CopyPlan[] }[];
  copies: CopyPlan[];
  term: 'expire' | 'release' | 'cut';
  termFrac: number;
  releaseCopies: number;
}

const rowPlanArb: fc.Arbitrary<RowPlan> = fc.record({
  macIdx: fc.nat({ max: 3 }),
  cidIdx: fc.nat({ max: 2 }),
  leaseSec: fc.integer({ min: 60, max: 3600 }),
  gapSec: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 5000 })),
  renewals: fc.array(
    fc.record({
      frac: fc.oneof(fc.constant(1000), fc.constant(0), fc.nat({ max: 1000 })),
      leaseSec: fc.integer({ min: 60, max: 3600 }),
      copies: copiesArb,
    }),
    { maxLength: 4 },
  ),
  copies: copiesArb,
  term: fc.constantFrom('expire' as const, 'release' as const, 'cut' as const),
  termFrac: fc.nat({ max: 1000 }),
  releaseCopies: fc.integer({ min: 1, max: 3 }),
});

/** A lease history over several IPs: the rows Gluff must hold, and the events that produce them. */
export interface History {
  rows: ExpectedLease[];
  log: EventLog;
}

export const historyArb: fc.Arbitrary<History> = fc
  .array(fc.array(rowPlanArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 })
  .map((perIp) => buildHistory(perIp));

function buildHistory(perIp: RowPlan[][]): History {
  const log = new EventLog();
  const clock = new HostClock();
  const rows: ExpectedLease[] = [];
  perIp.forEach((plans, ipIdx) => {
    const ip = `10.1.0.${ipIdx + 10}`;
    let t = T0 + ipIdx * 7 * S;
    let prev: { hw: string; cid: string | null; term: RowPlan['term']; row: ExpectedLease } | null = null;
    plans.forEach((p, k) => {
      const last = k === plans.length - 1;
      const hw = MACS[p.macIdx]!;
      let cid = CIDS[p.cidIdx]!;
      if (prev !== null && prev.term === 'cut' && hw === prev.hw && cid === prev.cid) {
        cid = CIDS[(p.cidIdx + 1) % CIDS.length]!;
      }
      // The row starts at the first ACK copy; a cut-off ends the previous row there.
      const start = t + p.copies[0]!.dtSec * S;
      const afterCut = prev !== null && prev.term === 'cut';
      if (prev !== null && afterCut) prev.row.endMs = start;
      // Later copies a second on: copies of one action in the cut-off second collapse to the same fact anyway
      // (Gluff 1.12 would prolong the OLD row there: the as-coded replay's business, not the ideal table's).
      const spread = (copies: CopyPlan[]): CopyPlan[] =>
        afterCut
          ? [
              copies[0]!,
              ...copies.slice(1).map((c) => ({ ...c, dtSec: Math.max(c.dtSec, copies[0]!.dtSec + 1) })),
            ]
          : copies;
      let end = 0;
      let lastAck = start;
      let lastAckMinEnd = 0;
      const grant = (at: number, leaseSec: number, copies: CopyPlan[]): void => {
        lastAck = at;
        lastAckMinEnd = Infinity;
        for (const c of copies) {
          const ct = at + c.dtSec * S;
          log.grant(ct, ip, hw, leaseSec, cid, {
            host: c.host,
            giaddr: c.direct ? '0.0.0.0' : '10.1.0.1',
            commitLagSec: clock.lag(c.host, ct, c.commitLagSec),
          });
          end = Math.max(end, ct + leaseSec * S);
          lastAckMinEnd = Math.min(lastAckMinEnd, ct + leaseSec * S);
          lastAck = Math.max(lastAck, ct);
        }
      };
      grant(t, p.leaseSec, spread(p.copies));
      for (const r of p.renewals) {
        // The first copy must still find the row (t <= lend), so leave room for its delay.
        const room = (end - lastAck) / S - r.copies[0]!.dtSec;
        let at = lastAck + Math.floor(room * (r.frac / 1000)) * S;
        if (afterCut && at <= start) at = start + S;
        grant(at, r.leaseSec, afterCut && at <= start ? spread(r.copies) : r.copies);
      }
      const row: ExpectedLease = {
        ip,
        hw,
        cidHex: cid,
        remoteIdHex: null,
        startMs: start,
        endMs: end,
        endSource: 'commit' as EndSource,
        releaseMs: null,
        physicalPort: null,
        evidence: [],
        inconclusive: null,
      };
      const term = last && p.term === 'cut' ? 'expire' : p.term;
      if (term === 'expire') {
        t = end + p.gapSec * S;
      } else if (term === 'release') {
        // dhcpd queues a release only while the lease has not ended; +2 s keeps it after every ACK copy.
        const room = Math.max(0, (lastAckMinEnd - lastAck) / S - 3);
        const r = lastAck + (2 + Math.floor(room * (p.termFrac / 1000))) * S;
        for (let i = 0; i < p.releaseCopies; i++)
          log.release(r + (i === 2 ? S : 0), ip, hw, i === 1 ? 'dhcp2' : 'dhcp1');
        row.ackEndMs = end;
        row.endMs = r;
        row.endSource = 'release';
        row.releaseMs = r;
        t = r + p.gapSec * S;
      } else {
        const room = (end - lastAck) / S - 3;
        const c = lastAck + (2 + Math.floor(room * (p.termFrac / 1000))) * S;
        row.endMs = c;
        row.endSource = 'cutoff';
        t = c;
      }
      rows.push(row);
      prev = { hw, cid, term, row };
    });
  });
  return { rows, log };
}

/** One client action on one IP in a free event sequence. */
export interface Action {
  dtSec: number;
  kind: 'ack' | 'release';
  macIdx: number;
  cidIdx: number;
  leaseSec: number;
  copies: (CopyPlan & { stale: boolean })[];
}

const actionArb: fc.Arbitrary<Action> = fc.record({
  dtSec: fc.oneof(fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: 4000 })),
  kind: fc.constantFrom('ack' as const, 'ack' as const, 'release' as const),
  macIdx: fc.nat({ max: 2 }),
  cidIdx: fc.nat({ max: 2 }),
  leaseSec: fc.integer({ min: 60, max: 1800 }),
  copies: fc
    .array(
      fc.record({
        host: fc.constantFrom('dhcp1' as const, 'dhcp2' as const),
        dtSec: fc.constantFrom(0 as const, 1 as const),
        direct: fc.boolean(),
        commitLagSec: fc.constantFrom(0 as const, 1 as const),
        stale: fc.nat({ max: 5 }).map((n) => n === 0),
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((cs) => [...cs].sort((a, b) => a.dtSec - b.dtSec)),
});

export interface Sequence {
  log: EventLog;
  /** Queue rows in the order dhcpd wrote them (both servers merged by time). */
  queue: QueueRow[];
}

export const sequenceArb: fc.Arbitrary<Sequence> = fc
  .array(fc.array(actionArb, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 })
  .map((perIp) => buildSequence(perIp));

/** A queue row with the line behind it, for the ideal port facts (see idealPortFacts). */
interface QueuedLine {
  row: QueueRow | null;
  atMs: number;
  seq: number;
  ip: string;
  mac: string;
  kind: 'ack' | 'release';
  /** The ACK's commit had giaddr set: its circuit-id is what the switch stamped on this packet. */
  relayed: boolean;
}

function buildSequence(perIp: Action[][]): Sequence {
  const log = new EventLog();
  const clock = new HostClock();
  const queue: QueuedLine[] = [];
  let seq = 0;
  perIp.forEach((actions, ipIdx) => {
    const ip = `10.2.0.${ipIdx + 10}`;
    let t = T0 + ipIdx * 3 * S;
    // dhcpd's view of the lease on this address (failover keeps both servers in step).
    let lease: { mac: string; startsSec: number; endsSec: number; cid: string | null } | null = null;
    for (const a of actions) {
      t += a.dtSec * S;
      const mac = MACS[a.macIdx]!;
      if (a.kind === 'ack') {
        const cid = CIDS[a.cidIdx]!;
        for (const c of a.copies) {
          const ct = t + c.dtSec * S;
          const copyCid = c.direct && c.stale ? CIDS[(a.cidIdx + 1) % CIDS.length]! : cid;
          log.grant(ct, ip, mac, a.leaseSec, copyCid, {
            host: c.host,
            giaddr: c.direct ? '0.0.0.0' : '10.1.0.1',
            commitLagSec: clock.lag(c.host, ct, c.commitLagSec),
          });
          const startsSec = ct / S;
          const endsSec = startsSec + a.leaseSec;
          lease = { mac, startsSec, endsSec, cid: copyCid };
          queue.push({
            row: { start: startsSec, rtype: 0, idx: 0, end: endsSec, ip, hw: mac, cid: copyCid, rid: null },
            atMs: ct,
            seq: seq++,
            ip,
            mac,
            kind: 'ack',
            relayed: !c.direct,
          });
        }
      } else {
        for (const c of a.copies) {
          const ct = t + c.dtSec * S;
          const found = lease !== null && lease.mac === mac;
          log.release(ct, ip, mac, c.host, found);
          const line = { atMs: ct, seq: seq++, ip, mac, kind: 'release' as const, relayed: false };
          if (!found) continue;
          if (lease === null || lease.endsSec <= ct / S) queue.push({ ...line, row: null });
          else {
            queue.push({
              ...line,
              row: {
                start: lease.startsSec,
                rtype: 1,
                idx: 0,
                end: ct / S,
                ip,
                hw: mac,
                cid: lease.cid,
                rid: null,
              },
            });
            lease.endsSec = ct / S;
          }
        }
      }
      // Leave the next action at least after this one's copies.
      t += Math.max(...a.copies.map((c) => c.dtSec)) * S;
    }
  });
  queue.sort((x, y) => x.atMs - y.atMs || x.seq - y.seq);
  return { log, queue: idealPortFacts(queue) };
}

/**
 * The queue rows with the ideal port facts: lines of one IP and MAC within 1 s of the first are one client
 * action (a found release in between starts another), and when the action has a relayed copy, its circuit-id
 * is the port fact for every copy (a direct renewal's is dhcpd's remembered value, stale after a move).
 */
function idealPortFacts(lines: readonly QueuedLine[]): QueueRow[] {
  const groups: QueuedLine[][] = [];
  const open = new Map<string, QueuedLine[]>();
  for (const l of lines) {
    const g = open.get(l.ip);
    const first = g?.[0];
    if (
      g !== undefined &&
      first !== undefined &&
      first.kind === l.kind &&
      first.mac === l.mac &&
      l.atMs - first.atMs <= 1000
    ) {
      g.push(l);
      continue;
    }
    const fresh = [l];
    groups.push(fresh);
    open.set(l.ip, fresh);
  }
  const out = new Map<QueuedLine, QueueRow>();
  for (const g of groups) {
    let portCid: string | null | undefined;
    for (const l of g) if (l.relayed && l.row !== null) portCid = l.row.cid;
    for (const l of g)
      if (l.row !== null) out.set(l, portCid === undefined ? l.row : { ...l.row, cid: portCid });
  }
  return lines.flatMap((l) => {
    const r = out.get(l);
    return r === undefined ? [] : [r];
  });
}

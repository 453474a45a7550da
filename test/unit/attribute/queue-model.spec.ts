/**
 * The queue model read from syslog (modelQueues) against a naive replay of what each dhcpd did, written from
 * the actions themselves rather than from their lines: for any sequence of ACKs (fresh or reuse_lease, on
 * either server), releases, failed inserts and dhcpd restarts, each call queues the row the patch would
 * (start, end, Option 82 of the lease struct) with the outcome the lines prove.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { modelQueues } from '../../../src/attribute/queue-model.js';
import type { StoredEvent } from '../../../src/model/index.js';
import { CID1, CID2, EventLog, MAC1, MAC2, S, T0, testSpec } from '../rebuild/fixtures.js';

const spec = testSpec();
const HOSTS = ['dhcp1', 'dhcp2'] as const;
type Host = (typeof HOSTS)[number];

type Action =
  | { op: 'ack'; host: Host; ip: number; mac: number; cid: number; reuse: boolean; fail: boolean; dt: number }
  | { op: 'release'; host: Host; ip: number; mac: number; fail: boolean; dt: number }
  | { op: 'restart'; host: Host; dt: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('ack' as const),
      host: fc.constantFrom(...HOSTS),
      ip: fc.nat({ max: 1 }),
      mac: fc.nat({ max: 1 }),
      cid: fc.nat({ max: 2 }),
      reuse: fc.boolean(),
      fail: fc.nat({ max: 6 }).map((n) => n === 0),
      dt: fc.integer({ min: 1, max: 200 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('release' as const),
      host: fc.constantFrom(...HOSTS),
      ip: fc.nat({ max: 1 }),
      mac: fc.nat({ max: 1 }),
      fail: fc.nat({ max: 4 }).map((n) => n === 0),
      dt: fc.integer({ min: 3, max: 200 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('restart' as const),
      host: fc.constantFrom(...HOSTS),
      dt: fc.integer({ min: 1, max: 50 }),
    }),
  },
);

const IPS = ['10.1.0.50', '10.1.0.51'];
const MACS = [MAC1, MAC2];
const CIDS = [CID1, CID2, null];
const LEASE = 600;

interface Struct {
  mac: string;
  starts: number;
  ends: number;
  cid: string | null;
  known: boolean;
}

interface Want {
  host: string;
  record: 'ack' | 'release';
  ip: string;
  start: number;
  end: number;
  /** undefined: the model cannot know the options (the peer's stored ones after the other's ACK). */
  cid: string | null | undefined;
  outcome: 'queued' | 'collision' | 'not-open';
}

/** Builds the syslog of the actions and, beside it, what each dhcpd did (the naive replay). */
function play(actions: readonly Action[]): { events: StoredEvent[]; want: Want[] } {
  const log = new EventLog();
  const open = new Map<string, boolean>(HOSTS.map((h) => [h, false]));
  const structs = new Map<string, Map<string, Struct>>(HOSTS.map((h) => [h, new Map()]));
  const want: Want[] = [];
  for (const h of HOSTS) log.pids.set(h, 100);
  const line = (body: Record<string, unknown>, t: number, host: string): void => void log.line(body, t, host);
  let t = T0;
  for (const a of actions) {
    t += a.dt * S;
    if (a.op === 'restart') {
      log.pids.set(a.host, log.pids.get(a.host)! + 1);
      open.set(a.host, false);
      continue;
    }
    const ip = IPS[a.ip]!;
    const mac = MACS[a.mac]!;
    const own = structs.get(a.host)!;
    const s = own.get(ip);
    if (a.op === 'ack') {
      const cid = CIDS[a.cid]!;
      const ts = t / S;
      const reuse = a.reuse && s !== undefined && s.mac === mac && ts - s.starts < LEASE / 4 && s.ends > ts;
      log.commit(t, ip, mac, LEASE, cid, { host: a.host });
      if (reuse) log.reuse(t, ip, ts - s.starts, a.host);
      log.ack(t, ip, mac, a.host);
      if (a.fail) line({ kind: 'queue-error', stage: 'sqlite3', line: 241, detail: 'x' }, t, a.host);
      open.set(a.host, true);
      const outcome = a.fail ? 'collision' : 'queued';
      if (reuse) {
        want.push({
          host: a.host,
          record: 'ack',
          ip,
          start: s.starts,
          end: s.ends,
          cid: s.known ? s.cid : undefined,
          outcome,
        });
        continue;
      }
      want.push({ host: a.host, record: 'ack', ip, start: ts, end: ts + LEASE, cid, outcome });
      for (const h of HOSTS) {
        const m = structs.get(h)!;
        const before = m.get(ip);
        if (h === a.host) m.set(ip, { mac, starts: ts, ends: ts + LEASE, cid, known: true });
        else {
          // The peer's copy comes by a binding update without Option 82; options it stored itself are uncertain.
          const had = before !== undefined && before.mac === mac && before.cid !== null;
          m.set(ip, { mac, starts: ts, ends: ts + LEASE, cid: had ? before.cid : null, known: !had });
        }
      }
      continue;
    }
    const ts = t / S;
    const calls = s !== undefined && s.mac === mac && s.ends > ts; // else dhcpd queues nothing
    // A failing insert logs its error before the DHCPRELEASE line; a closed queue returns before any insert.
    if (a.fail && calls && open.get(a.host))
      line({ kind: 'queue-error', stage: 'sqlite3', line: 115, detail: 'x' }, t - S, a.host);
    log.release(t, ip, mac, a.host, true);
    if (!calls) continue;
    const outcome = !open.get(a.host) ? 'not-open' : a.fail ? 'collision' : 'queued';
    want.push({
      host: a.host,
      record: 'release',
      ip,
      start: s.starts,
      end: ts,
      cid: s.known ? s.cid : undefined,
      outcome,
    });
    for (const [h, m] of structs) {
      const x = m.get(ip);
      if (x !== undefined && x.mac === mac) x.ends = h === a.host ? ts : Math.min(x.ends, ts + 2);
    }
  }
  return { events: log.sorted(), want };
}

describe('attribute: the queue model read from syslog', () => {
  it('should give each ACK and release the row and outcome a naive replay of the dhcpds gives', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 30 }), (actions) => {
        const { events, want } = play(actions);
        const trace = modelQueues(events, spec);
        const got = [...trace.callsByIp.values()]
          .flat()
          .sort((x, y) => x.atMs - y.atMs || x.lineId - y.lineId)
          .map((c) => ({
            host: c.host,
            record: c.record,
            ip: c.ip,
            start: c.row.start,
            end: c.row.end,
            cid: c.optionsKnown ? c.row.cidHex : undefined,
            outcome: c.outcome,
          }));
        // Both lists are in time order; ties (one second) keep the order the lines were logged in.
        assert.deepEqual(got, want);
      }),
      { numRuns: 1500 },
    );
  });
});

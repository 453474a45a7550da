/**
 * A moved client keeps its address (one subnet behind every switch port). The second of its first exchange
 * on the new port can bring a relayed commit (giaddr set, the new port's circuit-id, possibly answered by
 * reuse_lease) and a direct renewal's commit (giaddr 0.0.0.0, dhcpd's remembered circuit-id of the old port),
 * from either server, in any order. The relayed one is the port fact: a table that names the new port from
 * that second on is right and must pass.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rebuildLeases } from '../../../src/rebuild/rebuild-leases.js';
import { diffLeases } from '../../../src/diff/diff-leases.js';
import type { ExpectedLease } from '../../../src/model/index.js';
import { expectedLease } from '../../helpers/fixtures.js';
import { actualFrom, CID1, CID2, EventLog, MAC1, S, T0, testSpec } from './fixtures.js';

const spec = testSpec();
const IP = '10.1.0.50';
const LEASE = 600;

interface CopyPlan {
  host: 'dhcp1' | 'dhcp2';
  relayed: boolean;
  /** dhcpd answered with reuse_lease (only while the lease is younger than 25 % of its length). */
  reuse: boolean;
}

const planArb = fc.record({
  moveAfterSec: fc.integer({ min: 20, max: 140 }),
  delaySec: fc.integer({ min: 1, max: 20 }),
  copies: fc
    .array(
      fc.record({
        host: fc.constantFrom('dhcp1' as const, 'dhcp2' as const),
        relayed: fc.boolean(),
        reuse: fc.boolean(),
      }),
      { minLength: 2, maxLength: 4 },
    )
    .filter((cs) => cs.some((c) => c.relayed) && cs.some((c) => !c.relayed)),
});

/** The events of the scenario and the table a correct Gluff holds for it. */
function scenario(p: { moveAfterSec: number; delaySec: number; copies: CopyPlan[] }): {
  log: EventLog;
  table: ExpectedLease[];
} {
  const log = new EventLog();
  log.map(T0, 1, [
    ['eth0', ['eth4']],
    ['eth1', []],
  ]);
  const start = T0 + 10 * S;
  log.grant(start, IP, MAC1, LEASE, CID1);
  const moveMs = start + p.moveAfterSec * S;
  log.down(moveMs, 2);
  log.map(moveMs, 3, [
    ['eth0', []],
    ['eth1', ['eth4']],
  ]);
  // All copies in one second: dhcpd's lease on the address as each server sees it (failover keeps it in step).
  const t = moveMs + p.delaySec * S;
  let leaseStart = start;
  let leaseEnd = start + LEASE * S;
  let freshEnd: number | null = null;
  for (const c of p.copies) {
    const age = (t - leaseStart) / S;
    const reuse = c.reuse && age < LEASE / 4;
    const giaddr = c.relayed ? '10.1.0.1' : '0.0.0.0';
    log.commit(t, IP, MAC1, LEASE, c.relayed ? CID2 : CID1, { host: c.host, giaddr });
    if (reuse) log.reuse(t, IP, age, c.host);
    log.ack(t, IP, MAC1, c.host, c.relayed ? '10.1.0.1' : 'eth0');
    if (!reuse) {
      leaseStart = t;
      leaseEnd = t + LEASE * S;
      freshEnd = leaseEnd;
    }
  }
  const row = (from: number, to: number, cid: string): ExpectedLease =>
    expectedLease({
      ip: IP,
      hw: MAC1,
      cidHex: cid,
      startMs: from,
      endMs: to,
      physicalPort: null,
      evidence: [],
    });
  // Old port until the exchange, the new port from it to the lease's end (a reuse_lease answer keeps the end).
  return { log, table: [row(start, t, CID1), row(t, freshEnd ?? leaseEnd, CID2)] };
}

describe('rebuild: port facts of a moved client that keeps its address', () => {
  it('should pass a table naming the relayed port, whatever the order and servers of the direct copies', () => {
    fc.assert(
      fc.property(planArb, (p) => {
        const { log, table } = scenario(p);
        const asOfMs = T0 + 3600 * S;
        const rebuilt = rebuildLeases(log.sorted(), spec, { asOfMs });
        const after = rebuilt.rows.filter((r) => r.endMs > table[1]!.startMs);
        assert.ok(
          after.every((r) => r.cidHex === CID2),
          `rows after the move name the relayed port: ${JSON.stringify(after.map((r) => r.cidHex))}`,
        );
        const fails = diffLeases(rebuilt.rows, actualFrom(table), spec, { asOfMs }).filter(
          (f) => f.severity === 'fail',
        );
        assert.deepEqual(
          fails.map((f) => `${f.kind}: ${f.message}`),
          [],
        );
      }),
      { numRuns: 500 },
    );
  });

  it('should fail a table that kept the old port although a relayed commit named the new one', () => {
    fc.assert(
      fc.property(planArb, (p) => {
        const { log, table } = scenario(p);
        const asOfMs = T0 + 3600 * S;
        const rebuilt = rebuildLeases(log.sorted(), spec, { asOfMs });
        const stale = [{ ...table[0]!, endMs: table[1]!.endMs }];
        const fails = diffLeases(rebuilt.rows, actualFrom(stale), spec, { asOfMs }).filter(
          (f) => f.severity === 'fail',
        );
        assert.ok(fails.length > 0, 'a row that never left the old port fails');
      }),
      { numRuns: 300 },
    );
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { ExpectedLease } from '../../../src/model/index.js';
import { rebuildLeases } from '../../../src/rebuild/rebuild-leases.js';
import { applyQueueRow, type GluffRow } from '../../../src/sim/gluff-model.js';
import { historyArb, sequenceArb } from './arbitraries.js';
import { CID1, CID2, EventLog, MAC1, MAC2, S, T0, testSpec } from './fixtures.js';

const IP = '10.1.0.50';
const spec = testSpec();
const asOf = T0 + 86_400 * S;

function rebuild(log: EventLog, asOfMs = asOf, extra: Partial<Parameters<typeof rebuildLeases>[2]> = {}) {
  return rebuildLeases(log.sorted(), spec, { asOfMs, ...extra });
}

describe('rebuildLeases', () => {
  it('should make one row from a commit + ACK, ending at ACK time + lease time', () => {
    // Arrange: `gv-commit ip=10.1.0.50 hw=52:54:0:12:34:1 lease=600 giaddr=10.1.0.1 cid=70:6f:72:74:31 rid=`
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    // Act
    const { rows, findings } = rebuild(log);
    // Assert
    assert.equal(rows.length, 1);
    assert.deepEqual(
      [rows[0]!.hw, rows[0]!.cidHex, rows[0]!.startMs, rows[0]!.endMs, rows[0]!.endSource],
      [MAC1, CID1, T0, T0 + 600 * S, 'commit'],
    );
    assert.equal(rows[0]!.evidence.length, 2);
    assert.deepEqual(findings, []);
  });

  it('should prolong on renewals, including one exactly at lend (t <= lend is inclusive)', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.grant(T0 + 300 * S, IP, MAC1, 600, CID1);
    log.grant(T0 + 900 * S, IP, MAC1, 600, CID1);
    const { rows } = rebuild(log);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.endMs, T0 + 1500 * S);
  });

  it('should start a new row after a gap of one second', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.grant(T0 + 601 * S, IP, MAC1, 600, CID1);
    const { rows } = rebuild(log);
    assert.deepEqual(
      rows.map((r) => [r.startMs, r.endMs]),
      [
        [T0, T0 + 600 * S],
        [T0 + 601 * S, T0 + 1201 * S],
      ],
    );
  });

  it('should never move lend backwards when a renewal grants a shorter lease', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 3600, CID1);
    log.grant(T0 + 60 * S, IP, MAC1, 600, CID1);
    const { rows } = rebuild(log);
    assert.equal(rows[0]!.endMs, T0 + 3600 * S);
  });

  it('should treat three REQUEST/ACK pairs for one renewal from both servers as one fact', () => {
    // One renewal seen three times: straight to dhcp1 `via eth0`, and relayed twice by the router's dhcrelay
    // (once answered by dhcp2, a second later).
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    const t = T0 + 300 * S;
    log.grant(t, IP, MAC1, 600, CID1, { giaddr: '0.0.0.0' });
    log.grant(t, IP, MAC1, 600, CID1);
    log.grant(t + S, IP, MAC1, 600, CID1, { host: 'dhcp2', commitLagSec: 1 });
    const { rows, findings } = rebuild(log);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.endMs, t + S + 600 * S);
    assert.equal(rows[0]!.gluffQuirk ?? null, null);
    assert.deepEqual(findings, []);
  });

  it('should cut the row at t and make a new one when another client gets the address', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.grant(T0 + 100 * S, IP, MAC2, 600, CID2);
    const { rows } = rebuild(log);
    assert.deepEqual(
      rows.map((r) => [r.hw, r.startMs, r.endMs, r.endSource]),
      [
        [MAC1, T0, T0 + 100 * S, 'cutoff'],
        [MAC2, T0 + 100 * S, T0 + 700 * S, 'commit'],
      ],
    );
  });

  it('should cut on a new circuit-id and flag a stale-cid copy in the same second as a Gluff quirk', () => {
    // After a move the direct renewal still carries the old circuit-id (dhcpd remembered it); the relayed
    // copies carry the new one. The relayed value is the fact; Gluff's result depends on the queue order.
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    const t = T0 + 300 * S;
    log.grant(t, IP, MAC1, 600, CID1, { giaddr: '0.0.0.0' });
    log.grant(t, IP, MAC1, 600, CID2);
    const { rows } = rebuild(log);
    assert.deepEqual(
      rows.map((r) => [r.cidHex, r.startMs, r.endMs]),
      [
        [CID1, T0, t],
        [CID2, t, t + 600 * S],
      ],
    );
    assert.match(rows[1]!.gluffQuirk ?? '', /different circuit-ids/);
  });

  it('should collapse duplicate ACKs with the same cid after a cut-off but flag the same-second find', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.grant(T0 + 100 * S, IP, MAC2, 600, CID2);
    log.grant(T0 + 100 * S, IP, MAC2, 600, CID2, { host: 'dhcp2' });
    const { rows } = rebuild(log);
    assert.equal(rows.length, 2);
    assert.match(rows[1]!.gluffQuirk ?? '', /2 ACK copies in the cut-off second/);
  });

  it('should cut at a found release, ignore a not-found one and collapse repeated release lines', () => {
    // `DHCPRELEASE of 10.1.0.50 from 52:54:00:12:34:01 (host1) via eth0 (found)` x3 from both servers.
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.release(T0 + 50 * S, IP, MAC1, 'dhcp1', false);
    log.release(T0 + 100 * S, IP, MAC1);
    log.release(T0 + 100 * S, IP, MAC1, 'dhcp2');
    log.release(T0 + 101 * S, IP, MAC1);
    const { rows } = rebuild(log);
    assert.equal(rows.length, 1);
    assert.deepEqual(
      [rows[0]!.endMs, rows[0]!.endSource, rows[0]!.releaseMs, rows[0]!.ackEndMs],
      [T0 + 100 * S, 'release', T0 + 100 * S, T0 + 600 * S],
    );
  });

  it('should leave a row released in its cut-off second unreleased, as Gluff does, and warn', () => {
    // Gluff's find at the release's queue start (the cut-off second) returns both rows and cuts the older.
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.grant(T0 + 100 * S, IP, MAC2, 600, CID2);
    log.release(T0 + 150 * S, IP, MAC2);
    const { rows, findings } = rebuild(log);
    assert.deepEqual(
      rows.map((r) => [r.hw, r.endMs, r.endSource, r.gluffQuirk !== null]),
      [
        [MAC1, T0 + 100 * S, 'cutoff', true],
        [MAC2, T0 + 700 * S, 'commit', false],
      ],
    );
    assert.deepEqual(
      findings.map((f) => [f.kind, f.severity, f.details['gluffQuirk']]),
      [['release-not-applied', 'warn', 'release-on-cut-second']],
    );
  });

  it('should ignore a release after the lease ended and a DHCPINFORM ACK', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.informAck(T0 + 10 * S, IP, MAC1);
    log.release(T0 + 700 * S, IP, MAC1);
    const { rows } = rebuild(log);
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0]!.endMs, rows[0]!.endSource], [T0 + 600 * S, 'commit']);
  });

  it('should use the default lease time and the permuter port when there is no commit line', () => {
    const log = new EventLog();
    log.map(T0 - 10 * S, 1, [
      ['eth0', ['eth4']],
      ['eth1', ['eth5']],
    ]);
    log.ack(T0, IP, MAC1);
    const { rows } = rebuild(log);
    assert.deepEqual(
      [rows[0]!.endSource, rows[0]!.endMs, rows[0]!.cidHex, rows[0]!.physicalPort],
      ['approximate', T0 + 600 * S, CID1, 'Fa0/1'],
    );
  });

  it('should report a stale circuit-id on a direct renewal as dhcpd-stale-options, once per row', () => {
    const log = new EventLog();
    log.map(T0 - 10 * S, 1, [
      ['eth0', ['eth4']],
      ['eth1', ['eth5']],
    ]);
    log.grant(T0, IP, MAC1, 600, CID1);
    log.down(T0 + 100 * S, 2);
    log.map(T0 + 101 * S, 2, [
      ['eth1', ['eth4']],
      ['eth0', ['eth5']],
    ]);
    log.grant(T0 + 300 * S, IP, MAC1, 600, CID1, { giaddr: '0.0.0.0' });
    log.grant(T0 + 600 * S, IP, MAC1, 600, CID1, { giaddr: '0.0.0.0' });
    const { findings } = rebuild(log);
    assert.equal(findings.length, 1);
    assert.deepEqual(
      [
        findings[0]!.kind,
        findings[0]!.severity,
        findings[0]!.details['culprit'],
        findings[0]!.details['count'],
      ],
      ['port-disagreement', 'warn', 'dhcpd-stale-options', 2],
    );
  });

  it('should report a relayed exchange without the port circuit-id as switch-not-stamping', () => {
    const log = new EventLog();
    log.map(T0 - 10 * S, 1, [['eth0', ['eth4']]]);
    log.grant(T0, IP, MAC1, 600, null);
    const { findings } = rebuild(log);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.severity, f.details['culprit']]),
      [['port-disagreement', 'fail', 'switch-not-stamping']],
    );
  });

  it('should report moved-without-dhcp once for a row the permuter moved with no exchange after', () => {
    const log = new EventLog();
    log.map(T0 - 10 * S, 1, [
      ['eth0', ['eth4']],
      ['eth1', ['eth5']],
    ]);
    log.grant(T0, IP, MAC1, 600, CID1);
    for (let seq = 2; seq < 6; seq++) {
      log.down(T0 + seq * 60 * S, seq);
      log.map(
        T0 + seq * 60 * S + S,
        seq,
        seq % 2 === 0
          ? [
              ['eth1', ['eth4']],
              ['eth0', ['eth5']],
            ]
          : [
              ['eth0', ['eth4']],
              ['eth1', ['eth5']],
            ],
      );
    }
    const { findings } = rebuild(log);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.details['culprit'], f.details['firstMs']]),
      [['port-disagreement', 'moved-without-dhcp', T0 + 121 * S]],
    );
  });

  it('should report a permuter seq gap and make rows that rely on the port inconclusive', () => {
    const log = new EventLog();
    log.map(T0 - 10 * S, 1, [['eth0', ['eth4']]]);
    log.ack(T0, IP, MAC1);
    log.map(T0 + 60 * S, 3, [['eth0', ['eth4']]]);
    const { rows, findings, inconclusiveReasons } = rebuild(log);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.severity]),
      [['channel-gap', 'inconclusive']],
    );
    assert.match(rows[0]!.inconclusive ?? '', /seq jumped from 1 to 3/);
    assert.equal(inconclusiveReasons.length, 1);
  });

  it('should report a down without a following map as a gap', () => {
    const log = new EventLog();
    log.map(T0 - 10 * S, 1, [['eth0', ['eth4']]]);
    log.down(T0 + 60 * S, 2);
    const { findings } = rebuild(log);
    assert.match(findings[0]?.message ?? '', /down seq=2' had no following map/);
  });

  it('should make rows alive during a collector loss inconclusive', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.grant(T0 + 1000 * S, IP, MAC1, 600, CID1);
    const loss = {
      listener: 'udp://0.0.0.0:514',
      fromMs: T0 + 500 * S,
      toMs: T0 + 560 * S,
      kernelDrops: 3,
      appDrops: 0,
    };
    const { rows, findings } = rebuild(log, asOf, { losses: [loss] });
    assert.match(rows[0]!.inconclusive ?? '', /lost 3 messages/);
    assert.equal(rows[1]!.inconclusive, null);
    assert.deepEqual(
      findings.map((f) => f.kind),
      ['channel-gap'],
    );
  });

  it('should mark rows made after as-of - settle as not settled and keep the settled end of prolonged ones', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.grant(T0 + 300 * S, IP, MAC1, 600, CID1);
    log.grant(T0 + 310 * S, '10.1.0.51', MAC2, 600, CID2);
    const { rows, findings } = rebuild(log, T0 + 320 * S);
    assert.deepEqual(
      rows.map((r) => [r.ip, r.settledEndMs, r.inconclusive !== null]),
      [
        ['10.1.0.50', T0 + 600 * S, false],
        ['10.1.0.51', null, true],
      ],
    );
    assert.deepEqual(
      findings.map((f) => [f.kind, f.severity]),
      [['not-settled', 'inconclusive']],
    );
  });

  it('should ignore events after as-of', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.grant(T0 + 300 * S, IP, MAC1, 600, CID1);
    const { rows } = rebuild(log, T0 + 100 * S);
    assert.equal(rows[0]!.endMs, T0 + 600 * S);
  });
});

describe('rebuildLeases (properties)', () => {
  const view = (r: ExpectedLease) => [
    r.ip,
    r.hw,
    r.cidHex,
    r.remoteIdHex,
    r.startMs,
    r.endMs,
    r.endSource,
    r.releaseMs,
  ];

  it('should rebuild exactly the rows of any constructed lease history (construct, then check)', () => {
    fc.assert(
      fc.property(historyArb, ({ rows, log }) => {
        // Act
        const result = rebuildLeases(log.sorted(), spec, { asOfMs: asOf });
        // Assert
        const expected = [...rows].sort((a, b) =>
          a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.startMs - b.startMs,
        );
        assert.deepEqual(result.rows.map(view), expected.map(view));
        // The only finding a clean history may give: the known release-on-cut-second Gluff behaviour (warn).
        for (const f of result.findings)
          assert.deepEqual([f.severity, f.details['gluffQuirk']], ['warn', 'release-on-cut-second']);
      }),
      { numRuns: 300 },
    );
  });

  it('should agree with the naive Gluff model fed the queue rows of any event sequence (oracle)', () => {
    let compared = 0;
    let quirky = 0;
    fc.assert(
      fc.property(sequenceArb, ({ log, queue }) => {
        const result = rebuildLeases(log.sorted(), spec, { asOfMs: asOf });
        const table: GluffRow[] = [];
        for (const q of queue) applyQueueRow(table, q);
        const ips = new Set([...result.rows.map((r) => r.ip), ...table.map((r) => r.ip)]);
        for (const ip of ips) {
          const mine = result.rows.filter((r) => r.ip === ip);
          if (mine.some((r) => r.gluffQuirk)) {
            quirky++;
            continue;
          }
          compared++;
          const key = (r: { lstart: number; lend: number; hw: string }) => `${r.lstart}/${r.lend}/${r.hw}`;
          const fromRebuild = mine
            .map((r) => ({
              ip,
              lstart: r.startMs / S,
              lend: r.endMs / S,
              hw: r.hw,
              cid: r.cidHex,
              rid: r.remoteIdHex,
            }))
            .sort((a, b) => key(a).localeCompare(key(b)));
          const fromModel = table
            .filter((r) => r.ip === ip)
            .map((r) => ({ ip, lstart: r.lstart, lend: r.lend, hw: r.hw, cid: r.cid, rid: r.rid }))
            .sort((a, b) => key(a).localeCompare(key(b)));
          assert.deepEqual(fromRebuild, fromModel);
        }
      }),
      { numRuns: 1000 },
    );
    // Same-second copies around a cut-off are common in the generator (about 60% of its IPs meet one, where
    // Gluff's result depends on queue order); the rest must still be compared in bulk.
    assert.ok(compared >= 250, `compared ${compared} IPs, skipped ${quirky} with a Gluff quirk`);
  });
});

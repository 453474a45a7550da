import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMessage } from '../../../src/parse/parse-message.js';
import type { DhcpCommit, LogEvent } from '../../../src/model/index.js';
import { simulateRig, type SimOutput } from '../../../src/sim/simulate-rig.js';
import { seedRigSpec } from './sim-spec.js';

const encoder = new TextEncoder();

function parseAll(out: SimOutput): { events: LogEvent[]; rejections: string[]; unknown: string[] } {
  const events: LogEvent[] = [];
  const rejections: string[] = [];
  const unknown: string[] = [];
  for (const m of out.messages) {
    const r = parseMessage(encoder.encode(m.line), out.parseContext);
    if (!r.ok) rejections.push(`${r.rejection.reason}: ${m.line}`);
    else if (r.event.kind === 'unknown') unknown.push(m.line);
    else events.push(r.event);
  }
  return { events, rejections, unknown };
}

/** Commit lines per MAC in send order. */
function commitsByMac(events: readonly LogEvent[]): Map<string, (LogEvent & DhcpCommit)[]> {
  const out = new Map<string, (LogEvent & DhcpCommit)[]>();
  for (const e of events) {
    if (e.kind !== 'commit' || e.mac === null) continue;
    const list = out.get(e.mac) ?? [];
    list.push(e);
    out.set(e.mac, list);
  }
  return out;
}

describe('simulateRig', () => {
  it('should write the lines real dhcpd, gluff and the permuter write', () => {
    // Arrange
    const out = simulateRig(seedRigSpec(), { seed: 1, hours: 1, startMs: Date.UTC(2026, 10, 27) });
    const text = out.messages.map((m) => m.line).join('\n');
    // Assert: a DISCOVER/OFFER/REQUEST/commit/ACK exchange through the relay, with Option 82 from the switch.
    assert.match(text, /^<14>Nov 27 01:00:00 autobridge autobridge\[\d+\]: down seq=1$/m);
    assert.match(
      text,
      /autobridge\[\d+\]: map seq=1 bridge01=eth0\+eth\d bridge02=eth1\+eth\d bridge03=eth2\+eth\d$/m,
    );
    assert.match(
      text,
      /^<150>Nov 27 01:00:0\d dhcp1 gluff\[\d+\]: gluff v1\.12 starting, using Sqlite3 database /m,
    );
    assert.match(
      text,
      /^<31>.* dhcpd\[\d+\]: DHCPDISCOVER from 00:0c:29:00:00:0\d \(client\d\) via 10\.1\.0\.1: load balance to peer dhcp-failover$/m,
    );
    assert.match(
      text,
      /dhcpd\[\d+\]: DHCPOFFER on 10\.1\.0\.\d+ to 00:0c:29:00:00:0\d \(client\d\) via 10\.1\.0\.1$/m,
    );
    assert.match(
      text,
      /dhcpd\[\d+\]: gv-commit ip=10\.1\.0\.\d+ hw=0:c:29:0:0:\d lease=600 giaddr=10\.1\.0\.1 cid=0:4:0:1:0:[234] rid=0:6:0:a:b8:0:0:1$/m,
    );
    assert.match(
      text,
      /dhcpd\[\d+\]: DHCPREQUEST for 10\.1\.0\.\d+ from 00:0c:29:00:00:0\d \(client\d\) via eth0$/m,
    );
    assert.match(
      text,
      /gv-commit ip=10\.1\.0\.\d+ hw=0:c:29:0:0:\d lease=600 giaddr=0\.0\.0\.0 cid=0:4:0:1:0:[234] /m,
    );
  });

  it('should give the same output for the same seed and another for another seed', () => {
    const spec = seedRigSpec();
    const a = simulateRig(spec, { seed: 42, hours: 6, faults: ['phantom-row', 'channel-loss'] });
    const b = simulateRig(spec, { seed: 42, hours: 6, faults: ['phantom-row', 'channel-loss'] });
    const c = simulateRig(spec, { seed: 43, hours: 6, faults: ['phantom-row', 'channel-loss'] });
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      a.messages.map((m) => m.line),
      c.messages.map((m) => m.line),
    );
  });

  it('should write lines that all parse, with no rejection and no unknown line', () => {
    const spec = seedRigSpec();
    for (const option82Path of ['snooping', 'relay'] as const) {
      const out = simulateRig(spec, {
        seed: 7,
        hours: 12,
        option82Path,
        faults: ['partner-down-and-recover', 'gluff-stalled-then-catches-up'],
      });
      const { events, rejections, unknown } = parseAll(out);
      assert.deepEqual(rejections, []);
      assert.deepEqual(unknown, []);
      const kinds = new Set(events.map((e) => e.kind));
      for (const k of [
        'commit',
        'dhcpack',
        'dhcprelease',
        'port-map',
        'failover-state',
        'failover-note',
        'gluff',
      ]) {
        assert.ok(kinds.has(k as LogEvent['kind']), `no ${k} event`);
      }
      assert.ok(events.some((e) => e.kind === 'gluff' && e.what === 'mysql-unreachable'));
    }
  });

  it('should renew at T1 = lease/2 (RFC 2131 4.4.5) when nothing else happens', () => {
    // Arrange: no releases, no unplugging, no restarts, no relayed duplicates.
    const spec = seedRigSpec();
    const out = simulateRig(spec, {
      seed: 3,
      hours: 6,
      releaseProb: 0,
      vanishProb: 0,
      slowRestartEveryHours: null,
      duplicateRelayProb: 0,
    });
    const leaseSec = spec.lease.defaultSec;
    // Act
    const byMac = commitsByMac(parseAll(out).events);
    // Assert: each commit after the first comes T1 (plus dhclient's few seconds of jitter) after the previous.
    assert.equal(byMac.size, 6);
    for (const [mac, commits] of byMac) {
      assert.ok(commits.length >= (6 * 3600) / (leaseSec / 2) - 2, `${mac}: only ${commits.length} commits`);
      for (let i = 1; i < commits.length; i++) {
        const gapSec = ((commits[i] as LogEvent).timeMs - (commits[i - 1] as LogEvent).timeMs) / 1000;
        assert.ok(
          gapSec >= leaseSec / 2 - 1 && gapSec <= leaseSec / 2 + 5,
          `${mac}: renewal after ${gapSec} s`,
        );
      }
    }
  });

  it('should rebind through the relay at T2 = 7/8 lease while the granting server is down', () => {
    const spec = seedRigSpec();
    const out = simulateRig(spec, {
      seed: 5,
      hours: 8,
      releaseProb: 0,
      vanishProb: 0,
      slowRestartEveryHours: null,
      duplicateRelayProb: 0,
      partnerDown: true,
    });
    const leaseSec = spec.lease.defaultSec;
    const byMac = commitsByMac(parseAll(out).events);
    let rebinds = 0;
    for (const commits of byMac.values()) {
      for (let i = 1; i < commits.length; i++) {
        const prev = commits[i - 1] as LogEvent & DhcpCommit;
        const cur = commits[i] as LogEvent & DhcpCommit;
        const gapSec = (cur.timeMs - prev.timeMs) / 1000;
        if (prev.host === 'dhcp2' && cur.host === 'dhcp1') {
          // Renewing with dhcp2 went unanswered; REBINDING is broadcast, relayed, and dhcp1 answers.
          assert.equal(cur.giaddr, '10.1.0.1');
          assert.ok(Math.abs(gapSec - (leaseSec * 7) / 8) <= 6, `rebind after ${gapSec} s`);
          rebinds++;
        }
      }
    }
    assert.ok(rebinds > 0, 'no client rebound to the primary');
  });

  it('should write release queue rows with the lease start and the time of the release', () => {
    const out = simulateRig(seedRigSpec(), { seed: 11, hours: 12 });
    const releases = out.queueRows.filter((q) => q.row.rtype === 1);
    assert.ok(releases.length > 0);
    for (const q of releases) {
      const ack = out.queueRows.find(
        (a) => a.row.rtype === 0 && a.row.ip === q.row.ip && a.row.start === q.row.start,
      );
      assert.ok(
        ack !== undefined,
        `release of ${q.row.ip} at ${q.row.end}: no ACK at its start ${q.row.start}`,
      );
      assert.ok(q.row.end >= q.row.start && q.row.end < ack.row.end);
    }
  });

  it('should keep every table row well formed and every processed row in poll order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 4 }), (seed, hours) => {
        const out = simulateRig(seedRigSpec(), { seed, hours });
        for (const r of out.table) assert.ok(r.lstart <= r.lend, `row ${r.id}: lstart after lend`);
        let last = 0;
        for (const q of out.queueRows) {
          if (q.processedMs === null) continue;
          assert.ok(q.processedMs >= q.queuedMs && q.processedMs >= last);
          last = q.processedMs;
        }
        assert.deepEqual(parseAll(out).rejections, []);
      }),
      { numRuns: 15 },
    );
  });

  it('should sample dhcpd and gluff on each server, and grow only the primary gluff under memory-leak', () => {
    // Arrange
    const clean = parseAll(simulateRig(seedRigSpec(), { seed: 4, hours: 3 })).events;
    const leaky = parseAll(simulateRig(seedRigSpec(), { seed: 4, hours: 3, faults: ['memory-leak'] })).events;
    const series = (events: LogEvent[], proc: string, host: string): number[] =>
      events.flatMap((e) =>
        e.kind === 'memsample' && e.proc === proc && e.host === host ? [e.rssBytes ?? 0] : [],
      );
    // Assert: one sample every 5 minutes from minute 1, for 3 hours: 36 per process and host.
    for (const host of ['dhcp1', 'dhcp2']) {
      for (const proc of ['dhcpd', 'gluff'])
        assert.equal(series(clean, proc, host).length, 36, `${proc}@${host}`);
    }
    const growth = (xs: number[]) => (xs[xs.length - 1] ?? 0) - (xs[0] ?? 0);
    assert.ok(Math.abs(growth(series(clean, 'gluff', 'dhcp1'))) < 512 * 1024, 'clean gluff is flat');
    const leaked = growth(series(leaky, 'gluff', 'dhcp1'));
    assert.ok(
      leaked > 10 * 1024 * 1024 && leaked < 12 * 1024 * 1024,
      `4 MiB/h over 2 h 55 min, got ${leaked}`,
    );
    assert.ok(
      Math.abs(growth(series(leaky, 'gluff', 'dhcp2'))) < 512 * 1024,
      "the secondary's gluff stays flat",
    );
  });

  it('should simulate a day of the six clients in well under a second', () => {
    const t0 = performance.now();
    const out = simulateRig(seedRigSpec(), { seed: 1, hours: 24 });
    const ms = performance.now() - t0;
    assert.ok(out.counts.acks > 1500);
    assert.ok(ms < 1000, `took ${ms} ms`);
  });
});

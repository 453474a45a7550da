import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMessage } from '../../../src/parse/parse-message.js';
import type { DhcpCommit, GluffRecord, LogEvent } from '../../../src/model/index.js';
import type { PatchResult } from '../../../src/sim/queue-patch-sim.js';
import { simulateRig, type SimMessage, type SimOutput } from '../../../src/sim/simulate-rig.js';
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

/** The host of each server index (the spec's order). */
const HOSTS = ['dhcp1', 'dhcp2'];

function parseLine(out: SimOutput, m: SimMessage): LogEvent {
  const r = parseMessage(encoder.encode(m.line), out.parseContext);
  assert.ok(r.ok, m.line);
  return r.event;
}

/**
 * The lines behind an ACK call of the queue patch: its DHCPACK line, the commit line before it, and the
 * reuse_lease line when dhcpd answered with the lease unaltered.
 */
function ackLines(
  out: SimOutput,
  call: PatchResult['call'],
): { commit: LogEvent & DhcpCommit; reuse: boolean; ackIndex: number } {
  const host = HOSTS[call.server];
  const ackIndex = out.messages.findIndex(
    (m) => m.trueMs === call.atMs && m.host === host && m.line.includes(`DHCPACK on ${call.row.ip} `),
  );
  assert.ok(ackIndex >= 0, `no DHCPACK line for call ${call.id}`);
  let reuse = false;
  for (let i = ackIndex - 1; i >= 0; i--) {
    const m = out.messages[i] as SimMessage;
    if (m.host !== host || !m.line.includes(call.row.ip)) continue;
    if (m.line.includes('reuse_lease: ')) reuse = true;
    if (m.line.includes('gv-commit ')) {
      const commit = parseLine(out, m);
      assert.equal(commit.kind, 'commit');
      return { commit: commit as LogEvent & DhcpCommit, reuse, ackIndex };
    }
  }
  throw new Error(`no commit line for call ${call.id}`);
}

/** ACK calls whose queued Option 82 differs from what their commit line says. */
function staleAcks(out: SimOutput): PatchResult[] {
  return out.queueCalls.filter((r) => {
    if (r.call.row.rtype !== 0) return false;
    const { commit } = ackLines(out, r.call);
    return commit.circuitIdHex !== r.call.row.cid || commit.remoteIdHex !== r.call.row.rid;
  });
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

  it("should answer the router's relayed copy of a renewal with reuse_lease, queuing the lease's own start", () => {
    for (const option82Path of ['snooping', 'relay'] as const) {
      const out = simulateRig(seedRigSpec(), { seed: 1, hours: 6, option82Path });
      const reused = out.queueCalls.filter((r) => r.call.row.rtype === 0 && ackLines(out, r.call).reuse);
      assert.ok(reused.length > 10, `${option82Path}: only ${reused.length} reuse_lease answers`);
      assert.equal(out.counts.reuses, reused.length);
      for (const r of reused) {
        // The lease struct is unaltered: the row carries the start and end of the last fresh ACK of that address.
        const fresh = out.queueCalls
          .filter(
            (f) =>
              f.call.server === r.call.server &&
              f.call.row.ip === r.call.row.ip &&
              f.call.row.rtype === 0 &&
              f.call.atMs < r.call.atMs &&
              !ackLines(out, f.call).reuse,
          )
          .at(-1);
        assert.ok(fresh !== undefined);
        assert.deepEqual([r.call.row.start, r.call.row.end], [fresh.call.row.start, fresh.call.row.end]);
        assert.ok(r.idx > 1, 'a copy right after its fresh ACK takes the next idx of the same start');
      }
    }
  });

  it('should queue nothing stale, collide nothing and drop no release in clean runs (both Option 82 paths)', () => {
    for (const option82Path of ['snooping', 'relay'] as const) {
      for (const seed of [1, 2, 3]) {
        const out = simulateRig(seedRigSpec(), { seed, hours: 24, option82Path });
        assert.deepEqual(staleAcks(out), [], `${option82Path} seed ${seed}`);
        // The peer's copy of a release comes after the binding update ended the lease there: never queued.
        assert.deepEqual(
          out.queueCalls.filter((r) => r.call.row.rtype === 1 && r.call.row.cid === null),
          [],
          `${option82Path} seed ${seed}: a release queued without Option 82`,
        );
        assert.deepEqual(
          [out.counts.queueCollisions, out.counts.releasesDropped],
          [0, 0],
          `${option82Path} seed ${seed}`,
        );
        assert.ok(!out.messages.some((m) => m.line.includes('sqlite3 error')));
      }
    }
  });

  it('should log one gluff record line per queue row each gluff took, from its DHCP server, and none when off', () => {
    // Arrange
    const out = simulateRig(seedRigSpec(), { seed: 2, hours: 6 });
    const off = simulateRig(seedRigSpec(), { seed: 2, hours: 6, gluffRecordLines: false });
    // Act
    const records = out.messages
      .filter((m) => m.app === 'gluff')
      .map((m) => ({ host: m.host, event: parseLine(out, m) }))
      .filter((r) => r.event.kind === 'gluff-record');
    // Assert: the rows, in the order gluff took them, and what it printed reads back to the row.
    const taken = out.queueRows.filter((q) => q.processedMs !== null);
    assert.equal(records.length, taken.length);
    assert.equal(out.counts.gluffRecords, taken.length);
    for (const host of HOSTS) {
      const got = records
        .filter((r) => r.host === host)
        .map((r) => {
          const e = r.event as LogEvent & GluffRecord;
          return [e.record, e.ip, e.mac, e.cidHex, e.remoteIdHex, e.startMs / 1000, e.endMs / 1000];
        });
      const want = taken
        .filter((q) => HOSTS[q.server] === host)
        .map((q) => [
          q.row.rtype === 0 ? 'ack' : 'release',
          q.row.ip,
          q.row.hw,
          q.row.cid,
          q.row.rid,
          q.row.start,
          q.row.end,
        ]);
      assert.deepEqual(got, want, host);
    }
    assert.ok(!off.messages.some((m) => m.line.includes(' on ip: ')));
    assert.deepEqual(
      off.messages.filter((m) => m.app === 'dhcpd').map((m) => m.line),
      out.messages.filter((m) => m.app === 'dhcpd').map((m) => m.line),
      'the record lines change nothing else',
    );
  });

  describe('the queue patch faults', () => {
    it('queue-stale-options-on-reuse: one relayed reuse_lease ACK queues the old port while its commit line names the new one', () => {
      for (const option82Path of ['snooping', 'relay'] as const) {
        const out = simulateRig(seedRigSpec(), {
          seed: 1,
          hours: 24,
          option82Path,
          faults: ['queue-stale-options-on-reuse'],
        });
        const stale = staleAcks(out);
        assert.equal(stale.length, 1, `${option82Path}: ${out.injected.join(' | ')}`);
        const { commit, reuse } = ackLines(out, (stale[0] as PatchResult).call);
        assert.ok(reuse);
        assert.notEqual(commit.giaddr, '0.0.0.0', 'the request came through the relay, from the new port');
        assert.ok(commit.circuitIdHex !== null && (stale[0] as PatchResult).call.row.cid !== null);
      }
    });

    it('queue-insert-collision: one release fails on the primary key, its error lines before its DHCPRELEASE line', () => {
      const out = simulateRig(seedRigSpec(), { seed: 1, hours: 24, faults: ['queue-insert-collision'] });
      const failed = out.queueCalls.filter((r) => r.outcome === 'collision');
      assert.equal(failed.length, 1, out.injected.join(' | '));
      const r = failed[0] as PatchResult;
      assert.equal(r.call.row.rtype, 1);
      const rel = out.messages.findIndex(
        (m) => m.trueMs === r.call.atMs && m.line.includes(`DHCPRELEASE of ${r.call.row.ip} `),
      );
      assert.match(
        out.messages[rel - 2]?.line ?? '',
        /dhcpd\[\d+\]: Line 115: sqlite3 error: SQL logic error$/,
      );
      assert.match(out.messages[rel - 1]?.line ?? '', /dhcpd\[\d+\]: ldb error: SQL logic error$/);
      assert.ok(
        out.messages.some((m) => m.line.includes('gluff') && m.line.endsWith('MySQL server unreachable')),
      );
      assert.ok(!out.queueRows.some((q) => q.callId === r.call.id));
    });

    it('queue-release-before-first-ack: a release right after a dhcpd restart is dropped without a line', () => {
      const out = simulateRig(seedRigSpec(), {
        seed: 1,
        hours: 24,
        faults: ['queue-release-before-first-ack'],
      });
      const dropped = out.queueCalls.filter((r) => r.outcome === 'not-open');
      assert.equal(dropped.length, 1, out.injected.join(' | '));
      const r = dropped[0] as PatchResult;
      const host = HOSTS[r.call.server] as string;
      const pidOf = (m: SimMessage) => m.pid;
      const dhcpdLines = out.messages.filter((m) => m.host === host && m.app === 'dhcpd');
      const rel = dhcpdLines.findIndex(
        (m) => m.trueMs === r.call.atMs && m.line.includes(`DHCPRELEASE of ${r.call.row.ip} `),
      );
      const before = dhcpdLines.slice(0, rel);
      const newPid = pidOf(dhcpdLines[rel] as SimMessage);
      // A new process (its failover lines first), no ACK of it before the release, and no error line at all.
      assert.notEqual(pidOf(before[0] as SimMessage), newPid);
      assert.ok(before.some((m) => m.pid === newPid && m.line.includes('I move from startup to normal')));
      assert.ok(!before.some((m) => m.pid === newPid && m.line.includes('DHCPACK')));
      assert.ok(!out.messages.some((m) => m.line.includes('sqlite3 error')));
      assert.ok(
        !out.messages.some((m) => m.line.includes(`DHCPRELEASE of ${r.call.row.ip} `) && m.host !== host),
      );
    });

    it('queue-peer-release-without-option82: only the failover peer processes the release, queued without Option 82', () => {
      const out = simulateRig(seedRigSpec(), {
        seed: 1,
        hours: 24,
        faults: ['queue-peer-release-without-option82'],
      });
      const peer = out.injected.find((n) => n.startsWith('queue-peer-release-without-option82:'));
      assert.match(peer ?? '', /: queued$/);
      const releases = out.queueCalls.filter((r) => r.call.row.rtype === 1 && r.call.row.cid === null);
      assert.equal(releases.length, 1);
      const r = releases[0] as PatchResult;
      const lines = out.messages.filter(
        (m) => m.line.includes(`DHCPRELEASE of ${r.call.row.ip} `) && m.trueMs === r.call.atMs,
      );
      assert.deepEqual(
        lines.map((m) => m.host),
        [HOSTS[r.call.server]],
      );
      assert.match(lines[0]?.line ?? '', / via 10\.1\.0\.1 \(found\)$/);
      // Its own server was down then: its peer noticed.
      assert.ok(out.messages.some((m) => m.host === HOSTS[r.call.server] && m.line.endsWith('disconnected')));
    });
  });

  it('should simulate a day of the six clients in well under a second', () => {
    const t0 = performance.now();
    const out = simulateRig(seedRigSpec(), { seed: 1, hours: 24 });
    const ms = performance.now() - t0;
    assert.ok(out.counts.acks > 1500);
    assert.ok(ms < 1000, `took ${ms} ms`);
  });
});

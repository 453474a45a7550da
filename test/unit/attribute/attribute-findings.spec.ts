/**
 * Attribution end to end through the pure judgement: a table damaged by one link of the chain fails with that
 * link as culprit, its rule, and the witness lines the channel holds; the verdict is the same whoever is
 * blamed.
 */
import assert from 'node:assert/strict';
import type { ExpectedLease, Finding } from '../../../src/model/index.js';
import { judgeEvidence } from '../../../src/verify/judge-evidence.js';
import { expectedLease } from '../../helpers/fixtures.js';
import { actualFrom, CID1, CID2, EventLog, MAC1, S, T0, testSpec } from '../rebuild/fixtures.js';

const spec = testSpec();
const IP = '10.1.0.50';
const LEASE = 600;
const asOfMs = T0 + 3 * 3600 * S;

/** The channel's extra witnesses: the patch's error lines and gluff's record lines. */
class Channel extends EventLog {
  queueError(timeMs: number, host: string, line: number): number[] {
    const a = this.line(
      { kind: 'queue-error', stage: 'sqlite3', line, detail: 'SQL logic error' },
      timeMs,
      host,
    );
    const b = this.line(
      { kind: 'queue-error', stage: 'ldb', line: null, detail: 'SQL logic error' },
      timeMs,
      host,
    );
    return [a.id, b.id];
  }

  gluffRecord(
    timeMs: number,
    host: string,
    record: 'ack' | 'release',
    startMs: number,
    endMs: number,
    cid: string | null,
  ): number {
    const body = { kind: 'gluff-record', record, ip: IP, mac: MAC1, cidHex: cid, remoteIdHex: null };
    return this.line({ ...body, cidText: cid, ridText: null, startMs, endMs, zone: 'UTC' }, timeMs, host).id;
  }
}

function row(from: number, to: number, cid: string | null): ExpectedLease {
  return expectedLease({
    ip: IP,
    hw: MAC1,
    cidHex: cid,
    startMs: from,
    endMs: to,
    physicalPort: null,
    evidence: [],
  });
}

function judge(ch: Channel, table: ExpectedLease[]) {
  return judgeEvidence({
    events: () => ch.sorted(),
    memoryEvents: [],
    actual: actualFrom(table),
    spec,
    asOfMs,
    losses: [],
  });
}

function fails(findings: Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'fail');
}

/** A client granted on port 1 at T0+10 s, moved to port 2, and ACKed there (relayed) after `ageSec`. */
function movedWithReuse(ageSec: number, witness: boolean): { ch: Channel; start: number; t: number } {
  const ch = new Channel();
  const start = T0 + 10 * S;
  ch.grant(start, IP, MAC1, LEASE, CID1, { host: 'dhcp1' });
  const t = start + ageSec * S;
  // Within the cache threshold: dhcpd answers with reuse_lease, the commit line names the packet's port 2.
  ch.commit(t, IP, MAC1, LEASE, CID2, { host: 'dhcp1' });
  ch.reuse(t, IP, ageSec, 'dhcp1');
  ch.ack(t, IP, MAC1, 'dhcp1');
  if (witness) {
    ch.gluffRecord(start + 2 * S, 'dhcp1', 'ack', start, start + LEASE * S, CID1);
    ch.gluffRecord(t + 2 * S, 'dhcp1', 'ack', start, start + LEASE * S, CID1);
  }
  return { ch, start, t };
}

describe('attribute: who lost the fact', () => {
  it("should blame the queue patch for reuse_lease's stale options, witnessed by gluff's own line", () => {
    const { ch, start } = movedWithReuse(60, true);
    // What Gluff wrote: it was told port 1 twice, so one row on port 1.
    const got = fails(judge(ch, [row(start, start + LEASE * S, CID1)]).findings);
    assert.ok(got.length > 0);
    for (const f of got) {
      assert.equal(f.culprit, 'queue', f.message);
      assert.equal(f.attribution?.rule, 'queue.stale-options-on-reuse');
      assert.equal(f.attribution?.how, 'witnessed');
      assert.ok(f.attribution.witness.length > 0);
    }
  });

  it('should call the same attribution inferred when gluff lines were not collected, with the same verdict', () => {
    const { ch, start } = movedWithReuse(60, false);
    const j = judge(ch, [row(start, start + LEASE * S, CID1)]);
    const got = fails(j.findings);
    assert.equal(j.verdict, 'fail');
    assert.ok(got.every((f) => f.culprit === 'queue' && f.attribution?.how === 'inferred'));
  });

  it('should blame gluff when its own line shows it was told the new port', () => {
    const { ch, start, t } = movedWithReuse(60, false);
    // A fresh relayed copy on dhcp2 in the same second queued port 2, and gluff2 logged it.
    ch.commit(t, IP, MAC1, LEASE, CID2, { host: 'dhcp2' });
    ch.ack(t, IP, MAC1, 'dhcp2');
    ch.gluffRecord(t + S, 'dhcp2', 'ack', t, t + LEASE * S, CID2);
    const got = fails(judge(ch, [row(start, t + LEASE * S, CID1)]).findings);
    assert.ok(got.length > 0);
    for (const f of got) {
      assert.equal(f.culprit, 'gluff', f.message);
      assert.equal(f.attribution?.rule, 'gluff.told');
      assert.equal(f.attribution?.how, 'witnessed', `${f.kind}: ${f.attribution?.explanation}`);
    }
  });

  it('should pass the table that names the relayed port (nothing to attribute)', () => {
    const { ch, start, t } = movedWithReuse(60, true);
    const j = judge(ch, [row(start, t, CID1), row(t, start + LEASE * S, CID2)]);
    assert.deepEqual(fails(j.findings), []);
    assert.equal(j.verdict, 'pass');
  });

  it('should blame the queue for a release whose every insert failed, with the error lines as witness', () => {
    const ch = new Channel();
    const start = T0 + 10 * S;
    ch.grant(start, IP, MAC1, LEASE, CID1, { host: 'dhcp1' });
    const rel = start + 100 * S;
    // ldb_log_release runs before log_info: the error precedes the DHCPRELEASE line.
    const errs = [...ch.queueError(rel - S, 'dhcp1', 115), ...ch.queueError(rel - S, 'dhcp2', 115)];
    ch.release(rel, IP, MAC1, 'dhcp1');
    ch.release(rel, IP, MAC1, 'dhcp2');
    const got = fails(judge(ch, [row(start, start + LEASE * S, CID1)]).findings);
    assert.deepEqual(
      got.map((f) => [f.kind, f.culprit, f.attribution?.rule, f.attribution?.how]),
      [['release-not-applied', 'queue', 'queue.insert-collision', 'witnessed']],
    );
    assert.deepEqual([...got[0]!.attribution!.witness].sort(), [...errs].sort());
  });

  it('should name a lost release release-not-applied even when the rows read as one merged row', () => {
    const ch = new Channel();
    const start = T0 + 10 * S;
    ch.grant(start, IP, MAC1, LEASE, CID1, { host: 'dhcp1' });
    const rel = start + 100 * S;
    ch.queueError(rel - S, 'dhcp1', 115);
    ch.release(rel, IP, MAC1, 'dhcp1');
    // The client comes back on the same port before the old lease would have ended: Gluff, never told of the
    // release, prolongs the old row over both stints.
    const back = rel + 60 * S;
    ch.grant(back, IP, MAC1, LEASE, CID1, { host: 'dhcp1' });
    const j = judge(ch, [row(start, back + LEASE * S, CID1)]);
    assert.deepEqual(
      fails(j.findings).map((f) => [f.kind, f.culprit, f.attribution?.rule, f.details['shape']]),
      [['release-not-applied', 'queue', 'queue.insert-collision', 'merged-lease']],
    );
    assert.equal(j.verdict, 'fail');
  });

  it('should blame gluff for a release that one server queued intact', () => {
    const ch = new Channel();
    const start = T0 + 10 * S;
    ch.grant(start, IP, MAC1, LEASE, CID1, { host: 'dhcp1' });
    const rel = start + 100 * S;
    ch.queueError(rel - S, 'dhcp2', 115);
    ch.release(rel, IP, MAC1, 'dhcp1');
    ch.release(rel, IP, MAC1, 'dhcp2');
    const got = fails(judge(ch, [row(start, start + LEASE * S, CID1)]).findings);
    assert.deepEqual(
      got.map((f) => [f.kind, f.culprit, f.attribution?.rule]),
      [['release-not-applied', 'gluff', 'gluff.told']],
    );
  });

  it('should blame the queue, inferred, for a release dropped before the first ACK since a dhcpd restart', () => {
    const ch = new Channel();
    const start = T0 + 10 * S;
    ch.grant(start, IP, MAC1, LEASE, CID1, { host: 'dhcp1' });
    const rel = start + 100 * S;
    // dhcpd restarted (a new pid): its first line is this release, the queue file is not open yet.
    ch.pids.set('dhcp1', 5151);
    ch.release(rel, IP, MAC1, 'dhcp1');
    const got = fails(judge(ch, [row(start, start + LEASE * S, CID1)]).findings);
    assert.deepEqual(
      got.map((f) => [f.kind, f.culprit, f.attribution?.rule, f.attribution?.how]),
      [['release-not-applied', 'queue', 'queue.release-before-first-ack', 'inferred']],
    );
  });

  it('should blame the queue for a move whose ACK inserts all failed (errors follow the ACK lines)', () => {
    const ch = new Channel();
    const start = T0 + 10 * S;
    ch.grant(start, IP, MAC1, LEASE, CID1, { host: 'dhcp1' });
    const t = start + 300 * S;
    ch.grant(t, IP, MAC1, LEASE, CID2, { host: 'dhcp1' });
    ch.queueError(t, 'dhcp1', 241);
    const got = fails(judge(ch, [row(start, t + LEASE * S, CID1)]).findings);
    assert.ok(got.length > 0);
    assert.ok(
      got.every((f) => f.culprit === 'queue' && f.attribution?.rule === 'queue.insert-collision'),
      JSON.stringify(got.map((f) => [f.kind, f.culprit, f.attribution?.rule])),
    );
  });
});

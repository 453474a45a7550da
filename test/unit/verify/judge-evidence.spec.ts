/**
 * The judgement without a Gluff table (`verify --gluff none`): nothing is compared, the rebuild's own
 * findings and memory still count, and every client of the spec must hold a lease in the window.
 */
import assert from 'node:assert/strict';
import type { StoredEvent } from '../../../src/model/index.js';
import { findSilentClients } from '../../../src/verify/find-silent-clients.js';
import { judgeEvidence, type JudgeInput } from '../../../src/verify/judge-evidence.js';
import { expectedLease } from '../../helpers/fixtures.js';
import { CID1, CID2, EventLog, MAC1, MAC2, S, T0, testSpec } from '../rebuild/fixtures.js';

const spec = testSpec();
const LEASE = 600;
const asOfMs = T0 + 3 * 3600 * S;

/** The permuter's first map: port 1 (eth0) to MAC1's segment eth4, port 2 (eth1) to MAC2's eth5. */
function rig(): EventLog {
  const log = new EventLog();
  log.map(T0, 1, [
    ['eth0', ['eth4']],
    ['eth1', ['eth5']],
  ]);
  return log;
}

/** judgeEvidence without a Gluff table, counting how often it replays the channel. */
function judgeNoGluff(log: EventLog, over: Partial<JudgeInput> = {}) {
  let replays = 0;
  const events = (): StoredEvent[] => {
    replays++;
    return log.sorted();
  };
  const j = judgeEvidence({ events, memoryEvents: [], actual: null, spec, asOfMs, losses: [], ...over });
  return { ...j, replays };
}

describe('judgeEvidence without a Gluff table (actual null)', () => {
  it('should fail a client of the spec that got no lease, blaming the rig, and compare nothing', () => {
    // Arrange: MAC1 leased twice over; MAC2 never answered.
    const log = rig();
    log.grant(T0 + 10 * S, '10.1.0.50', MAC1, LEASE, CID1);
    log.grant(T0 + 310 * S, '10.1.0.50', MAC1, LEASE, CID1);

    // Act
    const j = judgeNoGluff(log);

    // Assert
    assert.equal(j.verdict, 'fail');
    assert.deepEqual(
      j.findings.map((f) => [f.kind, f.severity, f.culprit, f.ip, f.hw]),
      [['client-silent', 'fail', 'rig', null, MAC2]],
    );
    const [silent] = j.findings;
    assert.match(silent!.message, /52:54:00:12:34:02 \(segment eth5\) got no DHCPACK/);
    assert.match(silent!.message, /the rig or the channel is broken/);
    assert.equal(silent!.attribution, undefined);
    // One rebuild, no second pass for a clock offset, no attribution replay.
    assert.equal(j.replays, 1);
    assert.equal(j.expected.length, 1);
  });

  it('should pass when every client of the spec holds a lease, where an empty Gluff table fails', () => {
    const log = rig();
    log.grant(T0 + 10 * S, '10.1.0.50', MAC1, LEASE, CID1);
    log.grant(T0 + 20 * S, '10.1.0.51', MAC2, LEASE, CID2);

    const none = judgeNoGluff(log);
    const empty = judgeNoGluff(log, { actual: [] });

    assert.equal(none.verdict, 'pass');
    assert.deepEqual(none.findings, []);
    assert.equal(empty.verdict, 'fail');
    assert.ok(empty.findings.some((f) => f.kind === 'missing-lease'));
    assert.ok(empty.findings.every((f) => f.kind !== 'client-silent'));
  });

  it('should not wait for Gluff to settle when there is no Gluff: a lease just before as-of is judged', () => {
    // Seen on the one-box stock rig: a client came back 20 s before as-of; settleSec (30) is Gluff's
    // latency, and without Gluff nothing is late.
    const log = rig();
    log.grant(asOfMs - 3600 * S, '10.1.0.50', MAC1, LEASE * 10, CID1);
    log.grant(asOfMs - 20 * S, '10.1.0.51', MAC2, LEASE, CID2);

    const none = judgeNoGluff(log);
    const empty = judgeNoGluff(log, { actual: [] });

    assert.equal(none.verdict, 'pass');
    assert.deepEqual(none.inconclusiveReasons, []);
    assert.ok(empty.findings.some((f) => f.kind === 'not-settled'));
  });

  it('should still be inconclusive on a gap in the permuter seq, the clients all leased', () => {
    const log = rig();
    log.grant(T0 + 10 * S, '10.1.0.50', MAC1, LEASE, CID1);
    log.grant(T0 + 20 * S, '10.1.0.51', MAC2, LEASE, CID2);
    // seq 2 never arrived: the ports are unknown until seq 3.
    log.map(T0 + 60 * S, 3, [
      ['eth0', ['eth4']],
      ['eth1', ['eth5']],
    ]);

    const j = judgeNoGluff(log);

    assert.equal(j.verdict, 'inconclusive');
    assert.deepEqual(
      j.findings.map((f) => [f.kind, f.severity]),
      [['channel-gap', 'inconclusive']],
    );
    assert.ok(j.inconclusiveReasons.length > 0);
  });

  it('should fail a silent client even when a seq gap makes the rest inconclusive', () => {
    const log = rig();
    log.grant(T0 + 10 * S, '10.1.0.50', MAC1, LEASE, CID1);
    log.map(T0 + 60 * S, 3, [['eth0', ['eth4']]]);

    const j = judgeNoGluff(log);

    assert.equal(j.verdict, 'fail');
    assert.deepEqual(j.findings.map((f) => f.kind).sort(), ['channel-gap', 'client-silent']);
  });

  it('should judge only the window: a lease that ended before it leaves the client silent', () => {
    const log = rig();
    log.grant(T0 + 10 * S, '10.1.0.50', MAC1, LEASE, CID1); // ends T0 + 610 s
    log.grant(T0 + 3000 * S, '10.1.0.51', MAC2, LEASE, CID2); // ends T0 + 3600 s
    const window = { fromMs: T0 + 1000 * S, toMs: T0 + 2 * 3600 * S };

    const j = judgeNoGluff(log, { window });

    assert.deepEqual(
      j.findings.map((f) => [f.kind, f.hw]),
      [['client-silent', MAC1]],
    );
    assert.ok(j.findings[0]!.message.includes(`between {{t:${window.fromMs}}} and {{t:${window.toMs}}}`));
  });
});

describe('findSilentClients', () => {
  it('should name each listed MAC without a row once, in the order of the spec', () => {
    const twice = {
      ...spec,
      clientSegments: [
        { iface: 'eth4', macs: [MAC1, MAC2] },
        { iface: 'eth5', macs: [MAC2, '52:54:00:12:34:09'] },
      ],
    };
    const got = findSilentClients([expectedLease({ hw: MAC1 })], twice, asOfMs);
    assert.deepEqual(
      got.map((f) => [f.hw, f.details['segment']]),
      [
        [MAC2, 'eth4'],
        ['52:54:00:12:34:09', 'eth5'],
      ],
    );
    assert.match(got[0]!.message, /in the whole store as of \{\{t:\d+\}\}/);
  });
});

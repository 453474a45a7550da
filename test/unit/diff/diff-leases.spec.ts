import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { ActualLease, ExpectedLease, Finding, FindingKind } from '../../../src/model/index.js';
import { decideVerdict, diffLeases } from '../../../src/diff/diff-leases.js';
import { rebuildLeases } from '../../../src/rebuild/rebuild-leases.js';
import { historyArb } from '../rebuild/arbitraries.js';
import { actualFrom, CID1, CID2, EventLog, MAC1, MAC2, S, T0, testSpec } from '../rebuild/fixtures.js';

const spec = testSpec();
const asOf = T0 + 30 * 86_400 * S;
const IP = '10.1.0.50';

function expectedOf(log: EventLog, asOfMs = asOf) {
  return rebuildLeases(log.sorted(), spec, { asOfMs });
}

function diff(expected: ExpectedLease[], actual: ActualLease[], asOfMs = asOf): Finding[] {
  return diffLeases(expected, actual, spec, { asOfMs, evidenceFromMs: T0 - 3600 * S });
}

/** Two clients on one address: a renewed lease, a release, then another client. */
function scenario(): ExpectedLease[] {
  const log = new EventLog();
  log.grant(T0, IP, MAC1, 600, CID1);
  log.grant(T0 + 300 * S, IP, MAC1, 600, CID1);
  log.release(T0 + 400 * S, IP, MAC1);
  log.grant(T0 + 1000 * S, IP, MAC2, 600, CID2);
  log.grant(T0 + 1300 * S, IP, MAC2, 600, CID2);
  log.grant(T0 + 5000 * S, IP, MAC1, 600, CID1);
  return expectedOf(log).rows;
}

const kinds = (fs: Finding[]) => fs.map((f) => f.kind);

describe('diffLeases', () => {
  it('should find nothing when the table holds exactly the expected rows', () => {
    const rows = scenario();
    assert.deepEqual(diff(rows, actualFrom(rows)), []);
  });

  it('should report one missing-lease for a deleted row and nothing about its neighbours', () => {
    const rows = scenario();
    const actual = actualFrom(rows).filter((a) => a.id !== 2);
    const fs = diff(rows, actual);
    assert.deepEqual(kinds(fs), ['missing-lease']);
    assert.equal(fs[0]!.severity, 'fail');
    assert.deepEqual(fs[0]!.evidence, rows[1]!.evidence);
  });

  it('should name a release that was not applied instead of a bare end mismatch', () => {
    const rows = scenario();
    const actual = actualFrom(rows);
    actual[0]!.endMs = rows[0]!.ackEndMs!;
    const fs = diff(rows, actual);
    assert.deepEqual(kinds(fs), ['release-not-applied']);
    assert.match(fs[0]!.message, /released at .* still ends at the ACK's end/);
  });

  it('should accept ends within the tolerance and report one beyond it with the delta', () => {
    const rows = scenario();
    const actual = actualFrom(rows);
    actual[1]!.endMs = rows[1]!.endMs + 2 * S;
    assert.deepEqual(diff(rows, actual), []);
    actual[1]!.endMs = rows[1]!.endMs - 60 * S;
    const fs = diff(rows, actual);
    assert.deepEqual(kinds(fs), ['end-mismatch']);
    assert.equal(fs[0]!.details['deltaSec'], -60);
  });

  it('should use the looser tolerance for an approximate end', () => {
    const log = new EventLog();
    log.ack(T0, IP, MAC1);
    const rows = expectedOf(log).rows;
    const actual = actualFrom(rows);
    actual[0]!.endMs = rows[0]!.endMs + 25 * S;
    assert.deepEqual(diff(rows, actual), []);
  });

  it('should report wrong-hw and wrong-port on a one-to-one pair', () => {
    const rows = scenario();
    const actual = actualFrom(rows);
    actual[0]!.hw = '52:54:00:99:99:99';
    actual[1]!.cidHex = CID1;
    assert.deepEqual(kinds(diff(rows, actual)).sort(), ['wrong-hw', 'wrong-port']);
  });

  it('should say how far a row ends or starts before or after, without a sign', () => {
    // Arrange: the second row ends 300 s early, then 300 s late; the third starts 60 s late.
    const rows = scenario();
    const actual = actualFrom(rows);
    actual[1]!.endMs = rows[1]!.endMs - 300 * S;
    // Act
    const early = diff(rows, actual);
    actual[1]!.endMs = rows[1]!.endMs + 300 * S;
    const late = diff(rows, actual);
    actual[1]!.endMs = rows[1]!.endMs;
    actual[2]!.startMs = rows[2]!.startMs + 60 * S;
    const lateStart = diff(rows, actual);
    actual[2]!.startMs = rows[2]!.startMs - 60 * S;
    const earlyStart = diff(rows, actual);
    // Assert
    assert.match(early[0]!.message, /row id 2 ends 300 s before the expected commit end /);
    assert.equal(early[0]!.details['deltaSec'], -300);
    assert.match(late[0]!.message, /row id 2 ends 300 s after the expected commit end /);
    assert.match(lateStart[0]!.message, /row id 3 starts 60 s after the first ACK at /);
    assert.match(earlyStart[0]!.message, /row id 3 starts 60 s before the first ACK at /);
    for (const f of [...early, ...late, ...lateStart, ...earlyStart]) assert.doesNotMatch(f.message, /-\d/);
  });

  it("should name both ports of a wrong-port by the spec's names and keep the hex in the details", () => {
    const rows = scenario();
    const actual = actualFrom(rows);
    actual[1]!.cidHex = CID1;
    actual[1]!.cidText = '"port1"';
    const [f] = diff(rows, actual);
    assert.equal(f!.kind, 'wrong-port');
    assert.match(
      f!.message,
      /^10\.1\.0\.50: row id 2 names port Fa0\/1, dhcpd recorded port Fa0\/2 for the lease of /,
    );
    assert.doesNotMatch(f!.message, /70:6f|port1"/);
    assert.equal(f!.details['expectedPort'], 'Fa0/2');
    assert.equal(f!.details['actualPort'], 'Fa0/1');
    assert.equal(f!.details['expectedCidHex'], CID2);
    assert.equal(f!.details['actualCidHex'], CID1);
    // Values of no port of the spec: both in canonical hex, never Gluff's text beside the hex.
    actual[1]!.cidHex = '01:02';
    actual[1]!.cidText = '1:2';
    const [g] = diff(rows, actual);
    assert.match(
      g!.message,
      /row id 2 names circuit-id 01:02 \/ remote-id none \(no port of the spec\), dhcpd recorded port Fa0\/2 /,
    );
    assert.equal(g!.details['actualPort'], null);
  });

  it('should report overlapping rows once and not also an unexpected lease', () => {
    const rows = scenario();
    const actual = actualFrom(rows);
    actual.push({ ...actual[1]!, id: 99 });
    assert.deepEqual(kinds(diff(rows, actual)), ['overlapping-rows']);
  });

  it('should report one overlap, no start-mismatch, when a late catch-up row overlaps a late-starting one', () => {
    // Real Gluff 1.12, golden run 1 (10.77.2.58 rows 12, 14): one gluff made a row from a renewal 27 s after
    // the first ACK, the other's catch-up made a row from the first ACK: one lease, two rows alive at once.
    const rows = scenario();
    const actual = actualFrom(rows);
    const r = actual[1]!;
    actual.splice(1, 1, { ...r, startMs: r.startMs! + 27 * S }, { ...r, id: 97, endMs: r.startMs! + 60 * S });
    const fs = diff(rows, actual);
    assert.deepEqual(kinds(fs), ['overlapping-rows']);
    assert.deepEqual(fs[0]!.actual.map((a) => a.id).sort(), [97, r.id].sort());
  });

  it("should report an old row prolonged over the next stint as one overlap and the new stint's holes as one split", () => {
    // Real Gluff 1.12, golden run 2 (10.77.2.61 rows 6, 11, 15): after a move the old port's row keeps being
    // prolonged (two rows found, the first row's times) and the new port's stint falls apart into two rows.
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.grant(T0 + 300 * S, IP, MAC1, 600, CID2);
    log.grant(T0 + 600 * S, IP, MAC1, 600, CID2);
    const rows = expectedOf(log).rows;
    assert.deepEqual(
      rows.map((e) => [e.cidHex, e.startMs, e.endMs]),
      [
        [CID1, T0, T0 + 300 * S],
        [CID2, T0 + 300 * S, T0 + 1200 * S],
      ],
    );
    const actual = actualFrom(rows);
    const [old, stint] = [actual[0]!, actual[1]!];
    actual.splice(
      0,
      2,
      { ...old, endMs: T0 + 1200 * S },
      { ...stint, endMs: T0 + 500 * S },
      { ...stint, id: 96, startMs: T0 + 700 * S },
    );
    const fs = diff(rows, actual);
    assert.deepEqual(
      fs.map((f) => [f.kind, f.severity, f.actual.map((a) => a.id)]),
      [
        ['overlapping-rows', 'fail', [old.id, stint.id, 96]],
        ['split-lease', 'fail', [stint.id, 96]],
      ],
    );
  });

  it('should report a split and a merge', () => {
    const rows = scenario();
    const actual = actualFrom(rows);
    const r = actual[1]!;
    const mid = r.startMs! + 100 * S;
    actual.splice(1, 1, { ...r, endMs: mid }, { ...r, id: 98, startMs: mid });
    assert.deepEqual(kinds(diff(rows, actual)), ['split-lease']);
    const merged = actualFrom(rows);
    merged.splice(0, 2, { ...merged[0]!, endMs: merged[1]!.endMs });
    assert.deepEqual(kinds(diff(rows, merged)), ['merged-lease']);
  });

  it('should report an invalid row once, where the lease it stands for would be', () => {
    const rows = scenario();
    const actual = actualFrom(rows);
    actual[2]!.startMs = null;
    actual[2]!.startText = '0000-00-00 00:00:00';
    const fs = diff(rows, actual);
    assert.deepEqual(kinds(fs), ['invalid-row']);
    assert.match(fs[0]!.message, /lstart '0000-00-00 00:00:00' is zero or unparsable/);
  });

  it('should not call a row missing before it has settled, and accept a late prolong', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    log.grant(T0 + 300 * S, IP, MAC1, 600, CID1);
    log.grant(T0 + 310 * S, '10.1.0.51', MAC2, 600, CID2);
    const asOfMs = T0 + 320 * S;
    const { rows } = expectedOf(log, asOfMs);
    // Gluff has not caught up: the renewal and the new lease are not in the table yet.
    const actual = actualFrom(rows.slice(0, 1));
    actual[0]!.endMs = T0 + 600 * S;
    const fs = diff(rows, actual, asOfMs);
    assert.deepEqual(kinds(fs), []);
  });

  it('should make findings on inconclusive rows inconclusive', () => {
    const log = new EventLog();
    log.grant(T0, IP, MAC1, 600, CID1);
    const loss = {
      listener: 'udp://0.0.0.0:514',
      fromMs: T0,
      toMs: T0 + 60 * S,
      kernelDrops: 1,
      appDrops: 0,
    };
    const { rows } = rebuildLeases(log.sorted(), spec, { asOfMs: asOf, losses: [loss] });
    const actual = actualFrom(rows);
    actual[0]!.endMs = T0 + 100 * S;
    const fs = diff(rows, actual);
    assert.deepEqual(
      fs.map((f) => [f.kind, f.severity]),
      [['end-mismatch', 'inconclusive']],
    );
  });

  it('should not judge actual rows that started before the evidence', () => {
    const actual = actualFrom(scenario()).map((a) => ({
      ...a,
      startMs: a.startMs! - 86_400 * S,
      endMs: a.endMs! - 86_400 * S,
    }));
    const fs = diffLeases([], actual, spec, { asOfMs: asOf, evidenceFromMs: T0 });
    assert.deepEqual(fs, []);
  });
});

describe('decideVerdict', () => {
  const f = (severity: Finding['severity']): Finding => ({
    kind: 'end-mismatch',
    severity,
    culprit: 'gluff',
    ip: null,
    hw: null,
    message: '',
    expected: null,
    actual: [],
    evidence: [],
    evidenceLines: [],
    details: {},
  });
  it('should fail on any fail finding, else be inconclusive on any inconclusive finding or reason, else pass', () => {
    assert.equal(decideVerdict([f('warn'), f('fail'), f('inconclusive')], ['x']), 'fail');
    assert.equal(decideVerdict([f('warn'), f('inconclusive')], []), 'inconclusive');
    assert.equal(decideVerdict([f('warn')], ['lost datagrams']), 'inconclusive');
    assert.equal(decideVerdict([f('warn')], []), 'pass');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Defect injection: one defect in a correct table gives exactly its own finding kind.
// ---------------------------------------------------------------------------------------------------------

type Defect =
  | 'delete'
  | 'move-end'
  | 'change-cid'
  | 'change-hw'
  | 'undo-release'
  | 'duplicate'
  | 'split'
  | 'merge'
  | 'shift-start'
  | 'phantom'
  | 'corrupt';

const KIND: Record<Defect, FindingKind> = {
  delete: 'missing-lease',
  'move-end': 'end-mismatch',
  'change-cid': 'wrong-port',
  'change-hw': 'wrong-hw',
  'undo-release': 'release-not-applied',
  duplicate: 'overlapping-rows',
  split: 'split-lease',
  merge: 'merged-lease',
  'shift-start': 'start-mismatch',
  phantom: 'unexpected-lease',
  corrupt: 'invalid-row',
};

/** Rows long enough that a defect on them cannot be mistaken for a neighbour's (20 s >> the 2 s tolerances). */
const LONG = 20 * S;

function inject(rows: ExpectedLease[], defect: Defect, pick: number, variant: number): ActualLease[] | null {
  const actual = actualFrom(rows);
  const long = actual.map((a, i) => i).filter((i) => actual[i]!.endMs! - actual[i]!.startMs! >= LONG);
  const choose = (idx: number[]): number | null => (idx.length === 0 ? null : idx[pick % idx.length]!);
  const i = choose(
    defect === 'delete' || defect === 'change-cid' || defect === 'change-hw' ? actual.map((_, k) => k) : long,
  );
  if (defect === 'phantom') {
    actual.push({ ...actual[0]!, id: 1000, ip: '10.9.9.9', startMs: T0 + 100 * S, endMs: T0 + 700 * S });
    return actual;
  }
  if (defect === 'undo-release') {
    const eligible = rows
      .map((e, k) => k)
      .filter((k) => {
        const e = rows[k]!;
        const next = rows.find((n) => n.ip === e.ip && n.startMs >= e.endMs && n !== e);
        // Within the end tolerance an unapplied release cannot be told from an applied one.
        const visible = e.ackEndMs != null && e.ackEndMs - e.endMs > spec.tolerances.endSkewSec * S;
        return e.endSource === 'release' && visible && (next === undefined || next.startMs >= e.ackEndMs!);
      });
    const k = choose(eligible);
    if (k === null) return null;
    actual[k]!.endMs = rows[k]!.ackEndMs!;
    return actual;
  }
  if (defect === 'merge') {
    const pairs = long.filter((k) => long.includes(k + 1) && actual[k + 1]!.ip === actual[k]!.ip);
    const k = choose(pairs);
    if (k === null) return null;
    actual.splice(k, 2, { ...actual[k]!, endMs: actual[k + 1]!.endMs });
    return actual;
  }
  if (i === null) return null;
  const a = actual[i]!;
  const len = a.endMs! - a.startMs!;
  switch (defect) {
    case 'delete':
      actual.splice(i, 1);
      break;
    case 'move-end':
      a.endMs = a.startMs! + Math.floor(len / 2 / S) * S;
      break;
    case 'change-cid':
      a.cidHex = a.cidHex === '63:68:61:6e:67:65:64' ? null : '63:68:61:6e:67:65:64';
      break;
    case 'change-hw':
      a.hw = '52:54:00:99:99:99';
      break;
    case 'duplicate':
      actual.push({ ...a, id: 1000 });
      break;
    case 'split': {
      const mid = a.startMs! + Math.floor(len / 2 / S) * S;
      actual.splice(i, 1, { ...a, endMs: mid }, { ...a, id: 1000, startMs: mid });
      break;
    }
    case 'shift-start':
      a.startMs = a.startMs! + Math.floor(len / 2 / S) * S;
      break;
    case 'corrupt':
      if (variant === 0) {
        a.startMs = null;
        a.startText = '0000-00-00 00:00:00';
      } else if (variant === 1) a.hw = null;
      else if (variant === 2) a.ip = null;
      else a.endMs = a.startMs! - 5 * S;
      break;
    default:
      break;
  }
  return actual;
}

describe('diffLeases (properties)', () => {
  it('should never fail a table that holds exactly the expected rows', () => {
    fc.assert(
      fc.property(historyArb, ({ log }) => {
        const { rows } = expectedOf(log);
        assert.deepEqual(diff(rows, actualFrom(rows)), []);
      }),
      { numRuns: 300 },
    );
  });

  it('should report exactly the kind of any single injected defect and nothing else', () => {
    const defects = Object.keys(KIND) as Defect[];
    fc.assert(
      fc.property(
        historyArb,
        fc.constantFrom(...defects),
        fc.nat(),
        fc.nat({ max: 3 }),
        ({ log }, defect, pick, variant) => {
          const { rows } = expectedOf(log);
          const actual = inject(rows, defect, pick, variant);
          fc.pre(actual !== null);
          const fs = diff(rows, actual!);
          assert.deepEqual(kinds(fs), [KIND[defect]], `${defect}: ${fs.map((f) => f.message).join(' | ')}`);
          assert.ok(fs[0]!.severity === 'fail' || fs[0]!.severity === 'warn');
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('diffLeases (unknowable options)', () => {
  it('should not judge the circuit-id of a row with neither a commit line nor a known port', () => {
    const log = new EventLog();
    log.ack(T0, IP, MAC1);
    const { rows } = expectedOf(log);
    const actual = actualFrom(rows);
    actual[0]!.cidHex = CID2;
    assert.deepEqual(diff(rows, actual), []);
  });
});

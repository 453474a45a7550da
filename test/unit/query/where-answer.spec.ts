import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { ActualLease, ExpectedLease, Finding } from '../../../src/model/index.js';
import {
  AGREEMENT_EXIT,
  answerOnPort,
  answerWhere,
  answerWho,
  covers,
  findingTouches,
  type AnswerInput,
} from '../../../src/query/where-answer.js';
import { actualLease, expectedLease, finding, T0 } from '../../helpers/fixtures.js';
import { testSpec } from '../rebuild/fixtures.js';

const spec = testSpec();
const IP = '10.1.0.50';
const MAC = '52:54:00:12:34:56';
const OTHER = '52:54:00:12:34:99';
const MIN = 60_000;

function input(over: Partial<AnswerInput> = {}): AnswerInput {
  return {
    sources: 'both',
    ip: IP,
    expected: [],
    actual: [],
    findings: [],
    settleBoundMs: T0 + 1000 * MIN,
    ...over,
  };
}

describe('answerWhere', () => {
  const stint = expectedLease({ startMs: T0, endMs: T0 + 10 * MIN });
  const row = actualLease({ id: 7, startMs: T0, endMs: T0 + 10 * MIN });

  it('should say agree when both sources hold the lease and verify finds nothing', () => {
    const a = answerWhere(input({ expected: [stint], actual: [row] }), T0 + 5 * MIN, spec);
    assert.equal(a.agreement, 'agree');
    assert.equal(a.stint, stint);
    assert.deepEqual(
      a.gluffRows.map((r) => r.id),
      [7],
    );
    assert.equal(AGREEMENT_EXIT[a.agreement], 0);
  });

  it("should say disagree with verify's fail finding about the stint, and keep warnings as notes", () => {
    const fail = finding({ expected: stint, actual: [row], kind: 'wrong-port', culprit: 'queue' });
    const warn = finding({
      expected: stint,
      actual: [],
      kind: 'port-disagreement',
      severity: 'warn',
      culprit: 'rig',
    });
    const a = answerWhere(
      input({ expected: [stint], actual: [row], findings: [fail, warn] }),
      T0 + 5 * MIN,
      spec,
    );
    assert.equal(a.agreement, 'disagree');
    assert.deepEqual(a.differences, [fail]);
    assert.deepEqual(a.notes, [warn]);
    assert.equal(AGREEMENT_EXIT[a.agreement], 1);
  });

  it('should say disagree where only the Gluff row of a finding covers T (a row that runs on too long)', () => {
    const long = actualLease({ id: 8, startMs: T0, endMs: T0 + 20 * MIN });
    const fail = finding({ expected: stint, actual: [long], kind: 'end-mismatch' });
    const a = answerWhere(
      input({ expected: [stint], actual: [long], findings: [fail] }),
      T0 + 15 * MIN,
      spec,
    );
    assert.equal(a.agreement, 'disagree');
    assert.equal(a.stint, null);
  });

  it('should say unknown for an inconclusive stint, for no lease at all, and name a channel gap or the settle time', () => {
    const lost = expectedLease({ inconclusive: 'collector lost 3 messages' });
    assert.deepEqual(answerWhere(input({ expected: [lost], actual: [row] }), T0 + MIN, spec).reasons, [
      'collector lost 3 messages',
    ]);
    assert.deepEqual(answerWhere(input(), T0 + MIN, spec), {
      ...answerWhere(input(), T0 + MIN, spec),
      agreement: 'unknown',
      reasons: ['neither source has a lease of this address at T'],
    });
    const gap = finding({
      kind: 'channel-gap',
      severity: 'inconclusive',
      culprit: 'channel',
      ip: null,
      expected: null,
      actual: [],
      message: 'collector lost 2 datagrams',
      details: { fromMs: T0, toMs: T0 + 2 * MIN },
    });
    assert.deepEqual(answerWhere(input({ findings: [gap] }), T0 + MIN, spec).reasons, [
      'collector lost 2 datagrams',
    ]);
    const late = answerWhere(input({ settleBoundMs: T0 }), T0 + MIN, spec);
    assert.match(late.reasons[0]!, /settle/);
  });

  it('should label one-source answers, never agreeing or disagreeing', () => {
    const fail = finding({
      expected: stint,
      actual: [],
      kind: 'port-disagreement',
      severity: 'fail',
      culprit: 'rig',
    });
    const channel = answerWhere(
      input({ sources: 'channel', expected: [stint], findings: [fail] }),
      T0 + MIN,
      spec,
    );
    assert.equal(channel.agreement, 'channel-only');
    assert.deepEqual(channel.notes, [fail]);
    const gluff = answerWhere(input({ sources: 'gluff', actual: [row] }), T0 + MIN, spec);
    assert.equal(gluff.agreement, 'gluff-only');
    assert.equal(answerWhere(input({ sources: 'gluff' }), T0 + MIN, spec).agreement, 'unknown');
    assert.equal(AGREEMENT_EXIT['channel-only'], 2);
  });

  it('should agree in the tolerance at a stint edge, where one source has ended and the other not yet', () => {
    const early = actualLease({ id: 9, startMs: T0, endMs: T0 + 10 * MIN - 1000 });
    assert.equal(
      answerWhere(input({ expected: [stint], actual: [early] }), T0 + 10 * MIN - 500, spec).agreement,
      'agree',
    );
    const late = actualLease({ id: 9, startMs: T0, endMs: T0 + 10 * MIN + 1000 });
    assert.equal(
      answerWhere(input({ expected: [stint], actual: [late] }), T0 + 10 * MIN + 500, spec).agreement,
      'agree',
    );
  });

  it('should disagree exactly where a fail finding of the address covers T, and give each word its exit code', () => {
    const arbSpan = fc
      .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 30 }))
      .map(([s, len]) => ({ startMs: T0 + s * MIN, endMs: T0 + (s + len) * MIN }));
    const arbStint = fc
      .record({ span: arbSpan, other: fc.boolean(), inconclusive: fc.boolean() })
      .map((x) =>
        expectedLease({ ...x.span, hw: x.other ? OTHER : MAC, inconclusive: x.inconclusive ? 'lost' : null }),
      );
    const arbRow = fc
      .record({ span: arbSpan, id: fc.integer({ min: 1, max: 50 }), ip: fc.constantFrom(IP, '10.1.0.51') })
      .map((x) => actualLease({ ...x.span, id: x.id, ip: x.ip }));
    fc.assert(
      fc.property(
        fc.array(arbStint, { maxLength: 4 }),
        fc.array(arbRow, { maxLength: 4 }),
        fc.array(
          fc.record({
            stint: fc.option(fc.nat(3)),
            row: fc.option(fc.nat(3)),
            severity: fc.constantFrom('fail', 'warn', 'inconclusive'),
            ip: fc.constantFrom(IP, '10.1.0.51'),
          }),
          { maxLength: 4 },
        ),
        fc.constantFrom('both', 'channel', 'gluff'),
        fc.integer({ min: -5, max: 100 }),
        (stints, rows, fs, sources, atMin) => {
          const findings: Finding[] = fs.map((f) =>
            finding({
              severity: f.severity as Finding['severity'],
              ip: f.ip,
              expected: f.stint === null ? null : (stints[f.stint] ?? null),
              actual: f.row === null || rows[f.row] === undefined ? [] : [rows[f.row]!],
            }),
          );
          const at = T0 + atMin * MIN;
          const a = answerWhere(
            input({ sources: sources as AnswerInput['sources'], expected: stints, actual: rows, findings }),
            at,
            spec,
          );
          const failing = findings.some((f) => f.severity === 'fail' && f.ip === IP && findingTouches(f, at));
          if (sources === 'both') assert.equal(a.agreement === 'disagree', failing);
          else assert.ok(!['agree', 'disagree'].includes(a.agreement));
          if (a.agreement === 'agree') {
            assert.ok(a.stint !== null || a.gluffRows.length > 0);
            assert.ok(a.stint?.inconclusive == null);
          }
          for (const r of a.gluffRows) assert.ok(r.ip === IP && covers(r.startMs, r.endMs, at));
          if (a.stint !== null) assert.ok(covers(a.stint.startMs, a.stint.endMs, at));
          assert.ok([0, 1, 2].includes(AGREEMENT_EXIT[a.agreement]));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('answerWho', () => {
  it('should list every stint of the client with its rows, and its rows no stint holds, once, in time order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            s: fc.integer({ min: 0, max: 100 }),
            len: fc.integer({ min: 1, max: 20 }),
            mine: fc.boolean(),
          }),
          { maxLength: 5 },
        ),
        fc.array(
          fc.record({
            s: fc.integer({ min: 0, max: 100 }),
            len: fc.integer({ min: 1, max: 20 }),
            mine: fc.boolean(),
          }),
          { maxLength: 5 },
        ),
        fc.option(fc.integer({ min: 0, max: 120 })),
        fc.integer({ min: 1, max: 3 }),
        (es, as, from, copies) => {
          const expected: ExpectedLease[] = es.map((x) =>
            expectedLease({
              startMs: T0 + x.s * MIN,
              endMs: T0 + (x.s + x.len) * MIN,
              hw: x.mine ? MAC : OTHER,
            }),
          );
          const actual: ActualLease[] = as.map((x, i) =>
            actualLease({
              id: i + 1,
              startMs: T0 + x.s * MIN,
              endMs: T0 + (x.s + x.len) * MIN,
              hw: x.mine ? MAC : OTHER,
            }),
          );
          // One address judged several times (overlapping episodes) lists each stint once.
          const inputs = Array.from({ length: copies }, () => input({ expected, actual }));
          const range = { fromMs: from === null ? null : T0 + from * MIN, toMs: null };
          const out = answerWho(inputs, MAC, range, spec);
          const meets = (s: number, e: number) => range.fromMs === null || e > range.fromMs;
          const stints = out.filter((w) => w.stint !== null);
          assert.equal(new Set(stints.map((w) => w.stint!.startMs)).size, stints.length);
          for (const e of expected.filter((x) => x.hw === MAC && meets(x.startMs, x.endMs)))
            assert.ok(stints.some((w) => w.stint!.startMs === e.startMs));
          const ids = out.flatMap((w) => w.gluffRows.map((r) => r.id));
          for (const a of actual.filter((x) => x.hw === MAC && meets(x.startMs!, x.endMs!)))
            assert.ok(ids.includes(a.id), `row ${a.id} listed`);
          assert.equal(
            out.filter((w) => w.stint === null).length,
            new Set(out.filter((w) => w.stint === null).map((w) => w.gluffRows[0]!.id)).size,
          );
          for (const w of out) assert.ok(w.hw === MAC);
          for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.fromMs <= out[i]!.fromMs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('should give a stint the agreement of its findings and rows', () => {
    const e = expectedLease();
    const r = actualLease({ id: 3, endMs: e.endMs });
    const fail = finding({ expected: e, actual: [r], kind: 'wrong-port', culprit: 'queue' });
    assert.deepEqual(
      answerWho(
        [input({ expected: [e], actual: [r], findings: [fail] })],
        MAC,
        { fromMs: null, toMs: null },
        spec,
      ).map((w) => [w.agreement, w.differences.length, w.gluffRows.map((x) => x.id)]),
      [['disagree', 1, [3]]],
    );
    assert.equal(
      answerWho([input({ expected: [e], actual: [r] })], MAC, { fromMs: null, toMs: null }, spec)[0]!
        .agreement,
      'agree',
    );
    assert.equal(
      answerWho([input({ sources: 'channel', expected: [e] })], MAC, { fromMs: null, toMs: null }, spec)[0]!
        .agreement,
      'channel-only',
    );
    assert.equal(
      answerWho([input({ sources: 'gluff', actual: [r] })], MAC, { fromMs: null, toMs: null }, spec)[0]!
        .agreement,
      'gluff-only',
    );
  });
});

describe('answerOnPort', () => {
  it("should put a client behind a port by dhcpd's circuit-id, the permuter's port or Gluff's row", () => {
    const a = answerWhere(
      input({
        expected: [expectedLease({ cidHex: '70:6f:72:74:31', physicalPort: null })],
        actual: [actualLease({ cidHex: '70:6f:72:74:32' })],
      }),
      T0 + MIN,
      spec,
    );
    assert.equal(answerOnPort(a, 'Fa0/1', spec), true);
    assert.equal(answerOnPort(a, 'Fa0/2', spec), true);
    assert.equal(answerOnPort({ ...a, stint: null, gluffRows: [] }, 'Fa0/1', spec), false);
  });
});

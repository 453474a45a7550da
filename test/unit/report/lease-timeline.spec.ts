import { strict as assert } from 'node:assert';
import {
  findingMark,
  numberFindings,
  panelsOf,
  SUBJECT_DEFAULTS,
  timelineData,
  timelineSubjects,
} from '../../../src/report/lease-timeline.js';
import { actualLease, expectedLease, finding, result, T0 } from '../../helpers/fixtures.js';

const MIN = 60_000;

describe('numberFindings', () => {
  it('should number failures, then inconclusive findings, then warnings, as the cards are', () => {
    const warn = finding({ kind: 'port-disagreement', severity: 'warn' });
    const fail = finding();
    const inc = finding({ kind: 'not-settled', severity: 'inconclusive' });
    assert.deepEqual(
      numberFindings([warn, fail, inc]).map((x) => [x.n, x.finding]),
      [
        [1, fail],
        [2, inc],
        [3, warn],
      ],
    );
  });
});

describe('findingMark', () => {
  it('should stand where the fact went wrong, on the lane of the row it is about', () => {
    const a = actualLease({ id: 7, startMs: T0 + MIN, endMs: T0 + 5 * MIN });
    const b = actualLease({ id: 8, startMs: T0 + 6 * MIN, endMs: T0 + 9 * MIN });
    const e = expectedLease({ startMs: T0, endMs: T0 + 9 * MIN });
    assert.deepEqual(findingMark(finding({ kind: 'end-mismatch', expected: e, actual: [a] })), {
      atMs: T0 + 5 * MIN,
      on: 'actual',
      actualId: 7,
    });
    assert.deepEqual(findingMark(finding({ kind: 'start-mismatch', expected: e, actual: [a] })), {
      atMs: T0 + MIN,
      on: 'actual',
      actualId: 7,
    });
    assert.deepEqual(findingMark(finding({ kind: 'split-lease', expected: e, actual: [a, b] })), {
      atMs: T0 + 6 * MIN,
      on: 'actual',
      actualId: 8,
    });
    assert.deepEqual(findingMark(finding({ kind: 'release-not-applied', expected: e, actual: [a] })), {
      atMs: T0 + 9 * MIN,
      on: 'actual',
      actualId: 7,
    });
    assert.deepEqual(findingMark(finding({ kind: 'missing-lease', expected: e, actual: [] })), {
      atMs: T0,
      on: 'expected',
      actualId: null,
    });
    assert.deepEqual(
      findingMark(
        finding({ kind: 'port-disagreement', expected: e, actual: [], details: { firstMs: T0 + 3 * MIN } }),
      ),
      { atMs: T0 + 3 * MIN, on: 'expected', actualId: null },
    );
    assert.equal(findingMark(finding({ kind: 'memory-leak', expected: null, actual: [] })), null);
  });
});

describe('panelsOf', () => {
  it('should draw close findings in one panel, far ones apart, each padded', () => {
    const at = (fromMin: number, toMin: number) =>
      finding({
        expected: expectedLease({ startMs: T0 + fromMin * MIN, endMs: T0 + toMin * MIN }),
        actual: [],
      });
    const panels = panelsOf([at(0, 10), at(15, 20), at(120, 130)]);
    assert.equal(panels.length, 2);
    // 0..20 min padded by 12 % (2.4 min), 120..130 by the minimum 90 s.
    assert.deepEqual(panels[0], { fromMs: T0 - 2.4 * MIN, toMs: T0 + 22.4 * MIN });
    assert.deepEqual(panels[1], { fromMs: T0 + 118.5 * MIN, toMs: T0 + 131.5 * MIN });
  });

  it('should merge the closest panels until at most maxPanels are left', () => {
    const at = (m: number) =>
      finding({ expected: expectedLease({ startMs: T0 + m * MIN, endMs: T0 + (m + 1) * MIN }), actual: [] });
    const panels = panelsOf([0, 100, 160, 300, 600, 1000].map(at), { ...SUBJECT_DEFAULTS, maxPanels: 4 });
    assert.equal(panels.length, 4);
    // 100 and 160 were the closest pair, then 0 and 100..161.
    assert.ok(panels[0]!.fromMs < T0 && panels[0]!.toMs > T0 + 161 * MIN);
  });
});

describe('timelineSubjects', () => {
  it('should draw an address held by one MAC, that held only it, once for both views', () => {
    const e = expectedLease();
    const a = actualLease();
    const numbered = numberFindings([finding({ expected: e, actual: [a] })]);
    const subjects = timelineSubjects(numbered, { expected: [e], actual: [a] });
    assert.equal(subjects.length, 1);
    assert.deepEqual(
      [subjects[0]!.anchor, subjects[0]!.ip, subjects[0]!.mac, subjects[0]!.inIpView, subjects[0]!.inMacView],
      ['tl-1', '10.1.0.50', '52:54:00:12:34:56', true, true],
    );
  });

  it('should give a MAC that moved between addresses a figure of its own, after its first address', () => {
    // The MAC held .50, then .60 after a move; .60 was later held by another MAC.
    const mac = '52:54:00:12:34:56';
    const e50 = expectedLease({ ip: '10.1.0.50', hw: mac, startMs: T0, endMs: T0 + 10 * MIN });
    const e60 = expectedLease({ ip: '10.1.0.60', hw: mac, startMs: T0 + 10 * MIN, endMs: T0 + 20 * MIN });
    const other = expectedLease({ ip: '10.1.0.60', hw: '52:54:00:00:00:99', startMs: T0 + 30 * MIN });
    const f = finding({ ip: '10.1.0.50', hw: mac, expected: e50, actual: [] });
    const subjects = timelineSubjects(numberFindings([f]), { expected: [e50, e60, other], actual: [] });
    assert.deepEqual(
      subjects.map((s) => [s.anchor, s.ip, s.mac, s.inIpView, s.inMacView, s.expected.length]),
      [
        ['tl-1', '10.1.0.50', null, true, false, 1],
        ['tl-2', null, mac, false, true, 2],
      ],
    );
  });

  it('should draw the panels around failures when there are any, around warnings otherwise', () => {
    const fail = finding({ expected: expectedLease({ startMs: T0, endMs: T0 + MIN }), actual: [] });
    const warn = finding({
      kind: 'port-disagreement',
      severity: 'warn',
      expected: expectedLease({ startMs: T0 + 600 * MIN, endMs: T0 + 601 * MIN }),
      actual: [],
    });
    const [s] = timelineSubjects(numberFindings([fail, warn]), { expected: [], actual: [] });
    assert.equal(s!.panels.length, 1);
    assert.ok(s!.panels[0]!.toMs < T0 + 10 * MIN);
    assert.equal(s!.worst, 'fail');
  });
});

describe('timelineData', () => {
  it("should fall back to the findings' own rows for a result built without timeline data", () => {
    const data = timelineData(result());
    assert.equal(data.expected.length, 1);
    assert.deepEqual(
      data.actual.map((a) => a.id),
      [7],
    );
    assert.deepEqual(data.ports, []);
  });
});

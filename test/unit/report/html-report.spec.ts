import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { requireXmllint, xmllintComplaints } from '../../helpers/xmllint.js';
import type {
  LeakVerdict,
  LeaseTimelineData,
  MemoryChart,
  RigEventEntry,
  VerificationResult,
} from '../../../src/model/lease.js';
import { chooseDrawn, renderHtmlReport } from '../../../src/report/html-report.js';
import { numberFindings, timelineSubjects } from '../../../src/report/lease-timeline.js';
import { actualLease, expectedLease, finding, result, T0 } from '../../helpers/fixtures.js';

const RIG_EVENT: RigEventEntry = {
  atMs: T0,
  host: 'gvrg-sw',
  name: 'gluff-stop',
  fields: { server: 'gvrg-dhcp2' },
  rawId: 41,
};

const LEAK: LeakVerdict = {
  proc: 'gluff@dhcp1',
  verdict: 'fail',
  reason: 'RSS grows 1.0 MiB/h',
  segments: 1,
  samples: 288,
  slopeBytesPerHour: 1_048_576,
  slopeLowBytesPerHour: 1_000_000,
  slopeHighBytesPerHour: 1_100_000,
  growthBytes: 25e6,
  pValue: 1e-9,
};

const MIN = 60_000;
const CHART: MemoryChart = {
  metric: 'rssBytes',
  segments: [
    {
      pid: 7,
      fromMs: T0,
      toMs: T0 + 60 * MIN,
      points: [0, 20, 40, 60].map((m) => [T0 + m * MIN, 10_000_000 + m * 20_000]),
      warmupEndMs: T0 + 10 * MIN,
      anchorMs: T0 + 40 * MIN,
      anchorBytes: 10_800_000,
    },
  ],
  goneMs: [T0 + 61 * MIN],
  warmupSec: 600,
  maxSlopeBytesPerHour: 1_048_576,
  maxGrowthBytes: 16_777_216,
};

/**
 * A failing run with every picture: one address whose Gluff row ends early (end-mismatch) next to a
 * duplicate row, a leaking gluff, a channel loss, a move, a release, a restart, a failed queue insert and a
 * rig event; `text` is put in every field that comes from syslog, Gluff or the spec.
 */
function pictured(text: string): VerificationResult {
  const e = expectedLease({ hw: text, startMs: T0, endMs: T0 + 30 * MIN, physicalPort: text });
  const a = actualLease({
    hw: text,
    startMs: T0,
    endMs: T0 + 20 * MIN,
    cidText: text,
    startText: text,
    endText: text,
  });
  const dup = actualLease({
    id: 8,
    hw: text,
    startMs: T0 + 5 * MIN,
    endMs: T0 + 10 * MIN,
    cidHex: text,
    cidText: text,
  });
  const timeline: LeaseTimelineData = {
    expected: [
      e,
      expectedLease({ ip: '10.1.0.51', hw: '52:54:00:00:00:09', startMs: T0, endMs: T0 + 50 * MIN }),
    ],
    actual: [a, dup],
    releases: [{ atMs: T0 + 30 * MIN, ip: '10.1.0.50', hw: text, host: text, found: true, rawId: 3 }],
    portMoves: [
      { atMs: T0 + 15 * MIN, seq: 4, rawId: 4, moved: [{ hw: text, fromPort: text, toPort: text }] },
    ],
    queueFailures: [{ atMs: T0 + 20 * MIN, host: text, line: 241, detail: text, rawId: 5 }],
    restarts: [
      {
        atMs: T0 + 25 * MIN,
        host: text,
        program: 'gluff',
        oldPid: 1,
        newPid: 2,
        lastSeenMs: T0 + 22 * MIN,
        rawId: 6,
      },
    ],
    losses: [{ listener: text, fromMs: T0 + 2 * MIN, toMs: T0 + 4 * MIN, kernelDrops: 2, appDrops: 0 }],
    settleFromMs: T0 + 55 * MIN,
    ports: [
      { name: text, circuitIdHex: '00:04:00:01:00:02', remoteIdHex: null },
      { name: 'Fa0/3', circuitIdHex: '00:04:00:01:00:03', remoteIdHex: null },
    ],
  };
  const leak: LeakVerdict = { ...LEAK, proc: text, reason: text, chart: CHART };
  return result({
    spec: text,
    gluff: { kind: 'sqlite', description: text, zone: text },
    window: { fromMs: null, toMs: null, asOfMs: T0 + 60 * MIN },
    rigEvents: [{ atMs: T0 + 12 * MIN, host: text, name: text, fields: { [text]: text, k: text }, rawId: 1 }],
    memory: [leak],
    findings: [
      finding({
        message: text,
        hw: text,
        expected: e,
        actual: [a],
        evidenceLines: [{ rawId: 1, text }],
        attribution: {
          rule: text,
          how: 'witnessed',
          witness: [5],
          witnessLines: [{ rawId: 5, text }],
          explanation: text,
        },
      }),
      finding({ kind: 'overlapping-rows', hw: text, message: text, expected: null, actual: [a, dup] }),
      finding({
        kind: 'memory-leak',
        ip: null,
        hw: null,
        message: text,
        expected: null,
        actual: [],
        details: { proc: text },
      }),
      finding({
        kind: 'channel-gap',
        severity: 'inconclusive',
        culprit: 'channel',
        ip: null,
        hw: null,
        message: text,
        expected: null,
        actual: [],
        details: { fromMs: T0 + 2 * MIN, toMs: T0 + 4 * MIN, source: 'collector' },
      }),
    ],
    ips: [
      { ip: '10.1.0.50', expected: 1, actual: 2 },
      { ip: '10.1.0.51', expected: 1, actual: 0 },
    ],
    timeline,
  });
}

/** The tag names of the page, in order (`<h1`, `</h1`, ...): what markup there is, whatever the text says. */
function tags(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[0]);
}

describe('renderHtmlReport', () => {
  it('should show the verdict, the channel, the memory verdicts and each finding with its rows and evidence', () => {
    const html = renderHtmlReport(
      result({
        memory: [LEAK],
        findings: [
          finding(),
          finding({
            kind: 'port-disagreement',
            severity: 'warn',
            culprit: 'rig',
            message: 'moved at {{t:0}}',
          }),
        ],
      }),
    );
    assert.match(html, /<h1>gluff-verify: <span class="fail">FAIL<\/span><\/h1>/);
    assert.match(html, /<h2>Failures \(1\)<\/h2>\n<section id="f1" class="finding fail">/);
    // The Gluff row in UTC and canonical hex beside the expected one, then as Gluff stored it.
    assert.match(
      html,
      /<td>Gluff row 7<\/td><td>2026-11-28T01:00:00Z<\/td><td class="differs">≠ 2026-11-28T01:05:00Z<\/td><td>52:54:00:12:34:56<\/td><td>00:04:00:01:00:02<\/td><td>2026-11-28 02:00:00 \.\. 2026-11-28 02:05:00; cid 0:4:0:1:0:2<\/td>/,
    );
    assert.match(html, /#12 Nov 28 02:00:00 dhcp1 dhcpd\[812\]: DHCPACK on 10\.1\.0\.50/);
    assert.match(html, /<td>gluff@dhcp1<\/td><td>LEAK<\/td><td>288<\/td><td>1024\.0 KiB\/h/);
    // Warnings are folded away, with their time tokens expanded.
    assert.match(html, /<summary><b>Warnings \(1\): not failures<\/b><\/summary>/);
    assert.match(html, /moved at 1970-01-01T00:00:00Z/);
    // Kinds table: one row per kind with its counts per severity.
    assert.match(
      html,
      /<td>end-mismatch<\/td><td class="n">1<\/td><td class="n">0<\/td><td class="n">0<\/td>/,
    );
  });

  it('should cut long evidence and say how many lines it left out', () => {
    const lines = Array.from({ length: 30 }, (_, i) => ({ rawId: i + 1, text: `line ${i + 1}` }));
    const html = renderHtmlReport(result({ findings: [finding({ evidenceLines: lines })] }), {
      maxEvidence: 5,
    });
    assert.match(html, /#5 line 5\n\.\.\. 25 more lines<\/pre>/);
    assert.doesNotMatch(html, /#6 line 6/);
  });

  it('should give a passing run a short page without finding sections', () => {
    const html = renderHtmlReport(result({ verdict: 'pass', findings: [], counts: {} }));
    assert.match(html, /<span class="pass">PASS<\/span>/);
    assert.match(html, /<h2>Findings per kind<\/h2>\n<p>none<\/p>/);
    assert.doesNotMatch(html, /<section/);
  });

  it('should list the rig events: counts per name, then each with its time, host and line', () => {
    const html = renderHtmlReport(
      result({
        rigEvents: [
          RIG_EVENT,
          { ...RIG_EVENT, atMs: T0 + 1000, name: 'gluff-start', rawId: 42 },
          { ...RIG_EVENT, atMs: T0 + 2000, rawId: 43 },
        ],
      }),
    );
    assert.match(html, /<h2>Rig events \(3\)<\/h2>/);
    assert.match(html, /<td>gluff-start<\/td><td class="n">1<\/td>/);
    assert.match(html, /<td>gluff-stop<\/td><td class="n">2<\/td>/);
    assert.match(
      html,
      /<td>2026-11-28T01:00:01Z<\/td><td>gvrg-sw<\/td><td>gluff-start<\/td><td>#42 gluff-start server=gvrg-dhcp2<\/td>/,
    );
    assert.doesNotMatch(renderHtmlReport(result()), /Rig events/);
  });

  it('should say plainly when there was no Gluff table, and name the source otherwise', () => {
    const none = renderHtmlReport(
      result({ gluff: { kind: 'none', description: 'none' }, findings: [], verdict: 'pass' }),
    );
    assert.match(
      none,
      /<p class="gluff"><b>Gluff: none — stock dhcpd run: lease rows not compared; rig and channel self-check<\/b><\/p>/,
    );
    assert.match(none, /<th>rebuilt rows<\/th><th>Gluff rows<\/th>/);
    assert.match(none, /<td class="n">none<\/td>/);
    assert.match(
      renderHtmlReport(result()),
      /<p class="gluff">Gluff: mysql:\/\/gluffro@db1:3306\/dhcpd_leases<\/p>/,
    );
  });

  it('should keep any text from syslog or Gluff as text: the markup is the same whatever it says', () => {
    const plain = tags(
      renderHtmlReport(
        result({ memory: [LEAK], rigEvents: [RIG_EVENT], window: { fromMs: T0, toMs: null, asOfMs: T0 } }),
      ),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        const html = renderHtmlReport(
          result({
            spec: text,
            gluff: { kind: 'sqlite', description: text, zone: text },
            window: { fromMs: T0, toMs: null, asOfMs: T0 },
            rigEvents: [{ atMs: T0, host: text, name: text, fields: { [text]: text, k: text }, rawId: 1 }],
            memory: [{ ...LEAK, reason: text }],
            findings: [
              finding({
                message: text,
                hw: text,
                // Every row of the address is one MAC's, whatever it is called: one figure either way.
                expected: expectedLease({ hw: text }),
                actual: [{ ...finding().actual[0]!, startText: text, hw: text, cidText: text, cidHex: text }],
                evidenceLines: [{ rawId: 1, text }],
              }),
            ],
            ips: [
              { ip: '10.1.0.50', expected: 1, actual: 1 },
              { ip: '10.1.0.51', expected: 2, actual: 2 },
            ],
          }),
        );
        assert.deepEqual(tags(html), plain);
        assert.doesNotMatch(html, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
      }),
    );
  });

  it('should keep any text as text in the pictures too: overview, timelines and memory charts', () => {
    const plain = tags(renderHtmlReport(pictured('x')));
    // The pictures are there: overview, a timeline with markers and events, a memory chart.
    for (const part of ['class="gv overview"', 'class="gv timeline"', 'class="gv memory"', '<a href="#f1">'])
      assert.ok(renderHtmlReport(pictured('x')).includes(part), part);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        const html = renderHtmlReport(pictured(text));
        assert.deepEqual(tags(html), plain);
        assert.doesNotMatch(html, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
      }),
      { numRuns: 200 },
    );
  });

  it('should link each finding card to its picture and each marker back to its card', () => {
    const html = renderHtmlReport(pictured('x'));
    // Cards 1 and 2 are the address's, 3 the leak, 4 the channel gap (inconclusive).
    assert.match(
      html,
      /<section id="f1" class="finding fail">\n<h3>.*<a class="back" href="#tl-1">↑ timeline<\/a><\/h3>/,
    );
    assert.match(
      html,
      /<section id="f3" class="finding fail">\n<h3>.*<a class="back" href="#mem-1">↑ memory chart<\/a><\/h3>/,
    );
    assert.match(
      html,
      /<section id="f4" class="finding inconclusive">\n<h3>.*<a class="back" href="#overview">↑ overview<\/a><\/h3>/,
    );
    assert.match(html, /<figure id="tl-1" class="tl fail in-ip in-mac">/);
    assert.match(html, /<a href="#f1"><title>#1 FAIL end-mismatch<\/title><path class="mk-fail"/);
    assert.match(html, /<a href="#f2"><title>#2 FAIL overlapping-rows<\/title>/);
    assert.match(html, /<figure id="mem-1" class="mem fail">[^]*<a href="#f3">finding #3<\/a>/);
    assert.match(html, /<a href="#f4"><title>#4 INCONCLUSIVE channel-gap<\/title>/);
    // The overview comes before the findings, the address without findings is counted, not drawn.
    assert.ok(html.indexOf('id="overview"') < html.indexOf('<h2>Findings per kind</h2>'));
    assert.match(html, /1 addresses without findings are not drawn/);
    // One address held by one MAC: nothing to switch.
    assert.doesNotMatch(html, /id="gv-view-mac"/);
  });

  it('should offer the per-MAC view, readable without script, when a MAC held several addresses', () => {
    const r = pictured('52:54:00:12:34:56');
    const moved = expectedLease({ ip: '10.1.0.60', startMs: T0 + 31 * MIN, endMs: T0 + 50 * MIN });
    const html = renderHtmlReport({
      ...r,
      timeline: { ...r.timeline!, expected: [...r.timeline!.expected, moved] },
    });
    assert.match(html, /<input type="radio" name="gv-view" id="gv-view-ip" checked="checked"\/>/);
    assert.match(html, /<input type="radio" name="gv-view" id="gv-view-mac"\/>/);
    assert.match(html, /#gv-view-ip:checked ~ \.tls \.tl:not\(\.in-ip\):not\(:target\) \{ display: none; \}/);
    assert.match(html, /<figure id="tl-1" class="tl fail in-ip">/);
    assert.match(html, /<figure id="tl-2" class="tl fail in-mac">/);
    assert.match(html, />10\.1\.0\.60 rebuilt</);
  });

  it('should draw at most maxTimelines figures, failures first with an example of every kind', () => {
    const fails = Array.from({ length: 5 }, (_, i) =>
      finding({
        ip: `10.1.0.${i}`,
        hw: null,
        kind: i === 4 ? 'wrong-hw' : 'end-mismatch',
        expected: null,
        actual: [],
      }),
    );
    const warn = finding({
      ip: '10.1.0.9',
      hw: null,
      severity: 'warn',
      kind: 'port-disagreement',
      expected: null,
      actual: [],
    });
    const subjects = timelineSubjects(numberFindings([warn, ...fails]), { expected: [], actual: [] });
    const drawn = chooseDrawn(subjects, 3);
    assert.deepEqual(
      subjects.filter((x) => drawn.has(x.anchor)).map((x) => x.ip),
      ['10.1.0.0', '10.1.0.1', '10.1.0.4'],
    );
    const html = renderHtmlReport(result({ findings: [...fails, warn] }), { maxTimelines: 3 });
    assert.match(html, /3 more addresses or MACs with findings are not drawn \(at most 3 figures a page/);
  });

  it('should be well-formed XML with every picture in it (xmllint)', function () {
    requireXmllint(this);
    assert.equal(xmllintComplaints(renderHtmlReport(pictured('<b>&amp;]]>'))), '');
  });

  it('should be well-formed XML (xmllint), so browsers and tools read it alike', function () {
    requireXmllint(this);
    const html = renderHtmlReport(
      result({
        memory: [LEAK],
        inconclusiveReasons: ['datagrams lost <&> at {{t:0}}'],
        rigEvents: [RIG_EVENT, { ...RIG_EVENT, fields: { note: '<b>&amp;]]>' } }],
        findings: [finding(), finding({ severity: 'warn' }), finding({ severity: 'inconclusive' })],
      }),
    );
    assert.equal(xmllintComplaints(html), '');
  });

  it('should mark the cells of a Gluff row that differ from the expected row, with a class and a visible sign', () => {
    // Arrange: a wrong-port finding (the circuit-id differs) and a start-mismatch (the start differs).
    const wrongPort = finding({
      kind: 'wrong-port',
      actual: [actualLease({ endMs: T0 + 600_000, cidHex: '00:04:00:01:00:03', cidText: '0:4:0:1:0:3' })],
    });
    const lateStart = finding({
      kind: 'start-mismatch',
      actual: [actualLease({ startMs: T0 + 60_000, endMs: T0 + 600_000 })],
    });
    // Act
    const html = renderHtmlReport(
      result({
        gluff: {
          kind: 'mysql',
          description: 'mysql://gluffro@db1:3306/dhcpd_leases',
          zone: 'Europe/Stockholm',
        },
        findings: [wrongPort, lateStart],
      }),
    );
    // Assert
    assert.match(
      html,
      /<p class="legend">≠ marks a value of a Gluff row that differs from the expected row\.<\/p>/,
    );
    assert.match(html, /\.differs \{[^}]*font-weight: bold/);
    assert.match(
      html,
      /<th>start \(UTC\)<\/th><th>end \(UTC\)<\/th><th>hw<\/th><th>circuit-id<\/th><th>as stored \(Europe\/Stockholm\)<\/th>/,
    );
    assert.match(
      html,
      /<td>Gluff row 7<\/td><td>2026-11-28T01:00:00Z<\/td><td>2026-11-28T01:10:00Z<\/td><td>52:54:00:12:34:56<\/td><td class="differs">≠ 00:04:00:01:00:03<\/td>/,
    );
    assert.match(
      html,
      /<td>Gluff row 7<\/td><td class="differs">≠ 2026-11-28T01:01:00Z<\/td><td>2026-11-28T01:10:00Z<\/td><td>52:54:00:12:34:56<\/td><td>00:04:00:01:00:02<\/td>/,
    );
    // The expected row itself is never marked.
    assert.match(
      html,
      /<td>expected<\/td><td>2026-11-28T01:00:00Z<\/td><td>2026-11-28T01:10:00Z \(commit end\)<\/td>/,
    );
  });

  it('should say the whole store, or name the open end, for the window', () => {
    const page = (fromMs: number | null, toMs: number | null) =>
      renderHtmlReport(result({ window: { fromMs, toMs, asOfMs: T0 } }));
    assert.match(page(null, null), /<p>window the whole store, as of 2026-11-28T01:00:00Z;/);
    assert.match(page(T0, null), /<p>window 2026-11-28T01:00:00Z to as-of, as of /);
    assert.match(page(null, T0), /<p>window the first event to 2026-11-28T01:00:00Z, as of /);
  });
});

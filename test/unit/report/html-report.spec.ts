import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { requireXmllint, xmllintComplaints } from '../../helpers/xmllint.js';
import type { LeakVerdict, RigEventEntry } from '../../../src/model/lease.js';
import { renderHtmlReport } from '../../../src/report/html-report.js';
import { actualLease, finding, result, T0 } from '../../helpers/fixtures.js';

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
    assert.match(html, /<h2>Failures \(1\)<\/h2>\n<section class="finding fail">/);
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

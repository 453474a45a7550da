import { strict as assert } from 'node:assert';
import type { RigEventEntry } from '../../../src/model/index.js';
import { renderTerminalReport } from '../../../src/report/terminal-report.js';
import { actualLease, finding, result, T0 } from '../../helpers/fixtures.js';

function rigEvent(i: number, name: string, fields: Record<string, string>): RigEventEntry {
  return { atMs: T0 + i * 1000, host: 'gvrg-sw', name, fields, rawId: 100 + i };
}

describe('renderTerminalReport', () => {
  it('should start with the verdict and counts and show the evidence lines', () => {
    const text = renderTerminalReport(result());
    const lines = text.split('\n');
    assert.equal(lines[0], 'gluff-verify: FAIL (1 failure: 1 end-mismatch); fails by culprit: 1 gluff');
    assert.match(text, /^1\. FAIL end-mismatch 10\.1\.0\.50 52:54:00:12:34:56$/m);
    assert.match(text, /^ {3}actual: {3}row 7: 2026-11-28T01:00:00Z \.\. 2026-11-28T01:05:00Z /m);
    assert.match(text, /^ {3}\| Nov 28 02:00:00 dhcp1 dhcpd\[812\]: DHCPACK on 10\.1\.0\.50/m);
  });

  it('should be plain without color and use ANSI codes with color', () => {
    assert.doesNotMatch(renderTerminalReport(result(), { color: false }), /\u001b\[/);
    assert.match(renderTerminalReport(result(), { color: true }), /\u001b\[31m/);
  });

  it('should escape terminal control sequences that came from syslog', () => {
    const text = renderTerminalReport(
      result({
        findings: [
          finding({ evidenceLines: [{ rawId: 1, text: 'evil \u001b[2J\u001b]0;pwned\u0007 line' }] }),
        ],
      }),
    );
    assert.match(text, /evil \\x1b\[2J\\x1b\]0;pwned\\x07 line/);
    assert.doesNotMatch(text, /\u001b/);
  });

  it('should print PASS and no finding blocks for a clean result', () => {
    const text = renderTerminalReport(result({ findings: [], verdict: 'pass' }));
    assert.match(text, /^gluff-verify: PASS\n/);
    assert.doesNotMatch(text, /^1\. /m);
  });

  it('should cut the list after maxFindings and say how many more', () => {
    const many = Array.from({ length: 5 }, (_, i) => finding({ ip: `10.1.0.${i}` }));
    const text = renderTerminalReport(result({ findings: many }), { maxFindings: 2 });
    assert.match(text, /^\.\.\. and 3 more findings \(see the JSON report\)$/m);
  });

  it('should count warnings instead of listing them unless asked', () => {
    const warn = finding({ kind: 'port-disagreement', severity: 'warn', message: 'moved without DHCP' });
    const quiet = renderTerminalReport(result({ findings: [warn, warn], verdict: 'pass' }));
    assert.match(
      quiet,
      /^warnings: 2 port-disagreement \(not failures; shown with --warnings and in the JSON report\)$/m,
    );
    assert.doesNotMatch(quiet, /^1\. /m);
    const loud = renderTerminalReport(result({ findings: [warn], verdict: 'pass' }), { showWarnings: true });
    assert.match(loud, /^1\. WARN port-disagreement /m);
  });

  it('should list the rig events last: counts per name, then each with its time and host', () => {
    const text = renderTerminalReport(
      result({
        rigEvents: [
          rigEvent(1, 'gluff-stop', { server: 'gvrg-dhcp2' }),
          rigEvent(2, 'dhcpd-restart', { server: 'gvrg-dhcp1', phase: 'stop' }),
          rigEvent(3, 'dhcpd-restart', { server: 'gvrg-dhcp1', phase: 'start' }),
        ],
      }),
    );
    assert.match(
      text,
      /\nrig events: 3 \(2 dhcpd-restart, 1 gluff-stop\)\n {2}2026-11-28T01:00:01Z gvrg-sw gluff-stop server=gvrg-dhcp2\n {2}2026-11-28T01:00:02Z gvrg-sw dhcpd-restart server=gvrg-dhcp1 phase=stop\n {2}2026-11-28T01:00:03Z gvrg-sw dhcpd-restart server=gvrg-dhcp1 phase=start\n$/,
    );
  });

  it('should list at most 30 rig events and count the rest, and leave the section out without any', () => {
    const many = Array.from({ length: 34 }, (_, i) => rigEvent(i, 'client-release', { client: `c${i}` }));
    const text = renderTerminalReport(result({ rigEvents: many }));
    assert.match(text, /^rig events: 34 \(34 client-release\)$/m);
    assert.match(text, /client=c29\n {2}… 4 more \(see the JSON report\)\n$/);
    assert.doesNotMatch(text, /client=c30/);
    assert.doesNotMatch(renderTerminalReport(result()), /rig events/);
  });

  it('should escape control characters in rig events', () => {
    const text = renderTerminalReport(
      result({ rigEvents: [{ ...rigEvent(1, 'x', { k: 'a\u001b[2Jb' }), host: 'h\u0007' }] }),
    );
    assert.match(text, /h\\x07 x k=a\\x1b\[2Jb/);
    assert.doesNotMatch(text, /[\u0007\u001b]/);
  });

  it('should say plainly when there was no Gluff table', () => {
    const text = renderTerminalReport(
      result({
        gluff: { kind: 'none', description: 'none' },
        findings: [],
        verdict: 'pass',
        ips: [{ ip: '10.77.10.11', expected: 2, actual: 0 }],
      }),
    );
    assert.match(
      text,
      /^Gluff: none — stock dhcpd run: lease rows not compared; rig and channel self-check$/m,
    );
    assert.match(text, /^checked: 1 IP, 2 rebuilt rows \(not compared: no Gluff table\)$/m);
    assert.doesNotMatch(renderTerminalReport(result()), /Gluff: none/);
  });

  it('should count warnings apart from failures in the headline', () => {
    // Arrange
    const warn = finding({ kind: 'port-disagreement', severity: 'warn', culprit: 'rig' });
    const unsettled = finding({ kind: 'not-settled', severity: 'inconclusive', culprit: 'channel' });
    const headline = (r: Parameters<typeof renderTerminalReport>[0]) =>
      renderTerminalReport(r).split('\n')[0];
    // Act, Assert
    assert.equal(
      headline(result({ findings: Array.from({ length: 262 }, () => warn), verdict: 'pass' })),
      'gluff-verify: PASS (no failures; 262 warnings: 262 port-disagreement)',
    );
    assert.equal(
      headline(result({ findings: [finding(), finding({ kind: 'wrong-port' }), warn], verdict: 'fail' })),
      'gluff-verify: FAIL (2 failures: 1 end-mismatch, 1 wrong-port; 1 warning: 1 port-disagreement); fails by culprit: 2 gluff',
    );
    assert.equal(
      headline(result({ findings: [unsettled, warn, warn], verdict: 'inconclusive' })),
      'gluff-verify: INCONCLUSIVE (no failures; 1 inconclusive: 1 not-settled; 2 warnings: 2 port-disagreement)',
    );
  });

  it('should say one finding, row, IP, sample and line in the singular', () => {
    const text = renderTerminalReport(
      result({
        findings: [
          finding(),
          finding({ evidenceLines: Array.from({ length: 5 }, (_, i) => ({ rawId: i, text: `l${i}` })) }),
        ],
        ips: [{ ip: '10.1.0.50', expected: 1, actual: 1 }],
        channel: { events: 1, rejections: 1, kernelDrops: 1, appDrops: 1, untrusted: 1 },
        memory: [
          {
            proc: 'gluff@dhcp1',
            verdict: 'inconclusive',
            reason: 'too few samples',
            segments: 1,
            samples: 1,
            slopeBytesPerHour: null,
            slopeLowBytesPerHour: null,
            slopeHighBytesPerHour: null,
            growthBytes: null,
            pValue: null,
          },
        ],
      }),
      { maxFindings: 1 },
    );
    assert.match(text, /^checked: 1 IP, 1 expected row, 1 Gluff row$/m);
    assert.match(text, /^channel: 1 event, 1 rejected, 1 untrusted, 1 kernel drop, 1 collector drop$/m);
    assert.match(text, /^memory gluff@dhcp1: inconclusive \(1 sample\) too few samples$/m);
    assert.match(text, /^\.\.\. and 1 more finding \(see the JSON report\)$/m);
    const lines = renderTerminalReport(
      result({
        findings: [
          finding({ evidenceLines: Array.from({ length: 5 }, (_, i) => ({ rawId: i, text: `l${i}` })) }),
        ],
      }),
    );
    assert.match(lines, /^ {3}\| \.\.\. 1 more line$/m);
  });

  it('should say "the whole store" for a window without bounds, and name the open end otherwise', () => {
    const asOfMs = T0 + 3_600_000;
    const windowLine = (fromMs: number | null, toMs: number | null) =>
      renderTerminalReport(result({ window: { fromMs, toMs, asOfMs } })).split('\n')[1];
    assert.equal(
      windowLine(null, null),
      'window: the whole store, as of 2026-11-28T02:00:00Z; spec specs/seed-rig.yaml',
    );
    assert.equal(
      windowLine(T0, null),
      'window: 2026-11-28T01:00:00Z to as-of, as of 2026-11-28T02:00:00Z; spec specs/seed-rig.yaml',
    );
    assert.equal(
      windowLine(null, T0),
      'window: the first event to 2026-11-28T01:00:00Z, as of 2026-11-28T02:00:00Z; spec specs/seed-rig.yaml',
    );
    assert.equal(
      windowLine(T0, T0 + 60_000),
      'window: 2026-11-28T01:00:00Z to 2026-11-28T01:01:00Z, as of 2026-11-28T02:00:00Z; spec specs/seed-rig.yaml',
    );
  });

  it("should show the Gluff row in UTC like the expected one, and Gluff's stored text marked with its zone", () => {
    const text = renderTerminalReport(
      result({
        gluff: {
          kind: 'mysql',
          description: 'mysql://gluffro@db1:3306/dhcpd_leases',
          zone: 'Europe/Stockholm',
        },
      }),
    );
    assert.match(
      text,
      /^ {3}expected: 2026-11-28T01:00:00Z \.\. 2026-11-28T01:10:00Z \(commit end\) hw 52:54:00:12:34:56 cid 00:04:00:01:00:02 port Fa0\/2$/m,
    );
    assert.match(
      text,
      /^ {3}actual: {3}row 7: 2026-11-28T01:00:00Z \.\. 2026-11-28T01:05:00Z hw 52:54:00:12:34:56 cid 00:04:00:01:00:02 \[as stored, Europe\/Stockholm: 2026-11-28 02:00:00 \.\. 2026-11-28 02:05:00, cid 0:4:0:1:0:2\]$/m,
    );
    // An invalid row: no instant, the stored text says why.
    const invalid = renderTerminalReport(
      result({
        findings: [
          finding({
            kind: 'invalid-row',
            actual: [actualLease({ startMs: null, startText: '0000-00-00 00:00:00' })],
          }),
        ],
      }),
    );
    assert.match(
      invalid,
      /row 7: - \.\. 2026-11-28T01:05:00Z .*\[as stored, gluff's zone: 0000-00-00 00:00:00 \.\. /,
    );
  });
});

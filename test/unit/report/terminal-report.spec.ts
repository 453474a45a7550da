import { strict as assert } from 'node:assert';
import type { RigEventEntry } from '../../../src/model/index.js';
import { renderTerminalReport } from '../../../src/report/terminal-report.js';
import { finding, result, T0 } from '../../helpers/fixtures.js';

function rigEvent(i: number, name: string, fields: Record<string, string>): RigEventEntry {
  return { atMs: T0 + i * 1000, host: 'gvrg-sw', name, fields, rawId: 100 + i };
}

describe('renderTerminalReport', () => {
  it('should start with the verdict and counts and show the evidence lines', () => {
    const text = renderTerminalReport(result());
    const lines = text.split('\n');
    assert.equal(lines[0], 'gluff-verify: FAIL (1 findings: 1 end-mismatch); fails by culprit: 1 gluff');
    assert.match(text, /^1\. FAIL end-mismatch 10\.1\.0\.50 52:54:00:12:34:56$/m);
    assert.match(text, /^ {3}actual: {3}row 7: 2026-11-28 02:00:00 \.\. 2026-11-28 02:05:00 /m);
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
    assert.match(text, /^checked: 1 IPs, 2 rebuilt rows \(not compared: no Gluff table\)$/m);
    assert.doesNotMatch(renderTerminalReport(result()), /Gluff: none/);
  });
});

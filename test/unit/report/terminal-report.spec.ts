import { strict as assert } from 'node:assert';
import { renderTerminalReport } from '../../../src/report/terminal-report.js';
import { finding, result } from '../../helpers/fixtures.js';

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
});

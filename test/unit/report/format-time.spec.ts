import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { expandTimeTokens, formatIsoTime } from '../../../src/report/format-time.js';
import { renderJsonReport } from '../../../src/report/json-report.js';
import { renderJunitReport } from '../../../src/report/junit-report.js';
import { renderTerminalReport } from '../../../src/report/terminal-report.js';
import { finding, result } from '../../helpers/fixtures.js';

describe('expandTimeTokens', () => {
  it('should write the instants of a finding message as ISO 8601 UTC', () => {
    // A message as rebuild/ writes it (pure folders never format time).
    const text =
      '10.1.0.50 (52:54:00:12:34:56): the permuter moved the client at {{t:1795754943000}} and no DHCP exchange followed before the row ended at {{t:1795755000500}}, so the row keeps circuit-id 00:04';
    assert.equal(
      expandTimeTokens(text),
      '10.1.0.50 (52:54:00:12:34:56): the permuter moved the client at 2026-11-27T04:49:03Z and no DHCP exchange followed before the row ended at 2026-11-27T04:50:00.500Z, so the row keeps circuit-id 00:04',
    );
  });

  it('should leave text without tokens, and malformed tokens, unchanged', () => {
    assert.equal(expandTimeTokens('row id 7 ends 30 s late'), 'row id 7 ends 30 s late');
    assert.equal(expandTimeTokens('{{t:abc}} {{t:}} {t:12}'), '{{t:abc}} {{t:}} {t:12}');
  });

  it('should expand any instant to formatIsoTime of it (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.string(), (ms, rest) => {
        const clean = rest.replace(/\{/g, '(');
        assert.equal(expandTimeTokens(`${clean}{{t:${ms}}}${clean}`), `${clean}${formatIsoTime(ms)}${clean}`);
      }),
    );
  });

  it('should be applied to messages by the terminal, JSON and JUnit renderers', () => {
    const f = finding({ message: 'row id 7 ends after the expected commit end {{t:1795755000000}}' });
    const r = result({ findings: [f] });
    for (const text of [renderTerminalReport(r), renderJsonReport(r), renderJunitReport(r)]) {
      assert.match(text, /2026-11-27T04:50:00Z/);
      assert.doesNotMatch(text, /\{\{t:/);
    }
  });
});

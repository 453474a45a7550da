import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderJunitReport } from '../../../src/report/junit-report.js';
import { finding, result } from '../../helpers/fixtures.js';

const SCHEMA = new URL('../../../specs/junit.xsd', import.meta.url).pathname;
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;

describe('renderJunitReport against specs/junit.xsd', function () {
  before(function () {
    // CI installs libxml2-utils (.ci/run); a laptop without it skips with this reason.
    if (!hasXmllint && process.env['CI'] === undefined) this.skip();
  });

  it('should validate a report with failures, skipped cases, warnings and memory verdicts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gv-junit-'));
    try {
      const xml = renderJunitReport(
        result({
          findings: [
            finding(),
            finding({ kind: 'missing-lease', severity: 'inconclusive', ip: '10.1.0.51', message: 'seq gap' }),
            finding({ kind: 'port-disagreement', severity: 'warn', message: 'stale <cid> & "quote"\u0001' }),
          ],
          memory: [
            {
              proc: 'dhcpd@dhcp1',
              verdict: 'fail',
              reason: 'leak',
              segments: 1,
              samples: 900,
              slopeBytesPerHour: 1e6,
              slopeLowBytesPerHour: 9e5,
              slopeHighBytesPerHour: 1.1e6,
              growthBytes: 8e6,
              pValue: 1e-9,
            },
          ],
          inconclusiveReasons: ['3 datagrams lost'],
        }),
      );
      const file = join(dir, 'junit.xml');
      writeFileSync(file, xml);
      const r = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

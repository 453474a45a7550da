import { strict as assert } from 'node:assert';
import { renderJunitReport } from '../../../src/report/junit-report.js';
import { finding, result } from '../../helpers/fixtures.js';
import { requireXmllint, xmllintComplaints } from '../../helpers/xmllint.js';

const SCHEMA = new URL('../../../specs/junit.xsd', import.meta.url).pathname;

describe('renderJunitReport against specs/junit.xsd', function () {
  before(function () {
    requireXmllint(this);
  });

  it('should validate a report with failures, skipped cases, warnings and memory verdicts', () => {
    const xml = renderJunitReport(
      result({
        findings: [
          finding(),
          finding({ kind: 'missing-lease', severity: 'inconclusive', ip: '10.1.0.51', message: 'seq gap' }),
          finding({ kind: 'port-disagreement', severity: 'warn', message: 'stale <cid> & "quote"\u0001' }),
          finding({ kind: 'client-silent', culprit: 'rig', ip: null, expected: null, actual: [] }),
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
    assert.equal(xmllintComplaints(xml, SCHEMA), '');
  });
});

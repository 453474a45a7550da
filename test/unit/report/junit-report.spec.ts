import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { renderJunitReport } from '../../../src/report/junit-report.js';
import { finding, result } from '../../helpers/fixtures.js';

/** Attribute value of the first element matching `tag` whose attributes include `where`. */
function attr(xml: string, tag: string, where: string, name: string): string | undefined {
  const m = new RegExp(`<${tag} [^>]*${where}[^>]*>`).exec(xml);
  return m === null ? undefined : new RegExp(`${name}="([^"]*)"`).exec(m[0])?.[1];
}

describe('renderJunitReport', () => {
  it('should make one case per family and IP, with the finding as a failure', () => {
    // Act
    const xml = renderJunitReport(result());
    // Assert
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    assert.equal(attr(xml, 'testsuite', 'name="gluff-verify.timing"', 'tests'), '2');
    assert.equal(attr(xml, 'testsuite', 'name="gluff-verify.timing"', 'failures'), '1');
    assert.equal(attr(xml, 'testsuite', 'name="gluff-verify.presence"', 'failures'), '0');
    assert.match(
      xml,
      /<testcase classname="gluff-verify.timing" name="10.1.0.50" time="0">\n\s+<failure message="end-mismatch: /,
    );
    assert.match(xml, /<testcase classname="gluff-verify.timing" name="10.1.0.51" time="0"><\/testcase>/);
    // The component suite: one case per culprit, the finding's (gluff) failing.
    assert.equal(attr(xml, 'testsuite', 'name="gluff-verify.culprit"', 'tests'), '5');
    assert.equal(attr(xml, 'testsuite', 'name="gluff-verify.culprit"', 'failures'), '1');
    assert.match(
      xml,
      /<testcase classname="gluff-verify.culprit" name="gluff: gluff.c" time="0">\n\s+<failure /,
    );
    assert.match(
      xml,
      /<testcase classname="gluff-verify.culprit" name="queue: Gluff&apos;s dhcpd patch \(hl_ldb.c\)" time="0"><\/testcase>/,
    );
    assert.equal(attr(xml, 'testsuites', 'name="gluff-verify"', 'failures'), '2');
  });

  it('should report an inconclusive-only case as skipped with its reason', () => {
    const f = finding({
      kind: 'missing-lease',
      severity: 'inconclusive',
      message: 'autobridge seq 4 missing',
      culprit: 'channel',
    });
    const xml = renderJunitReport(result({ findings: [f], verdict: 'inconclusive' }));
    assert.match(
      xml,
      /name="10.1.0.50" time="0">\n\s+<skipped message="missing-lease: autobridge seq 4 missing"\/>/,
    );
    assert.equal(attr(xml, 'testsuite', 'name="gluff-verify.presence"', 'skipped'), '1');
  });

  it('should report memory verdicts as one case per process', () => {
    const xml = renderJunitReport(
      result({
        findings: [],
        verdict: 'inconclusive',
        memory: [
          {
            proc: 'dhcpd',
            verdict: 'inconclusive',
            reason: 'only 3 samples after warm-up',
            segments: 1,
            samples: 3,
            slopeBytesPerHour: null,
            slopeLowBytesPerHour: null,
            slopeHighBytesPerHour: null,
            growthBytes: null,
            pValue: null,
          },
          {
            proc: 'gluff',
            verdict: 'pass',
            reason: 'no significant trend',
            segments: 1,
            samples: 200,
            slopeBytesPerHour: 10,
            slopeLowBytesPerHour: -5,
            slopeHighBytesPerHour: 20,
            growthBytes: 100,
            pValue: 0.5,
          },
        ],
      }),
    );
    assert.match(
      xml,
      /classname="gluff-verify.memory" name="dhcpd" time="0">\n\s+<skipped message="only 3 samples after warm-up"\/>/,
    );
    assert.match(xml, /classname="gluff-verify.memory" name="gluff" time="0"><\/testcase>/);
  });

  it('should produce well-formed XML for any hostile evidence text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const xml = renderJunitReport(
          result({
            gluff: { kind: 'mysql', description: 'mysql://gluffro@db1:3306/dhcpd_leases', zone: text },
            findings: [
              finding({
                message: text,
                evidenceLines: [{ rawId: 1, text }],
                actual: [{ ...finding().actual[0]!, startText: text, cidText: text, cidHex: text }],
              }),
            ],
          }),
        );
        // No character XML 1.0 forbids, and no raw markup from the text.
        assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
        const body = xml.slice(xml.indexOf('<failure'), xml.indexOf('</failure>'));
        assert.equal(body.indexOf('<', 1), -1);
      }),
    );
  });

  it('should report a silent client in the rig suite, one case per MAC, blaming the rig', () => {
    const silent = finding({
      kind: 'client-silent',
      culprit: 'rig',
      ip: null,
      hw: '52:54:00:12:34:02',
      expected: null,
      actual: [],
      evidenceLines: [],
      message: 'rig client 52:54:00:12:34:02 (segment eth5) got no DHCPACK',
    });
    const xml = renderJunitReport(result({ findings: [silent] }));
    assert.equal(attr(xml, 'testsuite', 'name="gluff-verify.rig"', 'tests'), '1');
    assert.equal(attr(xml, 'testsuite', 'name="gluff-verify.rig"', 'failures'), '1');
    assert.match(
      xml,
      /<testcase classname="gluff-verify.rig" name="52:54:00:12:34:02" time="0">\n\s+<failure message="client-silent: rig client/,
    );
    assert.match(xml, /name="rig: the test rig" time="0">\n\s+<failure /);
  });

  it('should give no passing lease-row case per IP when there was no Gluff table to compare', () => {
    const xml = renderJunitReport(
      result({ gluff: { kind: 'none', description: 'none' }, findings: [], verdict: 'pass' }),
    );
    for (const family of ['presence', 'identity', 'timing', 'integrity'])
      assert.doesNotMatch(xml, new RegExp(`gluff-verify\\.${family}`));
    // The rebuild's own port check still ran, per IP.
    assert.equal(attr(xml, 'testsuite', 'name="gluff-verify.port"', 'tests'), '2');
  });

  it("should give the Gluff row in UTC like the expected one, and Gluff's stored text marked with its zone", () => {
    const xml = renderJunitReport(
      result({
        gluff: {
          kind: 'mysql',
          description: 'mysql://gluffro@db1:3306/dhcpd_leases',
          zone: 'Europe/Stockholm',
        },
      }),
    );
    assert.match(
      xml,
      /expected start=2026-11-28T01:00:00Z end=2026-11-28T01:10:00Z \(commit end\) hw=52:54:00:12:34:56 cid=00:04:00:01:00:02\n/,
    );
    assert.match(
      xml,
      /actual row id=7 start=2026-11-28T01:00:00Z end=2026-11-28T01:05:00Z hw=52:54:00:12:34:56 cid=00:04:00:01:00:02 \[as stored, Europe\/Stockholm: start=2026-11-28 02:00:00 end=2026-11-28 02:05:00 cid=0:4:0:1:0:2\]/,
    );
    assert.match(xml, /message="1 fail finding blames gluff.c"/);
  });
});

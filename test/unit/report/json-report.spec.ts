import { strict as assert } from 'node:assert';
import { renderJsonReport } from '../../../src/report/json-report.js';
import { finding, result, T0 } from '../../helpers/fixtures.js';

describe('renderJsonReport', () => {
  it('should carry the documented top-level fields with ISO times', () => {
    const doc = JSON.parse(renderJsonReport(result()));
    assert.equal(doc.schemaVersion, 2);
    assert.deepEqual(doc.failsByCulprit, { gluff: 1 });
    assert.equal(doc.verdict, 'fail');
    assert.deepEqual(doc.window, { from: null, to: null, asOf: '2026-11-28T02:00:00Z' });
    assert.deepEqual(doc.counts, { 'end-mismatch': 1 });
  });

  it('should give each finding kind, ip, hw, expected, actual and evidence', () => {
    const [f] = JSON.parse(renderJsonReport(result())).findings;
    assert.equal(f.kind, 'end-mismatch');
    assert.equal(f.ip, '10.1.0.50');
    assert.equal(f.hw, '52:54:00:12:34:56');
    assert.equal(f.expected.start, '2026-11-28T01:00:00Z');
    assert.equal(f.expected.end, '2026-11-28T01:10:00Z');
    assert.equal(f.actual[0].id, 7);
    assert.equal(f.actual[0].cidText, '0:4:0:1:0:2');
    assert.equal(f.evidence.length, 2);
    assert.match(f.evidence[1].line, /DHCPACK on 10\.1\.0\.50/);
  });

  it('should carry the attribution: link, component, rule, how, explanation and witness lines', () => {
    const f = finding({
      culprit: 'queue',
      attribution: {
        rule: 'queue.insert-collision',
        how: 'witnessed',
        witness: [9],
        witnessLines: [{ rawId: 9, text: 'dhcpd[1]: Line 115: sqlite3 error: SQL logic error' }],
        explanation: 'lost at {{t:1795827600000}}',
      },
    });
    const doc = JSON.parse(renderJsonReport(result({ findings: [f] })));
    assert.deepEqual(doc.failsByCulprit, { queue: 1 });
    assert.deepEqual(doc.findings[0].attribution, {
      link: 'queue',
      component: "Gluff's dhcpd patch (hl_ldb.c)",
      rule: 'queue.insert-collision',
      how: 'witnessed',
      explanation: 'lost at 2026-11-28T01:00:00Z',
      witness: [{ rawId: 9, line: 'dhcpd[1]: Line 115: sqlite3 error: SQL logic error' }],
    });
    assert.equal(JSON.parse(renderJsonReport(result())).findings[0].attribution, null);
  });

  it('should keep sub-second instants and nulls exact', () => {
    const f = finding({ expected: null, actual: [] });
    const doc = JSON.parse(
      renderJsonReport(result({ findings: [f], window: { fromMs: T0 + 1, toMs: null, asOfMs: T0 } })),
    );
    assert.equal(doc.window.from, '2026-11-28T01:00:00.001Z');
    assert.equal(doc.findings[0].expected, null);
  });
});

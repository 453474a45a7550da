import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { requireXmllint, xmllintComplaints } from '../../helpers/xmllint.js';
import type { LeakVerdict, Severity } from '../../../src/model/lease.js';
import {
  failStreaks,
  renderHistoryHtml,
  renderHistoryText,
  summarizeReport,
  type RunSummary,
} from '../../../src/report/history-report.js';
import { renderJsonReport } from '../../../src/report/json-report.js';
import { finding, result, T0 } from '../../helpers/fixtures.js';

const LEAK: LeakVerdict = {
  proc: 'gluff@dhcp1',
  verdict: 'fail',
  reason: 'grows',
  segments: 1,
  samples: 288,
  slopeBytesPerHour: 1e6,
  slopeLowBytesPerHour: 9e5,
  slopeHighBytesPerHour: 1.1e6,
  growthBytes: 2e7,
  pValue: 1e-9,
};

/** A run summary failing `kinds` (one finding each), passing when empty. */
function run(name: string, kinds: string[]): RunSummary {
  return summarizeReport(
    name,
    renderJsonReport(
      result({
        verdict: kinds.length > 0 ? 'fail' : 'pass',
        findings: kinds.map((k) => finding({ kind: k as never })),
      }),
    ),
  );
}

describe('summarizeReport', () => {
  it('should read verdict, failing kinds, leaks, inconclusive findings and drops from a real report.json', () => {
    const json = renderJsonReport(
      result({
        findings: [
          finding(),
          finding(),
          finding({ kind: 'wrong-port' }),
          finding({ kind: 'port-disagreement', severity: 'warn' }),
          finding({ kind: 'channel-gap', severity: 'inconclusive' }),
        ],
        memory: [LEAK, { ...LEAK, proc: 'dhcpd@dhcp1', verdict: 'pass' }],
        channel: { events: 10, rejections: 0, kernelDrops: 3, appDrops: 4, untrusted: 0 },
      }),
    );
    assert.deepEqual(summarizeReport('20261128T024500Z', json), {
      run: '20261128T024500Z',
      verdict: 'fail',
      problem: null,
      asOfMs: T0 + 3_600_000,
      failKinds: { 'end-mismatch': 2, 'wrong-port': 1 },
      fails: 3,
      inconclusive: 1,
      warnings: 1,
      leaks: ['gluff@dhcp1'],
      drops: 7,
    });
  });

  it('should list a report it cannot use with the reason instead of failing', () => {
    const cases: [string, RegExp][] = [
      ['{"schemaVersion": 1, "verdict": "pa', /not JSON/],
      ['[1, 2]', /not a JSON object/],
      ['{"schemaVersion": 3, "verdict": "pass", "findings": []}', /schemaVersion 3; expected 1 or 2/],
      ['{"schemaVersion": 1, "verdict": "maybe", "findings": []}', /verdict "maybe"/],
      ['{"schemaVersion": 1, "verdict": "pass"}', /no findings array/],
    ];
    for (const [text, why] of cases) {
      const s = summarizeReport('r', text);
      assert.equal(s.verdict, null, text);
      assert.match(s.problem ?? '', why);
    }
  });

  it('should never throw, whatever the file holds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const s = summarizeReport('r', text);
        assert.equal(s.verdict === null, s.problem !== null);
      }),
    );
  });

  it('should count every severity of any report renderJsonReport writes', () => {
    const severity = fc.constantFrom<Severity>('fail', 'warn', 'inconclusive');
    fc.assert(
      fc.property(fc.array(severity, { maxLength: 30 }), (severities) => {
        const findings = severities.map((s) => finding({ severity: s }));
        const s = summarizeReport('r', renderJsonReport(result({ findings })));
        const n = (x: Severity): number => severities.filter((v) => v === x).length;
        assert.deepEqual([s.fails, s.warnings, s.inconclusive], [n('fail'), n('warn'), n('inconclusive')]);
      }),
    );
  });
});

describe('failStreaks', () => {
  it('should count the runs in a row, newest backwards, each of the newest run failures has failed', () => {
    const runs = [
      run('n3', ['wrong-port', 'end-mismatch']),
      run('n2', ['wrong-port']),
      run('n1', ['wrong-port', 'end-mismatch']),
      run('n0', []),
    ];
    assert.deepEqual(failStreaks(runs), { 'wrong-port': 3, 'end-mismatch': 1 });
    assert.deepEqual(failStreaks([run('p', [])]), {});
    assert.deepEqual(failStreaks([]), {});
  });
});

describe('renderHistoryText', () => {
  it('should print one line per run, newest first, then how long each failure has lasted', () => {
    const text = renderHistoryText([
      run('20261128T024500Z', ['wrong-port']),
      run('20261127T024500Z', ['wrong-port']),
      run('20261126T024500Z', []),
      summarizeReport('20261125T024500Z', 'not json'),
    ]);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], '20261128T024500Z  FAIL          1 wrong-port');
    assert.equal(lines[2], '20261126T024500Z  PASS');
    assert.match(lines[3] ?? '', /^20261125T024500Z {2}UNREADABLE {4}report\.json is not JSON/);
    assert.equal(lines[4], 'wrong-port: failing in the last 2 runs');
  });

  it('should say when there is nothing yet, and how many older runs it left out', () => {
    assert.equal(renderHistoryText([]), 'history: no runs yet\n');
    const runs = Array.from({ length: 12 }, (_, i) => run(`r${i}`, []));
    assert.match(renderHistoryText(runs, 10), /\n\.\.\. 2 older runs\n$/);
    assert.match(renderHistoryText(runs, 11), /\n\.\.\. 1 older run\n$/);
    assert.match(renderHistoryHtml(runs.slice(0, 1)), /<h1>gluff-verify: 1 run<\/h1>/);
  });
});

describe('renderHistoryHtml', () => {
  it('should link each run to its report and keep any problem text as text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const html = renderHistoryHtml([run('20261128T024500Z', ['wrong-port']), summarizeReport('x', text)]);
        assert.equal((html.match(/<tr/g) ?? []).length, 3);
        assert.equal((html.match(/<a /g) ?? []).length, 2);
        assert.match(html, /<a href="20261128T024500Z\/report\.html">20261128T024500Z<\/a>/);
        assert.doesNotMatch(html, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
      }),
    );
  });

  it('should be well-formed XML (xmllint)', function () {
    requireXmllint(this);
    const html = renderHistoryHtml([
      run('b', ['wrong-port']),
      run('a', ['wrong-port']),
      summarizeReport('c', '<&>'),
    ]);
    assert.equal(xmllintComplaints(html), '');
  });
});

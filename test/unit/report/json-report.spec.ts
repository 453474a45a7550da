import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINDING_KINDS } from '../../../src/model/index.js';
import { renderJsonReport } from '../../../src/report/json-report.js';
import { finding, result, T0 } from '../../helpers/fixtures.js';

const SCHEMA = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', '..', 'specs', 'report.schema.json'), 'utf8'),
) as {
  required: string[];
  properties: Record<string, { items?: { required: string[]; properties: Record<string, unknown> } }>;
  $defs: { kind: { enum: string[] } };
};

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

  it('should name the Gluff source, and say none for a run without a Gluff table', () => {
    assert.equal(JSON.parse(renderJsonReport(result())).gluff, 'mysql://gluffro@db1:3306/dhcpd_leases');
    const none = JSON.parse(renderJsonReport(result({ gluff: { kind: 'none', description: 'none' } })));
    assert.equal(none.gluff, 'none');
    assert.equal(none.gluffZone, undefined);
  });

  it("should name the zone Gluff's stored text is in, so a reader can match actual startText to start", () => {
    const doc = JSON.parse(
      renderJsonReport(
        result({
          gluff: {
            kind: 'mysql',
            description: 'mysql://gluffro@db1:3306/dhcpd_leases',
            zone: 'Europe/Stockholm',
          },
        }),
      ),
    );
    assert.equal(doc.gluffZone, 'Europe/Stockholm');
  });

  it('should carry the rig events with ISO times, their fields as an object', () => {
    const doc = JSON.parse(
      renderJsonReport(
        result({
          rigEvents: [
            {
              atMs: T0 + 1500,
              host: 'gvrg-sw',
              name: 'partner-down',
              fields: { server: 'gvrg-dhcp2', phase: 'begin' },
              rawId: 42,
            },
          ],
        }),
      ),
    );
    assert.deepEqual(doc.rigEvents, [
      {
        at: '2026-11-28T01:00:01.500Z',
        host: 'gvrg-sw',
        name: 'partner-down',
        fields: { server: 'gvrg-dhcp2', phase: 'begin' },
        rawId: 42,
      },
    ]);
    assert.deepEqual(JSON.parse(renderJsonReport(result())).rigEvents, []);
  });

  it("should give each memory verdict's numbers, not the samples its HTML chart draws", () => {
    const verdict = {
      proc: 'gluff@dhcp1',
      verdict: 'pass' as const,
      reason: 'flat',
      segments: 1,
      samples: 2,
      slopeBytesPerHour: 0,
      slopeLowBytesPerHour: -1,
      slopeHighBytesPerHour: 1,
      growthBytes: 0,
      pValue: 0.5,
    };
    const chart = {
      metric: 'rssBytes' as const,
      segments: [],
      goneMs: [],
      warmupSec: 600,
      maxSlopeBytesPerHour: 1,
      maxGrowthBytes: 1,
    };
    const [m] = JSON.parse(renderJsonReport(result({ memory: [{ ...verdict, chart }] }))).memory;
    assert.deepEqual(m, verdict);
    const item = SCHEMA.properties['memory']!.items!;
    assert.deepEqual(Object.keys(m).sort(), [...item.required].sort());
  });

  it('should write only what specs/report.schema.json allows, every required field, every finding kind', () => {
    const doc = JSON.parse(
      renderJsonReport(
        result({
          rigEvents: [{ atMs: T0, host: 'h', name: 'rig-end', fields: {}, rawId: 1 }],
        }),
      ),
    ) as Record<string, unknown>;
    // The schema is closed (additionalProperties false): a new field must be listed there.
    assert.deepEqual(
      Object.keys(doc).filter((k) => !(k in SCHEMA.properties)),
      [],
    );
    assert.deepEqual(
      SCHEMA.required.filter((k) => !(k in doc)),
      [],
    );
    const item = SCHEMA.properties['rigEvents']!.items!;
    assert.deepEqual(Object.keys((doc['rigEvents'] as object[])[0]!).sort(), [...item.required].sort());
    assert.deepEqual(Object.keys(item.properties).sort(), [...item.required].sort());
    assert.deepEqual([...SCHEMA.$defs.kind.enum].sort(), [...FINDING_KINDS].sort());
  });
});

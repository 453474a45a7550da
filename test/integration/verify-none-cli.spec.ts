/**
 * `verify --gluff none` through the real CLI: a store ingested from syslog text of a stock dhcpd run (no
 * Gluff), with the rig driver's `gv-rig` lines, judged by the rig and channel self-check alone.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/spawn-cli.js';

/** Two clients behind two relay ports; `extraMac` adds a third client the rig never brought up. */
function specYaml(extraMac?: string): string {
  return `name: stock-dhcpd
servers:
  - { host: gvrg-dhcp1, role: primary, zone: UTC }
  - { host: gvrg-dhcp2, role: secondary, zone: UTC }
lease: { defaultSec: 120, minSec: 60, maxSec: 600, mcltSec: 300 }
switch:
  name: relay
  ports:
    - { name: gvrgrp1, switchIf: eth0, circuitId: gvrgrp1 }
    - { name: gvrgrp2, switchIf: eth1, circuitId: gvrgrp2 }
permuterHost: gvrg-perm
clientSegments:
  - { iface: eth3, macs: ['00:0c:29:00:00:01'] }
  - { iface: eth4, macs: ['00:0c:29:00:00:02'${extraMac === undefined ? '' : `, '${extraMac}'`}] }
tolerances: { startSkewSec: 2, endSkewSec: 2, approxEndSkewSec: 60, settleSec: 30, gluffZone: UTC }
portDisagreement: { dhcpd-stale-options: warn, switch-not-stamping: fail, moved-without-dhcp: warn }
memory: { warmupSec: 60, minSamples: 10, minDurationSec: 600, maxSlopeBytesPerHour: 1MiB, maxGrowthBytes: 16MiB }
`;
}

const LEASES = [
  'Nov 28 01:00:00 gvrg-perm autobridge[77]: map seq=1 bridge01=eth0+eth3 bridge02=eth1+eth4',
  'Nov 28 01:00:10 gvrg-dhcp1 dhcpd[812]: gv-commit ip=10.77.10.11 hw=0:c:29:0:0:1 lease=120 giaddr=10.77.1.1 cid=67:76:72:67:72:70:31 rid=',
  'Nov 28 01:00:10 gvrg-dhcp1 dhcpd[812]: DHCPACK on 10.77.10.11 to 00:0c:29:00:00:01 (c1) via 10.77.1.1',
  'Nov 28 01:00:12 gvrg-dhcp2 dhcpd[813]: gv-commit ip=10.77.10.12 hw=0:c:29:0:0:2 lease=120 giaddr=10.77.2.1 cid=67:76:72:67:72:70:32 rid=',
  'Nov 28 01:00:12 gvrg-dhcp2 dhcpd[813]: DHCPACK on 10.77.10.12 to 00:0c:29:00:00:02 (c2) via 10.77.2.1',
];

const RIG = [
  'Nov 28 01:00:05 gvrg-sw gv-rig: event=rig-start minutes=8 clients=2',
  'Nov 28 01:01:00 gvrg-sw gv-rig: event=dhcpd-restart server=gvrg-dhcp1 phase=stop',
  'Nov 28 01:01:05 gvrg-sw gv-rig: event=dhcpd-restart server=gvrg-dhcp1 phase=start',
  // Malformed: kept as an unknown gv-rig line with its reason; no verdict changes.
  'Nov 28 01:01:10 gvrg-sw gv-rig: event=Client-Release client=c2',
  'Nov 28 01:02:00 gvrg-c2 gv-rig: event=client-release client=c2',
  'Nov 28 01:05:00 gvrg-sw gv-rig: event=rig-end',
  // After as-of: not in the report.
  'Nov 28 01:20:00 gvrg-sw gv-rig: event=late',
];

const AS_OF = '2026-11-28T01:10:00Z';

interface Report {
  verdict: string;
  gluff: string;
  findings: { kind: string; severity: string; culprit: string; ip: string | null; hw: string | null }[];
  rigEvents: { at: string; host: string; name: string; fields: Record<string, string>; rawId: number }[];
}

describe('gluff-verify verify --gluff none (CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  let withRig: string;
  let withoutRig: string;
  let spec: string;
  let specExtra: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gv-verify-none-'));
    spec = join(dir, 'rig.yaml');
    writeFileSync(spec, specYaml());
    specExtra = join(dir, 'rig-extra.yaml');
    writeFileSync(specExtra, specYaml('00:0c:29:00:00:09'));
    const rigLog = join(dir, 'with-rig.log');
    writeFileSync(rigLog, `${[...LEASES, ...RIG].join('\n')}\n`);
    const plainLog = join(dir, 'without-rig.log');
    writeFileSync(plainLog, `${LEASES.join('\n')}\n`);
    withRig = join(dir, 'with-rig.db');
    withoutRig = join(dir, 'without-rig.db');
    for (const [log, store] of [
      [rigLog, withRig],
      [plainLog, withoutRig],
    ] as const) {
      const r = await runCli(['ingest', log, '--store', store, '--spec', spec, '--year-ref', AS_OF]);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function verify(store: string, specPath: string, name: string) {
    const json = join(dir, `${name}.json`);
    const html = join(dir, `${name}.html`);
    const junit = join(dir, `${name}.xml`);
    const r = await runCli([
      'verify',
      '--store',
      store,
      '--spec',
      specPath,
      '--gluff',
      'none',
      '--as-of',
      AS_OF,
      '--json',
      json,
      '--html',
      html,
      '--junit',
      junit,
    ]);
    return {
      ...r,
      report: JSON.parse(readFileSync(json, 'utf8')) as Report,
      html: readFileSync(html, 'utf8'),
      junit: readFileSync(junit, 'utf8'),
    };
  }

  it('should pass when every client of the spec got a lease, saying there was no Gluff table', async () => {
    const v = await verify(withRig, spec, 'pass');
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /^gluff-verify: PASS$/m);
    assert.match(
      v.stdout,
      /^Gluff: none — stock dhcpd run: lease rows not compared; rig and channel self-check$/m,
    );
    assert.match(v.stdout, /^checked: 2 IPs, 2 rebuilt rows \(not compared: no Gluff table\)$/m);
    assert.equal(v.report.verdict, 'pass');
    assert.equal(v.report.gluff, 'none');
    assert.deepEqual(v.report.findings, []);
    assert.match(v.html, /Gluff: none — stock dhcpd run: lease rows not compared/);
    assert.doesNotMatch(v.junit, /gluff-verify\.presence/);
  });

  it('should list the rig events up to as-of in every report, the malformed one left out', async () => {
    const v = await verify(withRig, spec, 'rig');
    assert.deepEqual(
      v.report.rigEvents.map((e) => [e.at, e.host, e.name, e.fields]),
      [
        ['2026-11-28T01:00:05Z', 'gvrg-sw', 'rig-start', { minutes: '8', clients: '2' }],
        ['2026-11-28T01:01:00Z', 'gvrg-sw', 'dhcpd-restart', { server: 'gvrg-dhcp1', phase: 'stop' }],
        ['2026-11-28T01:01:05Z', 'gvrg-sw', 'dhcpd-restart', { server: 'gvrg-dhcp1', phase: 'start' }],
        ['2026-11-28T01:02:00Z', 'gvrg-c2', 'client-release', { client: 'c2' }],
        ['2026-11-28T01:05:00Z', 'gvrg-sw', 'rig-end', {}],
      ],
    );
    assert.match(
      v.stdout,
      /^rig events: 5 \(1 client-release, 2 dhcpd-restart, 1 rig-end, 1 rig-start\)\n {2}2026-11-28T01:00:05Z gvrg-sw rig-start minutes=8 clients=2$/m,
    );
    assert.match(v.html, /<h2>Rig events \(5\)<\/h2>/);
    // The rig's lines change nothing: the same verdict and findings without them.
    const bare = await verify(withoutRig, spec, 'bare');
    assert.equal(bare.code, v.code);
    assert.deepEqual(bare.report.findings, v.report.findings);
    assert.deepEqual(bare.report.rigEvents, []);
    assert.doesNotMatch(bare.stdout, /rig events/);
  });

  it('should fail a client of the spec that never got a lease (client-silent, culprit rig), exit 1', async () => {
    const v = await verify(withRig, specExtra, 'silent');
    assert.equal(v.code, 1, v.stdout + v.stderr);
    assert.equal(v.report.verdict, 'fail');
    assert.deepEqual(
      v.report.findings.map((f) => [f.kind, f.severity, f.culprit, f.ip, f.hw]),
      [['client-silent', 'fail', 'rig', null, '00:0c:29:00:00:09']],
    );
    assert.match(v.stdout, /client-silent/);
    assert.match(v.junit, /<testcase classname="gluff-verify.rig" name="00:0c:29:00:00:09"/);
  });

  it('should show the rig events through events --kind and stats, the malformed one as unknown', async () => {
    const events = await runCli(['events', '--store', withRig, '--kind', 'rig-event,unknown', '--json']);
    assert.equal(events.code, 0, events.stderr);
    const lines = events.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.filter((e) => e['kind'] === 'rig-event').length, 6);
    const unknown = lines.filter((e) => e['kind'] === 'unknown');
    assert.deepEqual(
      unknown.map((e) => [e['app'], e['text'], e['reason']]),
      [['gv-rig', 'event=Client-Release client=c2', 'the event name is not [a-z0-9-]+']],
    );
    const stats = await runCli(['stats', '--store', withRig, '--json']);
    const byKind = (JSON.parse(stats.stdout) as { byKind: Record<string, number>; rejected: number }).byKind;
    assert.equal(byKind['rig-event'], 6);
    assert.equal(byKind['unknown'], 1);
  });
});

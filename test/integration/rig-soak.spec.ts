/**
 * `make rig-soak` (scripts/rig-soak.sh): the seed's rig on one box in network namespaces, our collector and
 * sampler inside it, verify at the end.
 *
 * - The prerequisite check runs everywhere in about a second.
 * - A short rig with Debian's stock dhcpd and no Gluff (`STOCK=1`, 150 s, three clients, a dhcpd restart and
 *   a release right after one) runs where the machine allows it: root, `ip netns`, /usr/sbin/dhcpd, dhcrelay,
 *   dhclient and rsyslogd (CI installs them). It checks the rig and the collector themselves: the verdict
 *   pass, every client leased, the faults' rig events in the report, nothing left behind.
 * - The real Gluff run takes MINUTES plus about a minute and needs the binaries specs/build-gluff-rig.sh
 *   installs in /opt/gluff-rig (CI has no Gluff build): only with GV_RIG_SOAK=1.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '../../src/sources/sqlite/event-store.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DHCPD = '/opt/gluff-rig/bin/dhcpd';
const GLUFF = '/opt/gluff-rig/bin/gluff';

const STOCK_TOOLS = ['/usr/sbin/dhcpd', 'dhcrelay', 'dhclient', 'rsyslogd', 'logger', 'unshare'];

function onPath(tool: string): boolean {
  return tool.startsWith('/') ? existsSync(tool) : spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

function canMakeNamespaces(): boolean {
  return process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;
}

describe('make rig-soak (scripts/rig-soak.sh)', function () {
  this.timeout(20_000);

  it('should name every missing prerequisite and exit 3 before creating anything', () => {
    // Arrange
    const reports = join(ROOT, 'reports');
    const before = existsSync(reports) ? readdirSync(reports).length : 0;
    // Act
    const r = spawnSync('bash', ['scripts/rig-soak.sh'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        DHCPD: '/nonexistent/dhcpd',
        GLUFF: '/nonexistent/gluff',
        MINUTES: '1',
        CLIENTS: '41',
        TOPOLOGY: 'ring',
        FAULTS: 'gluff-stop,meteor',
        MYSQL_SOCK: '/nonexistent/mysqld.sock',
      },
    });
    // Assert
    assert.equal(r.status, 3, `${r.stdout}\n${r.stderr}`);
    for (const item of [
      'DHCPD=/nonexistent/dhcpd: no such executable',
      'GLUFF=/nonexistent/gluff: no such executable',
      'MariaDB: no socket at /nonexistent/mysqld.sock',
      'MINUTES=1: a run time of 90 s .. 24 h',
      'CLIENTS=41: 1..40',
      'TOPOLOGY=ring: one-subnet or subnet-per-port',
      "FAULTS: unknown fault 'meteor'",
    ])
      assert.ok(r.stderr.includes(item), `missing "${item}" in:\n${r.stderr}`);
    if (process.getuid?.() !== 0) assert.match(r.stderr, /root: run as root/);
    assert.equal(existsSync(reports) ? readdirSync(reports).length : 0, before);
  });

  it('should refuse namespaces a killed run left, and rig-down should remove them (root)', function () {
    if (!canMakeNamespaces()) {
      console.log('      skipped: needs root and ip netns');
      this.skip();
    }
    // Arrange: what a run killed with -9 leaves: a namespace of its prefix and no live run.
    spawnSync('ip', ['netns', 'add', 'gvrgz-sw']);
    try {
      // Act
      const refused = spawnSync('bash', ['scripts/rig-soak.sh'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, STOCK: '1', RIG_ID: 'z', SECONDS_RUN: '90' },
      });
      const down = spawnSync('bash', ['scripts/rig-soak.sh', '--down'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, RIG_ID: 'z' },
      });
      // Assert
      assert.equal(refused.status, 3, refused.stderr);
      assert.match(refused.stderr, /namespaces left by a killed run: gvrgz-sw .*make rig-down RIG_ID=z/);
      assert.equal(down.status, 0, down.stderr);
      assert.match(down.stdout, /1 namespace\(s\) removed/);
      assert.doesNotMatch(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout, /^gvrgz-/m);
    } finally {
      spawnSync('ip', ['netns', 'del', 'gvrgz-sw']);
    }
  });

  it('should run a short rig with the stock dhcpd and no Gluff, and pass its own checks', function () {
    const why = !canMakeNamespaces()
      ? 'needs root and ip netns (network namespaces)'
      : (STOCK_TOOLS.find((t) => !onPath(t)) ?? '');
    if (why !== '') {
      console.log(
        `      skipped: ${why.startsWith('needs') ? why : `no ${why} (apt-get install isc-dhcp-server isc-dhcp-relay isc-dhcp-client rsyslog)`}`,
      );
      this.skip();
    }
    this.timeout(6 * 60_000);
    // Arrange
    const reports = mkdtempSync(join(tmpdir(), 'gv-rig-stock-'));
    try {
      // Act
      const r = spawnSync('bash', ['scripts/rig-soak.sh'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          STOCK: '1',
          RIG_ID: 'ci',
          SECONDS_RUN: '150',
          CLIENTS: '3',
          RESHUFFLE: '30',
          CHURN: '0',
          FAULTS: 'dhcpd-restart,release-after-restart',
          SEED: '7',
          REPORTS: reports,
          NO_COLOR: '1',
        },
      });
      // Assert: the verdict is pass and is the exit code.
      const runs = readdirSync(reports).filter((d) => d.startsWith('rig-'));
      assert.equal(runs.length, 1, `${r.stdout}\n${r.stderr}`);
      const dir = join(reports, runs[0] as string);
      assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout.slice(-4000)}\n${r.stderr}`);
      for (const f of ['report.json', 'junit.xml', 'report.html', 'terminal.txt', 'events.db', 'rig.yaml'])
        assert.ok(existsSync(join(dir, f)), `${f} missing in ${dir}`);
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
      assert.equal(report.verdict, 'pass');
      assert.match(String(report.gluff), /none/);
      assert.deepEqual(
        report.findings.filter((f: { severity: string }) => f.severity === 'fail'),
        [],
      );
      // The faults happened and are in the report as rig events.
      const names = report.rigEvents.map((e: { name: string }) => e.name);
      for (const n of ['rig-start', 'dhcpd-restart', 'release-after-restart', 'clients-stop', 'rig-end'])
        assert.ok(names.includes(n), `rig event ${n} missing: ${names.join(', ')}`);
      // The collector kept both servers' ACKs, the permuter's maps and the real dhcpd's memory samples.
      const store = EventStore.open(join(dir, 'events.db'), { readonly: true });
      try {
        const { byKind, rejected, untrusted } = store.stats();
        assert.deepEqual([rejected, untrusted], [0, 0]);
        assert.ok((byKind.dhcpack ?? 0) >= 3, `dhcpack ${byKind.dhcpack}`);
        assert.ok((byKind['port-map'] ?? 0) >= 2, `port-map ${byKind['port-map']}`);
        assert.ok((byKind.dhcprelease ?? 0) >= 1, `dhcprelease ${byKind.dhcprelease}`);
        const samplesBy = new Map<string, number>();
        for (const e of store.queryEvents({ kinds: ['memsample'] }))
          samplesBy.set(e.host, (samplesBy.get(e.host) ?? 0) + 1);
        for (const h of ['gvrg-dhcp1', 'gvrg-dhcp2'])
          assert.ok((samplesBy.get(h) ?? 0) >= 5, `memsample from ${h}: ${samplesBy.get(h)}`);
      } finally {
        store.close();
      }
      const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
      assert.doesNotMatch(left, /^gvrgci-/m, 'namespaces left behind');
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  });

  it('should run the real rig for 5 minutes and exit with the verdict (GV_RIG_SOAK=1, root, /opt/gluff-rig)', function () {
    const why =
      process.env.GV_RIG_SOAK !== '1'
        ? 'set GV_RIG_SOAK=1 to run it (about 6.5 minutes)'
        : process.getuid?.() !== 0
          ? 'needs root (network namespaces)'
          : !existsSync(DHCPD) || !existsSync(GLUFF)
            ? `no ${DHCPD} / ${GLUFF}: build them with specs/build-gluff-rig.sh`
            : '';
    if (why !== '') {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    this.timeout(15 * 60_000);
    // Arrange
    const reports = join(ROOT, 'reports');
    const before = new Set(existsSync(reports) ? readdirSync(reports) : []);
    // Act
    const r = spawnSync('bash', ['scripts/rig-soak.sh'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        DHCPD,
        GLUFF,
        MINUTES: '5',
        FAULTS: 'gluff-stop,release-after-restart',
        NO_COLOR: '1',
      },
    });
    const dirs = readdirSync(reports).filter((d) => !before.has(d) && d.startsWith('rig-'));
    const db = /database (gvrg[a-z0-9]*_soak_\w+)/.exec(r.stdout)?.[1];
    const prefix = /namespaces (gvrg[a-z0-9]*-)\*/.exec(r.stdout)?.[1] ?? 'gvrg-';
    if (db !== undefined)
      spawnSync('mysql', [
        '--socket=/run/mysqld/mysqld.sock',
        '-uroot',
        '-e',
        `DROP DATABASE IF EXISTS \`${db}\``,
      ]);
    // Assert: a verdict (pass, fail or inconclusive: Gluff 1.12's own defects may fail it), all reports.
    assert.ok([0, 1, 2].includes(r.status ?? -1), `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    assert.equal(dirs.length, 1, dirs.join(', '));
    const dir = join(reports, dirs[0] as string);
    for (const f of ['report.json', 'junit.xml', 'report.html', 'terminal.txt', 'events.db'])
      assert.ok(existsSync(join(dir, f)), `${f} missing in ${dir}`);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.equal({ pass: 0, fail: 1, inconclusive: 2 }[report.verdict as string], r.status);
    // Every fail names the link that lost its fact; the faults are in the report beside the findings.
    for (const f of report.findings.filter((x: { severity: string }) => x.severity === 'fail'))
      assert.ok(f.attribution !== null && f.attribution !== undefined, JSON.stringify(f).slice(0, 400));
    const names = report.rigEvents.map((e: { name: string }) => e.name);
    for (const n of ['gluff-stop', 'gluff-start', 'dhcpd-restart', 'release-after-restart'])
      assert.ok(names.includes(n), `rig event ${n} missing: ${names.join(', ')}`);
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.ok(!left.split('\n').some((l) => l.startsWith(prefix)), `namespaces ${prefix}* left behind`);
    rmSync(dir, { recursive: true, force: true });
  });
});

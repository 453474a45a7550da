/**
 * `gluff-verify snapshot` against the real local MariaDB, and `--gluff sqlite:FILE` reading it back.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { readAllGluffLeases, resolveGluffSource } from '../../src/cli/gluff-source.js';
import { main } from '../../src/cli/main.js';
import { AuditError } from '../../src/model/errors.js';
import { GLUFF_SNAPSHOT_FORMAT_VERSION, openGluffSnapshot } from '../../src/sources/sqlite/gluff-snapshot.js';
import {
  checksumGluffTables,
  createGluffDatabase,
  rootConnection,
  type GluffFixture,
} from '../helpers/gluff-mysql-fixture.js';
import { captureIo } from '../helpers/capture-io.js';

const ZONE = 'Europe/Stockholm';
const TAKEN_AT = Date.UTC(2026, 10, 28, 3, 0, 0);

async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/run.ts', ...args],
      {
        env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('snapshot command', function () {
  this.timeout(60_000);
  let fx: GluffFixture;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gv-snap-'));
    fx = await createGluffDatabase('gv_test_mysql_snap');
    const root = await rootConnection();
    try {
      await root.query(`USE ${fx.database}`);
      await root.query("INSERT INTO ips (value) VALUES ('10.1.0.50'), ('10.1.0.51'), ('10.1.0.52')");
      await root.query("INSERT INTO hws (value) VALUES ('00:0c:29:00:00:01'), ('00:0c:29:00:00:02')");
      await root.query(`INSERT INTO cids (value) VALUES ('0:4:0:1:0:2'), ('"Gi1/0/5 \\\\"x\\\\""')`);
      await root.query("INSERT INTO rids (value) VALUES ('0:6:0:a:b8:0:0:1')");
      // 300 rows: renewals, moves, no-option rows, a zero date.
      const values: string[] = [];
      for (let i = 0; i < 300; i++) {
        const start = new Date(Date.UTC(2026, 10, 27, 0, 0, 0) + i * 137_000);
        const end = new Date(start.getTime() + 600_000);
        const text = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
        values.push(
          `(${1 + (i % 3)}, '${text(start)}', '${i === 299 ? '0000-00-00 00:00:00' : text(end)}', ${1 + (i % 2)}, ${i % 3}, ${i % 2})`,
        );
      }
      await root.query(`INSERT INTO leases (ip, lstart, lend, hw, cid, rid) VALUES ${values.join(', ')}`);
    } finally {
      await root.end();
    }
  });

  after(async () => {
    await fx?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should copy the tables so that sqlite:FILE reads back exactly the rows of a direct read', async () => {
    // Arrange
    const out = join(dir, 'snap.db');
    const before = await checksumGluffTables(fx.database);
    const cap = captureIo({ GLUFF_DBPWD: fx.password, HOME: '/nonexistent' }, TAKEN_AT);
    // Act
    const code = await main(['snapshot', '--gluff', fx.url, '--out', out], cap.io);
    // Assert
    assert.equal(code, 0, cap.err());
    assert.match(
      cap.out(),
      /^snapshot: 300 leases, 3 ips, 2 hws, 2 cids, 1 rids from mysql:\/\/gv_test_mysql_snap_ro@127\.0\.0\.1:3306\/gv_test_mysql_snap \(session time zone SYSTEM = UTC\) -> /,
    );
    assert.ok(!cap.out().includes(fx.password));
    assert.deepEqual(await checksumGluffTables(fx.database), before, 'the snapshot changed no table');

    const direct = await readAllGluffLeases(
      resolveGluffSource(fx.url, { env: { GLUFF_DBPWD: fx.password }, readFile: () => '' }),
      ZONE,
    );
    const snapSource = resolveGluffSource(`sqlite:${out}`, { env: {} });
    const fromSnap = await readAllGluffLeases(snapSource, ZONE);
    assert.equal(direct.length, 300);
    assert.deepEqual(fromSnap, direct);
    assert.equal(fromSnap[299]?.endMs, null);
    assert.equal(fromSnap.filter((r) => r.cidHex === null).length, 100);
    assert.equal(fromSnap[2]?.cidText, '"Gi1/0/5 \\"x\\""');
    assert.equal(
      snapSource.describe(),
      `sqlite:${out} (snapshot of mysql://gv_test_mysql_snap_ro@127.0.0.1:3306/gv_test_mysql_snap taken 2026-11-28T03:00:00.000Z, session time zone SYSTEM = UTC)`,
    );
    const snap = openGluffSnapshot(out);
    assert.equal(snap.meta.formatVersion, GLUFF_SNAPSHOT_FORMAT_VERSION);
    assert.equal(snap.meta.takenAtMs, TAKEN_AT);
    assert.deepEqual(snap.counts(), { leases: 300, ips: 3, hws: 2, cids: 2, rids: 1 });
    snap.close();
  });

  // Through the real entry point in a child process: exit code, stderr, and the password nowhere.
  // (Not through main() in-process: under mocha+tsx the commands main imports dynamically get their own
  // copy of AuditError, so main's instanceof check misreads them as internal errors.)
  it('should exit 3 with GV_MYSQL_AUTH and no password on a wrong password', async () => {
    const res = await runCli(['snapshot', '--gluff', fx.url, '--out', join(dir, 'bad.db')], {
      GLUFF_DBPWD: 'not-the-Passw0rd',
    });
    assert.equal(res.code, 3, res.stderr);
    assert.match(res.stderr, /^gluff-verify: GV_MYSQL_AUTH: .*refused user 'gv_test_mysql_snap_ro'/);
    assert.ok(!(res.stdout + res.stderr).includes('not-the-Passw0rd'));
    assert.ok(!(res.stdout + res.stderr).includes(fx.password));
  });

  it('should refuse a password in --gluff', async () => {
    const res = await runCli(
      ['snapshot', '--gluff', `mysql://${fx.user}:${fx.password}@127.0.0.1/x`, '--out', join(dir, 'x.db')],
      {},
    );
    assert.equal(res.code, 3, res.stderr);
    assert.match(res.stderr, /GV_GLUFF_URL_INVALID: .*contains a password, which is refused/);
    assert.ok(!(res.stdout + res.stderr).includes(fx.password));
  });

  it('should say GV_SNAPSHOT_INVALID for files that are not snapshots', () => {
    const notSqlite = join(dir, 'text.db');
    writeFileSync(notSqlite, 'hello, not a database\n'.repeat(10));
    const otherDb = join(dir, 'other.db');
    new Database(otherDb).exec('CREATE TABLE t (x)').close();
    const newer = join(dir, 'newer.db');
    const db = new Database(newer);
    db.exec(
      'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); CREATE TABLE leases (id); CREATE TABLE ips (id); ' +
        'CREATE TABLE hws (id); CREATE TABLE cids (id); CREATE TABLE rids (id);',
    );
    db.prepare("INSERT INTO meta VALUES ('format', 'gluff-verify-snapshot'), ('formatVersion', '99')").run();
    db.close();
    for (const [file, why] of [
      [notSqlite, /cannot open it as SQLite|reading it failed/],
      [otherDb, /no table 'meta'/],
      [newer, /format version 99, newer than the 1/],
      [join(dir, 'missing.db'), /cannot open it as SQLite/],
    ] as const) {
      assert.throws(
        () => resolveGluffSource(`sqlite:${file}`, { env: {} }),
        (e: unknown) => e instanceof AuditError && e.code === 'GV_SNAPSHOT_INVALID' && why.test(e.message),
        file,
      );
    }
  });
});

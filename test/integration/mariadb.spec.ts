/**
 * The Gluff MySQL reader against the real local MariaDB. The three zones are set apart on purpose:
 * the server's default time_zone (+05:00), the reading process's TZ (Asia/Tokyo, in a child process)
 * and the zone Gluff wrote in (America/New_York); the rows must still come back as the right UTC instants.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { readAllGluffLeases, resolveGluffSource } from '../../src/cli/gluff-source.js';
import { AuditError } from '../../src/model/errors.js';
import type { ActualLease } from '../../src/model/index.js';
import { formatGluffTimestamp } from '../../src/parse/gluff-row.js';
import { openGluffMysql } from '../../src/sources/mysql/gluff-reader.js';
import {
  checksumGluffTables,
  createGluffDatabase,
  rootConnection,
  ROOT_SOCKET,
  type GluffFixture,
} from '../helpers/gluff-mysql-fixture.js';

const GLUFF_ZONE = 'America/New_York';
const SERVER_ZONE = '+05:00';
const CLIENT_TZ = 'Asia/Tokyo';

/** Rows as Gluff would have written them: instants in UTC, written as New York wall time. */
const WINTER_START = Date.UTC(2026, 10, 28, 1, 23, 45);
const SUMMER_START = Date.UTC(2026, 6, 1, 16, 0, 0);

interface Seed {
  ip: number;
  startMs: number | null;
  endMs: number | null;
  hw: number | null;
  cid: number;
  rid: number;
}
const SEEDS: Seed[] = [
  { ip: 1, startMs: WINTER_START, endMs: WINTER_START + 600_000, hw: 1, cid: 1, rid: 1 },
  { ip: 2, startMs: SUMMER_START, endMs: SUMMER_START + 1_200_000, hw: 2, cid: 2, rid: 0 },
  // No Option 82 at all: cid and rid id 0.
  { ip: 1, startMs: WINTER_START + 600_000, endMs: WINTER_START + 900_000, hw: 1, cid: 0, rid: 0 },
  // A zero end date (what the schema default leaves) and an hw id that points at no row.
  { ip: 2, startMs: SUMMER_START + 3_600_000, endMs: null, hw: 99, cid: 1, rid: 0 },
];

async function seedAsGluff(database: string): Promise<void> {
  // A fresh connection, like Gluff's: its session time_zone is the server's global default.
  const conn = await rootConnection();
  try {
    await conn.query(`USE \`${database}\``);
    const [[tz]] = (await conn.query('SELECT @@session.time_zone AS tz')) as unknown as [[{ tz: string }]];
    assert.equal(tz.tz, SERVER_ZONE, 'the writer session uses the changed server default');
    await conn.query("INSERT INTO ips (value) VALUES ('10.1.0.50'), ('10.1.0.51')");
    await conn.query("INSERT INTO hws (value) VALUES ('00:0c:29:00:00:01'), ('00:0c:29:00:00:02')");
    await conn.query(`INSERT INTO cids (value) VALUES ('0:4:0:1:0:2'), ('"eth4"')`);
    await conn.query("INSERT INTO rids (value) VALUES ('0:6:0:a:b8:0:0:1')");
    for (const s of SEEDS) {
      await conn.execute('INSERT INTO leases (ip, lstart, lend, hw, cid, rid) VALUES (?, ?, ?, ?, ?, ?)', [
        s.ip,
        s.startMs === null ? '0000-00-00 00:00:00' : formatGluffTimestamp(s.startMs, GLUFF_ZONE),
        s.endMs === null ? '0000-00-00 00:00:00' : formatGluffTimestamp(s.endMs, GLUFF_ZONE),
        s.hw,
        s.cid,
        s.rid,
      ]);
    }
  } finally {
    await conn.end();
  }
}

/** Reads the leases in a child process whose TZ differs from everything else. */
async function readInChild(
  url: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `
    import { resolveGluffSource, readAllGluffLeases } from ${JSON.stringify(`${process.cwd()}/src/cli/gluff-source.ts`)};
    const src = resolveGluffSource(${JSON.stringify(url)}, { env: process.env });
    try {
      const rows = await readAllGluffLeases(src, ${JSON.stringify(GLUFF_ZONE)});
      process.stdout.write(JSON.stringify({ offsetMin: new Date(0).getTimezoneOffset(), rows }));
    } catch (err) {
      process.stdout.write(JSON.stringify({ error: { code: err.code, message: err.message, stack: String(err.stack), cause: String(err.cause) } }));
    }`;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env, TZ: CLIENT_TZ } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('readGluffLeaseRows (MariaDB)', function () {
  this.timeout(60_000);
  let fx: GluffFixture;
  let oldGlobalZone = 'SYSTEM';

  before(async () => {
    fx = await createGluffDatabase('gv_test_mysql');
    const root = await rootConnection();
    try {
      const [[row]] = (await root.query('SELECT @@global.time_zone AS tz')) as unknown as [[{ tz: string }]];
      oldGlobalZone = row.tz;
      await root.query(`SET GLOBAL time_zone = '${SERVER_ZONE}'`);
    } finally {
      await root.end();
    }
    await seedAsGluff(fx.database);
  });

  after(async () => {
    const root = await rootConnection();
    try {
      await root.query('SET GLOBAL time_zone = ?', [oldGlobalZone]);
    } finally {
      await root.end();
    }
    await fx?.drop();
  });

  it('should read every row back to the UTC instant Gluff wrote, with server, client and Gluff zones all different', async () => {
    // Act
    const before = await checksumGluffTables(fx.database);
    const res = await readInChild(fx.url, { GLUFF_DBPWD: fx.password });
    const after = await checksumGluffTables(fx.database);
    // Assert
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout) as { offsetMin: number; rows: ActualLease[] };
    assert.equal(out.offsetMin, -540, 'the child really runs in Asia/Tokyo');
    assert.equal(out.rows.length, SEEDS.length);
    SEEDS.forEach((seed, i) => {
      const row = out.rows[i] as ActualLease;
      assert.equal(row.startMs, seed.startMs, `row ${i + 1} start`);
      assert.equal(row.endMs, seed.endMs, `row ${i + 1} end`);
    });
    assert.deepEqual(after, before, 'reading changed no table');
  });

  it('should map lookup id 0 and dangling ids to null and zero dates to invalid times', async () => {
    const src = resolveGluffSource(fx.url, { env: { GLUFF_DBPWD: fx.password }, readFile: () => '' });
    const rows = await readAllGluffLeases(src, GLUFF_ZONE);
    assert.deepEqual(
      rows.map((r) => [r.id, r.ip, r.hw, r.cidHex, r.remoteIdHex, r.cidText, r.endText]),
      [
        [
          1,
          '10.1.0.50',
          '00:0c:29:00:00:01',
          '00:04:00:01:00:02',
          '00:06:00:0a:b8:00:00:01',
          '0:4:0:1:0:2',
          formatGluffTimestamp(SEEDS[0]?.endMs as number, GLUFF_ZONE),
        ],
        [
          2,
          '10.1.0.51',
          '00:0c:29:00:00:02',
          '65:74:68:34',
          null,
          '"eth4"',
          formatGluffTimestamp(SEEDS[1]?.endMs as number, GLUFF_ZONE),
        ],
        [
          3,
          '10.1.0.50',
          '00:0c:29:00:00:01',
          null,
          null,
          null,
          formatGluffTimestamp(SEEDS[2]?.endMs as number, GLUFF_ZONE),
        ],
        [4, '10.1.0.51', null, '00:04:00:01:00:02', null, '0:4:0:1:0:2', '0000-00-00 00:00:00'],
      ],
    );
    assert.equal(rows[3]?.endMs, null);
  });

  it('should keep only rows touching the window (and always the invalid ones)', async () => {
    const src = resolveGluffSource(fx.url, { env: { GLUFF_DBPWD: fx.password }, readFile: () => '' });
    const rows = await readAllGluffLeases(src, GLUFF_ZONE, { fromMs: WINTER_START - 3_600_000, toMs: null });
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 3, 4],
    );
  });

  it('should shift every value by the zone difference when read in another session zone (why the reader sets it)', async () => {
    const src = resolveGluffSource(`${fx.url}?session-time-zone=%2B00:00`, {
      env: { GLUFF_DBPWD: fx.password },
      readFile: () => '',
    });
    const rows = await readAllGluffLeases(src, GLUFF_ZONE);
    assert.equal((rows[0]?.startMs as number) - WINTER_START, -5 * 3_600_000);
  });

  it('should refuse to write: the user has SELECT only', async () => {
    const reader = await openGluffMysql({
      host: '127.0.0.1',
      port: 3306,
      user: fx.user,
      password: fx.password,
      database: fx.database,
    });
    await reader.close();
    const mysql = (await import('mysql2/promise')).default;
    const conn = await mysql.createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: fx.user,
      password: fx.password,
      database: fx.database,
    });
    try {
      await assert.rejects(conn.query('UPDATE leases SET lend = lstart'), /UPDATE command denied/);
    } finally {
      await conn.end();
    }
  });

  it('should say GV_MYSQL_UNREACHABLE for a port nobody listens on', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const src = resolveGluffSource(`mysql://${fx.user}@127.0.0.1:${port}/${fx.database}`, {
      env: { GLUFF_DBPWD: fx.password },
      readFile: () => '',
    });
    await assert.rejects(readAllGluffLeases(src, GLUFF_ZONE), (e: unknown) => {
      assert.ok(e instanceof AuditError);
      assert.equal(e.code, 'GV_MYSQL_UNREACHABLE');
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
      return true;
    });
  });

  it('should say GV_MYSQL_AUTH for a wrong password and print the password nowhere', async () => {
    const wrong = 'WrongPassw0rd-xyzzy';
    const res = await readInChild(fx.url, { GLUFF_DBPWD: wrong });
    const out = JSON.parse(res.stdout) as {
      error: { code: string; message: string; stack: string; cause: string };
    };
    assert.equal(out.error.code, 'GV_MYSQL_AUTH');
    assert.match(out.error.message, /refused user 'gv_test_mysql_ro'/);
    for (const text of [res.stdout, res.stderr]) {
      assert.ok(!text.includes(wrong), 'the wrong password leaked');
      assert.ok(!text.includes(fx.password), 'the real password leaked');
    }
  });

  it('should say GV_MYSQL_SCHEMA naming every missing table and column at once', async () => {
    // Arrange: an old schema: leases without id/lstart/lend, ips present, hws/cids/rids missing.
    const old = await createGluffDatabase(
      'gv_test_mysql_old',
      "SET SESSION sql_mode = ''; CREATE TABLE leases (ip INT NOT NULL DEFAULT 0, start DATETIME, end DATETIME, hw INT, cid INT, rid INT);" +
        ' CREATE TABLE ips (id INT AUTO_INCREMENT PRIMARY KEY, value VARCHAR(63));',
    );
    try {
      const config = {
        host: '127.0.0.1',
        port: 3306,
        user: old.user,
        password: old.password,
        database: old.database,
      };
      // Act, Assert
      await assert.rejects(openGluffMysql(config), (e: unknown) => {
        assert.ok(e instanceof AuditError);
        assert.equal(e.code, 'GV_MYSQL_SCHEMA');
        assert.match(
          e.message,
          /gluff table 'leases' has no column 'id', 'lstart', 'lend'; no table 'hws', 'cids', 'rids' \(ER_NO_SUCH_TABLE 1146\); expected the Gluff schema \(see specs\/gluff-schema\.sql\)/,
        );
        return true;
      });
      const root = await rootConnection();
      await root.query(
        `ALTER TABLE \`${old.database}\`.leases ADD id INT, ADD lstart TIMESTAMP NULL, ADD lend TIMESTAMP NULL`,
      );
      await root.end();
      await assert.rejects(openGluffMysql(config), (e: unknown) => {
        assert.ok(e instanceof AuditError);
        assert.equal(e.code, 'GV_MYSQL_SCHEMA');
        assert.match(e.message, /: no table 'hws', 'cids', 'rids' \(ER_NO_SUCH_TABLE 1146\);/);
        assert.doesNotMatch(e.message, /leases/);
        return true;
      });
    } finally {
      await old.drop();
    }
  });
});

/**
 * What MariaDB answers for each way a login or a read can be refused, and what we say. Checked against
 * MariaDB 10.11: a wrong password and an unknown user are the same 1045; a database the user has no grant
 * on is 1044 whether it exists or not; only a user with a grant on that name (or global rights) hears
 * 1049 for a missing database; a table without a grant is 1142 whether it exists or not.
 */
describe('openGluffMysql refusals (MariaDB)', function () {
  this.timeout(60_000);
  const DB = 'gv_test_mysql_refuse';
  const MISSING_DB = 'gv_test_mysql_refuse_nodb';
  const PASSWORD = `pw-${Date.now().toString(36)}-Refuse`;
  const users: string[] = [];
  let fx: GluffFixture;

  /** A user at 127.0.0.1 (how a TCP connection to 127.0.0.1 is seen), then the given statements (`{u}`: the account). */
  async function makeUser(name: string, ...statements: string[]): Promise<string> {
    const user = `${DB}_${name}`;
    users.push(user);
    const root = await rootConnection();
    try {
      await root.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
      await root.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'`);
      for (const s of statements) await root.query(s.replaceAll('{u}', `'${user}'@'127.0.0.1'`));
    } finally {
      await root.end();
    }
    return user;
  }

  function config(user: string, over: Partial<Parameters<typeof openGluffMysql>[0]> = {}) {
    return { host: '127.0.0.1', port: 3306, user, password: PASSWORD, database: DB, ...over };
  }

  /** Asserts the open fails with `code` and every pattern in the message; the password appears nowhere. */
  async function refused(
    cfg: Parameters<typeof openGluffMysql>[0],
    code: string,
    ...patterns: RegExp[]
  ): Promise<void> {
    await assert.rejects(openGluffMysql(cfg), (e: unknown) => {
      assert.ok(e instanceof AuditError, String(e));
      assert.equal(e.code, code, e.message);
      for (const p of patterns) assert.match(e.message, p);
      assert.ok(!e.message.includes(PASSWORD), 'the password leaked');
      assert.ok(!String((e.cause as Error | undefined)?.message).includes(PASSWORD), 'the password leaked');
      return true;
    });
  }

  before(async () => {
    fx = await createGluffDatabase(DB);
    const root = await rootConnection();
    try {
      await root.query(`DROP DATABASE IF EXISTS \`${MISSING_DB}\``);
    } finally {
      await root.end();
    }
  });

  after(async () => {
    const root = await rootConnection();
    try {
      for (const u of users) await root.query(`DROP USER IF EXISTS '${u}'@'127.0.0.1'`);
    } finally {
      await root.end();
    }
    await fx?.drop();
  });

  it('should say a wrong password or an unknown user (1045: the server does not say which)', async () => {
    const user = await makeUser('pw', `GRANT SELECT ON \`${DB}\`.* TO {u}`);
    const either =
      /wrong password for user '\w+'@'127\.0\.0\.1', or no such user at that host \(the server does not say which\)/;
    await refused(
      config(user, { password: 'Wrong-xyzzy' }),
      'GV_MYSQL_AUTH',
      new RegExp(`refused user '${user}'`),
      /ER_ACCESS_DENIED_ERROR 1045/,
      either,
      /GLUFF_DBPWD, MYSQL_PWD or a MySQL option file/,
    );
    await refused(
      config(`${DB}_nobody`),
      'GV_MYSQL_AUTH',
      /ER_ACCESS_DENIED_ERROR 1045/,
      either,
      /CREATE USER/,
    );
  });

  it('should say that no password was given when none was (1045, using password: NO)', async () => {
    const user = await makeUser('nopw', `GRANT SELECT ON \`${DB}\`.* TO {u}`);
    const { password: _, ...noPassword } = config(user);
    await refused(
      noPassword,
      'GV_MYSQL_AUTH',
      /ER_ACCESS_DENIED_ERROR 1045/,
      /no password was given: set GLUFF_DBPWD or MYSQL_PWD, or password= in the \[client\] section of an option file/,
    );
  });

  it('should say the database does not exist to a user with a grant on its name (1049)', async () => {
    const user = await makeUser('nodb', `GRANT SELECT ON \`${MISSING_DB}\`.* TO {u}`);
    await refused(
      config(user, { database: MISSING_DB }),
      'GV_MYSQL_NO_DATABASE',
      /ER_BAD_DB_ERROR 1049/,
      new RegExp(`database '${MISSING_DB}' does not exist on the server`),
      /--gluff mysql:\/\/USER@HOST\/DATABASE or GLUFF_DBDB/,
    );
  });

  it('should say no grant or no database when the user has no grant on it (1044, whether it exists or not)', async () => {
    const user = await makeUser('nogrant');
    for (const database of [DB, MISSING_DB]) {
      await refused(
        config(user, { database }),
        'GV_MYSQL_GRANT',
        /ER_DBACCESS_DENIED_ERROR 1044/,
        new RegExp(
          `user '${user}'@'127\\.0\\.0\\.1' logged in but may not use database '${database}': it has no grant on it, or the database does not exist \\(the server does not say which`,
        ),
        new RegExp(`GRANT SELECT ON \`${database}\`\\.\\* TO '${user}'@'127\\.0\\.0\\.1'`),
      );
    }
  });

  it('should name every table the user may not read when it has a grant on some tables only (1142)', async () => {
    const user = await makeUser('tables', `GRANT SELECT ON \`${DB}\`.leases TO {u}`);
    await refused(
      config(user),
      'GV_MYSQL_GRANT',
      new RegExp(
        `user '${user}'@'127\\.0\\.0\\.1' may not read table 'ips', 'hws', 'cids', 'rids' \\(ER_TABLEACCESS_DENIED_ERROR 1142; the server says the same when a table does not exist\\)`,
      ),
      new RegExp(`GRANT SELECT ON \`${DB}\`\\.\\* TO '${user}'@'127\\.0\\.0\\.1'`),
    );
  });

  it('should name every column the user may not read when it has column grants only (1143)', async () => {
    const user = await makeUser(
      'cols',
      `GRANT SELECT (id, ip, hw) ON \`${DB}\`.leases TO {u}`,
      ...['ips', 'hws', 'cids', 'rids'].map((t) => `GRANT SELECT ON \`${DB}\`.${t} TO {u}`),
    );
    await refused(
      config(user),
      'GV_MYSQL_GRANT',
      /may not read column 'lstart', 'lend', 'cid', 'rid' of table 'leases' \(ER_COLUMNACCESS_DENIED_ERROR 1143/,
    );
  });

  it('should say the account is locked (4151)', async () => {
    const user = await makeUser(
      'locked',
      `GRANT SELECT ON \`${DB}\`.* TO {u}`,
      'ALTER USER {u} ACCOUNT LOCK',
    );
    await refused(
      config(user),
      'GV_MYSQL_AUTH',
      /ER_ACCOUNT_HAS_BEEN_LOCKED 4151/,
      /the account of user '\w+' is locked/,
      /ACCOUNT UNLOCK/,
    );
  });

  it('should say the password has expired (1820)', async () => {
    const user = await makeUser(
      'expired',
      `GRANT SELECT ON \`${DB}\`.* TO {u}`,
      'ALTER USER {u} PASSWORD EXPIRE',
    );
    await refused(
      config(user),
      'GV_MYSQL_AUTH',
      /ER_MUST_CHANGE_PASSWORD 1820/,
      new RegExp(`the password of user '${user}' has expired`),
    );
  });

  it('should say the account logs in by another method than a password (1698, unix_socket)', async () => {
    const user = `${DB}_sock`;
    const root = await rootConnection();
    try {
      await root.query(`DROP USER IF EXISTS '${user}'@'localhost'`);
      await root.query(`CREATE USER '${user}'@'localhost' IDENTIFIED VIA unix_socket`);
    } finally {
      await root.end();
    }
    try {
      await refused(
        { host: 'localhost', port: 3306, socketPath: ROOT_SOCKET, user, password: PASSWORD, database: DB },
        'GV_MYSQL_AUTH',
        /ER_ACCESS_DENIED_NO_PASSWORD_ERROR 1698/,
        /authenticates by another method than a password \(such as unix_socket/,
      );
    } finally {
      const r = await rootConnection();
      await r.query(`DROP USER IF EXISTS '${user}'@'localhost'`);
      await r.end();
    }
  });
});

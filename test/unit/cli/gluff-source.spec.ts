import { strict as assert } from 'node:assert';
import { AuditError } from '../../../src/model/errors.js';
import {
  GLUFF_SOURCE_HELP,
  parseGluffLocation,
  parseMysqlOptionFile,
  readAllGluffLeases,
  resolveGluffMysqlConfig,
  resolveGluffSource,
  resolveMysqlConfig,
} from '../../../src/cli/gluff-source.js';

const noFiles = (p: string): string => {
  throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
};

describe('parseGluffLocation', () => {
  it('should read mysql URLs and sqlite files', () => {
    assert.deepEqual(parseGluffLocation('mysql://gluffro@db1:3307/dhcpd_leases'), {
      kind: 'mysql',
      user: 'gluffro',
      host: 'db1',
      port: 3307,
      database: 'dhcpd_leases',
      socketPath: null,
      sessionTimeZone: null,
    });
    assert.deepEqual(
      parseGluffLocation('mysql://ro@[::1]/g?socket=/run/mysqld/mysqld.sock&session-time-zone=%2B01:00'),
      {
        kind: 'mysql',
        user: 'ro',
        host: '::1',
        port: null,
        database: 'g',
        socketPath: '/run/mysqld/mysqld.sock',
        sessionTimeZone: '+01:00',
      },
    );
    assert.deepEqual(parseGluffLocation('sqlite:reports/snap.db'), {
      kind: 'sqlite',
      path: 'reports/snap.db',
    });
  });

  it('should refuse a password in the URL without echoing it', () => {
    assert.throws(
      () => parseGluffLocation('mysql://dhcpd:foobar@db1/dhcpd_leases'),
      (e: unknown) =>
        e instanceof AuditError &&
        e.code === 'GV_GLUFF_URL_INVALID' &&
        /contains a password, which is refused/.test(e.message) &&
        !e.message.includes('foobar'),
    );
  });

  it('should refuse other schemes, bad ports and unknown parameters', () => {
    for (const bad of [
      'postgres://a@b/c',
      'db1',
      'mysql://a@b:99999/c',
      'mysql://a@b/c?ssl=1',
      'mysql://a@b/c/d',
      'sqlite:',
    ]) {
      assert.throws(
        () => parseGluffLocation(bad),
        (e: unknown) => e instanceof AuditError && e.code === 'GV_GLUFF_URL_INVALID',
        bad,
      );
    }
  });
});

describe('parseMysqlOptionFile', () => {
  it('should take [client] and [client-mariadb] settings and ignore other sections', () => {
    const text = [
      '# comment',
      '[mysqld]',
      'port = 1',
      '[client]',
      'user = gluffro',
      "password = 'se cr\"et'",
      'host=db1 # trailing comment',
      'ssl_ca = /x',
      '!includedir /etc/mysql/conf.d/',
      '[client-mariadb]',
      'port=3307',
    ].join('\n');
    assert.deepEqual(parseMysqlOptionFile(text, 'my.cnf'), {
      user: 'gluffro',
      password: 'se cr"et',
      host: 'db1',
      'ssl-ca': '/x',
      port: '3307',
    });
  });

  it('should name the file and line of a malformed line', () => {
    assert.throws(
      () => parseMysqlOptionFile('[client]\n= x\n', '/etc/gv.cnf'),
      (e: unknown) =>
        e instanceof AuditError && e.code === 'GV_CONFIG_INVALID' && /\/etc\/gv\.cnf:2:/.test(e.message),
    );
  });
});

describe('resolveMysqlConfig', () => {
  it("should use Gluff's own settings when there is no URL", () => {
    const cfg = resolveMysqlConfig(null, {
      env: {
        GLUFF_DBHOST: '192.0.2.10',
        GLUFF_DBUSER: 'dhcpd',
        GLUFF_DBPWD: 'pw1',
        GLUFF_DBDB: 'dhcpd_leases',
      },
      readFile: noFiles,
    });
    assert.deepEqual(cfg, {
      host: '192.0.2.10',
      port: 3306,
      user: 'dhcpd',
      database: 'dhcpd_leases',
      password: 'pw1',
    });
  });

  it('should prefer the URL, then the environment, then the option file; GLUFF_DBPWD over MYSQL_PWD', () => {
    const files: Record<string, string> = {
      '/home/u/.my.cnf': '[client]\nuser=fileuser\npassword=filepw\nhost=filehost\nport=3310\n',
      '/etc/gv.cnf': '[client]\nuser=other\npassword=otherpw\nsocket=/s.sock\n',
    };
    const readFile = (p: string) => {
      const t = files[p];
      if (t === undefined) return noFiles(p);
      return t;
    };
    const loc = parseGluffLocation('mysql://urluser@urlhost/db');
    if (loc.kind !== 'mysql') assert.fail();
    assert.deepEqual(resolveMysqlConfig(loc, { env: { MYSQL_PWD: 'mpw' }, homeDir: '/home/u', readFile }), {
      host: 'urlhost',
      port: 3310,
      user: 'urluser',
      database: 'db',
      password: 'mpw',
    });
    assert.deepEqual(
      resolveMysqlConfig(null, { env: { GLUFF_DBPWD: 'g', MYSQL_PWD: 'm' }, homeDir: '/home/u', readFile }),
      { host: 'filehost', port: 3310, user: 'fileuser', database: 'dhcpd_leases', password: 'g' },
    );
    assert.deepEqual(resolveMysqlConfig(null, { env: {}, defaultsFile: '/etc/gv.cnf', readFile }), {
      host: 'localhost',
      port: 3306,
      user: 'other',
      database: 'dhcpd_leases',
      socketPath: '/s.sock',
      password: 'otherpw',
    });
  });

  it('should fail with GV_USAGE when no user is known and GV_CONFIG_INVALID for an unreadable --defaults-file', () => {
    assert.throws(
      () => resolveMysqlConfig(null, { env: {}, readFile: noFiles }),
      (e: unknown) => e instanceof AuditError && e.code === 'GV_USAGE',
    );
    assert.throws(
      () => resolveMysqlConfig(null, { env: {}, defaultsFile: '/nope.cnf', readFile: noFiles }),
      (e: unknown) =>
        e instanceof AuditError && e.code === 'GV_CONFIG_INVALID' && /\/nope\.cnf/.test(e.message),
    );
  });
});

describe('resolveGluffSource', () => {
  it('should describe a MySQL source without the password', () => {
    const src = resolveGluffSource('mysql://ro@db1:3307/dhcpd_leases', {
      env: { GLUFF_DBPWD: 'Sup3rSecret' },
      readFile: noFiles,
    });
    assert.equal(src.kind, 'mysql');
    assert.equal(src.describe(), 'mysql://ro@db1:3307/dhcpd_leases');
  });

  it('should take none as a run with no Gluff table: no rows, described as none, whatever GLUFF_DB* say', async () => {
    const src = resolveGluffSource('none', { env: { GLUFF_DBHOST: 'db1' }, readFile: noFiles });
    assert.equal(src.kind, 'none');
    assert.equal(src.describe(), 'none');
    assert.deepEqual(await readAllGluffLeases(src, 'UTC'), []);
    assert.match(GLUFF_SOURCE_HELP, /`none`: a run with no Gluff table/);
  });

  it('should refuse none where a MySQL server is needed (snapshot)', () => {
    assert.throws(
      () => resolveGluffMysqlConfig('none', { env: {}, readFile: noFiles }, 'snapshot'),
      (e: unknown) => e instanceof AuditError && e.code === 'GV_GLUFF_URL_INVALID',
    );
  });

  it('should ask for --gluff when nothing says where Gluff is', () => {
    assert.throws(
      () => resolveGluffSource(undefined, { env: {}, readFile: noFiles }),
      (e: unknown) => e instanceof AuditError && e.code === 'GV_USAGE' && /--gluff/.test(e.message),
    );
  });

  it('should refuse a sqlite file that is not a snapshot', () => {
    assert.throws(
      () => resolveGluffSource('sqlite:/nonexistent/snap.db', { env: {}, readFile: noFiles }),
      (e: unknown) => e instanceof AuditError && e.code === 'GV_SNAPSHOT_INVALID',
    );
  });
});

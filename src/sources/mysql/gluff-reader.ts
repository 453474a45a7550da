/**
 * Reads Gluff's MySQL/MariaDB tables (specs/gluff-schema.sql). Read-only: the only statements sent are
 * `SET SESSION time_zone` and SELECTs, so a user with SELECT on the Gluff database is enough.
 *
 * Rows are streamed (mysql2 callback API, `query().stream()`): 500k rows cost ~20 MB of heap instead
 * of ~150 MB for an awaited query (/work/shared/reference/node-stack.md).
 *
 * This module yields rows as text (GluffLeaseRowText); src/parse/gluff-row.ts turns them into ActualLease
 * with the spec's gluffZone. sources/ import only model/ (STYLE.md §2), so the CLI wires the two.
 */
import mysql from 'mysql2';
import type { Connection, ConnectionOptions, QueryError } from 'mysql2';
import { AuditError } from '../../model/errors.js';
import { gluffRowFilterSql, type GluffLeaseRowText, type GluffRowFilter } from '../../parse/gluff-row.js';

/** Where and as whom to connect. The password never appears in describe() or in error messages. */
export interface GluffMysqlConfig {
  host: string;
  port: number;
  /** Unix socket path; when set, host/port are not used for the connection. */
  socketPath?: string;
  user: string;
  /** Undefined: connect without a password. */
  password?: string;
  database: string;
  /**
   * Session time_zone to read TIMESTAMP columns in. Default: the server's global default
   * (`@@global.time_zone`), which is the zone Gluff's own sessions wrote in (it never sets one).
   * Set it (`+01:00`, or a named zone when the server has its zone tables) only when the server's
   * default changed since Gluff wrote the rows.
   */
  sessionTimeZone?: string;
  /** Connect timeout, ms. Default 10000. */
  connectTimeoutMs?: number;
}

/** One `leases` row as stored (ids, not values). For snapshots. */
export interface GluffRawLeaseRow {
  id: number;
  ip: number;
  hw: number | null;
  cid: number | null;
  rid: number | null;
  lstart: string;
  lend: string;
}

/** One row of `ips`, `hws`, `cids` or `rids`. */
export interface GluffLookupRow {
  id: number;
  value: string | null;
}

export type GluffLookupTable = 'ips' | 'hws' | 'cids' | 'rids';
export const GLUFF_LOOKUP_TABLES: readonly GluffLookupTable[] = ['ips', 'hws', 'cids', 'rids'];

/** What the session looked like: recorded in snapshots and reports. */
export interface GluffSessionInfo {
  /** `@@session.time_zone` after our SET (`SYSTEM`, `+05:00`, ...). */
  timeZone: string;
  /** `@@system_time_zone`: what SYSTEM means on the server (e.g. `UTC`, `CET`). */
  systemTimeZone: string;
  serverVersion: string;
}

/** Tables and columns the reader needs: Gluff's schema. */
export const GLUFF_REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  leases: ['id', 'ip', 'lstart', 'lend', 'hw', 'cid', 'rid'],
  ips: ['id', 'value'],
  hws: ['id', 'value'],
  cids: ['id', 'value'],
  rids: ['id', 'value'],
};

/** `mysql://user@host:port/db` (or `mysql://user@localhost/db?socket=PATH`): never the password. */
export function describeGluffMysql(config: GluffMysqlConfig): string {
  const where =
    config.socketPath !== undefined
      ? `localhost/${config.database}?socket=${config.socketPath}`
      : `${hostPart(config.host)}:${config.port}/${config.database}`;
  return `mysql://${config.user}@${where}`;
}

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ENOENT',
  'EACCES',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);

/**
 * The server errors we explain, by number: mysql2 names some MariaDB numbers after MySQL's meaning of them
 * (MariaDB's 4151, a locked account, arrives as `ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE`), so the number
 * decides and the names here are MariaDB's. What MariaDB 10.11 answered in each case is in
 * test/integration/mariadb.spec.ts ('openGluffMysql refusals').
 */
const MARIADB_ERRORS: Readonly<Record<number, string>> = {
  1044: 'ER_DBACCESS_DENIED_ERROR',
  1045: 'ER_ACCESS_DENIED_ERROR',
  1049: 'ER_BAD_DB_ERROR',
  1054: 'ER_BAD_FIELD_ERROR',
  1130: 'ER_HOST_NOT_PRIVILEGED',
  1142: 'ER_TABLEACCESS_DENIED_ERROR',
  1143: 'ER_COLUMNACCESS_DENIED_ERROR',
  1146: 'ER_NO_SUCH_TABLE',
  1251: 'ER_NOT_SUPPORTED_AUTH_MODE',
  1698: 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  1820: 'ER_MUST_CHANGE_PASSWORD',
  1862: 'ER_MUST_CHANGE_PASSWORD_LOGIN',
  4151: 'ER_ACCOUNT_HAS_BEEN_LOCKED',
};

/** Removes the password from any text we pass on (server messages do not contain it, but be sure). */
function scrub(text: string, config: GluffMysqlConfig): string {
  const pw = config.password;
  return pw === undefined || pw === '' ? text : text.split(pw).join('***');
}

/**
 * `'gluffro'@'10.0.0.5'`: the user and the client host as the server names them in its message; else the
 * user with the host left open (`'gluffro'@'…'`: a locked account's message names neither).
 */
function accountIn(serverMessage: string, user: string): string {
  return /'[^']*'@'[^']*'/.exec(serverMessage)?.[0] ?? `'${user}'@'…'`;
}

/**
 * Turns a driver error into our AuditError. The cause is kept only as a scrubbed copy: a driver error
 * object may carry the connection config. Each refusal says every cause it can have, because MariaDB gives
 * one answer to several (a wrong password and an unknown user are both 1045; a missing database and one
 * without a grant are both 1044 to a user with no grant on it).
 */
export function classifyMysqlError(err: unknown, config: GluffMysqlConfig, doing: string): AuditError {
  const e = err as Partial<QueryError> & { code?: string; message?: string; errno?: number };
  const errno = typeof e.errno === 'number' ? e.errno : 0;
  const name = MARIADB_ERRORS[errno];
  const code = e.code ?? '';
  const serverMessage = scrub(e.message ?? String(err), config);
  const detail =
    name !== undefined
      ? `${name} ${errno}: ${serverMessage}`
      : `${code === '' ? '' : `${code}: `}${serverMessage}`;
  const cause = new Error(detail);
  const where = describeGluffMysql(config);
  const account = accountIn(serverMessage, config.user);
  const db = config.database;
  const refused = `${where}: the server refused user '${config.user}' while ${doing} (${detail})`;
  const auth = (why: string) => new AuditError('GV_MYSQL_AUTH', `${refused}: ${why}`, { cause });
  switch (errno) {
    case 1045:
      return /using password: NO/i.test(serverMessage)
        ? auth(
            'no password was given: set GLUFF_DBPWD or MYSQL_PWD, or password= in the [client] section of an ' +
              `option file (--defaults-file, ~/.my.cnf); or there is no user ${account} (the server does not say which)`,
          )
        : auth(
            `wrong password for user ${account}, or no such user at that host (the server does not say which); ` +
              'expected the password of a user with SELECT on the Gluff tables in GLUFF_DBPWD, MYSQL_PWD or a MySQL ' +
              `option file, and the user made by CREATE USER ${account} IDENTIFIED BY '…'`,
          );
    case 1698:
      return auth(
        `account ${account} authenticates by another method than a password (such as unix_socket, which admits ` +
          'only the operating-system user of that name over the server socket); connect as that user, or give ' +
          `the account a password: ALTER USER ${account} IDENTIFIED BY '…'`,
      );
    case 4151:
      return auth(
        `the account of user '${config.user}' is locked; an administrator unlocks it with ` +
          `ALTER USER ${account} ACCOUNT UNLOCK`,
      );
    case 1820:
    case 1862:
      return auth(
        `the password of user '${config.user}' has expired; set a new one (ALTER USER ${account} IDENTIFIED BY '…') ` +
          'and give it in GLUFF_DBPWD, MYSQL_PWD or the option file',
      );
    case 1130:
      return auth(
        `no account of user '${config.user}' may connect from this host; expected CREATE USER for it`,
      );
    case 1251:
      return auth(
        'the server asks for an authentication method this client does not support; expected an account ' +
          `with a password (ALTER USER ${account} IDENTIFIED VIA mysql_native_password USING PASSWORD('…'))`,
      );
    case 1044:
      return new AuditError(
        'GV_MYSQL_GRANT',
        `${where}: user ${account} logged in but may not use database '${db}': it has no grant on it, or the ` +
          'database does not exist (the server does not say which to a user without a grant on it) ' +
          `(${detail}); check the name in --gluff mysql://USER@HOST/DATABASE or GLUFF_DBDB, and ` +
          `GRANT SELECT ON \`${db}\`.* TO ${account}`,
        { cause },
      );
    case 1049:
      return new AuditError(
        'GV_MYSQL_NO_DATABASE',
        `${where}: database '${db}' does not exist on the server (${detail}); expected the Gluff database ` +
          "named in --gluff mysql://USER@HOST/DATABASE or GLUFF_DBDB (Gluff's default: dhcpd_leases)",
        { cause },
      );
    case 1142:
    case 1143:
      return new AuditError(
        'GV_MYSQL_GRANT',
        `${where}: user ${account} was refused SELECT while ${doing} (${detail}); expected ` +
          `GRANT SELECT ON \`${db}\`.* TO ${account}`,
        { cause },
      );
    case 1146:
    case 1054:
      return new AuditError(
        'GV_MYSQL_SCHEMA',
        `${where}: ${detail} while ${doing}; expected the Gluff schema (see specs/gluff-schema.sql)`,
        { cause },
      );
    default:
      break;
  }
  if (code === 'ER_UNKNOWN_TIME_ZONE') {
    return new AuditError(
      'GV_CONFIG_INVALID',
      `${where}: the server does not know session time zone '${config.sessionTimeZone ?? ''}' (${detail}); ` +
        "expected an offset such as '+01:00', or load the server's zone tables (mariadb-tzinfo-to-sql)",
      { cause },
    );
  }
  if (UNREACHABLE_CODES.has(code) || e.fatal === true) {
    return new AuditError(
      'GV_MYSQL_UNREACHABLE',
      `${where}: cannot reach the Gluff database while ${doing} (${detail}); check --gluff / GLUFF_DBHOST and that the server is running`,
      { cause },
    );
  }
  return new AuditError('GV_MYSQL_UNREACHABLE', `${where}: ${doing} failed (${detail})`, { cause });
}

function queryAsync<T>(conn: Connection, sql: string, values: unknown[] = []): Promise<T[]> {
  return new Promise((resolve, reject) => {
    conn.query(sql, values, (err, rows) => (err ? reject(err) : resolve(rows as T[])));
  });
}

/**
 * An open, read-only connection to the Gluff database. Use `openGluffMysql`, then `close()`.
 */
export class GluffMysqlReader {
  private constructor(
    private readonly conn: Connection,
    readonly config: GluffMysqlConfig,
    readonly session: GluffSessionInfo,
  ) {}

  /**
   * Connects, sets the session time zone and checks the schema.
   *
   * Why the session time_zone matters: TIMESTAMP columns store UTC and the server converts on the
   * way in and out using the SESSION time_zone. Gluff wrote its DHCP server's local wall time
   * (localtime()) without setting a session zone, so the server read that wall time in its GLOBAL
   * default zone and stored wall-time-minus-that-offset. Reading back in that same zone returns
   * exactly the wall time Gluff wrote, which we then convert with the spec's gluffZone. Any other
   * session zone (mysql2's default session, a `timezone: 'Z'` setting, the client's TZ) would shift
   * every value by the difference. So we SET it explicitly rather than trust connection defaults, and
   * read the values as strings (`dateStrings`) so the driver does not apply the process's TZ either.
   * DATETIME columns (older installs) store the wall time as is and are unaffected.
   */
  static async open(config: GluffMysqlConfig): Promise<GluffMysqlReader> {
    const options: ConnectionOptions = {
      user: config.user,
      database: config.database,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      connectTimeout: config.connectTimeoutMs ?? 10_000,
      multipleStatements: false,
      ...(config.password === undefined ? {} : { password: config.password }),
      ...(config.socketPath === undefined
        ? { host: config.host, port: config.port }
        : { socketPath: config.socketPath }),
    };
    const conn = mysql.createConnection(options);
    // A connection error after connect (server gone mid-stream) is reported through the running query;
    // this listener only stops Node from treating it as an unhandled 'error' event.
    conn.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      conn.destroy();
      throw classifyMysqlError(err, config, 'connecting');
    }
    try {
      if (config.sessionTimeZone === undefined)
        await queryAsync(conn, 'SET SESSION time_zone = @@GLOBAL.time_zone');
      else await queryAsync(conn, 'SET SESSION time_zone = ?', [config.sessionTimeZone]);
      const [info] = await queryAsync<{ tz: string; sys: string; v: string }>(
        conn,
        'SELECT @@SESSION.time_zone AS tz, @@system_time_zone AS sys, VERSION() AS v',
      );
      const reader = new GluffMysqlReader(conn, config, {
        timeZone: String(info?.tz ?? ''),
        systemTimeZone: String(info?.sys ?? ''),
        serverVersion: String(info?.v ?? ''),
      });
      await reader.checkSchema();
      return reader;
    } catch (err) {
      conn.destroy();
      if (err instanceof AuditError) throw err;
      throw classifyMysqlError(err, config, 'setting up the session');
    }
  }

  /**
   * Checks every table and column of GLUFF_REQUIRED_COLUMNS and reports all problems at once: GV_MYSQL_SCHEMA
   * when any is missing (with any grant problems beside it), GV_MYSQL_GRANT when all exist but some cannot be
   * read. information_schema shows only what the user may read, so whatever it lacks is probed with a
   * `SELECT … LIMIT 0`: 1146/1054 say missing, 1142/1143 say not granted (or missing: MariaDB does not tell
   * a user without a grant whether a table exists).
   */
  private async checkSchema(): Promise<void> {
    const rows = await queryAsync<{ t: string; c: string }>(
      this.conn,
      'SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()',
    );
    const have = new Map<string, Set<string>>();
    for (const r of rows) {
      const t = String(r.t).toLowerCase();
      if (!have.has(t)) have.set(t, new Set());
      have.get(t)?.add(String(r.c).toLowerCase());
    }
    /** Runs a probe: null when it worked, else the server's errno. */
    const probe = async (sql: string): Promise<number | null> => {
      try {
        await queryAsync(this.conn, sql);
        return null;
      } catch (err) {
        const errno = (err as { errno?: unknown }).errno;
        if (typeof errno === 'number' && [1054, 1142, 1143, 1146].includes(errno)) return errno;
        throw err;
      }
    };
    const missingTables: string[] = [];
    const deniedTables: string[] = [];
    const missingColumns: [string, string[]][] = [];
    const deniedColumns: [string, string[]][] = [];
    for (const [table, columns] of Object.entries(GLUFF_REQUIRED_COLUMNS)) {
      const seen = have.get(table);
      if (seen === undefined) {
        const errno = await probe(`SELECT 1 FROM \`${table}\` LIMIT 0`);
        if (errno === 1146) {
          missingTables.push(table);
          continue;
        }
        if (errno === 1142) {
          deniedTables.push(table);
          continue;
        }
      }
      const missing: string[] = [];
      const denied: string[] = [];
      for (const column of columns) {
        if (seen?.has(column) === true) continue;
        const errno = await probe(`SELECT \`${column}\` FROM \`${table}\` LIMIT 0`);
        if (errno === 1054) missing.push(column);
        else if (errno === 1143 || errno === 1142) denied.push(column);
      }
      if (missing.length > 0) missingColumns.push([table, missing]);
      if (denied.length > 0) deniedColumns.push([table, denied]);
    }
    const names = (list: readonly string[]) => list.map((n) => `'${n}'`).join(', ');
    const schemaParts = [
      ...missingColumns.map(([t, cs]) => `gluff table '${t}' has no column ${names(cs)}`),
      ...(missingTables.length === 0 ? [] : [`no table ${names(missingTables)} (ER_NO_SUCH_TABLE 1146)`]),
    ];
    const [account] = await queryAsync<{ u: string }>(this.conn, 'SELECT CURRENT_USER() AS u');
    const current = String(account?.u ?? `${this.config.user}@%`);
    const at = current.lastIndexOf('@');
    const who = `'${current.slice(0, at)}'@'${current.slice(at + 1)}'`;
    const grantParts = [
      ...(deniedTables.length === 0
        ? []
        : [
            `user ${who} may not read table ${names(deniedTables)} (ER_TABLEACCESS_DENIED_ERROR 1142; the server ` +
              'says the same when a table does not exist)',
          ]),
      ...deniedColumns.map(
        ([t, cs]) =>
          `user ${who} may not read column ${names(cs)} of table '${t}' (ER_COLUMNACCESS_DENIED_ERROR 1143; the ` +
          'server says the same when a column does not exist)',
      ),
    ];
    if (schemaParts.length === 0 && grantParts.length === 0) return;
    const where = describeGluffMysql(this.config);
    const grant = `GRANT SELECT ON \`${this.config.database}\`.* TO ${who}`;
    if (schemaParts.length > 0) {
      throw new AuditError(
        'GV_MYSQL_SCHEMA',
        `${where}: ${[...schemaParts, ...grantParts].join('; ')}; expected the Gluff schema ` +
          `(see specs/gluff-schema.sql)${grantParts.length > 0 ? ` and ${grant}` : ''}`,
      );
    }
    throw new AuditError('GV_MYSQL_GRANT', `${where}: ${grantParts.join('; ')}; expected ${grant}`);
  }

  private async *stream<T>(sql: string, doing: string, params: readonly string[] = []): AsyncGenerator<T> {
    const stream = this.conn.query({ sql, values: [...params] }).stream({ highWaterMark: 1000 });
    try {
      for await (const row of stream) yield row as T;
    } catch (err) {
      throw classifyMysqlError(err, this.config, doing);
    } finally {
      stream.destroy();
    }
  }

  /**
   * Every `leases` row joined with its lookups (those `filter` asks for), in id order. Id 0 (and a dangling
   * id) gives null. Gluff's tables have no index but the ids, so a filter still scans `leases` once, server-side.
   */
  async *leaseRows(filter?: GluffRowFilter): AsyncGenerator<GluffLeaseRowText> {
    const { where, params } = gluffRowFilterSql(filter);
    const sql =
      'SELECT l.id AS id, i.value AS ip, h.value AS hw, c.value AS cid, r.value AS rid, ' +
      'l.lstart AS lstart, l.lend AS lend FROM leases l ' +
      'LEFT JOIN ips i ON i.id = l.ip AND l.ip <> 0 ' +
      'LEFT JOIN hws h ON h.id = l.hw AND l.hw <> 0 ' +
      'LEFT JOIN cids c ON c.id = l.cid AND l.cid <> 0 ' +
      'LEFT JOIN rids r ON r.id = l.rid AND l.rid <> 0 ' +
      where +
      'ORDER BY l.id';
    for await (const r of this.stream<Record<string, unknown>>(sql, 'reading leases', params)) {
      yield {
        id: Number(r.id),
        ip: textOrNull(r.ip),
        hw: textOrNull(r.hw),
        cid: textOrNull(r.cid),
        rid: textOrNull(r.rid),
        lstart: stampText(r.lstart),
        lend: stampText(r.lend),
      };
    }
  }

  /** `leases` as stored (ids), in id order: for snapshots. */
  async *rawLeaseRows(): AsyncGenerator<GluffRawLeaseRow> {
    const sql = 'SELECT id, ip, hw, cid, rid, lstart, lend FROM leases ORDER BY id';
    for await (const r of this.stream<Record<string, unknown>>(sql, 'reading leases')) {
      yield {
        id: Number(r.id),
        ip: Number(r.ip),
        hw: r.hw === null ? null : Number(r.hw),
        cid: r.cid === null ? null : Number(r.cid),
        rid: r.rid === null ? null : Number(r.rid),
        lstart: stampText(r.lstart),
        lend: stampText(r.lend),
      };
    }
  }

  /** One lookup table, in id order. */
  async *lookupRows(table: GluffLookupTable): AsyncGenerator<GluffLookupRow> {
    if (!GLUFF_LOOKUP_TABLES.includes(table))
      throw new TypeError(`not a Gluff lookup table: ${String(table)}`);
    for await (const r of this.stream<Record<string, unknown>>(
      `SELECT id, value FROM ${table} ORDER BY id`,
      `reading ${table}`,
    )) {
      yield { id: Number(r.id), value: textOrNull(r.value) };
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.conn.end(() => resolve()));
  }
}

function textOrNull(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** dateStrings gives text; a NULL lend (old DATETIME schema allowed it) becomes '' (an invalid row). */
function stampText(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

/**
 * Opens a reader (connect, session zone, schema check). Throws GV_MYSQL_UNREACHABLE, _AUTH, _NO_DATABASE,
 * _GRANT or _SCHEMA.
 */
export function openGluffMysql(config: GluffMysqlConfig): Promise<GluffMysqlReader> {
  return GluffMysqlReader.open(config);
}

/**
 * Streams every joined `leases` row and closes the connection at the end (or when the consumer stops).
 * Example: `for await (const row of readGluffLeaseRows(config)) ...` gives
 * `{id: 1, ip: '10.1.0.50', hw: '00:0c:29:00:00:01', cid: '0:4:0:1:0:2', rid: null, lstart: '2026-11-28 02:00:00', lend: ...}`.
 */
export async function* readGluffLeaseRows(config: GluffMysqlConfig): AsyncGenerator<GluffLeaseRowText> {
  const reader = await openGluffMysql(config);
  try {
    yield* reader.leaseRows();
  } finally {
    await reader.close();
  }
}

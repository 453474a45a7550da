/**
 * Resolves where the actual Gluff rows come from (`--gluff`, Gluff's own GLUFF_DB* settings, MySQL
 * option files) into a GluffSource, and wires the readers (sources/) to the row parser (parse/).
 *
 *   --gluff mysql://gluffro@db1:3306/dhcpd_leases     password from GLUFF_DBPWD, MYSQL_PWD or an option file
 *   --gluff mysql://gluffro@localhost/dhcpd_leases?socket=/run/mysqld/mysqld.sock
 *   --gluff sqlite:reports/gluff-2026-11-28.db         a file written by `gluff-verify snapshot`
 *   --gluff none                                       verify only: no Gluff table (a stock dhcpd run)
 *   (no --gluff)                                       GLUFF_DBHOST, GLUFF_DBUSER, GLUFF_DBPWD, GLUFF_DBDB
 *
 * A password in the URL is refused: argv is visible to every user through `ps` and /proc.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuditError } from '../model/errors.js';
import type { ActualLease, TimeWindow } from '../model/index.js';
import {
  gluffLeaseInWindow,
  gluffRowPasses,
  parseGluffLeaseRow,
  type GluffRowFilter,
} from '../parse/gluff-row.js';
import { describeGluffMysql, openGluffMysql, type GluffMysqlConfig } from '../sources/mysql/gluff-reader.js';
import { openGluffSnapshot } from '../sources/sqlite/gluff-snapshot.js';

/** The actual Gluff rows, wherever they live; `none` when the run has no Gluff table at all. */
export interface GluffSource {
  kind: 'mysql' | 'sqlite' | 'none';
  /**
   * For reports and logs: `mysql://user@host:port/db`, `sqlite:FILE (snapshot of ...)` or `none`. Never a
   * password.
   */
  describe(): string;
  /**
   * Streams the rows touching `window` (all rows when undefined), timestamps converted with `zone`
   * (the spec's tolerances.gluffZone); nothing for `none`. `filter`: only one address's or one client's rows
   * (`where`, `who`). Throws GV_MYSQL_* / GV_SNAPSHOT_INVALID.
   */
  readLeases(zone: string, window?: TimeWindow, filter?: GluffRowFilter): AsyncIterable<ActualLease>;
}

/** The options every command that reads Gluff shares (spread into parseCommandArgs). */
export const GLUFF_SOURCE_OPTIONS = {
  gluff: { type: 'string' },
  'defaults-file': { type: 'string' },
} as const;

/** The help lines for those options. */
export const GLUFF_SOURCE_HELP = [
  '  --gluff LOCATION      mysql://USER@HOST[:PORT]/DB[?socket=PATH&session-time-zone=+01:00] or sqlite:FILE.db',
  '                        (default: GLUFF_DBHOST, GLUFF_DBUSER, GLUFF_DBDB; port 3306, database dhcpd_leases)',
  '                        verify also takes `none`: a run with no Gluff table (stock dhcpd); no rows read,',
  '                        no lease diff; the rebuild, memory and the rig and channel self-check (every',
  '                        client of the spec leased in the window, else client-silent) give the verdict',
  '  --defaults-file FILE  MySQL option file whose [client] section gives user/password/host/port/socket',
  '                        (default: ~/.my.cnf when it exists). Password: GLUFF_DBPWD, then MYSQL_PWD, then',
  '                        the option file. Never put a password in --gluff: argv is visible in ps.',
].join('\n');

export type GluffLocation =
  | {
      kind: 'mysql';
      user: string | null;
      host: string | null;
      port: number | null;
      database: string | null;
      socketPath: string | null;
      sessionTimeZone: string | null;
    }
  | { kind: 'sqlite'; path: string };

/**
 * Parses a `--gluff` value. Throws GV_GLUFF_URL_INVALID (never echoing a password it found).
 * Examples: `mysql://ro@db1:3307/dhcpd_leases` -> {kind: 'mysql', user: 'ro', host: 'db1', port: 3307, ...};
 * `sqlite:snap.db` -> {kind: 'sqlite', path: 'snap.db'}.
 */
export function parseGluffLocation(text: string): GluffLocation {
  const expected = 'expected mysql://USER@HOST[:PORT]/DATABASE or sqlite:FILE.db';
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '')
      throw new AuditError('GV_GLUFF_URL_INVALID', `--gluff 'sqlite:' names no file; ${expected}`);
    return { kind: 'sqlite', path };
  }
  if (!/^mysql:\/\//i.test(text)) {
    throw new AuditError(
      'GV_GLUFF_URL_INVALID',
      `--gluff '${redactUrl(text)}' is not a Gluff location; ${expected}`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AuditError(
      'GV_GLUFF_URL_INVALID',
      `--gluff '${redactUrl(text)}' is not a valid URL; ${expected}`,
    );
  }
  if (url.password !== '') {
    throw new AuditError(
      'GV_GLUFF_URL_INVALID',
      `--gluff '${redactUrl(text)}' contains a password, which is refused: command lines are visible to every ` +
        'user (ps, /proc/PID/cmdline). Give the password in GLUFF_DBPWD or MYSQL_PWD, or in a MySQL option file ' +
        '(--defaults-file FILE with a [client] password=...)',
    );
  }
  const dbPath = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (dbPath.includes('/')) {
    throw new AuditError(
      'GV_GLUFF_URL_INVALID',
      `--gluff '${text}': '${dbPath}' is not a database name; ${expected}`,
    );
  }
  let socketPath: string | null = null;
  let sessionTimeZone: string | null = null;
  for (const [key, value] of url.searchParams) {
    if (key === 'socket') socketPath = value;
    else if (key === 'session-time-zone') sessionTimeZone = value;
    else {
      throw new AuditError(
        'GV_GLUFF_URL_INVALID',
        `--gluff '${text}': unknown parameter '${key}'; expected socket=PATH or session-time-zone=ZONE`,
      );
    }
  }
  let port: number | null = null;
  if (url.port !== '') {
    port = Number(url.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new AuditError('GV_GLUFF_URL_INVALID', `--gluff '${text}': port '${url.port}' is not 1..65535`);
    }
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    kind: 'mysql',
    user: url.username === '' ? null : decodeURIComponent(url.username),
    host: host === '' ? null : host,
    port,
    database: dbPath === '' ? null : dbPath,
    socketPath,
    sessionTimeZone,
  };
}

/** Replaces the password part of a URL-looking text with `***`. */
function redactUrl(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/**
 * Parses a MySQL option file (`my.cnf` syntax) and returns the `[client]` settings (plus `[client-mariadb]`,
 * later sections winning). Keys are normalised to `-` (`ssl_ca` = `ssl-ca`). Quotes around values are removed.
 * Throws GV_CONFIG_INVALID on a line that is neither a section, a setting, a comment nor an `!include`.
 * Example: "[client]\nuser = gluffro\npassword = 's3cret'\n" -> {user: 'gluffro', password: 's3cret'}.
 */
export function parseMysqlOptionFile(text: string, fileName: string): Record<string, string> {
  const out: Record<string, string> = {};
  let section = '';
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('!')) return;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec !== null) {
      section = (sec[1] as string).trim().toLowerCase();
      return;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (kv === null) {
      throw new AuditError(
        'GV_CONFIG_INVALID',
        `${fileName}:${i + 1}: expected [section], key=value or a comment; found a line that is none of these`,
      );
    }
    if (section !== 'client' && section !== 'client-mariadb') return;
    const key = (kv[1] as string).toLowerCase().replace(/_/g, '-');
    let value = (kv[2] ?? '').trim();
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted !== null) value = (quoted[2] as string).replace(/\\(.)/g, '$1');
    else value = value.replace(/\s+#.*$/, '');
    out[key] = value;
  });
  return out;
}

/** How resolveGluffSource sees the outside world; tests pass their own. */
export interface GluffSourceContext {
  env: NodeJS.ProcessEnv;
  /** `--defaults-file`: read it (an error when unreadable). */
  defaultsFile?: string;
  /** Home directory for ~/.my.cnf; default os.homedir(). */
  homeDir?: string;
  readFile?: (path: string) => string;
}

/**
 * Resolves the MySQL connection settings. Precedence: the URL, then GLUFF_DBHOST/GLUFF_DBUSER/GLUFF_DBDB,
 * then the option file ([client]); password: GLUFF_DBPWD, then MYSQL_PWD, then the option file.
 * Defaults: port 3306, database dhcpd_leases. Throws GV_USAGE when no user can be found.
 */
export function resolveMysqlConfig(
  location: Extract<GluffLocation, { kind: 'mysql' }> | null,
  ctx: GluffSourceContext,
): GluffMysqlConfig {
  const read = ctx.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let file: Record<string, string> = {};
  if (ctx.defaultsFile !== undefined) {
    let text: string;
    try {
      text = read(ctx.defaultsFile);
    } catch (err) {
      throw new AuditError(
        'GV_CONFIG_INVALID',
        `--defaults-file ${ctx.defaultsFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}); ` +
          'expected a MySQL option file with a [client] section',
        { cause: err },
      );
    }
    file = parseMysqlOptionFile(text, ctx.defaultsFile);
  } else {
    const myCnf = join(ctx.homeDir ?? homedir(), '.my.cnf');
    let text: string | null = null;
    try {
      text = read(myCnf);
    } catch {
      text = null;
    }
    if (text !== null) file = parseMysqlOptionFile(text, myCnf);
  }
  const env = ctx.env;
  const nonEmpty = (v: string | undefined | null) =>
    v === undefined || v === null || v === '' ? undefined : v;
  const user = nonEmpty(location?.user) ?? nonEmpty(env.GLUFF_DBUSER) ?? nonEmpty(file.user);
  if (user === undefined) {
    throw new AuditError(
      'GV_USAGE',
      'no MySQL user for the Gluff database: expected one in --gluff mysql://USER@HOST/DB, GLUFF_DBUSER, or the ' +
        '[client] user of the option file',
    );
  }
  const host = nonEmpty(location?.host) ?? nonEmpty(env.GLUFF_DBHOST) ?? nonEmpty(file.host) ?? 'localhost';
  const portText = location?.port ?? nonEmpty(file.port);
  const port = portText === undefined || portText === null ? 3306 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AuditError(
      'GV_CONFIG_INVALID',
      `option file [client] port '${String(portText)}' is not 1..65535`,
    );
  }
  // As with the mysql client, an option-file socket applies only when the host is localhost.
  const socketPath =
    nonEmpty(location?.socketPath) ?? (host === 'localhost' ? nonEmpty(file.socket) : undefined);
  const database =
    nonEmpty(location?.database) ?? nonEmpty(env.GLUFF_DBDB) ?? nonEmpty(file.database) ?? 'dhcpd_leases';
  const password = nonEmpty(env.GLUFF_DBPWD) ?? nonEmpty(env.MYSQL_PWD) ?? file.password;
  return {
    host,
    port,
    user,
    database,
    ...(socketPath === undefined ? {} : { socketPath }),
    ...(password === undefined ? {} : { password }),
    ...(nonEmpty(location?.sessionTimeZone) === undefined
      ? {}
      : { sessionTimeZone: location?.sessionTimeZone as string }),
  };
}

/** A GluffSource over MySQL. */
export function mysqlGluffSource(config: GluffMysqlConfig): GluffSource {
  return {
    kind: 'mysql',
    describe: () => describeGluffMysql(config),
    async *readLeases(
      zone: string,
      window?: TimeWindow,
      filter?: GluffRowFilter,
    ): AsyncGenerator<ActualLease> {
      const reader = await openGluffMysql(config);
      try {
        for await (const row of reader.leaseRows(filter)) {
          const lease = parseGluffLeaseRow(row, zone);
          if (gluffLeaseInWindow(lease, window) && gluffRowPasses(lease, filter)) yield lease;
        }
      } finally {
        await reader.close();
      }
    },
  };
}

/** A GluffSource over a snapshot file; opens it once to check it (GV_SNAPSHOT_INVALID). */
export function snapshotGluffSource(path: string): GluffSource {
  const probe = openGluffSnapshot(path);
  const meta = probe.meta;
  probe.close();
  const taken = Number.isFinite(meta.takenAtMs) ? new Date(meta.takenAtMs).toISOString() : 'unknown time';
  return {
    kind: 'sqlite',
    describe: () =>
      `sqlite:${path} (snapshot of ${meta.source} taken ${taken}, session time zone ${meta.sessionTimeZone}` +
      `${meta.sessionTimeZone === 'SYSTEM' ? ` = ${meta.systemTimeZone}` : ''})`,
    async *readLeases(
      zone: string,
      window?: TimeWindow,
      filter?: GluffRowFilter,
    ): AsyncGenerator<ActualLease> {
      const snap = openGluffSnapshot(path);
      try {
        for (const row of snap.leaseRows(filter)) {
          const lease = parseGluffLeaseRow(row, zone);
          if (gluffLeaseInWindow(lease, window) && gluffRowPasses(lease, filter)) yield lease;
        }
      } finally {
        snap.close();
      }
    },
  };
}

/** `--gluff none`: a run with no Gluff table (Debian's stock dhcpd); nothing to read, nothing compared. */
export const NO_GLUFF_SOURCE: GluffSource = {
  kind: 'none',
  describe: () => 'none',
  async *readLeases(): AsyncGenerator<ActualLease> {
    yield* [] as ActualLease[];
  },
};

/**
 * `--gluff` (or its absence) -> GluffSource. `none` is a run with no Gluff table (NO_GLUFF_SOURCE).
 * Without `--gluff`, Gluff's own settings are used (GLUFF_DBHOST, GLUFF_DBUSER, GLUFF_DBPWD, GLUFF_DBDB);
 * with none of them set either, GV_USAGE.
 */
export function resolveGluffSource(arg: string | undefined, ctx: GluffSourceContext): GluffSource {
  if (arg === 'none') return NO_GLUFF_SOURCE;
  if (arg === undefined) {
    const any = ['GLUFF_DBHOST', 'GLUFF_DBUSER', 'GLUFF_DBDB'].some((k) => (ctx.env[k] ?? '') !== '');
    if (!any) {
      throw new AuditError(
        'GV_USAGE',
        'no Gluff database given: expected --gluff mysql://USER@HOST/DB, sqlite:FILE.db or none (no Gluff table), or GLUFF_DBHOST/GLUFF_DBUSER/GLUFF_DBDB set',
      );
    }
    return mysqlGluffSource(resolveMysqlConfig(null, ctx));
  }
  const location = parseGluffLocation(arg);
  if (location.kind === 'sqlite') return snapshotGluffSource(location.path);
  return mysqlGluffSource(resolveMysqlConfig(location, ctx));
}

/**
 * `--gluff` (or Gluff's GLUFF_DB* settings) -> MySQL settings, for commands that need MySQL itself
 * (`snapshot`). A `sqlite:` location is a GV_USAGE error there.
 */
export function resolveGluffMysqlConfig(
  arg: string | undefined,
  ctx: GluffSourceContext,
  commandName: string,
): GluffMysqlConfig {
  if (arg === undefined) return resolveMysqlConfig(null, ctx);
  const location = parseGluffLocation(arg);
  if (location.kind === 'sqlite') {
    throw new AuditError(
      'GV_USAGE',
      `${commandName}: --gluff must be a mysql:// location here; found '${arg}'`,
    );
  }
  return resolveMysqlConfig(location, ctx);
}

/** Collects a source's rows into an array (for callers that need them all at once). */
export async function readAllGluffLeases(
  source: GluffSource,
  zone: string,
  window?: TimeWindow,
): Promise<ActualLease[]> {
  const out: ActualLease[] = [];
  for await (const lease of source.readLeases(zone, window)) out.push(lease);
  return out;
}

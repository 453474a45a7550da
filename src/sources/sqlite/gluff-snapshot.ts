/**
 * Gluff snapshots: a SQLite copy of Gluff's MySQL tables, so a verification can be re-run later (or
 * elsewhere) against exactly the rows of one moment. `gluff-verify snapshot` writes one;
 * `--gluff sqlite:FILE.db` reads it back as the same GluffLeaseRowText values the MySQL reader yields.
 *
 * What is kept: `leases` and the four lookup tables with their raw values (ids, texts), and the
 * timestamps as the TEXT the server returned in the recorded session time zone, so the conversion to
 * UTC (with the spec's gluffZone) happens at verification time exactly as for a direct read.
 */
import { renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AuditError } from '../../model/errors.js';
import { gluffRowFilterSql, type GluffLeaseRowText, type GluffRowFilter } from '../../parse/gluff-row.js';

/** Bump on any incompatible change of the tables below; readers refuse newer versions. */
export const GLUFF_SNAPSHOT_FORMAT_VERSION = 1;
const FORMAT_NAME = 'gluff-verify-snapshot';

const LOOKUPS = ['ips', 'hws', 'cids', 'rids'] as const;
type LookupTable = (typeof LOOKUPS)[number];

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE leases (id INTEGER PRIMARY KEY, ip INTEGER NOT NULL, lstart TEXT NOT NULL, lend TEXT NOT NULL,
  hw INTEGER, cid INTEGER, rid INTEGER);
CREATE TABLE ips (id INTEGER PRIMARY KEY, value TEXT);
CREATE TABLE hws (id INTEGER PRIMARY KEY, value TEXT);
CREATE TABLE cids (id INTEGER PRIMARY KEY, value TEXT);
CREATE TABLE rids (id INTEGER PRIMARY KEY, value TEXT);
`;

/** Facts recorded with a snapshot. */
export interface GluffSnapshotMeta {
  formatVersion: number;
  /** Where the rows came from, e.g. `mysql://gluffro@db1:3306/dhcpd_leases` (never a password). */
  source: string;
  /** When the copy started (the verifier's clock), UTC ms. */
  takenAtMs: number;
  /** The MySQL session time_zone the timestamp texts were read in (`SYSTEM`, `+01:00`). */
  sessionTimeZone: string;
  /** What `SYSTEM` meant on that server (`@@system_time_zone`). */
  systemTimeZone: string;
  serverVersion: string;
}

/** What a snapshot copies from: the MySQL reader satisfies this (kept structural: sources/ import only model/). */
export interface GluffTablesSource {
  session: { timeZone: string; systemTimeZone: string; serverVersion: string };
  rawLeaseRows(): AsyncIterable<{
    id: number;
    ip: number;
    hw: number | null;
    cid: number | null;
    rid: number | null;
    lstart: string;
    lend: string;
  }>;
  lookupRows(table: LookupTable): AsyncIterable<{ id: number; value: string | null }>;
}

/**
 * Copies the Gluff tables into a new SQLite file at `path` (written to a temporary name and renamed,
 * so a failed copy never leaves a half snapshot; an existing file at `path` is replaced).
 * Returns the row counts. Throws GV_OUTPUT_WRITE when the file cannot be written.
 */
export async function writeGluffSnapshot(
  path: string,
  from: GluffTablesSource,
  meta: { source: string; takenAtMs: number },
): Promise<{ leases: number } & Record<LookupTable, number>> {
  const tmp = `${path}.tmp-${process.pid}`;
  let db: Database.Database;
  try {
    rmSync(tmp, { force: true });
    db = new Database(tmp);
  } catch (err) {
    throw new AuditError(
      'GV_OUTPUT_WRITE',
      `${path}: cannot create the snapshot file (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
  const counts = { leases: 0, ips: 0, hws: 0, cids: 0, rids: 0 };
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(SCHEMA);
    db.exec('BEGIN');
    const full: GluffSnapshotMeta = {
      formatVersion: GLUFF_SNAPSHOT_FORMAT_VERSION,
      source: meta.source,
      takenAtMs: meta.takenAtMs,
      sessionTimeZone: from.session.timeZone,
      systemTimeZone: from.session.systemTimeZone,
      serverVersion: from.session.serverVersion,
    };
    const putMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    putMeta.run('format', FORMAT_NAME);
    for (const [k, v] of Object.entries(full)) putMeta.run(k, String(v));
    const putLease = db.prepare(
      'INSERT INTO leases (id, ip, lstart, lend, hw, cid, rid) VALUES (@id, @ip, @lstart, @lend, @hw, @cid, @rid)',
    );
    for await (const row of from.rawLeaseRows()) {
      putLease.run(row);
      counts.leases++;
    }
    for (const table of LOOKUPS) {
      const put = db.prepare(`INSERT INTO ${table} (id, value) VALUES (@id, @value)`);
      for await (const row of from.lookupRows(table)) {
        put.run(row);
        counts[table]++;
      }
    }
    db.exec('COMMIT');
    db.close();
    renameSync(tmp, path);
  } catch (err) {
    if (db.open) db.close();
    rmSync(tmp, { force: true });
    if (err instanceof AuditError) throw err;
    throw new AuditError(
      'GV_OUTPUT_WRITE',
      `${path}: writing the snapshot failed (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
  return counts;
}

/** An open snapshot file. Read-only. */
export class GluffSnapshot {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    readonly meta: GluffSnapshotMeta,
  ) {}

  /** Opens and checks a snapshot. Throws GV_SNAPSHOT_INVALID when the file is not one this version can read. */
  static open(path: string): GluffSnapshot {
    const invalid = (why: string, cause?: unknown) =>
      new AuditError(
        'GV_SNAPSHOT_INVALID',
        `${path}: ${why}; expected a file written by 'gluff-verify snapshot --out ${path}'`,
        cause === undefined ? undefined : { cause },
      );
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (err) {
      throw invalid(`cannot open it as SQLite (${(err as Error).message})`, err);
    }
    try {
      const tables = new Set(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
          (r) => r.name,
        ),
      );
      for (const t of ['meta', 'leases', ...LOOKUPS])
        if (!tables.has(t)) throw invalid(`it has no table '${t}'`);
      const kv = new Map(
        (db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [
          r.key,
          r.value,
        ]),
      );
      if (kv.get('format') !== FORMAT_NAME)
        throw invalid(`its meta table does not say format=${FORMAT_NAME}`);
      const version = Number(kv.get('formatVersion'));
      if (!Number.isInteger(version) || version < 1)
        throw invalid(`its formatVersion '${kv.get('formatVersion') ?? ''}' is not a version`);
      if (version > GLUFF_SNAPSHOT_FORMAT_VERSION) {
        throw invalid(
          `it has format version ${version}, newer than the ${GLUFF_SNAPSHOT_FORMAT_VERSION} this gluff-verify reads`,
        );
      }
      const meta: GluffSnapshotMeta = {
        formatVersion: version,
        source: kv.get('source') ?? '',
        takenAtMs: Number(kv.get('takenAtMs')),
        sessionTimeZone: kv.get('sessionTimeZone') ?? '',
        systemTimeZone: kv.get('systemTimeZone') ?? '',
        serverVersion: kv.get('serverVersion') ?? '',
      };
      return new GluffSnapshot(db, path, meta);
    } catch (err) {
      db.close();
      if (err instanceof AuditError) throw err;
      throw invalid(`reading it failed (${(err as Error).message})`, err);
    }
  }

  /** The joined lease rows in id order, exactly as the MySQL reader yields them (id 0 -> null). */
  *leaseRows(filter?: GluffRowFilter): Generator<GluffLeaseRowText> {
    const { where, params } = gluffRowFilterSql(filter);
    const stmt = this.db.prepare(
      'SELECT l.id AS id, i.value AS ip, h.value AS hw, c.value AS cid, r.value AS rid, l.lstart AS lstart, l.lend AS lend ' +
        'FROM leases l ' +
        'LEFT JOIN ips i ON i.id = l.ip AND l.ip <> 0 ' +
        'LEFT JOIN hws h ON h.id = l.hw AND l.hw <> 0 ' +
        'LEFT JOIN cids c ON c.id = l.cid AND l.cid <> 0 ' +
        'LEFT JOIN rids r ON r.id = l.rid AND l.rid <> 0 ' +
        where +
        'ORDER BY l.id',
    );
    for (const row of stmt.iterate(...params)) yield row as GluffLeaseRowText;
  }

  /** Raw counts per table, for `describe()` and tests. */
  counts(): Record<'leases' | LookupTable, number> {
    const n = (t: string) => (this.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    return { leases: n('leases'), ips: n('ips'), hws: n('hws'), cids: n('cids'), rids: n('rids') };
  }

  close(): void {
    this.db.close();
  }
}

/** Opens a snapshot (see GluffSnapshot.open). */
export function openGluffSnapshot(path: string): GluffSnapshot {
  return GluffSnapshot.open(path);
}

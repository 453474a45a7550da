/**
 * Writes the simulated Gluff table into MariaDB/MySQL with Gluff's own schema (specs/gluff-schema.sql),
 * so the real reader (src/sources/mysql/gluff-reader.ts) can be run against it. Needs a user with
 * CREATE, DROP, INSERT on the database.
 *
 * Time zone: like Gluff, the wall time is written in the session's default zone (the server's global
 * time_zone), which is what the reader sets before reading.
 */
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { AuditError } from '../model/errors.js';
import type { GluffRow } from './gluff-model.js';
import { gluffTablesText } from './gluff-table-text.js';

export interface SimMysqlTarget {
  host?: string;
  port?: number;
  socketPath?: string;
  user: string;
  password?: string;
  database: string;
}

const TABLES = ['leases', 'ips', 'hws', 'cids', 'rids'] as const;

/** The CREATE TABLE statements of specs/gluff-schema.sql (comments and the SET removed). */
export function gluffSchemaStatements(schemaSql: string): string[] {
  return schemaSql
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => /^CREATE TABLE/i.test(s));
}

/**
 * Drops and re-creates the Gluff tables in `target.database`, then inserts `table`.
 * `schemaPath` defaults to specs/gluff-schema.sql under the working directory.
 */
export async function writeSimGluffMysql(
  target: SimMysqlTarget,
  table: readonly GluffRow[],
  opts: { zone: string; schemaPath?: string },
): Promise<{ leases: number }> {
  const schemaPath = opts.schemaPath ?? 'specs/gluff-schema.sql';
  let schemaSql: string;
  try {
    schemaSql = readFileSync(schemaPath, 'utf8');
  } catch (err) {
    throw new AuditError(
      'GV_INPUT_UNREADABLE',
      `cannot read the Gluff schema '${schemaPath}': ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const where = `mysql://${target.user}@${target.socketPath ?? `${target.host ?? 'localhost'}:${target.port ?? 3306}`}/${target.database}`;
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection({
      user: target.user,
      database: target.database,
      ...(target.password === undefined ? {} : { password: target.password }),
      ...(target.socketPath === undefined
        ? { host: target.host ?? 'localhost', port: target.port ?? 3306 }
        : { socketPath: target.socketPath }),
    });
  } catch (err) {
    throw new AuditError(
      'GV_MYSQL_UNREACHABLE',
      `${where}: cannot connect to write the simulated Gluff tables (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
  try {
    // The schema's zero-date defaults need the permissive mode old installs had.
    await conn.query("SET SESSION sql_mode = ''");
    for (const t of TABLES) await conn.query(`DROP TABLE IF EXISTS \`${t}\``);
    for (const stmt of gluffSchemaStatements(schemaSql)) await conn.query(stmt);
    const text = gluffTablesText(table, opts.zone);
    await conn.beginTransaction();
    for (const name of ['ips', 'hws', 'cids', 'rids'] as const) {
      const rows = text.lookups[name];
      for (let i = 0; i < rows.length; i += 1000) {
        const chunk = rows.slice(i, i + 1000);
        await conn.query(`INSERT INTO \`${name}\` (id, value) VALUES ?`, [chunk.map((r) => [r.id, r.value])]);
      }
    }
    for (let i = 0; i < text.leases.length; i += 1000) {
      const chunk = text.leases.slice(i, i + 1000);
      await conn.query('INSERT INTO leases (id, ip, lstart, lend, hw, cid, rid) VALUES ?', [
        chunk.map((r) => [r.id, r.ip, r.lstart, r.lend, r.hw, r.cid, r.rid]),
      ]);
    }
    await conn.commit();
    return { leases: text.leases.length };
  } catch (err) {
    throw new AuditError(
      'GV_MYSQL_SCHEMA',
      `${where}: writing the simulated Gluff tables failed (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  } finally {
    await conn.end();
  }
}

/**
 * A scratch Gluff database on the local MariaDB for integration tests: created through root's unix
 * socket exactly as Gluff's install does (specs/gluff-schema.sql, permissive sql_mode), with a
 * SELECT-only user that connects over TCP 127.0.0.1:3306. Dropped again by `drop()`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';

export const ROOT_SOCKET = '/run/mysqld/mysqld.sock';

export function rootConnection(): Promise<mysql.Connection> {
  return mysql.createConnection({
    socketPath: ROOT_SOCKET,
    user: 'root',
    multipleStatements: true,
    dateStrings: true,
  });
}

export interface GluffFixture {
  database: string;
  user: string;
  password: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates database `name` with Gluff's schema and a SELECT-only user `name_ro` with a random password. */
export async function createGluffDatabase(name: string, schemaSql?: string): Promise<GluffFixture> {
  const user = `${name}_ro`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const root = await rootConnection();
  try {
    await root.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await root.query(`CREATE DATABASE \`${name}\``);
    await root.query(`USE \`${name}\``);
    await root.query(schemaSql ?? readFileSync('specs/gluff-schema.sql', 'utf8'));
    for (const host of ['localhost', '127.0.0.1']) {
      await root.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
      await root.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${password}'`);
      await root.query(`GRANT SELECT ON \`${name}\`.* TO '${user}'@'${host}'`);
    }
  } finally {
    await root.end();
  }
  return {
    database: name,
    user,
    password,
    url: `mysql://${user}@127.0.0.1:3306/${name}`,
    async drop() {
      const r = await rootConnection();
      try {
        await r.query(`DROP DATABASE IF EXISTS \`${name}\``);
        for (const host of ['localhost', '127.0.0.1'])
          await r.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
      } finally {
        await r.end();
      }
    },
  };
}

/** CHECKSUM of every Gluff table, to show a run changed nothing. */
export async function checksumGluffTables(database: string): Promise<Record<string, string>> {
  const root = await rootConnection();
  try {
    const [rows] = await root.query(
      `CHECKSUM TABLE \`${database}\`.leases, \`${database}\`.ips, \`${database}\`.hws, \`${database}\`.cids, \`${database}\`.rids EXTENDED`,
    );
    return Object.fromEntries(
      (rows as { Table: string; Checksum: unknown }[]).map((r) => [r.Table, String(r.Checksum)]),
    );
  } finally {
    await root.end();
  }
}

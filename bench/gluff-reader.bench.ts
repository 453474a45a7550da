/**
 * Reading Gluff's tables: rows/s and heap for a direct MySQL read (streamed) and for a snapshot
 * write + read back. Needs the local MariaDB (root via /run/mysqld/mysqld.sock); creates and drops
 * database gv_test_mysql_bench. Run: node --import tsx bench/gluff-reader.bench.ts [ROWS]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mysqlGluffSource, snapshotGluffSource } from '../src/cli/gluff-source.js';
import { openGluffMysql } from '../src/sources/mysql/gluff-reader.js';
import { writeGluffSnapshot } from '../src/sources/sqlite/gluff-snapshot.js';
import { createGluffDatabase, rootConnection } from '../test/helpers/gluff-mysql-fixture.js';

const ROWS = Number(process.argv[2] ?? 200_000);
const ZONE = 'Europe/Stockholm';

async function measure(label: string, fn: () => Promise<number>): Promise<void> {
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = heap0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  const t0 = performance.now();
  const n = await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  console.log(
    `${label.padEnd(34)} ${n} rows in ${(ms / 1000).toFixed(2)} s = ${Math.round(n / (ms / 1000))} rows/s, ` +
      `heap peak +${((peak - heap0) / 1048576).toFixed(1)} MB`,
  );
}

const fx = await createGluffDatabase('gv_test_mysql_bench');
const dir = mkdtempSync(join(tmpdir(), 'gv-bench-'));
try {
  const root = await rootConnection();
  await root.query(`USE ${fx.database}`);
  await root.query(
    "INSERT INTO ips (value) SELECT CONCAT('10.', seq DIV 65536, '.', (seq DIV 256) % 256, '.', seq % 256) FROM seq_1_to_1000",
  );
  await root.query(
    "INSERT INTO hws (value) SELECT CONCAT('00:0c:29:00:', LPAD(LOWER(HEX(seq DIV 256)), 2, '0'), ':', LPAD(LOWER(HEX(seq % 256)), 2, '0')) FROM seq_1_to_1000",
  );
  await root.query("INSERT INTO cids (value) SELECT CONCAT('0:4:0:1:0:', HEX(seq)) FROM seq_1_to_48");
  await root.query("INSERT INTO rids (value) VALUES ('0:6:0:a:b8:0:0:1')");
  await root.query(
    `INSERT INTO leases (ip, lstart, lend, hw, cid, rid) SELECT 1 + seq % 1000, ` +
      `'2026-01-01 00:00:00' + INTERVAL seq * 37 SECOND, '2026-01-01 00:10:00' + INTERVAL seq * 37 SECOND, ` +
      `1 + seq % 1000, seq % 49, seq % 2 FROM seq_1_to_${ROWS}`,
  );
  await root.end();
  const config = {
    host: '127.0.0.1',
    port: 3306,
    user: fx.user,
    password: fx.password,
    database: fx.database,
  };
  console.log(`gluff-reader bench: ${ROWS} lease rows, Node ${process.version}`);
  await measure('direct MySQL read -> ActualLease', async () => {
    let n = 0;
    for await (const lease of mysqlGluffSource(config).readLeases(ZONE)) if (lease.id > 0) n++;
    return n;
  });
  const file = join(dir, 'snap.db');
  await measure('snapshot write (MySQL -> SQLite)', async () => {
    const reader = await openGluffMysql(config);
    try {
      return (await writeGluffSnapshot(file, reader, { source: 'bench', takenAtMs: 0 })).leases;
    } finally {
      await reader.close();
    }
  });
  console.log(`snapshot file size                 ${(statSync(file).size / 1048576).toFixed(1)} MB`);
  await measure('snapshot read -> ActualLease', async () => {
    let n = 0;
    for await (const lease of snapshotGluffSource(file).readLeases(ZONE)) if (lease.id > 0) n++;
    return n;
  });
} finally {
  await fx.drop();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Replays one real-Gluff golden run (test/golden/real-gluff/runN) through the real CLI, as the golden test
 * does, and keeps the result for a person labelling the truth: the store, the terminal report, the JSON and
 * the HTML report (scripts/screenshots.sh pictures it).
 *
 *   node --import tsx test/capture/verify-golden.ts test/golden/real-gluff/run4 [--as-of ISO] [--out DIR]
 *
 * Needs the local MariaDB (root through its unix socket); the scratch database is dropped at the end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createGluffDatabase, rootConnection, ROOT_SOCKET } from '../helpers/gluff-mysql-fixture.js';

const args = process.argv.slice(2);
const dir = resolve(args[0] ?? '');
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (!existsSync(join(dir, 'syslog.log'))) {
  console.error(
    'usage: verify-golden.ts RUN_DIR [--as-of ISO] [--out DIR]  (RUN_DIR holds syslog.log, gluff-tables.sql, rig.yaml)',
  );
  process.exit(2);
}
const truthFile = join(dir, 'expected-findings.json');
const asOf =
  flag('--as-of') ??
  (existsSync(truthFile)
    ? (JSON.parse(readFileSync(truthFile, 'utf8')) as { asOf: string }).asOf
    : undefined);
if (asOf === undefined) {
  console.error('verify-golden: give --as-of (no expected-findings.json to take it from)');
  process.exit(2);
}
const out = resolve(flag('--out') ?? `/tmp/gv-golden-${dir.split('/').pop()}`);
mkdirSync(out, { recursive: true });
const ROOT = resolve(import.meta.dirname, '..', '..');
const run = (cliArgs: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...cliArgs], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });

const db = await createGluffDatabase(`gv_golden_${Date.now() % 100000}`);
try {
  const root = await rootConnection();
  try {
    await root.query(`USE \`${db.database}\``);
    await root.query(readFileSync(join(dir, 'gluff-tables.sql'), 'utf8'));
  } finally {
    await root.end();
  }
  const store = join(out, 'events.db');
  for (const f of [store, `${store}-wal`, `${store}-shm`]) rmSync(f, { force: true });
  const ingest = run([
    'ingest',
    join(dir, 'syslog.log'),
    '--store',
    store,
    '--spec',
    join(dir, 'rig.yaml'),
    '--year-ref',
    asOf,
  ]);
  process.stderr.write(ingest.stderr);
  const verify = run(
    [
      'verify',
      '--store',
      store,
      '--spec',
      join(dir, 'rig.yaml'),
      '--gluff',
      `mysql://${db.user}@localhost/${db.database}?socket=${ROOT_SOCKET}`,
      '--as-of',
      asOf,
      '--json',
      join(out, 'report.json'),
      '--html',
      join(out, 'report.html'),
    ],
    { GLUFF_DBPWD: db.password, FORCE_COLOR: '0' },
  );
  writeFileSync(join(out, 'terminal.txt'), verify.stdout + verify.stderr);
  process.stdout.write(verify.stdout);
  console.log(`verify exit ${verify.status}; store, terminal.txt, report.json and report.html in ${out}`);
} finally {
  await db.drop();
}

/**
 * The verifier against four runs of the REAL Gluff 1.12 (test/golden/real-gluff/runN): the syslog of
 * the rig and the table contents Gluff left are replayed through the real CLI (`ingest`, then `verify`
 * against a scratch MariaDB database read by a SELECT-only user), and the report's findings are compared
 * with expected-findings.json, the truth labelled by hand from the syslog and the table.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Culprit, FindingKind, Severity } from '../../src/model/index.js';
import {
  createGluffDatabase,
  rootConnection,
  ROOT_SOCKET,
  type GluffFixture,
} from '../helpers/gluff-mysql-fixture.js';
import { runCli } from '../helpers/spawn-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const GOLDEN = join(ROOT, 'test', 'golden', 'real-gluff');

/** One finding of expected-findings.json. */
interface ExpectedFinding {
  kind: FindingKind;
  severity: Severity;
  culprit: Culprit;
  ip: string | null;
  hw: string | null;
  actualRowIds: number[];
  note: string;
  /** The attribution rule (specs/attribution.md) and how it is known; checked when labelled. */
  rule?: string;
  how?: 'witnessed' | 'inferred';
  /** True: an ideal verifier may report it or not (neither missing nor extra). */
  optional?: boolean;
}

interface ExpectedRun {
  run: number;
  asOf: string;
  findings: ExpectedFinding[];
}

/** The parts of a JSON report finding compared here. */
interface ReportedFinding {
  kind: FindingKind;
  severity: Severity;
  culprit: Culprit;
  ip: string | null;
  hw: string | null;
  message: string;
  actual: { id: number }[];
  attribution: { rule: string; how: string; witness: { line: string }[] } | null;
}

interface Comparison {
  missing: string[];
  extra: string[];
}

function sameIds(a: number[], b: number[]): boolean {
  const x = [...new Set(a)].sort((p, q) => p - q);
  const y = [...new Set(b)].sort((p, q) => p - q);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function describeExpected(e: ExpectedFinding): string {
  return `${e.severity} ${e.kind} ${e.culprit} ${e.rule ?? ''} ${e.how ?? ''} ${e.ip ?? '-'} rows [${e.actualRowIds.join(',')}]`;
}

function describeReported(f: ReportedFinding): string {
  return `${f.severity} ${f.kind} ${f.culprit} ${f.attribution?.rule ?? ''} ${f.attribution?.how ?? ''} ${f.ip ?? '-'} rows [${f.actual.map((a) => a.id).join(',')}]: ${f.message}`;
}

/**
 * Matches the reported findings of one severity against the expected ones: kind, ip and culprit always,
 * the actual row ids too when `withRows` (fail findings). Each reported finding matches at most once;
 * optional expected findings are matched first-come but never counted as missing.
 */
function compareFindings(
  expected: ExpectedFinding[],
  reported: ReportedFinding[],
  severity: Severity,
  withRows: boolean,
): Comparison {
  const pool = reported.filter((f) => f.severity === severity);
  const used = new Set<number>();
  const missing: string[] = [];
  const wanted = expected
    .filter((e) => e.severity === severity)
    .sort((a, b) => Number(a.optional === true) - Number(b.optional === true));
  for (const e of wanted) {
    const i = pool.findIndex(
      (f, k) =>
        !used.has(k) &&
        f.kind === e.kind &&
        f.ip === e.ip &&
        f.culprit === e.culprit &&
        (e.rule === undefined || f.attribution?.rule === e.rule) &&
        (e.how === undefined || f.attribution?.how === e.how) &&
        (!withRows ||
          sameIds(
            f.actual.map((a) => a.id),
            e.actualRowIds,
          )),
    );
    if (i >= 0) used.add(i);
    else if (e.optional !== true) missing.push(describeExpected(e));
  }
  const extra = pool.filter((_, k) => !used.has(k)).map(describeReported);
  return { missing, extra };
}

function formatComparison(run: number, what: string, c: Comparison): string {
  return [
    `run ${run} ${what}:`,
    ...c.missing.map((m) => `  MISSING ${m}`),
    ...c.extra.map((m) => `  EXTRA   ${m}`),
  ].join('\n');
}

for (const run of [1, 2, 3, 4]) {
  describe(`verify against real Gluff 1.12, golden run ${run}`, function () {
    this.timeout(30_000);
    const dir = join(GOLDEN, `run${run}`);
    const truth = JSON.parse(readFileSync(join(dir, 'expected-findings.json'), 'utf8')) as ExpectedRun;
    let tmp: string;
    let db: GluffFixture | null = null;
    let findings: ReportedFinding[] = [];
    let verdict = '';
    let verifyCode: number | null = null;

    before(async () => {
      tmp = mkdtempSync(join(tmpdir(), `gv-realgluff-${run}-`));
      db = await createGluffDatabase(`gv_test_realgluff_${run}`);
      const root = await rootConnection();
      try {
        await root.query(`USE \`${db.database}\``);
        await root.query(readFileSync(join(dir, 'gluff-tables.sql'), 'utf8'));
      } finally {
        await root.end();
      }
      const store = join(tmp, 'events.db');
      const ingest = await runCli([
        'ingest',
        join(dir, 'syslog.log'),
        '--store',
        store,
        '--spec',
        join(dir, 'rig.yaml'),
        // git checkouts reset the file's mtime, the default reference for the year of RFC 3164 stamps.
        '--year-ref',
        truth.asOf,
      ]);
      assert.equal(ingest.code, 0, ingest.stderr);
      const report = join(tmp, 'report.json');
      const verify = await runCli(
        [
          'verify',
          '--store',
          store,
          '--spec',
          join(dir, 'rig.yaml'),
          '--gluff',
          `mysql://${db.user}@localhost/${db.database}?socket=${ROOT_SOCKET}`,
          '--as-of',
          truth.asOf,
          '--json',
          report,
        ],
        { GLUFF_DBPWD: db.password },
      );
      verifyCode = verify.code;
      assert.ok(verify.code === 0 || verify.code === 1 || verify.code === 2, verify.stderr);
      const result = JSON.parse(readFileSync(report, 'utf8')) as {
        verdict: string;
        findings: ReportedFinding[];
      };
      findings = result.findings;
      verdict = result.verdict;
    });

    after(async () => {
      await db?.drop();
      rmSync(tmp, { recursive: true, force: true });
    });

    it('should load the table text exactly as Gluff wrote it', async () => {
      // The first row of each run, as the dump shows it (Stockholm wall clock in the server's zone).
      const first = readFileSync(join(dir, 'gluff-tables.sql'), 'utf8').match(
        /INSERT INTO `leases` \([^)]*\) VALUES \(1,\d+,'([^']+)','([^']+)'/,
      );
      assert.ok(first !== null, 'gluff-tables.sql has leases row 1');
      const root = await rootConnection();
      try {
        const [rows] = await root.query(
          `SELECT lstart, lend FROM \`${db?.database ?? ''}\`.leases WHERE id = 1`,
        );
        assert.deepEqual(rows, [{ lstart: first[1], lend: first[2] }]);
      } finally {
        await root.end();
      }
    });

    it('should report every expected fail finding and no other', () => {
      const c = compareFindings(truth.findings, findings, 'fail', true);
      assert.ok(c.missing.length === 0 && c.extra.length === 0, formatComparison(run, 'fail findings', c));
      const wantFail = truth.findings.some((e) => e.severity === 'fail' && e.optional !== true);
      assert.equal(verdict, wantFail ? 'fail' : 'pass', `verdict (exit code ${String(verifyCode)})`);
    });

    it('should give every fail finding an attribution, with its witness lines when witnessed', () => {
      for (const f of findings.filter((x) => x.severity === 'fail')) {
        assert.ok(f.attribution !== null, describeReported(f));
        if (f.attribution.how === 'witnessed')
          assert.ok(f.attribution.witness.length > 0, describeReported(f));
      }
    });

    it('should report the expected warnings and no other', () => {
      const c = compareFindings(truth.findings, findings, 'warn', false);
      assert.ok(c.missing.length === 0 && c.extra.length === 0, formatComparison(run, 'warnings', c));
    });
  });
}

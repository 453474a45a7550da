/**
 * `make verify` (scripts/make-verify.sh) end to end: settings from the environment and from a
 * gluff-verify.local.env file, reports written under reports/<UTC timestamp>/, exit code = verdict.
 * The evidence comes from a short simulated run (`demo --out`), one clean and one with a fault.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

function demo(out: string, faults: string | null): void {
  // A start well in the past: everything is settled when make verify judges it as of now.
  const args = [
    'bin/gluff-verify.js',
    'demo',
    '--hours',
    '3',
    '--seed',
    '5',
    '--start',
    '2026-11-01T00:00:00Z',
    '--out',
    out,
  ];
  if (faults !== null) args.push('--faults', faults);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, `demo exited ${r.status}: ${r.stderr}`);
}

/** Runs make-verify.sh and returns its exit code, output and the report folders it created. */
function makeVerify(env: Record<string, string>): {
  status: number | null;
  dirs: string[];
  stdout: string;
  stderr: string;
} {
  const before = new Set(existsSync(join(ROOT, 'reports')) ? readdirSync(join(ROOT, 'reports')) : []);
  const r = spawnSync('bash', ['scripts/make-verify.sh'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', NO_COLOR: '1', ...env },
  });
  const dirs = readdirSync(join(ROOT, 'reports'))
    .filter((d) => !before.has(d) && /^\d{8}T\d{6}Z(-\d+)?$/.test(d))
    .map((d) => join(ROOT, 'reports', d));
  return { status: r.status, dirs, stdout: r.stdout, stderr: r.stderr };
}

function onlyDir(r: { dirs: string[]; stderr: string }): string {
  assert.equal(r.dirs.length, 1, `expected one new report folder, got ${r.dirs.join(', ')}; ${r.stderr}`);
  return r.dirs[0] as string;
}

describe('make verify (scripts/make-verify.sh)', function () {
  this.timeout(120_000);
  let work = '';
  const made: string[] = [];
  const index = join(ROOT, 'reports', 'index.html');
  let hadIndex = false;
  before(function () {
    hadIndex = existsSync(index);
    // The script runs the built CLI, as `make verify` does after `make build`.
    if (!existsSync(join(ROOT, 'dist/cli/run.js')))
      throw new Error('run `make build` first (make test does)');
    work = mkdtempSync(join(tmpdir(), 'gv-make-verify-'));
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    for (const d of made) rmSync(d, { recursive: true, force: true });
    // The page would link the folders just removed; one that was there before is a user's, kept.
    if (!hadIndex) rmSync(index, { force: true });
  });

  it('should pass a clean run from environment settings and write the four reports', () => {
    // Arrange
    const out = join(work, 'clean');
    demo(out, null);
    // Act
    const r = makeVerify({ GV_STORE: join(out, 'events.db'), GV_GLUFF: `sqlite:${join(out, 'gluff.db')}` });
    made.push(...r.dirs);
    const dir = onlyDir(r);
    // Assert
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}\n${readFileSync(join(dir, 'verdict.txt'), 'utf8')}`);
    for (const f of ['verdict.txt', 'report.json', 'junit.xml', 'report.html'])
      assert.ok(statSync(join(dir, f)).size > 0, f);
    assert.equal(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).verdict, 'pass');
    assert.match(r.stdout, /^make verify: exit 0, reports in reports\/\d{8}T\d{6}Z(-\d+)?\/$/m);
  });

  it('should exit 1 with the finding in the reports when Gluff lost a release, settings from a config file', () => {
    const out = join(work, 'fault');
    demo(out, 'drop-release');
    const config = join(work, 'verify.env');
    writeFileSync(
      config,
      `# a local config file\nGV_STORE=${join(out, 'events.db')}\nGV_GLUFF=sqlite:${join(out, 'gluff.db')}\n`,
    );
    const r = makeVerify({ GV_CONFIG: config });
    made.push(...r.dirs);
    const dir = onlyDir(r);
    assert.equal(r.status, 1, r.stdout);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.equal(report.verdict, 'fail');
    assert.ok(report.counts['release-not-applied'] >= 1, JSON.stringify(report.counts));
    assert.match(readFileSync(join(dir, 'junit.xml'), 'utf8'), /<failure message="release-not-applied: /);
    // The history after the verdict: this run first, and how long its failure has lasted.
    const name = dir.slice(dir.lastIndexOf('/') + 1);
    assert.match(r.stdout, new RegExp(`^${name} {2}FAIL .*release-not-applied`, 'm'));
    assert.match(r.stdout, /^release-not-applied: (new in the newest run|failing in the last \d+ runs)/m);
    assert.match(readFileSync(index, 'utf8'), new RegExp(`<a href="${name}/report\\.html">`));
    assert.match(
      readFileSync(join(dir, 'report.html'), 'utf8'),
      /<section class="finding fail">\n<h3><span class="tag">\d+\. FAIL<\/span> release-not-applied /,
    );
  });

  it('should exit 3 with a stable error code, and no verdict, when the Gluff location is unusable', () => {
    const r = makeVerify({
      GV_STORE: join(work, 'clean', 'events.db'),
      GV_GLUFF: 'sqlite:/nonexistent/gluff.db',
    });
    made.push(...r.dirs);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /^gluff-verify: GV_[A-Z_]+: /m);
    assert.match(r.stdout, /^make verify: exit 3, /m);
  });
});

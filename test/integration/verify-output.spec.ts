/**
 * Where `verify` puts its output, through the real CLI (bin/gluff-verify.js, as a user's pipe runs it):
 * a report asked for as `-` is alone on stdout (the terminal report goes to stderr), at most one report
 * may be `-`, and a report that cannot be written never stops the others.
 * The evidence is a short simulated run with one fault (`demo --out`), so the reports have findings.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/gluff-verify.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('verify output (bin/gluff-verify.js)', function () {
  this.timeout(120_000);
  let work = '';
  let base: string[] = [];
  before(function () {
    if (!existsSync(join(ROOT, 'dist/cli/run.js')))
      throw new Error('run `make build` first (make test does)');
    work = mkdtempSync(join(tmpdir(), 'gv-verify-output-'));
    const out = join(work, 'demo');
    const d = cli([
      'demo',
      '--hours',
      '3',
      '--seed',
      '5',
      '--start',
      '2026-11-01T00:00:00Z',
      '--faults',
      'stale-port',
      '--out',
      out,
    ]);
    assert.equal(d.status, 1, d.stderr);
    base = [
      'verify',
      '--store',
      join(out, 'events.db'),
      '--spec',
      'specs/seed-rig.yaml',
      '--gluff',
      `sqlite:${join(out, 'gluff.db')}`,
    ];
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('should put the JSON report alone on stdout with --json -, the terminal report on stderr', () => {
    // Act: what `verify ... --json - | jq` reads.
    const r = cli([...base, '--json', '-']);
    // Assert
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.verdict, 'fail');
    assert.ok(doc.counts['wrong-port'] >= 1, JSON.stringify(doc.counts));
    assert.match(r.stderr, /^gluff-verify: FAIL\b/m);
  });

  it('should put the JUnit document alone on stdout with --junit -, and the JSON file still written', () => {
    const json = join(work, 'r.json');
    const r = cli([...base, '--junit', '-', '--json', json]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^<\?xml [^>]*\?>\n<testsuites [\s\S]*<\/testsuites>\n?$/);
    assert.equal(JSON.parse(readFileSync(json, 'utf8')).verdict, 'fail');
    assert.match(r.stderr, new RegExp(`^report: ${json}$`, 'm'));
  });

  it('should refuse two reports on stdout before doing any work (exit 3, GV_USAGE)', () => {
    const r = cli([...base, '--json', '-', '--html', '-']);
    assert.equal(r.status, 3);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^gluff-verify: GV_USAGE: verify: only one report can go to stdout \('-'\); found --json - and --html -/m,
    );
  });

  it('should write the HTML page when the --json path is unwritable, then exit 3 naming the JSON path', () => {
    // Arrange
    const json = join(work, 'no-such-folder', 'report.json');
    const junit = join(work, 'no-such-folder', 'junit.xml');
    const html = join(work, 'report.html');
    // Act
    const r = cli([...base, '--json', json, '--junit', junit, '--html', html]);
    // Assert
    assert.equal(r.status, 3, r.stderr);
    assert.ok(statSync(html).size > 0);
    assert.match(r.stderr, new RegExp(`^report: ${html}$`, 'm'));
    const error = r.stderr.split('\n').find((l) => l.startsWith('gluff-verify: ')) ?? '';
    assert.match(error, /^gluff-verify: GV_OUTPUT_WRITE: cannot write 2 reports: /);
    assert.ok(error.includes(`'${json}' (ENOENT`), error);
    assert.ok(error.includes(`'${junit}' (ENOENT`), error);
    // The verdict is still on the terminal.
    assert.match(r.stdout, /^gluff-verify: FAIL\b/m);
  });
});

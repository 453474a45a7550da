/**
 * `make soak` (scripts/soak.sh), shortened to one simulated hour played in about a second: a real
 * collector process, the sampler on that collector, the simulation sent over UDP, verify at the end.
 * The long run itself is `make soak`; this keeps the script working, and holds the script (the entry
 * point for cron and CI) to the verdict's exit code, which GNU make turns into 2 (saying so).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Runs `cmd` in the checkout with a one-hour soak's settings; returns its result and the folders it made. */
function soak(
  cmd: string,
  args: string[],
  settings: Record<string, string>,
): { status: number | null; stdout: string; stderr: string; dirs: string[] } {
  const reports = join(ROOT, 'reports');
  const before = new Set(existsSync(reports) ? readdirSync(reports) : []);
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', SOAK_HOURS: '1', SOAK_SPEEDUP: '3600', ...settings },
  });
  const dirs = readdirSync(reports)
    .filter((d) => !before.has(d) && d.startsWith('soak-'))
    .map((d) => join(reports, d));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dirs };
}

describe('make soak (scripts/soak.sh)', function () {
  this.timeout(120_000);
  const made: string[] = [];
  before(function () {
    if (!existsSync(join(ROOT, 'dist/cli/run.js')))
      throw new Error('run `make build` first (make test does)');
  });
  after(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  it('should pass a clean simulated hour sent through a real collector, with that collector sampled', () => {
    // Arrange
    const reports = join(ROOT, 'reports');
    const before = new Set(existsSync(reports) ? readdirSync(reports) : []);
    // Act
    const r = spawnSync('bash', ['scripts/soak.sh'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', SOAK_HOURS: '1', SOAK_SPEEDUP: '3600', SOAK_SEED: '3' },
    });
    const dirs = readdirSync(reports).filter((d) => !before.has(d) && d.startsWith('soak-'));
    made.push(...dirs.map((d) => join(reports, d)));
    // Assert
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(dirs.length, 1, dirs.join(', '));
    const report = JSON.parse(readFileSync(join(reports, dirs[0] as string, 'report.json'), 'utf8'));
    assert.equal(report.verdict, 'pass');
    assert.ok(report.ips.reduce((n: number, i: { expected: number }) => n + i.expected, 0) > 0);
    assert.deepEqual([report.channel.kernelDrops, report.channel.appDrops], [0, 0]);
    assert.ok(
      report.memory.some((m: { proc: string }) => m.proc === 'gv-collect@gv-soak'),
      JSON.stringify(report.memory.map((m: { proc: string }) => m.proc)),
    );
    assert.match(r.stdout, /^collect: stopped; received (\d+) stored \1 rejected 0 untrusted 0 dropped 0/m);
  });

  it('should exit 1 from scripts/soak.sh when Gluff wrote a wrong port', () => {
    const r = soak('bash', ['scripts/soak.sh'], { SOAK_SEED: '3', SOAK_FAULTS: 'stale-port' });
    made.push(...r.dirs);
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.dirs.length, 1);
    const report = JSON.parse(readFileSync(join(r.dirs[0] as string, 'report.json'), 'utf8'));
    assert.equal(report.verdict, 'fail');
    assert.ok(report.counts['wrong-port'] >= 1, JSON.stringify(report.counts));
    assert.match(r.stdout, /^make soak: exit 1, reports in reports\/soak-/m);
  });

  it("should make `make soak` exit 2 on that fail and say the verdict's code was 1 and who returns it", () => {
    // -o build: make test has built already; a test must not rebuild the tree other specs run from.
    const r = soak(
      'make',
      [
        '--no-print-directory',
        '-o',
        'build',
        'soak',
        'SOAK_HOURS=1',
        'SOAK_SPEEDUP=3600',
        'SOAK_SEED=3',
        'SOAK_FAULTS=stale-port',
      ],
      {},
    );
    made.push(...r.dirs);
    assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stderr,
      /^make soak: exit code 1 \(regressions found\); GNU make exits 2 for every failing recipe: cron and CI run scripts\/soak\.sh, which returns the code itself$/m,
    );
  });
});

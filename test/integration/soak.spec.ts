/**
 * `make soak` (scripts/soak.sh), shortened to one simulated hour played in about a second: a real
 * collector process, the sampler on that collector, the simulation sent over UDP, verify at the end.
 * The long run itself is `make soak`; this keeps the script working.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

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
});

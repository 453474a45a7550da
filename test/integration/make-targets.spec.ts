/**
 * Makefile targets run as a user runs them: `make install PREFIX=...` puts a working `gluff-verify` on
 * PATH (run from elsewhere, with cron's PATH), and `make demo` / `gluff-verify demo` exit codes: the
 * command returns the verdict's (the entry point for cron and CI), make returns 2 and says why.
 * `-o build` everywhere: make test has built already, and a test must not rebuild the tree (dist/) that
 * other specs are running from.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
/** cron's PATH: no node_modules/.bin, no nvm, no npm prefix. */
const CRON_PATH = '/usr/bin:/bin';

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    env: opts.env ?? { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('Makefile targets', function () {
  this.timeout(120_000);
  let work = '';
  before(function () {
    if (!existsSync(join(ROOT, 'dist/cli/run.js')))
      throw new Error('run `make build` first (make test does)');
    work = mkdtempSync(join(tmpdir(), 'gv-make-targets-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  describe('make install', () => {
    it("should put a gluff-verify into PREFIX/bin that runs from any folder with cron's PATH", () => {
      // Arrange
      const prefix = join(work, 'prefix with space');
      // Act
      const install = run('make', ['--no-print-directory', '-o', 'build', 'install', `PREFIX=${prefix}`]);
      // Assert
      assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`);
      const bin = join(prefix, 'bin', 'gluff-verify');
      assert.ok((statSync(bin).mode & 0o111) !== 0, 'executable');
      const env = { PATH: `${join(prefix, 'bin')}:${CRON_PATH}`, HOME: work };
      const help = run('gluff-verify', ['--help'], { cwd: work, env });
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /^Usage: gluff-verify <command> \[options\]/);
      assert.match(help.stdout, /^ {2}verify {2,}diff the rebuilt rows/m);
      const verifyHelp = run(bin, ['verify', '--help'], { cwd: '/', env: { PATH: CRON_PATH } });
      assert.equal(verifyHelp.status, 0, verifyHelp.stderr);
      assert.match(verifyHelp.stdout, /^Usage: gluff-verify verify /);
      // The exit code passes through the wrapper: a usage error is 3.
      assert.equal(run(bin, ['frobnicate'], { cwd: work, env }).status, 3);
    });

    it('should remove only its own wrapper with make uninstall', () => {
      const prefix = join(work, 'prefix2');
      assert.equal(run('make', ['-s', '-o', 'build', 'install', `PREFIX=${prefix}`]).status, 0);
      const bin = join(prefix, 'bin', 'gluff-verify');
      assert.equal(run('make', ['-s', 'uninstall', `PREFIX=${prefix}`]).status, 0);
      assert.equal(existsSync(bin), false);
      // Someone else's gluff-verify there is left alone, and said so.
      writeFileSync(bin, '#!/bin/sh\necho not ours\n');
      const r = run('make', ['-s', 'uninstall', `PREFIX=${prefix}`]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /not written by make install; left alone/);
      assert.equal(readFileSync(bin, 'utf8'), '#!/bin/sh\necho not ours\n');
    });
  });

  describe('make demo and gluff-verify demo', () => {
    const demoArgs = (out: string, faults: string): string[] => [
      'bin/gluff-verify.js',
      'demo',
      '--hours',
      '3',
      '--seed',
      '5',
      '--faults',
      faults,
      '--out',
      join(work, out),
    ];

    it('should exit 1 from gluff-verify demo on a failing fault and 2 on an inconclusive one', () => {
      const fail = run(process.execPath, demoArgs('fail', 'stale-port'));
      assert.equal(fail.status, 1, fail.stderr);
      assert.match(fail.stdout, /^demo: verdict fail; the fault catalogue expects fail/m);
      const inconclusive = run(process.execPath, demoArgs('loss', 'channel-loss'));
      assert.equal(inconclusive.status, 2, inconclusive.stderr);
      assert.match(
        inconclusive.stdout,
        /^demo: verdict inconclusive; the fault catalogue expects inconclusive/m,
      );
    });

    it("should make `make demo` exit 2 on a fail, saying the verdict's code was 1 and who returns it", () => {
      const out = join(work, 'make-demo');
      const r = run('make', [
        '--no-print-directory',
        '-o',
        'build',
        'demo',
        'FAULTS=stale-port',
        'HOURS=3',
        'SEED=5',
        `DEMO_OUT=${out}`,
      ]);
      assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
      assert.ok(existsSync(join(out, 'report.json')), 'the reports go to DEMO_OUT');
      assert.match(
        r.stderr,
        /^make demo: exit code 1 \(regressions found\); GNU make exits 2 for every failing recipe: cron and CI run npx gluff-verify demo, which returns the code itself$/m,
      );
    });
  });
});

/**
 * `make verify` (scripts/make-verify.sh) end to end: settings from the environment and from a
 * gluff-verify.local.env file (every shell-style form people write, or a refusal naming the line),
 * reports written under reports/<UTC timestamp>/, exit code = verdict from the script (the entry point
 * for cron and CI), and GNU make's own 2 explained. The evidence comes from short simulated runs
 * (`demo --out`): clean, with a fault, and with lost datagrams.
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
  // Its own exit code is the verdict's: 0, 1, or 2 for lost datagrams.
  assert.ok(r.status !== null && r.status <= 2, `demo exited ${r.status}: ${r.stderr}`);
}

/** Runs make-verify.sh (or `cmd`) and returns its exit code, output and the report folders it created. */
function makeVerify(
  env: Record<string, string>,
  cmd: [string, ...string[]] = ['bash', 'scripts/make-verify.sh'],
): {
  status: number | null;
  dirs: string[];
  stdout: string;
  stderr: string;
} {
  const before = new Set(existsSync(join(ROOT, 'reports')) ? readdirSync(join(ROOT, 'reports')) : []);
  const r = spawnSync(cmd[0], cmd.slice(1), {
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
      /<section id="f\d+" class="finding fail">\n<h3><span class="tag">\d+\. FAIL<\/span> release-not-applied /,
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

  it('should exit 2 when datagrams were lost, settings from a file in shell forms (export, spaces, quotes)', () => {
    // Arrange
    const out = join(work, 'loss');
    demo(out, 'channel-loss');
    const config = join(work, 'loss.env');
    writeFileSync(
      config,
      `export GV_STORE = "${join(out, 'events.db')}"\n  GV_GLUFF='sqlite:${join(out, 'gluff.db')}'  # the snapshot\n`,
    );
    // Act
    const r = makeVerify({ GV_CONFIG: config });
    made.push(...r.dirs);
    const dir = onlyDir(r);
    // Assert
    assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
    assert.equal(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).verdict, 'inconclusive');
    assert.match(r.stdout, /^make verify: exit 2, /m);
  });

  it("should make `make verify` exit 2 on a fail and say the verdict's code was 1 and who returns it", () => {
    // Arrange
    const out = join(work, 'fault');
    if (!existsSync(join(out, 'events.db'))) demo(out, 'drop-release');
    // Act: -o build, as make test has built already; a test must not rebuild the tree other specs run.
    const r = makeVerify({ GV_STORE: join(out, 'events.db'), GV_GLUFF: `sqlite:${join(out, 'gluff.db')}` }, [
      'make',
      '--no-print-directory',
      '-o',
      'build',
      'verify',
    ]);
    made.push(...r.dirs);
    // Assert
    assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^make verify: exit 1, /m);
    assert.match(
      r.stderr,
      /^make verify: exit code 1 \(regressions found\); GNU make exits 2 for every failing recipe: cron and CI run scripts\/make-verify\.sh, which returns the code itself$/m,
    );
  });

  describe('gluff-verify.local.env', () => {
    /** `scripts/make-verify.sh --show-config`: each setting as KEY=VALUE, a tab, and where it came from. */
    function showConfig(text: string, env: Record<string, string> = {}) {
      const config = join(work, 'gluff-verify.local.env');
      writeFileSync(config, text);
      const r = spawnSync('bash', ['scripts/make-verify.sh', '--show-config'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '', GV_CONFIG: config, ...env },
      });
      const settings = new Map<string, { value: string; from: string }>();
      for (const line of r.stdout.split('\n').filter((l) => l !== '')) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)\t# (.*)$/.exec(line);
        assert.ok(m !== null, `not KEY=VALUE<TAB># SOURCE: ${JSON.stringify(line)}`);
        settings.set(m[1] as string, {
          value: m[2] as string,
          from: (m[3] as string).replace(config, 'FILE'),
        });
      }
      return { status: r.status, stdout: r.stdout, stderr: r.stderr.replaceAll(config, 'FILE'), settings };
    }

    const FORMS: [string, string, string][] = [
      // [line in the file, key, value read]
      ['GV_STORE=plain.db', 'GV_STORE', 'plain.db'],
      ['GV_SPEC = spaced.yaml', 'GV_SPEC', 'spaced.yaml'],
      ['export GV_GLUFF=sqlite:exported.db', 'GV_GLUFF', 'sqlite:exported.db'],
      [
        "  export   GV_FROM = '2026-11-01T00:00:00Z'   # indented, single quotes",
        'GV_FROM',
        '2026-11-01T00:00:00Z',
      ],
      ['GV_TO="2026-11-01T03:00:00Z"', 'GV_TO', '2026-11-01T03:00:00Z'],
      [`GV_AS_OF='a $HOME # "kept" \\ as written'`, 'GV_AS_OF', 'a $HOME # "kept" \\ as written'],
      ['DQ="a \\"quoted\\" \\$x \\\\ \\n b" # comment', 'DQ', 'a "quoted" $x \\ \\n b'],
      ['URLISH=mysql://ro@db1/x#frag', 'URLISH', 'mysql://ro@db1/x#frag'],
      ['EMPTY=', 'EMPTY', ''],
      ["QUOTED_EMPTY=''", 'QUOTED_EMPTY', ''],
      ['CRLF=windows\r', 'CRLF', 'windows'],
    ];
    for (const [line, key, value] of FORMS) {
      it(`should read ${JSON.stringify(line)} as ${key}=${JSON.stringify(value)}`, () => {
        const r = showConfig(`# a comment\n\n${line}\n`);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.settings.get(key), { value, from: 'FILE:3' }, r.stdout);
      });
    }

    it('should read a last line without a newline, and the last of two lines for one key', () => {
      const r = showConfig('GV_STORE=first.db\nGV_STORE=second.db\nGV_SPEC=last.yaml');
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.settings.get('GV_STORE'), { value: 'second.db', from: 'FILE:2' });
      assert.deepEqual(r.settings.get('GV_SPEC'), { value: 'last.yaml', from: 'FILE:3' });
    });

    it('should let the environment win over the file, and show the defaults', () => {
      const r = showConfig('GV_STORE=file.db\n', { GV_STORE: 'env.db' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.settings.get('GV_STORE'), { value: 'env.db', from: 'environment (over FILE:1)' });
      assert.deepEqual(r.settings.get('GV_SPEC'), { value: 'specs/seed-rig.yaml', from: 'default' });
    });

    it('should never show a password', () => {
      const r = showConfig("GLUFF_DBPWD='s3cret'\n", { MYSQL_PWD: 'other-s3cret' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.settings.get('GLUFF_DBPWD'), { value: '(set, not shown)', from: 'FILE:1' });
      assert.doesNotMatch(r.stdout, /s3cret/);
    });

    it('should refuse every line it cannot read, by number, with GV_CONFIG_INVALID and exit 3, before verifying', () => {
      // Arrange
      const lines = [
        'GV_STORE=fine.db',
        'GV_SPEC=my spec.yaml',
        'GLUFF_DBPWD="s3cret',
        'just some words',
        'GV_FROM=$HOME/x',
        "GV_TO='2026-11-01' trailing",
        'export GV_AS_OF',
        '9KEY=1',
      ];
      const before = existsSync(join(ROOT, 'reports')) ? readdirSync(join(ROOT, 'reports')).length : 0;
      // Act
      const r = showConfig(`${lines.join('\n')}\n`);
      const plain = makeVerify({ GV_CONFIG: join(work, 'gluff-verify.local.env') });
      made.push(...plain.dirs);
      // Assert
      assert.equal(r.status, 3);
      assert.equal(plain.status, 3);
      assert.deepEqual(plain.dirs, []);
      assert.equal(existsSync(join(ROOT, 'reports')) ? readdirSync(join(ROOT, 'reports')).length : 0, before);
      const errors = r.stderr.split('\n').filter((l) => l.includes('GV_CONFIG_INVALID'));
      assert.match(
        r.stderr,
        /^make verify: nothing verified; values are not shown \(they may be passwords\)$/m,
      );
      assert.deepEqual(
        errors.map((l) => /^make verify: GV_CONFIG_INVALID: FILE:(\d+): /.exec(l)?.[1]),
        ['2', '3', '4', '5', '6', '7', '8'],
        r.stderr,
      );
      assert.match(r.stderr, /:2: GV_SPEC: a value with spaces must be quoted/);
      assert.match(r.stderr, /:3: GLUFF_DBPWD: the double quote is not closed/);
      assert.match(r.stderr, /:5: GV_FROM: '\$' /);
      assert.doesNotMatch(r.stderr + r.stdout + plain.stderr + plain.stdout, /s3cret/);
      assert.match(plain.stderr, /gluff-verify\.local\.env:2: /);
    });
  });
});

/**
 * Progress of `verify` on a big store (issue #12, item 10): on a terminal it shows each phase with counts
 * and rates on stderr, a few refreshes a second at most, and clears its line before the report; piped it
 * says nothing. The store is the simulator's (`demo`: two days, 60 clients, ~40k events, some failures so
 * attribution runs too); the terminal is a real pseudo-terminal from util-linux `script`.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../../src/cli/progress.js';
import { snapshotGluffSource } from '../../src/cli/gluff-source.js';
import { REBUILD_KINDS, runVerification } from '../../src/cli/verification.js';
import { EventStore } from '../../src/sources/sqlite/event-store.js';
import { loadRigSpec } from '../../src/spec/load-rig-spec.js';
import { runProcess } from '../helpers/spawn-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SPEC = join(ROOT, 'specs', 'seed-rig.yaml');

/** A Progress that records every call. */
function recorder() {
  const phases: { name: string; unit: string | null; total: number | null; added: number }[] = [];
  let ended = 0;
  const progress: Progress = {
    phase: (name, unit, total = null) => phases.push({ name, unit, total, added: 0 }),
    add: (n = 1) => {
      const p = phases.at(-1);
      if (p !== undefined) p.added += n;
    },
    end: () => (ended += 1),
  };
  return { progress, phases, ended: () => ended };
}

describe('verify progress', function () {
  this.timeout(120_000);
  let dir: string;
  let asOf: string;
  const verifyArgs = () => [
    'verify',
    '--store',
    join(dir, 'events.db'),
    '--spec',
    SPEC,
    '--gluff',
    `sqlite:${join(dir, 'gluff.db')}`,
    '--as-of',
    asOf,
  ];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gv-progress-'));
    const demo = await runProcess(process.execPath, [
      '--import',
      'tsx',
      'src/cli/run.ts',
      'demo',
      '--hours',
      '48',
      '--clients',
      '60',
      '--seed',
      '5',
      '--out',
      dir,
    ]);
    assert.ok(demo.code !== null && demo.code <= 2, demo.stderr);
    asOf = (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { window: { asOf: string } }).window
      .asOf;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should name each phase and count the events and rows it goes through', async () => {
    // Arrange
    const spec = loadRigSpec(SPEC);
    const store = EventStore.open(join(dir, 'events.db'), { readonly: true });
    const rec = recorder();
    try {
      const stats = store.stats();
      const rebuildTotal = REBUILD_KINDS.reduce((n, k) => n + (stats.byKind[k] ?? 0), 0);
      // Act
      const result = await runVerification({
        store,
        spec,
        specName: SPEC,
        gluff: snapshotGluffSource(join(dir, 'gluff.db')),
        asOfMs: Date.parse(asOf),
        window: { fromMs: null, toMs: null },
        progress: rec.progress,
      });
      // Assert
      const names = rec.phases.map((p) => p.name);
      assert.deepEqual(
        names.map((n) => n.replace(/ [(\d].*$/, '')),
        ['reading Gluff', 'rebuilding', 'judging memory', 'diffing', 'attributing', 'reading evidence lines'],
      );
      const actualRows = result.ips.reduce((n, i) => n + i.actual, 0);
      const expectedRows = result.ips.reduce((n, i) => n + i.expected, 0);
      assert.deepEqual(rec.phases[0], {
        name: 'reading Gluff',
        unit: 'rows',
        total: null,
        added: actualRows,
      });
      assert.equal(rec.phases[1]?.unit, 'events');
      assert.equal(rec.phases[1]?.total, rebuildTotal);
      assert.ok((rec.phases[1]?.added ?? 0) > 10_000 && (rec.phases[1]?.added ?? 0) <= rebuildTotal);
      assert.equal(rec.phases[2]?.total, stats.byKind.memsample);
      assert.equal(
        rec.phases[3]?.name,
        `diffing ${expectedRows.toLocaleString('en-US')} expected and ${actualRows.toLocaleString('en-US')} Gluff rows`,
      );
      assert.ok(
        result.findings.some((f) => f.attribution !== undefined),
        'attribution ran',
      );
      assert.equal(rec.phases[4]?.added, rec.phases[1]?.added, 'attribution replays the same events');
      assert.equal(rec.ended(), 1);
    } finally {
      store.close();
    }
  });

  it('should show progress on a terminal, at most a few refreshes a second, and clear it before the report', async () => {
    // Act: the real CLI with its stdout and stderr on a pseudo-terminal.
    const started = Date.now();
    const command = [process.execPath, '--import', 'tsx', 'src/cli/run.ts', ...verifyArgs()]
      .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
      .join(' ');
    const shell = spawnSync('script', ['-qfec', command, '/dev/null'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, COLUMNS: '200', NO_COLOR: '1' },
    });
    assert.equal(shell.status, 1, `verify's exit code (fail) through script: ${shell.stderr}`);
    const tty = shell.stdout.replace(/\r\n/g, '\n');
    const seconds = (Date.now() - started) / 1000;
    // Assert
    const refreshes = tty.match(/\r\u001b\[Kverify: [^\r\n\u001b]*/g) ?? [];
    assert.ok(refreshes.length >= 1, `no progress line in:\n${tty.slice(0, 2000)}`);
    assert.ok(refreshes.length <= 4 * seconds + 1, `${refreshes.length} refreshes in ${seconds} s`);
    assert.ok(
      refreshes.some((r) => /verify: rebuilding: [\d,]+ of [\d,]+ events \(\d+%\), [\d,]+ events\/s/.test(r)),
      refreshes.join('\n'),
    );
    // The report starts on a clean line: the last progress line was cleared before the headline.
    assert.match(tty, /\r\u001b\[Kgluff-verify: FAIL \(/);
  });

  it('should say nothing about progress when stderr is not a terminal', async () => {
    const piped = await runProcess(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...verifyArgs()]);
    assert.equal(piped.code, 1, piped.stderr);
    assert.doesNotMatch(piped.stderr, /verify: |\r|\u001b/);
    assert.match(piped.stdout, /^gluff-verify: FAIL \(/);
  });
});

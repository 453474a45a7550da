import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRuns } from '../../../src/cli/commands/history.js';
import { main } from '../../../src/cli/main.js';
import { renderJsonReport } from '../../../src/report/json-report.js';
import { finding, result } from '../../helpers/fixtures.js';
import { captureIo } from '../../helpers/capture-io.js';

describe('history (CLI)', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gv-history-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A run folder holding `report` as its report.json (null: no report.json at all). */
  function runFolder(name: string, report: string | null): void {
    mkdirSync(join(dir, name));
    if (report !== null) writeFileSync(join(dir, name, 'report.json'), report);
  }

  it('should read the run folders newest first, a second run in one second before the first, and skip others', () => {
    const pass = renderJsonReport(result({ verdict: 'pass', findings: [] }));
    runFolder('20261126T024500Z', pass);
    runFolder('20261128T024500Z', pass);
    runFolder('20261128T024500Z-2', pass);
    runFolder('20261127T024500Z', null);
    runFolder('demo-seed1', pass);
    writeFileSync(join(dir, '20261129T024500Z'), 'a file, not a run folder');
    const runs = readRuns(dir);
    assert.deepEqual(
      runs.map((r) => r.run),
      ['20261128T024500Z-2', '20261128T024500Z', '20261127T024500Z', '20261126T024500Z'],
    );
    assert.match(runs[2]?.problem ?? '', /^cannot read report\.json: ENOENT/);
  });

  it('should print the history and write the page', async () => {
    // Arrange
    runFolder('20261127T024500Z', renderJsonReport(result({ findings: [finding({ kind: 'wrong-port' })] })));
    runFolder('20261128T024500Z', renderJsonReport(result({ findings: [finding({ kind: 'wrong-port' })] })));
    const { io, out } = captureIo();
    const page = join(dir, 'index.html');
    // Act
    const code = await main(['history', '--dir', dir, '--html', page], io);
    // Assert
    assert.equal(code, 0);
    assert.equal(
      out(),
      '20261128T024500Z  FAIL          1 wrong-port\n20261127T024500Z  FAIL          1 wrong-port\nwrong-port: failing in the last 2 runs (every run kept)\n',
    );
    assert.match(readFileSync(page, 'utf8'), /<h1>gluff-verify: 2 runs<\/h1>/);
  });

  it('should refuse a folder it cannot read with GV_INPUT_UNREADABLE, and a bad --last with GV_USAGE', async () => {
    const a = captureIo();
    assert.equal(await main(['history', '--dir', join(dir, 'missing')], a.io), 3);
    assert.match(a.err(), /GV_INPUT_UNREADABLE: history: cannot read the reports folder/);
    const b = captureIo();
    assert.equal(await main(['history', '--dir', dir, '--last', '0'], b.io), 3);
    assert.match(b.err(), /GV_USAGE: history: --last '0' is not a positive integer/);
  });
});

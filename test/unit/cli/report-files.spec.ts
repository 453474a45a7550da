import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { AuditError } from '../../../src/model/errors.js';
import { reportToStdout, unwrittenReportsError, writeReports } from '../../../src/cli/report-files.js';
import { result } from '../../helpers/fixtures.js';

/** A stdout that keeps what was written. */
function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('writeReports', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gv-report-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('should write every report it can and name each one it could not', () => {
    // Arrange: the JSON and JUnit paths are in a folder that does not exist, the HTML path is fine.
    const json = join(dir, 'missing', 'report.json');
    const junit = join(dir, 'missing', 'junit.xml');
    const html = join(dir, 'report.html');
    // Act
    const writes = writeReports(result(), { json, junit, html, stdout: sink().stream });
    // Assert
    assert.deepEqual(writes.written, [html]);
    assert.match(readFileSync(html, 'utf8'), /^<!DOCTYPE html>/);
    assert.deepEqual(
      writes.failed.map((f) => f.path),
      [json, junit],
    );
    for (const f of writes.failed) assert.match(f.reason, /ENOENT/);
  });

  it('should still write the other reports when the report folder cannot be created', () => {
    const reportDir = join(dir, 'a-file');
    // A file where the folder should be: mkdir -p fails.
    writeFileSync(reportDir, 'not a folder');
    const json = join(dir, 'report.json');
    const writes = writeReports(result(), { json, reportDir, stdout: sink().stream });
    assert.deepEqual(writes.written, [json]);
    assert.deepEqual(
      writes.failed.map((f) => f.path),
      [reportDir],
    );
    assert.ok(existsSync(json));
  });

  for (const option of ['json', 'junit', 'html'] as const) {
    it(`should write the --${option} document alone to stdout for '-'`, () => {
      const out = sink();
      const writes = writeReports(result(), { [option]: '-', stdout: out.stream });
      assert.deepEqual(writes, { written: [], failed: [] });
      const text = out.text();
      if (option === 'json') assert.equal(JSON.parse(text).verdict, 'fail');
      else if (option === 'junit') assert.match(text, /^<\?xml [^>]*\?>\n<testsuites /);
      else assert.match(text, /^<!DOCTYPE html>[\s\S]*<\/html>\n?$/);
    });
  }
});

describe('unwrittenReportsError', () => {
  it('should be GV_OUTPUT_WRITE, exit 3, naming every report not written and why', () => {
    const err = unwrittenReportsError([
      { path: '/nonexistent/report.json', reason: 'ENOENT: no such file or directory' },
      { path: '/nonexistent/junit.xml', reason: 'ENOENT: no such file or directory' },
    ]);
    assert.ok(err instanceof AuditError);
    assert.equal(err.code, 'GV_OUTPUT_WRITE');
    assert.equal(err.exitCode, 3);
    assert.match(err.message, /'\/nonexistent\/report\.json' \(ENOENT: no such file or directory\)/);
    assert.match(err.message, /'\/nonexistent\/junit\.xml' \(ENOENT/);
    assert.match(err.message, /^cannot write 2 reports: /);
  });
});

describe('reportToStdout', () => {
  it("should name the one report that goes to stdout ('-'), or none", () => {
    assert.equal(reportToStdout('verify', { json: '-', junit: 'j.xml' }), 'json');
    assert.equal(reportToStdout('verify', { html: '-' }), 'html');
    assert.equal(reportToStdout('verify', { json: 'r.json' }), null);
  });

  it('should refuse two reports on stdout with GV_USAGE, naming both', () => {
    assert.throws(
      () => reportToStdout('verify', { json: '-', html: '-' }),
      (err: unknown) =>
        err instanceof AuditError &&
        err.code === 'GV_USAGE' &&
        /^verify: only one report can go to stdout \('-'\); found --json - and --html -/.test(err.message),
    );
  });
});

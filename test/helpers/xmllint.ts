/**
 * xmllint (Debian's libxml2-utils) over a text, for the report tests. CI installs it (.ci/run); a
 * machine without it skips those tests, saying why, except in CI where its absence fails them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;

/** In a test: skips it where xmllint is missing, outside CI. */
export function requireXmllint(ctx: Mocha.Context): void {
  if (hasXmllint || process.env['CI'] !== undefined) return;
  console.log('      skipped: xmllint is not installed (apt-get install libxml2-utils)');
  ctx.skip();
}

/** What xmllint says about `text` (well-formed, and valid against `schema` when given): '' when nothing. */
export function xmllintComplaints(text: string, schema?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gv-xmllint-'));
  try {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, text);
    const args = schema === undefined ? ['--noout', file] : ['--noout', '--schema', schema, file];
    const r = spawnSync('xmllint', args, { encoding: 'utf8' });
    return r.status === 0 ? '' : `${r.stderr}${r.error?.message ?? ''}` || `xmllint exited ${r.status}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What verify-like commands share: the verdict's exit code, colour choice, and writing the report
 * files. (The time window options are in command.ts: events takes them too.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditError, ExitCode, type ExitCodeValue } from '../model/errors.js';
import type { Verdict, VerificationResult } from '../model/lease.js';
import { renderJsonReport } from '../report/json-report.js';
import { renderHtmlReport } from '../report/html-report.js';
import { renderJunitReport } from '../report/junit-report.js';
import { renderTerminalReport } from '../report/terminal-report.js';
import type { CliIo } from './command.js';

export const VERDICT_EXIT: Record<Verdict, ExitCodeValue> = {
  pass: ExitCode.pass,
  fail: ExitCode.fail,
  inconclusive: ExitCode.inconclusive,
};

/**
 * Colour on a TTY unless NO_COLOR is set (https://no-color.org), or when FORCE_COLOR is. `stream` is
 * where the terminal report goes: stderr when a report document has stdout.
 */
export function terminalColor(io: CliIo, stream: CliIo['stdout'] = io.stdout): boolean {
  if ((io.env['NO_COLOR'] ?? '') !== '') return false;
  if ((io.env['FORCE_COLOR'] ?? '') !== '' && io.env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}

/** The report options that take a file, or `-` for stdout. */
export type ReportOption = 'json' | 'junit' | 'html';

/** Where each report goes: a path, `-` (stdout) or nowhere; a report folder gets all four. */
export interface ReportTargets {
  json?: string | undefined;
  junit?: string | undefined;
  html?: string | undefined;
  reportDir?: string | undefined;
  stdout: NodeJS.WritableStream;
}

/** What `writeReports` did: every path written, and every path it could not write with the reason. */
export interface ReportWrites {
  written: string[];
  /** Empty when everything was written. A report folder that cannot be created is one entry. */
  failed: { path: string; reason: string }[];
}

/**
 * Which report goes to stdout (`-`), or null. At most one may: two documents on one stream could not be
 * told apart by `| jq` or an XML parser. The caller then sends the terminal report to stderr, so stdout
 * holds that document alone.
 */
export function reportToStdout(
  commandName: string,
  targets: { json?: string | undefined; junit?: string | undefined; html?: string | undefined },
): ReportOption | null {
  const options = (['json', 'junit', 'html'] as const).filter((o) => targets[o] === '-');
  if (options.length > 1) {
    throw new AuditError(
      'GV_USAGE',
      `${commandName}: only one report can go to stdout ('-'); found ${options.map((o) => `--${o} -`).join(' and ')}`,
    );
  }
  return options[0] ?? null;
}

/** GV_OUTPUT_WRITE naming every report in `failed`; thrown once the others have been written. */
export function unwrittenReportsError(failed: ReportWrites['failed']): AuditError {
  const list = failed.map((f) => `'${f.path}' (${f.reason})`).join(', ');
  return new AuditError(
    'GV_OUTPUT_WRITE',
    `cannot write ${failed.length === 1 ? 'report' : `${failed.length} reports`}: ${list}; every other report was written`,
  );
}

/**
 * Writes the requested reports (`-` means stdout) and returns what was written and what could not be:
 * one unwritable path never stops the others. A report folder gets verdict.txt (the plain terminal
 * report), report.json, junit.xml and report.html.
 */
export function writeReports(result: VerificationResult, targets: ReportTargets): ReportWrites {
  const writes: ReportWrites = { written: [], failed: [] };
  const write = (path: string, render: () => string): void => {
    try {
      writeFileSync(path, render());
      writes.written.push(path);
    } catch (err) {
      writes.failed.push({ path, reason: (err as Error).message });
    }
  };
  const renderers: Record<ReportOption, () => string> = {
    json: () => renderJsonReport(result),
    junit: () => renderJunitReport(result),
    html: () => renderHtmlReport(result),
  };
  for (const option of ['json', 'junit', 'html'] as const) {
    const target = targets[option];
    if (target === undefined) continue;
    if (target === '-') targets.stdout.write(renderers[option]());
    else write(target, renderers[option]);
  }
  if (targets.reportDir !== undefined) {
    try {
      mkdirSync(targets.reportDir, { recursive: true });
    } catch (err) {
      writes.failed.push({
        path: targets.reportDir,
        reason: `cannot create the folder: ${(err as Error).message}`,
      });
      return writes;
    }
    const files: [string, () => string][] = [
      ['verdict.txt', () => renderTerminalReport(result, { color: false, maxFindings: 50 })],
      ['report.json', renderers.json],
      ['junit.xml', renderers.junit],
      ['report.html', renderers.html],
    ];
    for (const [name, render] of files) write(join(targets.reportDir, name), render);
  }
  return writes;
}

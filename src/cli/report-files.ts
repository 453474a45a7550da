/**
 * What verify-like commands share: the time window options, the verdict's exit code, colour choice,
 * and writing the report files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditError, ExitCode, type ExitCodeValue } from '../model/errors.js';
import type { Verdict, VerificationResult } from '../model/lease.js';
import type { TimeWindow } from '../model/time.js';
import { renderJsonReport } from '../report/json-report.js';
import { renderHtmlReport } from '../report/html-report.js';
import { renderJunitReport } from '../report/junit-report.js';
import { renderTerminalReport } from '../report/terminal-report.js';
import { parseTimeArg, type CliIo } from './command.js';

export const VERDICT_EXIT: Record<Verdict, ExitCodeValue> = {
  pass: ExitCode.pass,
  fail: ExitCode.fail,
  inconclusive: ExitCode.inconclusive,
};

export const WINDOW_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  'as-of': { type: 'string' },
} as const;

export const WINDOW_HELP = [
  '  --from T              judge only rows that end at or after T (ISO 8601, UTC unless a zone is given)',
  '  --to T                judge only rows that start before T',
  '  --as-of T             the instant to verify for (default: --to, else now); later events are ignored',
].join('\n');

/** The window and as-of instant from `--from`, `--to`, `--as-of`. */
export function windowFromArgs(
  commandName: string,
  values: { from?: string | undefined; to?: string | undefined; 'as-of'?: string | undefined },
  nowMs: number,
): { window: TimeWindow; asOfMs: number } {
  const fromMs = values.from === undefined ? null : parseTimeArg(commandName, 'from', values.from);
  const toMs = values.to === undefined ? null : parseTimeArg(commandName, 'to', values.to);
  const asOfMs =
    values['as-of'] === undefined ? (toMs ?? nowMs) : parseTimeArg(commandName, 'as-of', values['as-of']);
  if (fromMs !== null && toMs !== null && toMs <= fromMs) {
    throw new AuditError('GV_USAGE', `${commandName}: --to must be after --from`);
  }
  return { window: { fromMs, toMs }, asOfMs };
}

/** Colour on a TTY unless NO_COLOR is set (https://no-color.org), or when FORCE_COLOR is. */
export function terminalColor(io: CliIo): boolean {
  if ((io.env['NO_COLOR'] ?? '') !== '') return false;
  if ((io.env['FORCE_COLOR'] ?? '') !== '' && io.env['FORCE_COLOR'] !== '0') return true;
  return io.stdout.isTTY === true;
}

function writeFile(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new AuditError('GV_OUTPUT_WRITE', `cannot write report '${path}': ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Writes the requested report files (`-` for JSON means stdout) and returns the paths written.
 * A report folder gets verdict.txt (the plain terminal report), report.json, junit.xml and report.html.
 */
export function writeReports(
  result: VerificationResult,
  targets: {
    json?: string | undefined;
    junit?: string | undefined;
    html?: string | undefined;
    reportDir?: string | undefined;
    stdout: NodeJS.WritableStream;
  },
): string[] {
  const written: string[] = [];
  if (targets.json !== undefined) {
    if (targets.json === '-') targets.stdout.write(renderJsonReport(result));
    else {
      writeFile(targets.json, renderJsonReport(result));
      written.push(targets.json);
    }
  }
  if (targets.junit !== undefined) {
    writeFile(targets.junit, renderJunitReport(result));
    written.push(targets.junit);
  }
  if (targets.html !== undefined) {
    writeFile(targets.html, renderHtmlReport(result));
    written.push(targets.html);
  }
  if (targets.reportDir !== undefined) {
    try {
      mkdirSync(targets.reportDir, { recursive: true });
    } catch (err) {
      throw new AuditError(
        'GV_OUTPUT_WRITE',
        `cannot create report folder '${targets.reportDir}': ${(err as Error).message}`,
        { cause: err },
      );
    }
    const files: [string, string][] = [
      ['verdict.txt', renderTerminalReport(result, { color: false, maxFindings: 50 })],
      ['report.json', renderJsonReport(result)],
      ['junit.xml', renderJunitReport(result)],
      ['report.html', renderHtmlReport(result)],
    ];
    for (const [name, text] of files) {
      const path = join(targets.reportDir, name);
      writeFile(path, text);
      written.push(path);
    }
  }
  return written;
}

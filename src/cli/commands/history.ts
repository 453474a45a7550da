/**
 * `gluff-verify history`: the verdicts of the `make verify` runs kept under a reports folder, newest
 * first, and how long each of the newest run's failures has been failing.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditError, ExitCode } from '../../model/errors.js';
import {
  renderHistoryHtml,
  renderHistoryText,
  summarizeReport,
  unreadableRun,
  type RunSummary,
} from '../../report/history-report.js';
import { parseCommandArgs, type CliIo, type Command } from '../command.js';

const NAME = 'history';

const help = `Usage: gluff-verify history [--dir DIR] [--last N] [--html FILE]

Lists the runs 'make verify' kept in DIR (folders named by their UTC start, 20261128T024500Z), newest
first: verdict, failing kinds, leaking processes, inconclusive findings, lost datagrams; then, for each
kind failing in the newest run, how many runs in a row it has failed ("new in the newest run" or
"failing in the last 5 runs"). A folder whose report.json cannot be read is listed with the reason.

Options:
  --dir DIR     the reports folder (default: reports)
  --last N      runs to print (default 10; the page lists them all)
  --html FILE   also write the history as a page linking each run's report.html
                ('make verify' writes reports/index.html this way)

Exit: 0; 3 when DIR cannot be read.

Example:
  gluff-verify history --dir reports --last 7
`;

/** `make verify`'s folder names: the UTC start, `-2`, `-3` when runs share a second. */
const RUN_FOLDER = /^\d{8}T\d{6}Z(?:-\d+)?$/;

/** Reads every run folder's report.json, newest first (the names sort by time). */
export function readRuns(dir: string): RunSummary[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && RUN_FOLDER.test(e.name))
      .map((e) => e.name);
  } catch (err) {
    throw new AuditError(
      'GV_INPUT_UNREADABLE',
      `${NAME}: cannot read the reports folder '${dir}': ${(err as Error).message}; expected the folder 'make verify' writes to`,
      { cause: err },
    );
  }
  const byTime = (name: string): [string, number] => {
    const m = /^(.*?)(?:-(\d+))?$/.exec(name) as RegExpExecArray;
    return [m[1] as string, Number(m[2] ?? 1)];
  };
  names.sort((a, b) => {
    const [sa, na] = byTime(a);
    const [sb, nb] = byTime(b);
    return sa === sb ? nb - na : sb.localeCompare(sa);
  });
  return names.map((name) => {
    let text: string;
    try {
      text = readFileSync(join(dir, name, 'report.json'), 'utf8');
    } catch (err) {
      return unreadableRun(name, `cannot read report.json: ${(err as Error).message}`);
    }
    return summarizeReport(name, text);
  });
}

async function run(argv: string[], io: CliIo): Promise<typeof ExitCode.pass> {
  const { values } = parseCommandArgs(NAME, argv, {
    dir: { type: 'string' },
    last: { type: 'string' },
    html: { type: 'string' },
  });
  const last = values.last === undefined ? 10 : Number(values.last);
  if (!Number.isInteger(last) || last <= 0) {
    throw new AuditError('GV_USAGE', `${NAME}: --last '${values.last}' is not a positive integer`);
  }
  const runs = readRuns(values.dir ?? 'reports');
  io.stdout.write(renderHistoryText(runs, last));
  if (values.html !== undefined) {
    try {
      writeFileSync(values.html, renderHistoryHtml(runs));
    } catch (err) {
      throw new AuditError(
        'GV_OUTPUT_WRITE',
        `${NAME}: cannot write '${values.html}': ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  return ExitCode.pass;
}

export const command: Command = {
  name: NAME,
  summary: "list the verdicts of the runs 'make verify' kept, and how long each failure has lasted",
  help,
  run,
};

/**
 * The shape every CLI command has, and the small helpers they share. Each command lives in
 * src/cli/commands/<name>.ts and exports `command: Command`; main.ts lists them.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AuditError, type ExitCodeValue } from '../model/errors.js';
import type { TimeWindow } from '../model/time.js';

/** What a command gets from the outside world; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** The clock: only cli/ and collect/ hold one. */
  nowMs: () => number;
}

export interface Command {
  name: string;
  /** One line for `gluff-verify --help`. */
  summary: string;
  /** Full `--help` text: usage line, options, an example. */
  help: string;
  run(argv: string[], io: CliIo): Promise<ExitCodeValue>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs with our error code: unknown options and missing values become GV_USAGE naming the command.
 */
export function parseCommandArgs<O extends Options>(
  commandName: string,
  argv: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new AuditError(
      'GV_USAGE',
      `${commandName}: ${(err as Error).message}; see 'gluff-verify ${commandName} --help'`,
      { cause: err },
    );
  }
}

/** Throws GV_USAGE unless `value` is set. */
export function requireOption<T>(commandName: string, name: string, value: T | undefined): T {
  if (value === undefined) {
    throw new AuditError(
      'GV_USAGE',
      `${commandName}: --${name} is required; see 'gluff-verify ${commandName} --help'`,
    );
  }
  return value;
}

/**
 * Parses a time argument: ISO 8601 (`2026-11-28T01:00:00Z`; without a zone it is UTC) or epoch
 * milliseconds. Returns UTC epoch ms.
 */
export function parseTimeArg(commandName: string, name: string, text: string): number {
  if (/^\d{10,}$/.test(text)) return Number(text);
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    throw new AuditError(
      'GV_USAGE',
      `${commandName}: --${name} '${text}' is not a time; expected ISO 8601 such as 2026-11-28T01:00:00Z or epoch ms`,
    );
  }
  return ms;
}

/** `--from`, `--to`, `--as-of` as parseArgs options, for every command that takes a window. */
export const WINDOW_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  'as-of': { type: 'string' },
} as const;

/** `--help` lines for WINDOW_OPTIONS as the verify-like commands read them (rows, not events). */
export const WINDOW_HELP = [
  '  --from T              judge only rows that end at or after T (ISO 8601, UTC unless a zone is given)',
  '  --to T                judge only rows that start before T',
  '  --as-of T             the instant to verify for (default: --to, else now); later events are ignored',
].join('\n');

/**
 * The window `[from, to)` and the as-of instant from `--from`, `--to`, `--as-of`: the one parser of
 * every command that takes them (events, expected, verify), so each refuses the same things with the
 * same message. As-of defaults to `--to`, else now. Call it before opening anything: a usage error
 * should not hide behind a missing store.
 */
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
    throw new AuditError(
      'GV_USAGE',
      `${commandName}: --to '${values.to}' is not after --from '${values.from}'; expected --from before --to (the window is [from, to))`,
    );
  }
  return { window: { fromMs, toMs }, asOfMs };
}

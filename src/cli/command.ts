/**
 * The shape every CLI command has, and the small helpers they share. Each command lives in
 * src/cli/commands/<name>.ts and exports `command: Command`; main.ts lists them.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AuditError, type ExitCodeValue } from '../model/errors.js';

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

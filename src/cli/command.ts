/**
 * The shape every CLI command has, and the small helpers they share. Each command lives in
 * src/cli/commands/<name>.ts and exports `command: Command`; main.ts lists them.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AuditError, type ExitCodeValue } from '../model/errors.js';
import type { TimeWindow } from '../model/time.js';
import { civilFromMs, localToUtc, offsetAt, utcFromFields } from '../parse/zone.js';

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

/** A time as the user wrote it, read (parseUserTime). */
export interface UserTime {
  ms: number;
  /** The zone a time without one was read in; null when the text said its zone (or was epoch time). */
  readInZone: string | null;
}

const ZONELESS_ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/**
 * Parses a time as people write it, for `where` and `who`: ISO 8601 with a zone (`2026-11-28T03:55:00Z`,
 * `…+01:00`) as that instant; without one (`2026-11-28T03:55`, `2026-11-28 03:55:00`, `2026-11-28`) as wall
 * time in `zone` (the rig's: a DST gap or fold resolves as parse/zone.ts localToUtc does); digits as epoch
 * seconds (up to 11 digits, fractions allowed) or epoch milliseconds (12 or more). Throws GV_USAGE.
 * Example: `parseUserTime('where', 'at', '2026-11-28 03:55', 'Europe/Stockholm')` ->
 * `{ ms: Date.UTC(2026, 10, 28, 2, 55), readInZone: 'Europe/Stockholm' }`.
 */
export function parseUserTime(commandName: string, name: string, text: string, zone: string): UserTime {
  const bad = (): AuditError =>
    new AuditError(
      'GV_USAGE',
      `${commandName}: --${name} '${text}' is not a time; expected ISO 8601 (2026-11-28T03:55:00Z, or without a zone ` +
        `2026-11-28T03:55:00 read in ${zone}) or epoch seconds (1795830900)`,
    );
  const t = text.trim();
  if (/^\d{1,11}(\.\d+)?$/.test(t)) return { ms: Math.round(Number(t) * 1000), readInZone: null };
  if (/^\d{12,}$/.test(t)) return { ms: Number(t), readInZone: null };
  const m = ZONELESS_ISO.exec(t);
  if (m !== null) {
    const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const ms = Number((m[7] ?? '0').padEnd(3, '0'));
    const wall = utcFromFields(year, month, day, hour, minute, second);
    const c = civilFromMs(wall);
    if (c.month !== month || c.day !== day || hour > 23 || minute > 59 || second > 59) throw bad();
    const utc = localToUtc(zone, wall + ms);
    if (utc === null) throw bad();
    return { ms: utc, readInZone: zone };
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([zZ]|[+-]\d{2}:?\d{2})$/.test(t)) throw bad();
  const parsed = Date.parse(t.replace(' ', 'T'));
  if (Number.isNaN(parsed)) throw bad();
  return { ms: parsed, readInZone: null };
}

/**
 * `2026-11-28 03:55:00` in `zone` (milliseconds only when not whole seconds): how the rig's people and Gluff's
 * table write the instant. Example: `localTimeText(Date.UTC(2026, 10, 28, 2, 55), 'Europe/Stockholm')` ->
 * `2026-11-28 03:55:00`.
 */
export function localTimeText(ms: number, zone: string): string {
  const c = civilFromMs(ms + (offsetAt(zone, ms) ?? 0));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = c.ms === 0 ? '' : `.${p(c.ms, 3)}`;
  return `${p(c.year, 4)}-${p(c.month)}-${p(c.day)} ${p(c.hour)}:${p(c.minute)}:${p(c.second)}${frac}`;
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
  zone?: string,
): { window: TimeWindow; asOfMs: number } {
  // With a zone (where, who): times as people write them (parseUserTime); else ISO 8601 in UTC or epoch ms.
  const parse = (name: string, text: string): number =>
    zone === undefined
      ? parseTimeArg(commandName, name, text)
      : parseUserTime(commandName, name, text, zone).ms;
  const fromMs = values.from === undefined ? null : parse('from', values.from);
  const toMs = values.to === undefined ? null : parse('to', values.to);
  const asOfMs = values['as-of'] === undefined ? (toMs ?? nowMs) : parse('as-of', values['as-of']);
  if (fromMs !== null && toMs !== null && toMs <= fromMs) {
    throw new AuditError(
      'GV_USAGE',
      `${commandName}: --to '${values.to}' is not after --from '${values.from}'; expected --from before --to (the window is [from, to))`,
    );
  }
  return { window: { fromMs, toMs }, asOfMs };
}

/**
 * The composition root: picks the command, runs it, and turns errors into exit codes (STYLE.md §4).
 */
import { AuditError, ErrorCodes, ExitCode, type ExitCodeValue } from '../model/errors.js';
import type { CliIo, Command } from './command.js';

/** Commands by name, loaded on demand so `--help` stays fast. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  ingest: {
    summary: 'replay syslog files (or stdin, gzip too) into an event store',
    load: () => import('./commands/ingest.js'),
  },
  events: {
    summary: 'print stored events as JSON lines, filtered by kind and time',
    load: () => import('./commands/events.js'),
  },
  stats: {
    summary: 'counts per kind, rejections per reason, channel losses, time span',
    load: () => import('./commands/stats.js'),
  },
  reparse: {
    summary: 're-derive every event from the raw rows after a parser change',
    load: () => import('./commands/reparse.js'),
  },
  collect: {
    summary: 'receive syslog over UDP/TCP/TLS into an event store until stopped',
    load: () => import('./commands/collect.js'),
  },
  expected: {
    summary: 'print the lease rows Gluff should have written',
    load: () => import('./commands/expected.js'),
  },
  verify: {
    summary: 'diff the rebuilt rows against the Gluff tables and give a verdict',
    load: () => import('./commands/verify.js'),
  },
  where: {
    summary: 'who had an address at an instant, by Gluff and by the channel, and whether they agree',
    load: () => import('./commands/where.js'),
  },
  who: {
    summary: 'every lease stint of a client (or who was behind a switch port), by Gluff and by the channel',
    load: () => import('./commands/who.js'),
  },
  snapshot: {
    summary: 'copy the Gluff tables from MySQL into a SQLite file',
    load: () => import('./commands/snapshot.js'),
  },
  demo: {
    summary: 'simulate a rig, collect, write Gluff, verify: the whole thing with no rig',
    load: () => import('./commands/demo.js'),
  },
  faults: { summary: 'list the simulator fault catalogue', load: () => import('./commands/faults.js') },
  sample: {
    summary: 'sample process memory from /proc and send it as syslog',
    load: () => import('./commands/sample.js'),
  },
  rig: {
    summary: 'run the seed rig on this box (namespaces) with your dhcpd and gluff, and verify it',
    load: () => import('./commands/rig.js'),
  },
  history: {
    summary: "list the verdicts of the runs 'make verify' kept, and how long each failure has lasted",
    load: () => import('./commands/history.js'),
  },
};

const defaultIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  nowMs: () => Date.now(),
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: gluff-verify <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'gluff-verify <command> --help' for a command's options.",
    'Exit codes: 0 pass, 1 regressions found, 2 inconclusive, 3 usage/config/environment error, 4 internal error.',
    '',
  ].join('\n');
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<ExitCodeValue> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? ExitCode.usage : ExitCode.pass;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    io.stderr.write(`gluff-verify: GV_USAGE: unknown command '${name}'\n\n${usage()}`);
    return ExitCode.usage;
  }
  try {
    const { command } = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
      return ExitCode.pass;
    }
    return await command.run(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

/**
 * True for our own deliberate errors. Checked by shape, not only `instanceof`: under a loader that
 * instantiates a module twice (mocha + tsx with dynamic import) the class identity differs.
 */
function isAuditError(err: unknown): err is AuditError {
  if (err instanceof AuditError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    code in ErrorCodes &&
    typeof (err as { exitCode?: unknown }).exitCode === 'number'
  );
}

function reportError(err: unknown, io: CliIo): ExitCodeValue {
  if (isAuditError(err) && err.code !== 'GV_INTERNAL') {
    io.stderr.write(`gluff-verify: ${err.code}: ${err.message}\n`);
    return err.exitCode;
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr.write(
    `gluff-verify: GV_INTERNAL: this is a bug in gluff-verify, please report it with the lines below.\n${detail}\n`,
  );
  return ExitCode.internal;
}

/**
 * Typed errors for the edges (broken environment, config or usage) and for our own bugs.
 * Bad input data is never an error: parsers return rejections (see events.ts).
 *
 * Every code here has an entry in specs/errors.md; test/unit/model/errors.spec.ts checks both ways.
 */

/** Process exit codes (STYLE.md §4). */
export const ExitCode = {
  pass: 0,
  fail: 1,
  inconclusive: 2,
  usage: 3,
  internal: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable error codes. Add a code here and an entry in specs/errors.md together. */
export const ErrorCodes = {
  GV_USAGE: 'bad command-line arguments',
  GV_CONFIG_INVALID: 'a configuration value is malformed',
  GV_SPEC_INVALID: 'the rig spec does not validate',
  GV_SPEC_UNREADABLE: 'the rig spec file cannot be read or parsed',
  GV_INPUT_UNREADABLE: 'an input file cannot be read',
  GV_STORE_OPEN: 'the event store cannot be opened or created',
  GV_STORE_SCHEMA: 'the event store has a schema this version cannot use',
  GV_STORE_WRITE: 'writing to the event store failed',
  GV_MYSQL_UNREACHABLE: 'the Gluff MySQL database cannot be reached',
  GV_MYSQL_AUTH: 'the Gluff MySQL server refused the login',
  GV_MYSQL_NO_DATABASE: 'the Gluff database does not exist on the MySQL server',
  GV_MYSQL_GRANT: 'the MySQL user lacks SELECT on the Gluff database or a table of it',
  GV_MYSQL_SCHEMA: 'the Gluff tables do not have the Gluff schema',
  GV_GLUFF_URL_INVALID: 'the --gluff location is malformed',
  GV_SNAPSHOT_INVALID: 'a Gluff snapshot file is not a snapshot this version can read',
  GV_LISTEN_INVALID: 'a --listen address is malformed',
  GV_BIND_FAILED: 'a listener could not bind its address',
  GV_TLS_CONFIG: 'the TLS certificate or key cannot be loaded',
  GV_OUTPUT_WRITE: 'a report or output file cannot be written',
  GV_PROC_UNREADABLE: 'a process cannot be read in /proc',
  GV_RIG_ENV: "the one-box rig's prerequisites are missing, or the rig itself failed",
  GV_INTERNAL: 'a bug in gluff-verify',
} as const;
export type ErrorCode = keyof typeof ErrorCodes;

/** Base class of every error we throw on purpose. `code` is stable; the message says what, where and what was expected. */
export class AuditError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: ExitCodeValue }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuditError';
    this.code = code;
    this.exitCode = options?.exitCode ?? (code === 'GV_INTERNAL' ? ExitCode.internal : ExitCode.usage);
  }
}

/** "This should never happen": a bug of ours. The CLI prints it with a request to report it. */
export class InternalError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GV_INTERNAL', message, { ...options, exitCode: ExitCode.internal });
    this.name = 'InternalError';
  }
}

/**
 * `gluff-verify ingest FILE... --store DB`: replays syslog files (plain or gzip, or stdin) into an
 * event store, one stored message per line, exactly as the file holds it (minus `\n` and a `\r`
 * before it). Each batch is one transaction, so a failure keeps everything committed before it.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { AuditError, ExitCode, InternalError } from '../../model/errors.js';
import type { ParseContext, RawMessage } from '../../model/events.js';
import type { EpochMs } from '../../model/time.js';
import { EventStore } from '../../sources/sqlite/event-store.js';
import { parseCommandArgs, parseTimeArg, requireOption, type CliIo, type Command } from '../command.js';
import type { IngestWorkerData, IngestWorkerMessage } from '../ingest-worker.js';
import {
  BATCH_BYTES,
  BATCH_LINES,
  LineSplitter,
  MAX_LINE_BYTES,
  maybeGunzip,
  READ_CHUNK_BYTES,
} from '../line-reader.js';
import { PARSE_CONTEXT_HELP, PARSE_CONTEXT_OPTIONS, zoneSettingsFromArgs } from '../parse-context.js';

/**
 * Files at least this big are parsed in a worker thread. Below it the worker's start-up (~50 ms built,
 * ~400 ms under tsx) costs more than the overlap gains.
 */
export const WORKER_MIN_BYTES = 4 << 20;

const help = `Usage: gluff-verify ingest FILE... --store DB [--zone HOST=ZONE]... [--default-zone ZONE] [--spec FILE] [--year-ref TIME]

Replays syslog log files into an event store: every line is kept byte for byte beside the event parsed
from it (or the reason it was rejected). FILE may be '-' for standard input; gzip input (.gz or any file
starting with the gzip magic) is decompressed. Lines end at \\n; a \\r before it is dropped.

Options:
  --store DB          event store (SQLite) to append to; created when missing (required)
${PARSE_CONTEXT_HELP}
  --year-ref TIME     reference instant for the year of RFC 3164 timestamps (which have none): each
                      line gets the year that puts it nearest TIME. Default: the file's modification
                      time (its last write is close to its last line); for stdin, now.
                      ISO 8601 (2026-11-28T01:00:00Z) or epoch ms.

Progress goes to stderr once a second when stderr is a terminal; a summary line is always printed.
Messages are stored as transport 'file', origin 'PATH:LINE', trusted, received = ingest time.
Exit: 0 done; 3 usage error, unreadable input (GV_INPUT_UNREADABLE: lines before the error stay
stored) or store error.

Example:
  gluff-verify ingest /var/log/dhcpd.log /var/log/dhcpd.log.1.gz --store rig.db --zone dhcp1=Europe/Stockholm
`;

/** What one ingest run did. */
export interface IngestSummary {
  files: number;
  lines: number;
  /** Lines stored as events (including untrusted: never for files). */
  events: number;
  rejected: number;
  /** Lines longer than MAX_LINE_BYTES, stored truncated. */
  truncated: number;
  elapsedMs: number;
}

/** One input: a path or '-' (stdin). */
export interface IngestInput {
  path: string;
  /** Used for '-'; default process.stdin. */
  stdin?: NodeJS.ReadableStream;
}

export interface IngestOptions {
  zones: Pick<ParseContext, 'zoneByHost' | 'defaultZone'>;
  /** --year-ref; null: file mtime (stdin: now). */
  yearRefMs: EpochMs | null;
  nowMs: () => EpochMs;
  /** Parse files on this thread instead of the worker (benchmarks compare both). Default false. */
  inProcess?: boolean;
  /** Called about once a second with the progress of the current file. */
  onProgress?: (p: {
    path: string;
    lines: number;
    bytesRead: number;
    totalBytes: number | null;
    elapsedMs: number;
  }) => void;
}

/**
 * Ingests every input into `store` in order. Throws GV_INPUT_UNREADABLE naming the file when one cannot
 * be opened or read (every batch before it stays committed), GV_STORE_WRITE when the store fails.
 */
export async function ingestInputs(
  store: EventStore,
  inputs: readonly IngestInput[],
  opts: IngestOptions,
): Promise<IngestSummary> {
  const summary: IngestSummary = { files: 0, lines: 0, events: 0, rejected: 0, truncated: 0, elapsedMs: 0 };
  const startMs = performance.now();
  for (const input of inputs) {
    await ingestOne(store, input, opts, summary);
    summary.files++;
  }
  summary.elapsedMs = performance.now() - startMs;
  return summary;
}

async function ingestOne(
  store: EventStore,
  input: IngestInput,
  opts: IngestOptions,
  summary: IngestSummary,
): Promise<void> {
  const isStdin = input.path === '-';
  const originBase = isStdin ? 'stdin' : input.path;
  let handle: FileHandle | null = null;
  let totalBytes: number | null = null;
  let referenceMs = opts.yearRefMs ?? opts.nowMs();
  let raw: AsyncIterable<Buffer>;
  const counter = { bytes: 0 };
  if (isStdin) {
    raw = (input.stdin ?? process.stdin) as AsyncIterable<Buffer>;
  } else {
    try {
      handle = await open(input.path, 'r');
      const st = await handle.stat();
      if (st.isDirectory()) throw new Error('is a directory');
      totalBytes = st.size;
      if (opts.yearRefMs === null) referenceMs = st.mtimeMs;
    } catch (err) {
      await handle?.close();
      throw new AuditError(
        'GV_INPUT_UNREADABLE',
        `cannot open input file '${input.path}': ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (opts.inProcess !== true && totalBytes >= WORKER_MIN_BYTES) {
      await handle.close();
      const ctx: ParseContext = { ...opts.zones, referenceMs: Math.round(referenceMs) };
      await ingestFileInWorker(store, input.path, ctx, totalBytes, opts, summary);
      return;
    }
    raw = createReadStream('', {
      fd: handle,
      highWaterMark: READ_CHUNK_BYTES,
      autoClose: true,
    }) as AsyncIterable<Buffer>;
  }
  const ctx: ParseContext = { ...opts.zones, referenceMs: Math.round(referenceMs) };

  let batch: RawMessage[] = [];
  let batchBytes = 0;
  let lineNo = 0;
  const flush = (): void => {
    if (batch.length === 0) return;
    const r = store.appendRaw(batch, ctx);
    summary.events += r.stored - r.rejected;
    summary.rejected += r.rejected;
    batch = [];
    batchBytes = 0;
  };
  let receivedMs = opts.nowMs();
  const splitter = new LineSplitter((line) => {
    lineNo++;
    batch.push({
      bytes: line,
      receivedMs,
      peer: null,
      transport: 'file',
      origin: `${originBase}:${lineNo}`,
      trusted: true,
    });
    batchBytes += line.length;
    if (batch.length >= BATCH_LINES || batchBytes >= BATCH_BYTES) {
      flush();
      receivedMs = opts.nowMs();
    }
  });
  const fileStart = performance.now();
  let nextProgress = fileStart + 1000;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of raw) {
      counter.bytes += chunk.length;
      yield chunk;
    }
  }
  try {
    for await (const chunk of maybeGunzip(counted())) {
      splitter.push(chunk);
      if (opts.onProgress !== undefined && performance.now() >= nextProgress) {
        nextProgress = performance.now() + 1000;
        opts.onProgress({
          path: input.path,
          lines: lineNo,
          bytesRead: counter.bytes,
          totalBytes,
          elapsedMs: performance.now() - fileStart,
        });
      }
    }
    splitter.end();
  } catch (err) {
    if (err instanceof AuditError) throw err;
    flush();
    summary.lines += lineNo;
    summary.truncated += splitter.truncated;
    throw new AuditError(
      'GV_INPUT_UNREADABLE',
      `cannot read input '${input.path === '-' ? 'stdin' : input.path}' after line ${lineNo} (byte ${counter.bytes}): ${(err as Error).message}; the ${lineNo} lines before stay stored`,
      { cause: err },
    );
  } finally {
    await handle?.close().catch(() => undefined);
  }
  flush();
  summary.lines += lineNo;
  summary.truncated += splitter.truncated;
}

/**
 * Starts ingest-worker. The build runs the .js file; under tsx (development, tests) the sources are .ts
 * and tsx's loader hooks do not reach worker threads, so a small bootstrap registers them first.
 */
function startWorker(data: IngestWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('../ingest-worker.js', import.meta.url), { workerData: data });
  const workerUrl = new URL('../ingest-worker.ts', import.meta.url).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(workerUrl)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/**
 * One file through the parsing worker (ingest-worker.ts): the worker reads and parses, this thread
 * only inserts. Same results as the in-process path; batches commit one by one, so an error keeps
 * every batch before it.
 */
async function ingestFileInWorker(
  store: EventStore,
  path: string,
  ctx: ParseContext,
  totalBytes: number | null,
  opts: IngestOptions,
  summary: IngestSummary,
): Promise<void> {
  const data: IngestWorkerData = { path, originBase: path, ctx };
  const worker = startWorker(data);
  const started = performance.now();
  let nextProgress = started + 1000;
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      worker.on('message', (m: IngestWorkerMessage) => {
        if (settled) return;
        try {
          if (m.type === 'batch') {
            m.batch.receivedMs.fill(opts.nowMs());
            const r = store.appendEncoded(m.batch, ctx);
            summary.events += r.stored - r.rejected;
            summary.rejected += r.rejected;
            worker.postMessage('credit');
            if (opts.onProgress !== undefined && performance.now() >= nextProgress) {
              nextProgress = performance.now() + 1000;
              opts.onProgress({
                path,
                lines: m.lines,
                bytesRead: m.bytesRead,
                totalBytes,
                elapsedMs: performance.now() - started,
              });
            }
          } else if (m.type === 'end') {
            summary.lines += m.lines;
            summary.truncated += m.truncated;
            settled = true;
            resolve();
          } else {
            summary.lines += m.lines;
            fail(
              new AuditError(
                'GV_INPUT_UNREADABLE',
                `cannot read input '${path}' after line ${m.lines} (byte ${m.bytesRead}): ${m.message}; the ${m.lines} lines before stay stored`,
              ),
            );
          }
        } catch (err) {
          fail(err);
        }
      });
      worker.on('error', (err) =>
        fail(new InternalError(`ingest worker for '${path}' failed: ${err.message}`, { cause: err })),
      );
      worker.on('exit', (code) =>
        fail(new InternalError(`ingest worker for '${path}' exited (code ${code}) before finishing`)),
      );
    });
  } finally {
    await worker.terminate();
  }
}

function formatRate(lines: number, ms: number): string {
  return ms <= 0 ? '-' : String(Math.round((lines * 1000) / ms));
}

export const command: Command = {
  name: 'ingest',
  summary: 'replay syslog files (or stdin, gzip too) into an event store',
  help,
  async run(argv: string[], io: CliIo) {
    const { values, positionals } = parseCommandArgs(
      'ingest',
      argv,
      { store: { type: 'string' }, 'year-ref': { type: 'string' }, ...PARSE_CONTEXT_OPTIONS },
      true,
    );
    const storePath = requireOption('ingest', 'store', values.store);
    if (positionals.length === 0) {
      throw new AuditError(
        'GV_USAGE',
        "ingest: no input file given (use '-' for stdin); see 'gluff-verify ingest --help'",
      );
    }
    if (positionals.filter((p) => p === '-').length > 1) {
      throw new AuditError('GV_USAGE', "ingest: '-' (stdin) can be given only once");
    }
    const zones = await zoneSettingsFromArgs('ingest', values);
    const yearRefMs =
      values['year-ref'] === undefined ? null : parseTimeArg('ingest', 'year-ref', values['year-ref']);
    const store = EventStore.open(storePath);
    const tty = io.stderr.isTTY === true;
    try {
      const summary = await ingestInputs(
        store,
        positionals.map((path) => ({ path })),
        {
          zones,
          yearRefMs,
          nowMs: io.nowMs,
          onProgress: tty
            ? (p) => {
                const pct =
                  p.totalBytes === null || p.totalBytes === 0
                    ? ''
                    : `, ${((100 * p.bytesRead) / p.totalBytes).toFixed(1)}%`;
                io.stderr.write(
                  `\r\x1b[K${p.path}: ${p.lines} lines, ${formatRate(p.lines, p.elapsedMs)} lines/s${pct}`,
                );
              }
            : undefined,
        },
      );
      if (tty) io.stderr.write('\r\x1b[K');
      io.stderr.write(
        `ingest: ${summary.lines} lines from ${summary.files} input(s) into ${storePath}: ${summary.events} events, ` +
          `${summary.rejected} rejected${summary.truncated > 0 ? `, ${summary.truncated} truncated to ${MAX_LINE_BYTES} bytes` : ''}` +
          ` in ${(summary.elapsedMs / 1000).toFixed(1)} s (${formatRate(summary.lines, summary.elapsedMs)} lines/s)\n`,
      );
    } finally {
      store.close();
    }
    return ExitCode.pass;
  },
};

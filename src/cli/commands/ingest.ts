/**
 * `gluff-verify ingest FILE... --store DB`: replays syslog files (plain or gzip, or stdin) into an
 * event store, one stored message per line, exactly as the file holds it (minus `\n` and a `\r`
 * before it). Each batch is one transaction, so a failure keeps everything committed before it.
 *
 * Idempotent per input (#12): the store keeps a checkpoint per input (ingest-checkpoint.ts: a
 * fingerprint of its head and the offset its last stored line ends at), moved in the same transaction
 * as each batch. A run reads only what an input gained since; a rotated, renamed or gzipped copy is
 * the same input; a truncated one starts over. A plain file's last line without a newline is still
 * being written: the checkpoint stops before it and the next run reads it whole.
 */
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { AuditError, ExitCode, InternalError } from '../../model/errors.js';
import type { ParseContext, RawMessage } from '../../model/events.js';
import type { EpochMs } from '../../model/time.js';
import { EventStore, type InputAppend } from '../../sources/sqlite/event-store.js';
import { parseCommandArgs, parseTimeArg, requireOption, type CliIo, type Command } from '../command.js';
import { fingerprint, FINGERPRINT_BYTES, planInput, type InputPlan } from '../ingest-checkpoint.js';
import { ProgressMeter, type IngestProgress } from '../ingest-progress.js';
import type { IngestWorkerData, IngestWorkerMessage } from '../ingest-worker.js';
import {
  BATCH_BYTES,
  BATCH_LINES,
  LineSplitter,
  MAX_LINE_BYTES,
  maybeGunzip,
  READ_CHUNK_BYTES,
  readHead,
  skipBytes,
} from '../line-reader.js';
import { PARSE_CONTEXT_HELP, PARSE_CONTEXT_OPTIONS, zoneSettingsFromArgs } from '../parse-context.js';

/**
 * Files with at least this many bytes left to read are parsed in a worker thread. Below it the worker's
 * start-up (~50 ms built, ~400 ms under tsx) costs more than the overlap gains.
 */
export const WORKER_MIN_BYTES = 4 << 20;

const help = `Usage: gluff-verify ingest FILE... --store DB [--zone HOST=ZONE]... [--default-zone ZONE] [--spec FILE] [--year-ref TIME]

Replays syslog log files into an event store: every line is kept byte for byte beside the event parsed
from it (or the reason it was rejected). FILE may be '-' for standard input; gzip input (.gz or any file
starting with the gzip magic) is decompressed. Lines end at \\n; a \\r before it is dropped.

Ingesting a file again stores only what it gained since: the store keeps, per input, a fingerprint of
its first 1 KiB (decompressed) and where its last stored line ends. A rotated copy (dhcpd.log.1, or
dhcpd.log.1.gz) is recognised as the file it was; a file truncated below that point is read again from
its start; a file shorter than 1 KiB is read, and recognised next time by all it held. The last line of
a plain file is stored only once its newline is written (it may still be being written); gzip input and
stdin end for good, so their last line is read. Standard input is not checkpointed: a second run stores
its lines again (events from both count once: a line that reached the store twice, by two inputs or by
the collector and a file, is counted once per second of sender time; see ARCHITECTURE.md).

Options:
  --store DB          event store (SQLite) to append to; created when missing, only once every input
                      could be opened (required)
${PARSE_CONTEXT_HELP}
  --year-ref TIME     reference instant for the year of RFC 3164 timestamps (which have none): each
                      line gets the year that puts it nearest TIME. Default: the file's modification
                      time (its last write is close to its last line); for stdin, now.
                      ISO 8601 (2026-11-28T01:00:00Z) or epoch ms.

On a terminal, stderr shows progress over all inputs (bytes done of the total, lines/s, MB/s, time
left), redrawn at most four times a second; nothing of it when stderr is not a terminal. A summary line
is always printed: lines stored ("N new, M already stored" by earlier runs), events, rejections.
Messages are stored as transport 'file', origin 'PATH:LINE', trusted, received = ingest time.
Exit: 0 done; 3 usage error, unreadable input (GV_INPUT_UNREADABLE: before anything is read, nothing
is created; while reading, the lines before the error stay stored) or store error.

Example:
  gluff-verify ingest /var/log/dhcpd.log /var/log/dhcpd.log.1 /var/log/dhcpd.log.2.gz --store rig.db --zone dhcp1=Europe/Stockholm
`;

/** What one ingest run did. */
export interface IngestSummary {
  files: number;
  /** Lines this run stored (new). */
  lines: number;
  /** Lines of these inputs that earlier runs stored (their checkpoints): not read again. */
  alreadyStored: number;
  /** Plain files whose last line had no newline yet: left out, read once complete. */
  heldBack: number;
  /** Inputs recognised under another name than they were last read under (rotated, compressed). */
  renamed: number;
  /** Lines stored as events (including untrusted: never for files). */
  events: number;
  rejected: number;
  /** Lines longer than MAX_LINE_BYTES, stored truncated. */
  truncated: number;
  elapsedMs: number;
  /** What a reader should know about single inputs: read again after truncation, stdin. */
  notes: string[];
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
  /** Called after every chunk or batch read (the caller throttles: ProgressMeter). */
  onProgress?: (p: IngestProgress) => void;
}

/** An input file that could be opened: what checkInputs found. */
interface OpenedInput {
  path: string;
  sizeBytes: number;
}

/**
 * Opens every file input once (not '-'), so a run fails before it creates or writes anything when one
 * cannot be read (GV_INPUT_UNREADABLE); returns their sizes for the progress total.
 */
export async function checkInputs(inputs: readonly IngestInput[]): Promise<OpenedInput[]> {
  const out: OpenedInput[] = [];
  for (const input of inputs) {
    if (input.path === '-') continue;
    const handle = await openInput(input.path);
    try {
      out.push({ path: input.path, sizeBytes: (await handle.stat()).size });
    } finally {
      await handle.close();
    }
  }
  return out;
}

async function openInput(path: string): Promise<FileHandle> {
  let handle: FileHandle | null = null;
  try {
    handle = await open(path, 'r');
    if ((await handle.stat()).isDirectory()) throw new Error('is a directory');
    return handle;
  } catch (err) {
    await handle?.close();
    throw new AuditError(
      'GV_INPUT_UNREADABLE',
      `cannot open input file '${path}': ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** Run-wide state of ingestInputs: the summary and the progress. */
interface Run {
  store: EventStore;
  opts: IngestOptions;
  summary: IngestSummary;
  progress: IngestProgress;
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
  const summary: IngestSummary = {
    files: 0,
    lines: 0,
    alreadyStored: 0,
    heldBack: 0,
    renamed: 0,
    events: 0,
    rejected: 0,
    truncated: 0,
    elapsedMs: 0,
    notes: [],
  };
  const startMs = performance.now();
  const sizes = new Map<string, number>();
  if (opts.onProgress !== undefined) {
    for (const input of inputs) {
      if (input.path !== '-')
        sizes.set(
          input.path,
          await stat(input.path).then(
            (s) => s.size,
            () => 0,
          ),
        );
    }
  }
  let totalBytes = 0;
  for (const input of inputs) totalBytes += sizes.get(input.path) ?? 0;
  const run: Run = {
    store,
    opts,
    summary,
    progress: { path: '', input: 0, inputs: inputs.length, doneBytes: 0, readBytes: 0, totalBytes, lines: 0 },
  };
  let doneBefore = 0;
  let readBefore = 0;
  for (const [i, input] of inputs.entries()) {
    run.progress.path = input.path;
    run.progress.input = i;
    if (input.path === '-') await ingestStdin(run, input);
    else await ingestFile(run, input.path, { doneBefore, readBefore });
    summary.files++;
    doneBefore += sizes.get(input.path) ?? 0;
    readBefore = run.progress.readBytes;
    run.progress.doneBytes = doneBefore;
    opts.onProgress?.(run.progress);
  }
  summary.elapsedMs = performance.now() - startMs;
  return summary;
}

/** Where a file's reading starts, from its plan. */
interface Start {
  plan: InputPlan;
  /** The input's ingest_input id; null for a new input (created by its first append). */
  inputId: number | null;
  offset: number;
  lines: number;
}

function startOf(plan: InputPlan): Start {
  return plan.kind === 'resume'
    ? { plan, inputId: plan.checkpoint.id, offset: plan.checkpoint.offset, lines: plan.checkpoint.lines }
    : { plan, inputId: null, offset: 0, lines: 0 };
}

async function ingestFile(
  run: Run,
  path: string,
  at: { doneBefore: number; readBefore: number },
): Promise<void> {
  const { store, opts, summary } = run;
  const handle = await openInput(path);
  let sizeBytes: number;
  let mtimeMs: number;
  let gzip: boolean;
  let gzipSizeMod32: number | null = null;
  try {
    const st = await handle.stat();
    sizeBytes = st.size;
    mtimeMs = st.mtimeMs;
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    if (gzip && sizeBytes >= 18) {
      // ISIZE, the gzip trailer: the (last member's) content length mod 2^32.
      const trailer = Buffer.alloc(4);
      await handle.read(trailer, 0, 4, sizeBytes - 4);
      gzipSizeMod32 = trailer.readUInt32LE(0);
    }
  } finally {
    await handle.close();
  }
  let head: Buffer;
  try {
    head = await readHead(path, FINGERPRINT_BYTES);
  } catch (err) {
    throw new AuditError(
      'GV_INPUT_UNREADABLE',
      `cannot read input '${path}' at its start: ${(err as Error).message}; nothing of it was stored`,
      { cause: err },
    );
  }
  const ctx: ParseContext = { ...opts.zones, referenceMs: Math.round(opts.yearRefMs ?? mtimeMs) };
  let start = startOf(planInput(store.inputCheckpoints(), head, gzip ? null : sizeBytes));
  for (;;) {
    const plan = start.plan;
    if (plan.kind === 'resume') {
      const c = plan.checkpoint;
      summary.alreadyStored += c.lines;
      if (c.path !== path) summary.renamed++;
      // Nothing new: a plain file still as long as what was read; a gzip file whose trailer says so
      // (ISIZE; a multi-member file's says less, and is then read: only speed depends on it).
      if (gzip ? gzipSizeMod32 === c.offset % 2 ** 32 : sizeBytes === c.offset) return;
    } else if (plan.kind === 'restart') {
      summary.notes.push(
        `${path}: shorter than the ${plan.checkpoint.lines} lines read before (truncated): read again from its start`,
      );
    }
    const input: InputAppend = {
      id: start.inputId,
      path,
      headBytes: head.length,
      headHash: fingerprint(head),
      offset: start.offset,
      lines: start.lines,
    };
    const leftBytes = gzip ? sizeBytes : sizeBytes - start.offset;
    run.progress.doneBytes = at.doneBefore + (gzip ? 0 : start.offset);
    const read =
      opts.inProcess !== true && leftBytes >= WORKER_MIN_BYTES
        ? await readFileInWorker(run, path, gzip, ctx, input, at)
        : await readFileInProcess(run, path, gzip, ctx, input, head, at);
    if (read === 'complete') return;
    // A gzip input that ended before its checkpoint's offset: truncated; read it again from its start.
    if (plan.kind !== 'resume')
      throw new InternalError(`ingest of '${path}' from byte 0 ended before byte 0`);
    summary.alreadyStored -= plan.checkpoint.lines;
    if (plan.checkpoint.path !== path) summary.renamed--;
    start = startOf({ kind: 'restart', checkpoint: plan.checkpoint });
  }
}

/** How far one read got: to the end of its input, or (gzip) the content ended before the checkpoint. */
type ReadOutcome = 'complete' | 'short';

/** A read's content and how to store it; shared by files on this thread and stdin. */
interface ContentRead {
  /** The content (decompressed) from `input.offset` on. */
  content: AsyncIterable<Buffer>;
  /** File bytes read so far (for progress and error messages). */
  readBytes: () => number;
  /** Where the content's chunks start: progress counts these file bytes as done before any is read. */
  doneAtStart: number;
  /** Whether file bytes read are content bytes (plain) or compressed (gzip: progress counts file bytes). */
  name: string;
  originBase: string;
  ctx: ParseContext;
  /** The checkpoint to move with each batch (`id` is set by the first append of a new input). */
  input: InputAppend;
  /** The head read before, grown with the content while shorter than FINGERPRINT_BYTES; null for stdin. */
  head: Buffer | null;
  /** True for gzip and stdin: their last line is complete even without a newline. */
  emitPartial: boolean;
  at: { doneBefore: number; readBefore: number };
}

/** Reads lines on this thread and stores them in batches, each moving the input's checkpoint. */
async function readContent(run: Run, r: ContentRead): Promise<void> {
  const { store, opts, summary, progress } = run;
  const input = r.input;
  const linesBefore = input.lines;
  const newBefore = summary.lines;
  let head = r.head;
  let headHash = input.headHash;
  let batch: RawMessage[] = [];
  let batchBytes = 0;
  let lineNo = input.lines;
  let lastEnd = input.offset;
  const flush = (): void => {
    if (batch.length === 0) return;
    if (head !== null && headHash === null) headHash = fingerprint(head);
    const result = store.appendRaw(batch, r.ctx, {
      ...input,
      offset: lastEnd,
      lines: lineNo,
      headBytes: head === null ? null : head.length,
      headHash: head === null ? null : headHash,
    });
    input.id = result.inputId ?? input.id;
    summary.events += result.stored - result.rejected;
    summary.rejected += result.rejected;
    batch = [];
    batchBytes = 0;
  };
  let receivedMs = opts.nowMs();
  const splitter = new LineSplitter((line) => {
    lineNo++;
    lastEnd = splitter.lineEnd;
    batch.push({
      bytes: line,
      receivedMs,
      peer: null,
      transport: 'file',
      origin: `${r.originBase}:${lineNo}`,
      trusted: true,
    });
    batchBytes += line.length;
    if (batch.length >= BATCH_LINES || batchBytes >= BATCH_BYTES) {
      flush();
      receivedMs = opts.nowMs();
    }
  }, input.offset);
  try {
    for await (const chunk of r.content) {
      const at = splitter.offset;
      if (
        head !== null &&
        head.length < FINGERPRINT_BYTES &&
        at <= head.length &&
        head.length < at + chunk.length
      ) {
        // The file grew past the head read at the start: the fingerprint takes in what it now has.
        head = Buffer.concat([
          head,
          chunk.subarray(head.length - at, Math.min(chunk.length, FINGERPRINT_BYTES - at)),
        ]);
        headHash = null;
      }
      splitter.push(chunk);
      if (opts.onProgress !== undefined) {
        progress.readBytes = r.at.readBefore + r.readBytes();
        progress.doneBytes = r.at.doneBefore + r.doneAtStart + r.readBytes();
        progress.lines = newBefore + lineNo - linesBefore;
        opts.onProgress(progress);
      }
    }
    splitter.end(r.emitPartial);
  } catch (err) {
    if (err instanceof AuditError) throw err;
    flush();
    summary.lines += lineNo - linesBefore;
    summary.truncated += splitter.truncated;
    throw new AuditError(
      'GV_INPUT_UNREADABLE',
      `cannot read input '${r.name}' after line ${lineNo} (byte ${r.readBytes()}): ${(err as Error).message}; the ${lineNo} lines before stay stored`,
      { cause: err },
    );
  }
  flush();
  summary.lines += lineNo - linesBefore;
  summary.truncated += splitter.truncated;
  if (splitter.heldBytes > 0) summary.heldBack++;
}

async function readFileInProcess(
  run: Run,
  path: string,
  gzip: boolean,
  ctx: ParseContext,
  input: InputAppend,
  head: Buffer,
  at: { doneBefore: number; readBefore: number },
): Promise<ReadOutcome> {
  const startOffset = input.offset;
  let readBytes = 0;
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES, start: gzip ? 0 : startOffset });
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of file) {
      readBytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  const skip = { skipped: 0 };
  try {
    await readContent(run, {
      content: gzip ? skipBytes(maybeGunzip(counted()), startOffset, skip) : counted(),
      readBytes: () => readBytes,
      doneAtStart: gzip ? 0 : startOffset,
      name: path,
      originBase: path,
      ctx,
      input,
      head,
      emitPartial: gzip,
      at,
    });
  } finally {
    file.destroy();
  }
  return gzip && skip.skipped < startOffset ? 'short' : 'complete';
}

async function ingestStdin(run: Run, input: IngestInput): Promise<void> {
  const { opts, summary } = run;
  let readBytes = 0;
  const raw = (input.stdin ?? process.stdin) as AsyncIterable<Buffer>;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of raw) {
      readBytes += chunk.length;
      yield chunk;
    }
  }
  summary.notes.push(
    'stdin is not checkpointed: a second run stores its lines again (in the events a line that reached the store twice counts once); give files by name to read only what they gained',
  );
  await readContent(run, {
    content: maybeGunzip(counted()),
    readBytes: () => readBytes,
    doneAtStart: 0,
    name: 'stdin',
    originBase: 'stdin',
    ctx: { ...opts.zones, referenceMs: Math.round(opts.yearRefMs ?? opts.nowMs()) },
    input: { id: null, path: 'stdin', headBytes: null, headHash: null, offset: 0, lines: 0 },
    head: null,
    emitPartial: true,
    at: { doneBefore: run.progress.doneBytes, readBefore: run.progress.readBytes },
  });
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
 * only inserts. Same results as the in-process path; batches commit one by one with the checkpoint,
 * so an error keeps every batch before it. Only files over WORKER_MIN_BYTES come here, so their head
 * is a whole fingerprint already.
 */
async function readFileInWorker(
  run: Run,
  path: string,
  gzip: boolean,
  ctx: ParseContext,
  input: InputAppend,
  at: { doneBefore: number; readBefore: number },
): Promise<ReadOutcome> {
  const { store, opts, summary, progress } = run;
  const linesBefore = input.lines;
  const newBefore = summary.lines;
  const data: IngestWorkerData = {
    path,
    originBase: path,
    ctx,
    startOffset: input.offset,
    gzip,
    startLine: input.lines,
    emitPartial: gzip,
  };
  const worker = startWorker(data);
  const doneAtStart = gzip ? 0 : input.offset;
  try {
    return await new Promise<ReadOutcome>((resolve, reject) => {
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
            const r = store.appendEncoded(m.batch, ctx, { ...input, offset: m.endOffset, lines: m.lines });
            input.id = r.inputId ?? input.id;
            summary.events += r.stored - r.rejected;
            summary.rejected += r.rejected;
            worker.postMessage('credit');
            if (opts.onProgress !== undefined) {
              progress.readBytes = at.readBefore + m.bytesRead;
              progress.doneBytes = at.doneBefore + doneAtStart + m.bytesRead;
              progress.lines = newBefore + m.lines - linesBefore;
              opts.onProgress(progress);
            }
          } else if (m.type === 'end') {
            summary.lines += m.lines - linesBefore;
            summary.truncated += m.truncated;
            if (m.heldBytes > 0) summary.heldBack++;
            settled = true;
            resolve(m.skipped < input.offset ? 'short' : 'complete');
          } else {
            summary.lines += m.lines - linesBefore;
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

/** The summary line: `ingest: 150 lines from 2 input(s) into rig.db: 150 events, 0 rejected (150 new, 600 already stored); ...`. */
export function formatIngestSummary(s: IngestSummary, storePath: string): string {
  const parts = [
    `ingest: ${s.lines} lines from ${s.files} input(s) into ${storePath}: ${s.events} events, ${s.rejected} rejected` +
      ` (${s.lines} new, ${s.alreadyStored} already stored)`,
  ];
  if (s.renamed > 0) parts.push(`${s.renamed} input(s) recognised under a new name`);
  if (s.heldBack > 0)
    parts.push(`${s.heldBack} partial last line(s) without a newline yet, left for the next run`);
  if (s.truncated > 0) parts.push(`${s.truncated} truncated to ${MAX_LINE_BYTES} bytes`);
  const notes = s.notes.map((n) => `ingest: ${n}\n`).join('');
  return `${notes}${parts.join('; ')} in ${(s.elapsedMs / 1000).toFixed(1)} s (${formatRate(s.lines, s.elapsedMs)} lines/s)\n`;
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
    const inputs = positionals.map((path) => ({ path }));
    // Every input readable before the store is created or written (#12): a typo leaves nothing behind.
    await checkInputs(inputs);
    const store = EventStore.open(storePath);
    const stderr = io.stderr as CliIo['stderr'] & { columns?: number };
    const meter =
      stderr.isTTY === true
        ? new ProgressMeter(
            {
              write: (t) => stderr.write(t),
              ...(stderr.columns === undefined ? {} : { columns: stderr.columns }),
            },
            () => performance.now(),
          )
        : null;
    try {
      const summary = await ingestInputs(store, inputs, {
        zones,
        yearRefMs,
        nowMs: io.nowMs,
        ...(meter === null ? {} : { onProgress: (p: IngestProgress) => meter.update(p) }),
      });
      meter?.clear();
      io.stderr.write(formatIngestSummary(summary, storePath));
    } finally {
      meter?.clear();
      store.close();
    }
    return ExitCode.pass;
  },
};

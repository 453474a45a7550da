/**
 * Worker thread of `ingest` for one file: reads, gunzips, splits lines and parses them, and hands the
 * main thread encoded batches (row-codec.ts EncodedBatch) that it only has to insert. On this 2-core
 * machine parsing and SQLite inserts then run side by side instead of one after the other. When the
 * main thread is waiting, some batches go over unparsed and it parses them (HAND_OVER_AT_MOST).
 *
 * Protocol (parentPort): worker -> main `{ type: 'batch', batch, lines, bytesRead, endOffset }` (typed
 * arrays transferred; `endOffset`: where the batch's last line ends in the content, the checkpoint), then
 * `{ type: 'end', lines, truncated, heldBytes, skipped }` or `{ type: 'error', message, lines, bytesRead }`;
 * main -> worker `'credit'` after storing each batch. At most MAX_IN_FLIGHT batches wait unstored, so
 * memory stays bounded when the store is the slower side.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { ParseContext } from '../model/events.js';
import { parseMessage } from '../parse/parse-message.js';
import { EncodedBatchBuilder, transferablesOf, type EncodedBatch } from '../sources/sqlite/row-codec.js';
import {
  BATCH_BYTES,
  BATCH_LINES,
  LineSplitter,
  maybeGunzip,
  READ_CHUNK_BYTES,
  skipBytes,
} from './line-reader.js';

/** What the main thread passes as workerData. */
export interface IngestWorkerData {
  path: string;
  /** `path` as it goes into each origin (`ORIGIN:LINE`). */
  originBase: string;
  ctx: ParseContext;
  /** Where to start in the content (a checkpoint): a plain file is read from there, gzip decompressed and dropped up to it. */
  startOffset: number;
  /** True for gzip content (read from its start, `startOffset` bytes skipped after decompression). */
  gzip: boolean;
  /** Lines before startOffset: line numbers continue after them. */
  startLine: number;
  /** Whether a last line without a newline is a line (gzip: the content is final) or still being written. */
  emitPartial: boolean;
}

export type IngestWorkerMessage =
  /** `lines`: the input's lines up to this batch's last (startLine included). */
  | { type: 'batch'; batch: EncodedBatch; lines: number; bytesRead: number; endOffset: number }
  /** `skipped`: decompressed bytes dropped before startOffset (less than it: the content is shorter). */
  | { type: 'end'; lines: number; truncated: number; heldBytes: number; skipped: number }
  | { type: 'error'; message: string; lines: number; bytesRead: number };

const MAX_IN_FLIGHT = 3;
/**
 * A batch started while at most this many earlier batches wait to be stored goes over unparsed
 * (EncodedBatch.unparsed) and the storing thread parses it (same parser, same ctx). Parsing (~1.4 us a
 * line) costs more than storing (~0.9 us), so when this thread is the slower one the main thread takes
 * a share of the parsing instead of idling; when the main thread falls behind, batches stay parsed.
 */
const HAND_OVER_AT_MOST = 1;

async function run(port: NonNullable<typeof parentPort>, data: IngestWorkerData): Promise<void> {
  let inFlight = 0;
  let wake: (() => void) | null = null;
  port.on('message', (m) => {
    if (m === 'credit') {
      inFlight--;
      wake?.();
      wake = null;
    }
  });
  const builder = new EncodedBatchBuilder();
  let lines = data.startLine;
  let bytesRead = 0;
  let endOffset = data.startOffset;
  const post = (): void => {
    if (builder.length === 0) return;
    const batch = builder.finish();
    inFlight++;
    const msg: IngestWorkerMessage = { type: 'batch', batch, lines, bytesRead, endOffset };
    port.postMessage(msg, transferablesOf(batch));
  };
  // Whether the batch being built is left for the storing thread to parse (decided at its first line).
  let handOver = false;
  const splitter = new LineSplitter((line) => {
    lines++;
    if (builder.length === 0) handOver = inFlight <= HAND_OVER_AT_MOST;
    if (handOver) builder.addUnparsed(line, 0, 'file', null, data.originBase, lines, true);
    else builder.addParts(line, 0, 'file', null, data.originBase, lines, true, parseMessage(line, data.ctx));
    endOffset = splitter.lineEnd;
    if (builder.length >= BATCH_LINES || builder.byteLength >= BATCH_BYTES) post();
  }, data.startOffset);
  async function* counted(): AsyncGenerator<Buffer> {
    const start = data.gzip ? 0 : data.startOffset;
    for await (const chunk of createReadStream(data.path, { highWaterMark: READ_CHUNK_BYTES, start })) {
      bytesRead += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  const skip = { skipped: 0 };
  const content = data.gzip ? skipBytes(maybeGunzip(counted()), data.startOffset, skip) : counted();
  try {
    for await (const chunk of content) {
      splitter.push(chunk);
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    }
    splitter.end(data.emitPartial);
  } catch (err) {
    post();
    const msg: IngestWorkerMessage = { type: 'error', message: (err as Error).message, lines, bytesRead };
    port.postMessage(msg);
    return;
  }
  post();
  const end: IngestWorkerMessage = {
    type: 'end',
    lines,
    truncated: splitter.truncated,
    heldBytes: splitter.heldBytes,
    skipped: data.gzip ? skip.skipped : data.startOffset,
  };
  port.postMessage(end);
}

if (parentPort !== null) {
  const port = parentPort;
  await run(port, workerData as IngestWorkerData);
  // Unref so the thread ends once the last message is out and no credit is awaited.
  port.unref();
}

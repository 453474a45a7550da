/**
 * Reading log input for `ingest`: byte chunks (gunzipped when they start with the gzip magic) split
 * into lines. Shared by the in-process path (stdin) and the parsing worker (files).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * Longest line kept. A longer line keeps its first MAX_LINE_BYTES bytes (the parser rejects it as
 * oversized anyway, the syslog limit being 64 KiB) and is counted as truncated in the summary.
 */
export const MAX_LINE_BYTES = 1 << 20;
/** Read size for files and gunzip output. */
export const READ_CHUNK_BYTES = 1 << 20;
/** Lines per stored batch (one transaction). 4096 amortises the commit; smaller loses ~10%. */
export const BATCH_LINES = 4096;
/** A batch is also cut at this many bytes, so a file of huge lines does not hold gigabytes. */
export const BATCH_BYTES = 8 << 20;

/**
 * Splits byte chunks into lines. Lines are views into the chunks (no copy) unless a line spans chunks.
 * Tracks input offsets, so `ingest` can checkpoint the end of the last line it stored.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private dropping = false;
  /** Lines cut at MAX_LINE_BYTES so far. */
  truncated = 0;
  /**
   * While `emit` runs: the input offset just past the line's `\n` (for a last line without one, the end
   * of the input). The next line starts there, so it is where a re-read continues.
   */
  lineEnd: number;
  /** Input offset after every byte pushed so far. */
  offset: number;
  /** After end(false): bytes of a last line left out because no newline ended it yet (0 when none). */
  heldBytes = 0;

  /** `startOffset`: where in the input the first chunk starts (a resumed read). */
  constructor(
    private readonly emit: (line: Buffer) => void,
    startOffset = 0,
  ) {
    this.lineEnd = startOffset;
    this.offset = startOffset;
  }

  push(chunk: Buffer): void {
    const base = this.offset;
    this.offset += chunk.length;
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0) {
        if (pos < chunk.length) this.keep(chunk.subarray(pos));
        return;
      }
      this.lineEnd = base + nl + 1;
      if (this.carryBytes > 0 || this.dropping) {
        this.keep(chunk.subarray(pos, nl));
        this.flushCarry();
      } else {
        this.emitLine(chunk.subarray(pos, nl));
      }
      pos = nl + 1;
    }
  }

  /**
   * The input has ended. `emitPartial` (default): a last line without a newline is a line (a stream that
   * ended for good: gzip, stdin). false: it is a line still being written (a plain log file): it is
   * not emitted and heldBytes says how long it is, so a checkpoint stops before it.
   */
  end(emitPartial = true): void {
    if (this.carryBytes === 0 && !this.dropping) return;
    if (emitPartial) {
      this.lineEnd = this.offset;
      this.flushCarry();
      return;
    }
    this.heldBytes = this.offset - this.lineEnd;
    if (this.dropping) this.truncated--;
    this.carry = [];
    this.carryBytes = 0;
    this.dropping = false;
  }

  private keep(part: Buffer): void {
    if (this.dropping) return;
    const room = MAX_LINE_BYTES - this.carryBytes;
    if (part.length > room) {
      // Copy: the kept prefix must not pin the (possibly huge) rest of the chunk.
      this.carry.push(Buffer.from(part.subarray(0, room)));
      this.carryBytes += room;
      this.dropping = true;
      this.truncated++;
      return;
    }
    this.carry.push(part);
    this.carryBytes += part.length;
  }

  private flushCarry(): void {
    const line =
      this.carry.length === 1 ? (this.carry[0] as Buffer) : Buffer.concat(this.carry, this.carryBytes);
    const wasDropping = this.dropping;
    this.carry = [];
    this.carryBytes = 0;
    this.dropping = false;
    // A truncated line's \r (if any) was cut off with its tail; keep what we have as is.
    if (wasDropping) this.emit(line);
    else this.emitLine(line);
  }

  private emitLine(line: Buffer): void {
    const n = line.length;
    this.emit(n > 0 && line[n - 1] === 13 ? line.subarray(0, n - 1) : line);
  }
}

/** Yields the chunks of `source`, gunzipped when they start with the gzip magic (1f 8b). */
export async function* maybeGunzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await it.next();
    if (next.done) {
      if (head.length > 0) yield head;
      return;
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield head;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const rest = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  rest.on('error', (err) => gunzip.destroy(err));
  rest.pipe(gunzip);
  for await (const chunk of gunzip) yield chunk as Buffer;
}

/**
 * The first `maxBytes` bytes of a file as ingest reads it (gunzipped when it starts with the gzip
 * magic); fewer when it is shorter. Reads only as far as it needs.
 */
export async function readHead(path: string, maxBytes: number): Promise<Buffer> {
  const file = createReadStream(path, { highWaterMark: 64 << 10 });
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of maybeGunzip(file as AsyncIterable<Buffer>)) {
      parts.push(chunk);
      n += chunk.length;
      if (n >= maxBytes) break;
    }
  } finally {
    file.destroy();
  }
  return Buffer.concat(parts).subarray(0, maxBytes);
}

/**
 * Yields what `source` holds after its first `bytes` bytes (a gzip input resumed at its checkpoint: the
 * decompressed bytes before it are read and dropped). `state.skipped` counts what was dropped, so the
 * caller sees when the input ended before `bytes`.
 */
export async function* skipBytes(
  source: AsyncIterable<Buffer>,
  bytes: number,
  state: { skipped: number },
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const left = bytes - state.skipped;
    if (left <= 0) {
      yield chunk;
    } else if (chunk.length <= left) {
      state.skipped += chunk.length;
    } else {
      state.skipped = bytes;
      yield chunk.subarray(left);
    }
  }
}

/**
 * RFC 6587 framing of syslog over a TCP (or TLS) stream, decided per connection by its first byte:
 * a digit means octet counting (`123 <13>Nov 28 ...`), anything else means newline-terminated
 * ("non-transparent framing", each message ends with LF; a CR before the LF is dropped too).
 *
 * Bad framing never desynchronises the stream and never grows memory without bound:
 * - an octet-counted frame longer than `maxMessageBytes` keeps its first `maxMessageBytes` bytes as an
 *   `oversized` rejection and the rest of its declared length is skipped, so the next frame starts
 *   exactly where the sender put it;
 * - a line longer than `maxMessageBytes` is cut the same way and the rest is skipped up to its LF;
 * - a malformed octet-count header (`12x ...`, more than 9 digits) becomes a `bad-header` rejection of
 *   the bytes up to the next LF, where decoding resumes (the only resynchronisation point a stream has);
 * - bytes left over when the connection closes become a `truncated` rejection.
 */
import type { Rejection } from '../model/events.js';

/** One message cut out of the stream; `rejection` is set when the framing already shows it is bad. */
export interface DecodedFrame {
  bytes: Buffer;
  rejection?: Rejection;
}

export type Framing = 'octet-counting' | 'newline';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const MAX_LEN_DIGITS = 9;

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

export class FrameDecoder {
  private readonly maxMessageBytes: number;
  private framing: Framing | null = null;
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes still to discard: the tail of an oversized octet-counted frame. */
  private skipBytes = 0;
  /** True while discarding the tail of an oversized line, or of a bad header, up to the next LF. */
  private skipToLf = false;

  constructor(maxMessageBytes: number) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /** The framing chosen from the first byte; null before any byte arrived. */
  get mode(): Framing | null {
    return this.framing;
  }

  /** Feeds the next chunk of the stream; returns the frames it completed, in order. */
  push(chunk: Buffer): DecodedFrame[] {
    const out: DecodedFrame[] = [];
    let data = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.skipBytes > 0) {
      const n = Math.min(this.skipBytes, data.length);
      this.skipBytes -= n;
      data = data.subarray(n);
    }
    if (this.framing === null && data.length > 0) {
      this.framing = isDigit(data[0]) ? 'octet-counting' : 'newline';
    }
    let pos = 0;
    while (pos < data.length) {
      if (this.skipToLf) {
        const lf = data.indexOf(LF, pos);
        if (lf < 0) {
          pos = data.length;
          break;
        }
        this.skipToLf = false;
        pos = lf + 1;
        continue;
      }
      const next =
        this.framing === 'octet-counting' ? this.octetFrame(data, pos, out) : this.lineFrame(data, pos, out);
      if (next === null) break;
      pos = next;
    }
    // Copy the remainder: a subarray would pin the whole (possibly large) chunk.
    this.buf = pos >= data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(pos));
    return out;
  }

  /** Call when the peer closed: whatever is left is a partial frame, kept as a `truncated` rejection. */
  end(): DecodedFrame[] {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    if (rest.length === 0 || this.skipToLf || this.skipBytes > 0) return [];
    const detail =
      this.framing === 'octet-counting'
        ? `connection closed inside an octet-counted frame after ${rest.length} bytes`
        : `connection closed after ${rest.length} bytes without the terminating LF`;
    return [{ bytes: rest.subarray(0, this.maxMessageBytes), rejection: { reason: 'truncated', detail } }];
  }

  /** One newline-terminated frame starting at `pos`; null when it is not complete yet. */
  private lineFrame(data: Buffer, pos: number, out: DecodedFrame[]): number | null {
    const limit = Math.min(data.length, pos + this.maxMessageBytes + 2);
    const lf = data.indexOf(LF, pos);
    if (lf >= 0 && lf < limit) {
      let end = lf;
      if (end > pos && data[end - 1] === CR) end--;
      if (end - pos > this.maxMessageBytes) {
        out.push(
          this.oversized(data.subarray(pos, pos + this.maxMessageBytes), `a line of ${end - pos} bytes`),
        );
      } else if (end > pos) {
        out.push({ bytes: Buffer.from(data.subarray(pos, end)) });
      }
      return lf + 1;
    }
    if (data.length - pos > this.maxMessageBytes + 1) {
      out.push(
        this.oversized(data.subarray(pos, pos + this.maxMessageBytes), 'a line with no LF within the limit'),
      );
      this.skipToLf = true;
      return pos + this.maxMessageBytes;
    }
    return null;
  }

  /** One octet-counted frame starting at `pos`; null when it is not complete yet. */
  private octetFrame(data: Buffer, pos: number, out: DecodedFrame[]): number | null {
    let i = pos;
    while (i < data.length && i - pos <= MAX_LEN_DIGITS && isDigit(data[i])) i++;
    if (i >= data.length && i - pos <= MAX_LEN_DIGITS) return null;
    const digits = i - pos;
    if (digits === 0 || digits > MAX_LEN_DIGITS || data[i] !== SP || data[pos] === 0x30) {
      const lf = data.indexOf(LF, pos);
      const end =
        lf < 0 ? Math.min(data.length, pos + this.maxMessageBytes) : Math.min(lf, pos + this.maxMessageBytes);
      out.push({
        bytes: Buffer.from(data.subarray(pos, end)),
        rejection: {
          reason: 'bad-header',
          detail: 'expected an RFC 6587 octet count (MSG-LEN SP MSG); skipped to the next LF',
        },
      });
      if (lf < 0) {
        this.skipToLf = true;
        return data.length;
      }
      return lf + 1;
    }
    const len = Number(data.toString('latin1', pos, i));
    const start = i + 1;
    const keep = Math.min(len, this.maxMessageBytes);
    if (data.length - start < keep) return null;
    if (len > this.maxMessageBytes) {
      out.push(this.oversized(data.subarray(start, start + keep), `an octet-counted frame of ${len} bytes`));
      const available = data.length - start;
      if (available >= len) return start + len;
      this.skipBytes = len - available;
      return data.length;
    }
    out.push({ bytes: Buffer.from(data.subarray(start, start + len)) });
    return start + len;
  }

  private oversized(head: Buffer, what: string): DecodedFrame {
    return {
      bytes: Buffer.from(head),
      rejection: {
        reason: 'oversized',
        detail: `${what} is longer than --max-message-bytes ${this.maxMessageBytes}; kept its first ${head.length} bytes`,
      },
    };
  }
}

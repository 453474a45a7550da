/**
 * Column encodings of the event store: the compact forms that keep the insert path fast.
 *
 * Measured on this machine (better-sqlite3 12, 1M rows, one transaction): every TEXT value costs
 * about 0.7 µs to bind (V8 string -> UTF-8), an INTEGER or a Buffer BLOB almost nothing. A row of
 * 8 text columns inserted at ~300k rows/s; the same facts as integers and dictionary ids at ~500k+.
 * So addresses are stored as integers, names as dictionary ids, and the body keeps only the fields
 * no column holds.
 */
import type { ParseResult, RawMessage, Transport } from '../../model/events.js';
import { InternalError } from '../../model/errors.js';

/**
 * `10.1.0.50` -> 167837746; null when `text` is not a canonical dotted quad (no leading zeros),
 * which then stays in the body. Char codes, not a regex: this runs once per stored event.
 */
export function encodeIpv4(text: string): number | null {
  const n = text.length;
  if (n < 7 || n > 15) return null;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return null;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return null; // leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return null;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + part;
}

/** Inverse of encodeIpv4. */
export function decodeIpv4(value: number): string {
  return `${Math.floor(value / 16777216) % 256}.${Math.floor(value / 65536) % 256}.${Math.floor(value / 256) % 256}.${value % 256}`;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** `52:54:00:12:34:56` -> 0x525400123456 (fits a double exactly); null unless a normalised 6-byte MAC. */
export function encodeMac(text: string): number | null {
  if (text.length !== 17) return null;
  let value = 0;
  for (let i = 0; i < 17; i += 3) {
    const hi = hexDigit(text.charCodeAt(i));
    const lo = hexDigit(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0 || (i < 15 && text.charCodeAt(i + 2) !== 58)) return null;
    value = value * 256 + hi * 16 + lo;
  }
  return value;
}

/** Inverse of encodeMac: lower case, two digits a byte. */
export function decodeMac(value: number): string {
  const hex = value.toString(16).padStart(12, '0');
  return `${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}`;
}

/** An event body split into its indexed columns and the JSON of whatever is left. Reused between calls. */
export interface EncodedBody {
  ip: number | null;
  mac: number | null;
  via: string | null;
  /** JSON of the remaining fields (without `kind`), null when nothing is left. */
  rest: string | null;
}

/**
 * Moves `ip`, `mac` and `via` into columns when they have their canonical form; every other field
 * (and any non-canonical ip/mac, and explicit nulls) stays in `rest` as JSON, so decodeBody restores the
 * body exactly. Header fields (`timeMs`, `host`, `pid`) are skipped: they have their own columns.
 * The string form of RestWriter.writeBody (one implementation of the split), for callers that want text.
 */
export function encodeBody(body: object, out: EncodedBody): EncodedBody {
  const n = bodyScratch.writeBody(body, out);
  const bytes = bodyScratch.finish();
  out.rest = n < 0 ? null : UTF8.decode(bytes);
  return out;
}

/** Rebuilds the body fields from the columns and `rest` (the `kind` is set by the caller). */
export function decodeBody(
  ip: number | null,
  mac: number | null,
  via: string | null,
  rest: string | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ip !== null) out.ip = decodeIpv4(ip);
  if (mac !== null) out.mac = decodeMac(mac);
  if (via !== null) out.via = via;
  return rest === null ? out : Object.assign(out, JSON.parse(rest) as Record<string, unknown>);
}

/** `"key":` as UTF-8 per field name (the names are few: the model's). */
const KEY_BYTES = new Map<string, Uint8Array>();

/**
 * Writes the `rest` of event bodies and rejection details as UTF-8 straight into one growing byte
 * buffer, without a string per message, which
 * halved the cost of encoding a batch (the worker thread's share of `ingest`, measured with
 * bench/ingest.bench.ts). Each `write*` returns the byte length written, or -1 for null.
 */
export class RestWriter {
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  get byteLength(): number {
    return this.len;
  }

  /** Drops what was written (after a failed batch). */
  reset(): void {
    this.len = 0;
  }

  /** The bytes written so far (a copy); the writer starts over empty. */
  finish(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }

  private room(bytes: number): void {
    if (this.len + bytes <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.len + bytes, this.buf.length * 2));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  /** Appends raw bytes (a stored rest kept as it is). */
  writeBytes(bytes: Uint8Array): number {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return bytes.length;
  }

  /** Appends `text` as UTF-8 (a rejection's detail); -1 for null. */
  writeText(text: string | null): number {
    if (text === null) return -1;
    const start = this.len;
    const n = text.length;
    this.room(n);
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        this.len = start;
        this.room(n * 3);
        this.len += Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length).write(
          text,
          start,
          'utf8',
        );
        return this.len - start;
      }
      (this.buf as Uint8Array)[start + i] = c;
    }
    this.len = start + n;
    return n;
  }

  /** A JSON string literal; ASCII without escapes is copied byte by byte, anything else via JSON.stringify. */
  private writeJsonString(value: string): void {
    const n = value.length;
    this.room(n + 2);
    const start = this.len;
    const buf = this.buf;
    buf[start] = 34;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c === 34 || c === 92 || c >= 0x7f) {
        this.len = start;
        this.writeText(JSON.stringify(value));
        return;
      }
      buf[start + 1 + i] = c;
    }
    buf[start + 1 + n] = 34;
    this.len = start + n + 2;
  }

  private writeAscii(text: string): void {
    const n = text.length;
    this.room(n);
    for (let i = 0; i < n; i++) this.buf[this.len + i] = text.charCodeAt(i);
    this.len += n;
  }

  /**
   * Splits `body` like encodeBody (ip, mac, via into `cols`' fields when canonical) and appends the JSON of
   * the remaining fields; returns its byte length, -1 when nothing remains.
   */
  writeBody(body: object, cols: EncodedBody): number {
    cols.ip = null;
    cols.mac = null;
    cols.via = null;
    const start = this.len;
    const fields = body as Record<string, unknown>;
    for (const key in fields) {
      if (key === 'kind' || key === 'timeMs' || key === 'host' || key === 'pid') continue;
      const value = fields[key];
      if (value === undefined) continue;
      if (typeof value === 'string') {
        if (key === 'ip') {
          cols.ip = encodeIpv4(value);
          if (cols.ip !== null) continue;
        } else if (key === 'mac') {
          cols.mac = encodeMac(value);
          if (cols.mac !== null) continue;
        } else if (key === 'via') {
          cols.via = value;
          continue;
        }
      }
      let keyBytes = KEY_BYTES.get(key);
      if (keyBytes === undefined) {
        keyBytes = Buffer.from(`${JSON.stringify(key)}:`, 'utf8');
        if (KEY_BYTES.size < 256) KEY_BYTES.set(key, keyBytes);
      }
      this.room(keyBytes.length + 1);
      this.buf[this.len] = this.len === start ? 123 : 44; // '{' before the first field, ',' between
      this.len++;
      this.buf.set(keyBytes, this.len);
      this.len += keyBytes.length;
      if (value === null) this.writeAscii('null');
      else if (typeof value === 'string') this.writeJsonString(value);
      else if (typeof value === 'number' && Number.isFinite(value)) this.writeAscii(String(value));
      else this.writeText(JSON.stringify(value));
    }
    if (this.len === start) return -1;
    this.room(1);
    this.buf[this.len++] = 125;
    return this.len - start;
  }
}

/** Where splitOrigin puts its result (reused between calls). */
export interface SplitOrigin {
  base: string | null;
  line: number | null;
}

/**
 * Splits a `path:line` origin into its prefix and line so the prefix can be a dictionary entry.
 * Lossless: only a line without leading zeros (and under 2^53) is split off.
 */
export function splitOrigin(origin: string | null, out: SplitOrigin): SplitOrigin {
  out.base = origin;
  out.line = null;
  if (origin === null) return out;
  const colon = origin.lastIndexOf(':');
  const digits = origin.length - colon - 1;
  if (colon < 0 || digits === 0 || digits > 15) return out;
  if (digits > 1 && origin.charCodeAt(colon + 1) === 48) return out;
  let line = 0;
  for (let i = colon + 1; i < origin.length; i++) {
    const c = origin.charCodeAt(i);
    if (c < 48 || c > 57) return out;
    line = line * 10 + (c - 48);
  }
  out.base = origin.slice(0, colon);
  out.line = line;
  return out;
}

/** Inverse of splitOrigin. */
export function joinOrigin(base: string | null, line: number | null): string | null {
  if (base === null) return null;
  return line === null ? base : `${base}:${line}`;
}

/** Where a batch's messages came from: RawMessage's transport, peer, trust and origin prefix. */
export interface BatchSource {
  transport: Transport;
  peer: string | null;
  /** The origin without its `:line` suffix (see splitOrigin). */
  originBase: string | null;
  trusted: boolean;
}

/**
 * A batch of raw messages and their parse results in columns: typed arrays and a few strings, so a
 * worker thread can hand it to the writing thread cheaply (postMessage transfers the typed arrays and
 * copies the strings in bulk). Numbers use NaN for null. Indices point into per-batch dictionaries;
 * the store maps them to its own ids.
 */
export interface EncodedBatch {
  count: number;
  /**
   * True when the messages are not parsed yet (EncodedBatchBuilder.addUnparsed): only data, ends,
   * receivedMs, source, sources and line are filled, and the store parses them with the ctx of the
   * append. `ingest` hands some batches over this way so the storing thread parses when it would idle.
   */
  unparsed?: boolean;
  /** Every message's bytes, concatenated; message i is data[ends[i-1] .. ends[i]). */
  data: Uint8Array;
  ends: Uint32Array;
  receivedMs: Float64Array;
  /** Index into `sources` per message. */
  source: Uint32Array;
  sources: BatchSource[];
  /** `:line` of the origin, NaN when none. */
  line: Float64Array;
  /** 1 when the message was rejected: its kind is then the reason and its rest the detail. */
  rejected: Uint8Array;
  /** Index into `kinds` per message. */
  kind: Uint16Array;
  /** The batch's kind names and rejection reasons (a per-batch dictionary: few strings to copy). */
  kinds: { name: string; rejection: boolean }[];
  timeMs: Float64Array;
  pid: Float64Array;
  /** encodeIpv4 / encodeMac of the body's ip and mac, NaN when absent or not canonical. */
  ip: Float64Array;
  mac: Float64Array;
  /** 0 for null, else 1 + an index into `names`. */
  host: Uint32Array;
  /** 0 for null, else 1 + an index into `names`. */
  via: Uint32Array;
  /** Host names and via values of the batch (a per-batch dictionary). */
  names: string[];
  /**
   * Every message's rest (EncodedBody.rest, or a rejection's detail) as UTF-8, concatenated (RestWriter);
   * restLen[i] is its byte length, -1 for null.
   */
  rest: Uint8Array;
  restLen: Int32Array;
}

function grow<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array | Int32Array>(
  a: T,
  size: number,
): T {
  if (a.length >= size) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

/** Builds an EncodedBatch message by message. */
export class EncodedBatchBuilder {
  private count = 0;
  private unparsed: boolean | null = null;
  private data = new Uint8Array(1 << 16);
  private dataLen = 0;
  private ends = new Uint32Array(256);
  private receivedMs = new Float64Array(256);
  private source = new Uint32Array(256);
  private line = new Float64Array(256);
  private rejected = new Uint8Array(256);
  private timeMs = new Float64Array(256);
  private pid = new Float64Array(256);
  private ip = new Float64Array(256);
  private mac = new Float64Array(256);
  private kind = new Uint16Array(256);
  private host = new Uint32Array(256);
  private via = new Uint32Array(256);
  private restLen = new Int32Array(256);
  private readonly rest = new RestWriter();
  private kinds: { name: string; rejection: boolean }[] = [];
  private eventKindIndex = new Map<string, number>();
  private rejectionIndex = new Map<string, number>();
  private names: string[] = [];
  private nameIndex = new Map<string, number>();
  private sources: BatchSource[] = [];
  private sourceIndex = new Map<string, number>();
  private lastSource: BatchSource | null = null;
  private lastSourceIndex = 0;
  private readonly body: EncodedBody = { ip: null, mac: null, via: null, rest: null };
  private readonly origin: SplitOrigin = { base: null, line: null };

  get length(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.dataLen;
  }

  /** Adds one message (its origin split here) and its parse result. */
  add(msg: RawMessage, result: ParseResult): void {
    const o = splitOrigin(msg.origin, this.origin);
    this.addParts(msg.bytes, msg.receivedMs, msg.transport, msg.peer, o.base, o.line, msg.trusted, result);
  }

  /**
   * Adds one message without its parse result: the batch becomes `unparsed` (a batch is either all
   * parsed or all unparsed).
   */
  addUnparsed(
    bytes: Uint8Array,
    receivedMs: number,
    transport: Transport,
    peer: string | null,
    originBase: string | null,
    line: number | null,
    trusted: boolean,
  ): void {
    this.setMode(true);
    const i = this.addMessage(bytes, receivedMs, transport, peer, originBase, line, trusted);
    this.rejected[i] = 0;
    this.kind[i] = 0;
    this.timeMs[i] = Number.NaN;
    this.pid[i] = Number.NaN;
    this.ip[i] = Number.NaN;
    this.mac[i] = Number.NaN;
    this.host[i] = 0;
    this.via[i] = 0;
    this.restLen[i] = -1;
  }

  private setMode(unparsed: boolean): void {
    if (this.unparsed !== null && this.unparsed !== unparsed) {
      throw new InternalError('EncodedBatchBuilder: parsed and unparsed messages in one batch');
    }
    this.unparsed = unparsed;
  }

  /** The columns every message has; returns its index (count already advanced). */
  private addMessage(
    bytes: Uint8Array,
    receivedMs: number,
    transport: Transport,
    peer: string | null,
    originBase: string | null,
    line: number | null,
    trusted: boolean,
  ): number {
    const i = this.count;
    const n = i + 1;
    if (this.ends.length < n) {
      this.ends = grow(this.ends, n);
      this.receivedMs = grow(this.receivedMs, n);
      this.source = grow(this.source, n);
      this.line = grow(this.line, n);
      this.rejected = grow(this.rejected, n);
      this.timeMs = grow(this.timeMs, n);
      this.pid = grow(this.pid, n);
      this.ip = grow(this.ip, n);
      this.mac = grow(this.mac, n);
      this.kind = grow(this.kind, n);
      this.host = grow(this.host, n);
      this.via = grow(this.via, n);
      this.restLen = grow(this.restLen, n);
    }
    this.data = grow(this.data, this.dataLen + bytes.length);
    this.data.set(bytes, this.dataLen);
    this.dataLen += bytes.length;
    this.ends[i] = this.dataLen;
    this.receivedMs[i] = receivedMs;
    this.source[i] = this.sourceIndexOf(transport, peer, originBase, trusted);
    this.line[i] = line ?? Number.NaN;
    this.count = n;
    return i;
  }

  /** Adds one message given as parts (what a file reader has without building RawMessage objects). */
  addParts(
    bytes: Uint8Array,
    receivedMs: number,
    transport: Transport,
    peer: string | null,
    originBase: string | null,
    line: number | null,
    trusted: boolean,
    result: ParseResult,
  ): void {
    if (this.unparsed !== false) this.setMode(false);
    const i = this.addMessage(bytes, receivedMs, transport, peer, originBase, line, trusted);
    if (result.ok) {
      const e = result.event;
      const b = this.body;
      this.restLen[i] = this.rest.writeBody(e, b);
      this.rejected[i] = 0;
      this.kind[i] = this.kindIndexOf(e.kind, false);
      this.timeMs[i] = e.timeMs;
      this.pid[i] = e.pid ?? Number.NaN;
      this.ip[i] = b.ip ?? Number.NaN;
      this.mac[i] = b.mac ?? Number.NaN;
      this.host[i] = this.nameIndexOf(e.host);
      this.via[i] = b.via === null ? 0 : this.nameIndexOf(b.via);
    } else {
      this.rejected[i] = 1;
      this.kind[i] = this.kindIndexOf(result.rejection.reason, true);
      this.timeMs[i] = Number.NaN;
      this.pid[i] = Number.NaN;
      this.ip[i] = Number.NaN;
      this.mac[i] = Number.NaN;
      this.host[i] = 0;
      this.via[i] = 0;
      this.restLen[i] = this.rest.writeText(result.rejection.detail);
    }
  }

  private kindIndexOf(name: string, rejection: boolean): number {
    const map = rejection ? this.rejectionIndex : this.eventKindIndex;
    let index = map.get(name);
    if (index === undefined) {
      index = this.kinds.length;
      this.kinds.push({ name, rejection });
      map.set(name, index);
    }
    return index;
  }

  /** 1 + the index of `text` in the batch's names. */
  private nameIndexOf(text: string): number {
    let index = this.nameIndex.get(text);
    if (index === undefined) {
      this.names.push(text);
      index = this.names.length;
      this.nameIndex.set(text, index);
    }
    return index;
  }

  private sourceIndexOf(
    transport: Transport,
    peer: string | null,
    originBase: string | null,
    trusted: boolean,
  ): number {
    const last = this.lastSource;
    if (
      last !== null &&
      last.transport === transport &&
      last.peer === peer &&
      last.originBase === originBase &&
      last.trusted === trusted
    ) {
      return this.lastSourceIndex;
    }
    const key = JSON.stringify([transport, peer, originBase, trusted]);
    let index = this.sourceIndex.get(key);
    if (index === undefined) {
      index = this.sources.length;
      this.sources.push({ transport, peer, originBase, trusted });
      this.sourceIndex.set(key, index);
    }
    this.lastSource = this.sources[index] as BatchSource;
    this.lastSourceIndex = index;
    return index;
  }

  /** The batch so far (typed arrays trimmed to size); the builder starts over empty. */
  finish(): EncodedBatch {
    const n = this.count;
    const out: EncodedBatch = {
      count: n,
      ...(this.unparsed === true ? { unparsed: true } : {}),
      data: this.data.slice(0, this.dataLen),
      ends: this.ends.slice(0, n),
      receivedMs: this.receivedMs.slice(0, n),
      source: this.source.slice(0, n),
      sources: this.sources,
      line: this.line.slice(0, n),
      rejected: this.rejected.slice(0, n),
      kind: this.kind.slice(0, n),
      kinds: this.kinds,
      timeMs: this.timeMs.slice(0, n),
      pid: this.pid.slice(0, n),
      ip: this.ip.slice(0, n),
      mac: this.mac.slice(0, n),
      host: this.host.slice(0, n),
      via: this.via.slice(0, n),
      names: this.names,
      rest: this.rest.finish(),
      restLen: this.restLen.slice(0, n),
    };
    this.count = 0;
    this.unparsed = null;
    this.dataLen = 0;
    this.kinds = [];
    this.eventKindIndex = new Map();
    this.rejectionIndex = new Map();
    this.names = [];
    this.nameIndex = new Map();
    this.sources = [];
    this.sourceIndex = new Map();
    this.lastSource = null;
    return out;
  }
}

/** The typed arrays of a batch, for postMessage's transfer list. */
export function transferablesOf(batch: EncodedBatch): ArrayBuffer[] {
  return [
    batch.data,
    batch.ends,
    batch.receivedMs,
    batch.source,
    batch.line,
    batch.rejected,
    batch.kind,
    batch.timeMs,
    batch.pid,
    batch.ip,
    batch.mac,
    batch.host,
    batch.via,
    batch.restLen,
    batch.rest,
  ].map((a) => a.buffer as ArrayBuffer);
}

/**
 * The stored columns of one batch (the `batch.cols` BLOB), with the store's own ids: source -> source.id,
 * kind -> kind.id, host and via -> name.id (0 = null). Message i has event id first_id + i.
 */
export interface BatchColumns {
  count: number;
  receivedMs: Float64Array;
  /** `:line` of the origin, NaN when none. */
  line: Float64Array;
  /** NaN for a rejection. */
  timeMs: Float64Array;
  pid: Float64Array;
  ip: Float64Array;
  mac: Float64Array;
  source: Uint32Array;
  host: Uint32Array;
  via: Uint32Array;
  /** Byte length of message i's part of the batch's `rest` BLOB, -1 for null. */
  restLen: Int32Array;
  kind: Uint16Array;
}

/** `GVc1`: the cols BLOB format. A future layout gets a new tag; decodeColumns refuses unknown ones. */
const COLUMNS_TAG = 0x31635647;
const HEADER_BYTES = 8;
/** Bytes per message: 6 Float64 + 4 (Uint32 | Int32) + 1 Uint16. */
const COLUMN_BYTES = 6 * 8 + 4 * 4 + 2;

/** An empty BatchColumns for `count` messages. */
export function allocColumns(count: number): BatchColumns {
  return {
    count,
    receivedMs: new Float64Array(count),
    line: new Float64Array(count),
    timeMs: new Float64Array(count),
    pid: new Float64Array(count),
    ip: new Float64Array(count),
    mac: new Float64Array(count),
    source: new Uint32Array(count),
    host: new Uint32Array(count),
    via: new Uint32Array(count),
    restLen: new Int32Array(count),
    kind: new Uint16Array(count),
  };
}

function columnArrays(c: BatchColumns): (Float64Array | Uint32Array | Int32Array | Uint16Array)[] {
  // Widest first, so every view is aligned in a buffer that starts aligned.
  return [c.receivedMs, c.line, c.timeMs, c.pid, c.ip, c.mac, c.source, c.host, c.via, c.restLen, c.kind];
}

/**
 * The cols BLOB: an 8-byte header (tag, count) then each column as a little-endian typed array, widest
 * first. The store refuses to open on a big-endian machine (event-store.ts), so native order is LE.
 */
export function encodeColumns(c: BatchColumns): Buffer {
  const buf = new ArrayBuffer(HEADER_BYTES + c.count * COLUMN_BYTES);
  const head = new Uint32Array(buf, 0, 2);
  head[0] = COLUMNS_TAG;
  head[1] = c.count;
  let at = HEADER_BYTES;
  for (const a of columnArrays(c)) {
    new Uint8Array(buf, at, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    at += a.byteLength;
  }
  return Buffer.from(buf);
}

/** Inverse of encodeColumns (copies the BLOB once, so the arrays are aligned and owned). Null when not a cols BLOB. */
export function decodeColumns(blob: Uint8Array): BatchColumns | null {
  if (blob.byteLength < HEADER_BYTES) return null;
  const buf = new ArrayBuffer(blob.byteLength);
  new Uint8Array(buf).set(blob);
  const head = new Uint32Array(buf, 0, 2);
  const n = head[1] as number;
  if (head[0] !== COLUMNS_TAG || blob.byteLength !== HEADER_BYTES + n * COLUMN_BYTES) return null;
  let at = HEADER_BYTES;
  const f64 = (): Float64Array => {
    const a = new Float64Array(buf, at, n);
    at += n * 8;
    return a;
  };
  const u32 = (): Uint32Array => {
    const a = new Uint32Array(buf, at, n);
    at += n * 4;
    return a;
  };
  const receivedMs = f64();
  const line = f64();
  const timeMs = f64();
  const pid = f64();
  const ip = f64();
  const mac = f64();
  const source = u32();
  const host = u32();
  const via = u32();
  const restLen = new Int32Array(buf, at, n);
  at += n * 4;
  const kind = new Uint16Array(buf, at, n);
  return { count: n, receivedMs, line, timeMs, pid, ip, mac, source, host, via, restLen, kind };
}

/**
 * Message end offsets as fixed-width ASCII decimals (`width` digits each), so plain SQL can cut one
 * message out of the raw BLOB (the `message` view: CAST(substr(ends, i*width+1, width) AS INTEGER)).
 */
export function encodeEnds(ends: Uint32Array): { width: number; text: Buffer } {
  const last = ends.length === 0 ? 0 : (ends[ends.length - 1] as number);
  const width = Math.max(1, String(last).length);
  const text = Buffer.allocUnsafe(ends.length * width);
  let at = 0;
  for (let i = 0; i < ends.length; i++) {
    let v = ends[i] as number;
    for (let d = width - 1; d >= 0; d--) {
      text[at + d] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
    at += width;
  }
  return { width, text };
}

/** Inverse of encodeEnds. */
export function decodeEnds(text: Uint8Array, width: number, count: number): Uint32Array {
  const ends = new Uint32Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    for (let d = 0; d < width; d++) v = v * 10 + ((text[at + d] as number) - 48);
    ends[i] = v;
    at += width;
  }
  return ends;
}

const UTF8 = new TextDecoder();
/** encodeBody's writer (reused; finish() empties it). */
const bodyScratch = new RestWriter();

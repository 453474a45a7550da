/**
 * Syslog framing: one message (datagram, TCP frame or file line) -> SyslogFrame, and back.
 *
 * Accepted forms (RFC 3164 §4.1, RFC 5424 §6, rsyslog's RSYSLOG_FileFormat):
 *   <30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 via eth0
 *   Nov  3 01:23:45 dhcp1 dhcpd[812]: DHCPACK ...                       (file, no PRI, day space-padded)
 *   <30>Nov 28 01:23:45 dhcpd[812]: msg                                 (no HOSTNAME, as /dev/log gets it)
 *   <165>1 2026-11-28T01:23:45.123Z dhcp1 dhcpd 812 ID47 [x@1 a="\]"] \uFEFFmsg
 *   2026-11-28T01:23:45.123456+01:00 dhcp1 dhcpd[812]: msg             (rsyslog RFC 3339 file)
 *
 * Pure and total: every byte array gives a frame or a Rejection, nothing throws.
 */
import type {
  EpochMs,
  ParseContext,
  Rejection,
  RejectionReason,
  SyslogFormat,
  SyslogFrame,
} from '../model/index.js';
import { civilFromMs, localToUtc, offsetAt, utcFromFields } from './zone.js';

/** Default maximum message size: 64 KiB, as rsyslog's default maxMessageSize is 8k-64k. */
export const DEFAULT_MAX_MESSAGE_BYTES = 65_536;

export type FrameResult = { ok: true; frame: SyslogFrame } | { ok: false; rejection: Rejection };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `Jan`..`Dec` at pos -> 1..12, else 0; without allocating a substring. */
function monthOf(s: string, pos: number): number {
  const key = (s.charCodeAt(pos) << 16) | (s.charCodeAt(pos + 1) << 8) | s.charCodeAt(pos + 2);
  return MONTH_BY_KEY.get(key) ?? 0;
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_BY_KEY = new Map<number, number>(
  MONTH_NAMES.map((m, i) => [(m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2), i + 1]),
);
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Half a year: a 3164 timestamp further than this from the reference belongs to a neighbour year. */
const HALF_YEAR_MS = 182.5 * 86_400_000;

function reject(reason: RejectionReason, detail: string): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: { reason, detail } };
}

function isControlByte(b: number): boolean {
  return (b < 0x20 && b !== 0x09) || b === 0x7f;
}

/**
 * Offset of the first control byte (C0 except tab, or DEL) in bytes[0, end), or -1.
 * Tests four bytes at a time (the "has a byte less than n" and "has a zero byte" word tricks,
 * https://graphics.stanford.edu/~seander/bithacks.html#HasLessInWord): 1.8x faster than a byte
 * loop here, which mattered because that loop was a sixth of the whole frame parse.
 */
function findControlByte(bytes: Uint8Array, end: number): number {
  let i = 0;
  const head = Math.min(end, (4 - (bytes.byteOffset & 3)) & 3);
  for (; i < head; i++) if (isControlByte(bytes[i] as number)) return i;
  const words = (end - i) >> 2;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const w = view[k] as number;
      const del = w ^ 0x7f7f7f7f;
      // Non-zero when some byte of w is < 0x20 or == 0x7f (exact for "some byte"; which one is found below).
      if ((((w - 0x20202020) & ~w) | ((del - 0x01010101) & ~del)) & 0x80808080) {
        for (let j = i + k * 4; j < i + k * 4 + 4; j++) if (isControlByte(bytes[j] as number)) return j;
      }
    }
    i += words * 4;
  }
  for (; i < end; i++) if (isControlByte(bytes[i] as number)) return i;
  return -1;
}

/**
 * Bytes -> string, validating: a word-at-a-time scan refuses control bytes (C0 except tab, and
 * DEL); then one fatal UTF-8 decode (simdutf inside Node: about 10M lines/s for 100-byte lines
 * here, where String.fromCharCode.apply on the bytes did under 1M). Trailing CR/LF/NUL are cut first.
 */
function decodeLine(bytes: Uint8Array): { ok: true; text: string } | { ok: false; rejection: Rejection } {
  let end = bytes.length;
  while (end > 0) {
    const b = bytes[end - 1];
    if (b === 0x0a || b === 0x0d || b === 0x00) end--;
    else break;
  }
  if (end === 0) {
    return reject('empty', `expected a syslog message, found ${bytes.length} byte(s) of line ending/NUL`);
  }
  const bad = findControlByte(bytes, end);
  if (bad >= 0) {
    const b = bytes[bad] as number;
    return reject(
      'binary',
      `control byte 0x${b.toString(16).padStart(2, '0')} at offset ${bad}; expected text`,
    );
  }
  try {
    return { ok: true, text: utf8.decode(end === bytes.length ? bytes : bytes.subarray(0, end)) };
  } catch {
    return reject('not-utf8', `message of ${end} bytes is not valid UTF-8`);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Reads exactly `n` digits at `pos`, or -1. */
function digits(s: string, pos: number, n: number): number {
  if (pos + n > s.length) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(pos + i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** 1..10 decimal digits -> number, else null. */
function decimalOrNull(text: string): number | null {
  const n = text.length;
  if (n === 0 || n > 10) return null;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  return v;
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > (DAYS_IN_MONTH[month - 1] as number)) return false;
  if (month === 2 && day === 29) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return true;
}

interface Rfc3339 {
  timeMs: EpochMs;
  /** Index just after the timestamp. */
  end: number;
}

/** `2026-11-28T01:23:45[.frac](Z|+hh:mm)` at `pos` (RFC 3339 §5.6 / RFC 5424 §6.2.3); null when malformed. */
function parseRfc3339(s: string, pos: number): Rfc3339 | null {
  const year = digits(s, pos, 4);
  const month = digits(s, pos + 5, 2);
  const day = digits(s, pos + 8, 2);
  const hour = digits(s, pos + 11, 2);
  const minute = digits(s, pos + 14, 2);
  const second = digits(s, pos + 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  const t = s.charCodeAt(pos + 10);
  if (s.charCodeAt(pos + 4) !== 45 || s.charCodeAt(pos + 7) !== 45 || (t !== 84 && t !== 116)) return null;
  if (s.charCodeAt(pos + 13) !== 58 || s.charCodeAt(pos + 16) !== 58) return null;
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 60) return null;
  let i = pos + 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    const fracStart = i;
    let scale = 100;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      ms += (s.charCodeAt(i) - 48) * scale;
      scale /= 10;
      i++;
    }
    if (i === fracStart || i - fracStart > 9) return null;
    ms = Math.floor(ms + 1e-9);
  }
  const z = s.charCodeAt(i);
  let offsetMin = 0;
  if (z === 90 || z === 122) {
    i++;
  } else if (z === 43 || z === 45) {
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (oh < 0 || om < 0 || s.charCodeAt(i + 3) !== 58 || oh > 23 || om > 59) return null;
    offsetMin = (oh * 60 + om) * (z === 45 ? -1 : 1);
    i += 6;
  } else {
    return null;
  }
  // A leap second (:60) is read as the last millisecond-aligned second of that minute.
  const sec = second === 60 ? 59 : second;
  const timeMs = utcFromFields(year, month, day, hour, minute, sec) + ms - offsetMin * 60_000;
  return { timeMs, end: i };
}

let lastReferenceMs = Number.NaN;
let lastReferenceYear = 0;

/** UTC year of an instant; remembers the last answer, since a batch shares one reference time. */
function yearOf(ms: EpochMs): number {
  if (ms !== lastReferenceMs) {
    lastReferenceYear = civilFromMs(ms).year;
    lastReferenceMs = ms;
  }
  return lastReferenceYear;
}

/** RFC 3164 `Mmm dd hh:mm:ss` at pos (16 chars incl. no trailing space), year inferred; number | string error. */
function parseBsdTimestamp(s: string, pos: number, zone: string, referenceMs: EpochMs): EpochMs | string {
  const month = monthOf(s, pos);
  if (month === 0) return 'month';
  if (s.charCodeAt(pos + 3) !== 32) return 'shape';
  const d1 = s.charCodeAt(pos + 4);
  const d2 = s.charCodeAt(pos + 5);
  if (!isDigit(d2) || !(d1 === 32 || isDigit(d1))) return 'day';
  const day = (d1 === 32 ? 0 : (d1 - 48) * 10) + (d2 - 48);
  const hour = digits(s, pos + 7, 2);
  const minute = digits(s, pos + 10, 2);
  const second = digits(s, pos + 13, 2);
  if (s.charCodeAt(pos + 6) !== 32 || s.charCodeAt(pos + 9) !== 58 || s.charCodeAt(pos + 12) !== 58) {
    return 'shape';
  }
  if (hour < 0 || minute < 0 || second < 0 || hour > 23 || minute > 59 || second > 60) return 'time';
  const sec = second === 60 ? 59 : second;
  if (!Number.isFinite(referenceMs)) return 'reference';
  const refYear = yearOf(referenceMs);
  // The year that puts the instant nearest the reference (RFC 3164 carries none). Try the
  // reference's year first; only look at the neighbours when that lands more than half a year away.
  let best: number | null = null;
  if (validDate(refYear, month, day)) {
    best = localToUtc(zone, utcFromFields(refYear, month, day, hour, minute, sec));
    if (best === null) return 'zone';
    if (Math.abs(best - referenceMs) <= HALF_YEAR_MS) return best;
  }
  for (let year = refYear - 1; year <= refYear + 1; year += 2) {
    if (!validDate(year, month, day)) continue;
    const utc = localToUtc(zone, utcFromFields(year, month, day, hour, minute, sec));
    if (utc === null) return 'zone';
    if (best === null || Math.abs(utc - referenceMs) < Math.abs(best - referenceMs)) best = utc;
  }
  if (best === null) return 'day';
  return best;
}

let lastStamp = '';
let lastStampZone = '';
let lastStampRefMs = Number.NaN;
let lastStampMs = 0;
const DAY_MS = 86_400_000;

/**
 * parseBsdTimestamp with a one-entry memo: several lines share a second, and the timestamp read
 * (year inference, zone) was a tenth of the frame parse. The memo answers only when recomputing
 * must give the same instant: same text and zone, and a reference within a day of the memo's while
 * the instant is within 90 days of it, far from the half-year point where the inferred year flips.
 */
function cachedBsdTimestamp(s: string, pos: number, zone: string, referenceMs: EpochMs): EpochMs | string {
  const stamp = s.substring(pos, pos + 15);
  if (
    stamp === lastStamp &&
    zone === lastStampZone &&
    Math.abs(referenceMs - lastStampRefMs) < DAY_MS &&
    Math.abs(lastStampMs - referenceMs) < 90 * DAY_MS
  ) {
    return lastStampMs;
  }
  const t = parseBsdTimestamp(s, pos, zone, referenceMs);
  if (typeof t === 'number') {
    lastStamp = stamp;
    lastStampZone = zone;
    lastStampRefMs = referenceMs;
    lastStampMs = t;
  }
  return t;
}

/** RFC 3164 TAG: `tag[pid]:`, `tag:`; returns the pieces and where MSG starts, or null when absent. */
function parseTag(s: string, pos: number): { app: string; pid: number | null; msgStart: number } | null {
  let i = pos;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 91 /* [ */ || c === 58 /* : */ || c === 32) break;
    i++;
  }
  if (i >= n) return null;
  const app = s.substring(pos, i);
  let c = s.charCodeAt(i);
  let pid: number | null = null;
  if (c === 91) {
    const close = s.indexOf(']', i + 1);
    if (close < 0) return null;
    const pidText = s.substring(i + 1, close);
    pid = decimalOrNull(pidText);
    i = close + 1;
    c = s.charCodeAt(i);
  }
  if (c !== 58) return null;
  i++;
  if (s.charCodeAt(i) === 32) i++;
  return { app, pid, msgStart: i };
}

function stripBom(msg: string): string {
  return msg.charCodeAt(0) === 0xfeff ? msg.substring(1) : msg;
}

/** The zone of `host`'s wall-clock times: `ctx.zoneByHost[host]`, else `ctx.defaultZone`. */
export function zoneFor(ctx: ParseContext, host: string): string {
  // typeof, not `??`: a host called `constructor` or `__proto__` must not pick up Object.prototype.
  const zone = ctx.zoneByHost[host];
  return typeof zone === 'string' ? zone : ctx.defaultZone;
}

function parsePri(s: string): { pri: number; end: number } | null {
  // `<` 1..3 digits `>`, value 0..191, no leading zeros except `<0>` (RFC 5424 §6.2.1).
  let i = 1;
  let v = 0;
  while (i < s.length && i <= 4 && isDigit(s.charCodeAt(i))) {
    v = v * 10 + (s.charCodeAt(i) - 48);
    i++;
  }
  if (i === 1 || i > 4 || s.charCodeAt(i) !== 62) return null;
  if (i > 2 && s.charCodeAt(1) === 48) return null;
  if (v > 191) return null;
  return { pri: v, end: i + 1 };
}

/** Scans RFC 5424 STRUCTURED-DATA at pos; returns its end index or -1 when malformed. */
function scanStructuredData(s: string, pos: number): number {
  let i = pos;
  const n = s.length;
  if (s.charCodeAt(i) !== 91) return -1;
  while (i < n && s.charCodeAt(i) === 91) {
    i++;
    const idStart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 93 || c === 61 || c === 34) break;
      i++;
    }
    if (i === idStart) return -1;
    for (;;) {
      if (i >= n) return -1;
      const c = s.charCodeAt(i);
      if (c === 93) {
        i++;
        break;
      }
      if (c !== 32) return -1;
      i++;
      const nameStart = i;
      while (i < n) {
        const d = s.charCodeAt(i);
        if (d === 61 || d === 32 || d === 93 || d === 34) break;
        i++;
      }
      if (i === nameStart || s.charCodeAt(i) !== 61 || s.charCodeAt(i + 1) !== 34) return -1;
      i += 2;
      // PARAM-VALUE: `"`, `\` and `]` must be escaped with a backslash (RFC 5424 §6.3.3).
      for (;;) {
        if (i >= n) return -1;
        const d = s.charCodeAt(i);
        if (d === 92) {
          i += 2;
          continue;
        }
        if (d === 34) {
          i++;
          break;
        }
        i++;
      }
    }
  }
  return i;
}

function parseRfc5424(s: string, pri: number, pos: number, ctx: ParseContext): FrameResult {
  // VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
  let i = pos;
  while (isDigit(s.charCodeAt(i))) i++;
  if (s.charCodeAt(i) !== 32) return reject('bad-header', 'RFC 5424: expected a space after VERSION');
  i++;
  let timeMs: EpochMs;
  if (s.charCodeAt(i) === 45 && s.charCodeAt(i + 1) === 32) {
    // NILVALUE timestamp: the sender did not know the time; the reference (receive time) stands in.
    timeMs = ctx.referenceMs;
    i += 1;
  } else {
    const ts = parseRfc3339(s, i);
    if (ts === null)
      return reject('bad-timestamp', `RFC 5424: expected an RFC 3339 TIMESTAMP at offset ${i}`);
    timeMs = ts.timeMs;
    i = ts.end;
  }
  const fields: string[] = [];
  for (let f = 0; f < 4; f++) {
    if (s.charCodeAt(i) !== 32)
      return reject('bad-header', `RFC 5424: expected a space before header field ${f + 3}`);
    i++;
    const sp = s.indexOf(' ', i);
    if (sp < 0) return reject('truncated', 'RFC 5424: the header ends before STRUCTURED-DATA');
    fields.push(s.substring(i, sp));
    i = sp;
  }
  i++;
  const [hostField, appField, procField, msgIdField] = fields as [string, string, string, string];
  let structuredData: string | null = null;
  if (s.charCodeAt(i) === 45 && (i + 1 === s.length || s.charCodeAt(i + 1) === 32)) {
    i++;
  } else {
    const sdEnd = scanStructuredData(s, i);
    if (sdEnd < 0) return reject('bad-structured-data', `RFC 5424: malformed STRUCTURED-DATA at offset ${i}`);
    structuredData = s.substring(i, sdEnd);
    i = sdEnd;
  }
  let msg = '';
  if (i < s.length) {
    if (s.charCodeAt(i) !== 32)
      return reject('bad-structured-data', 'RFC 5424: expected a space after STRUCTURED-DATA');
    msg = stripBom(s.substring(i + 1));
  }
  const pid = decimalOrNull(procField);
  return {
    ok: true,
    frame: {
      format: 'rfc5424',
      facility: pri >> 3,
      severity: pri & 7,
      timeMs,
      host: hostField === '-' ? '' : hostField,
      app: appField === '-' ? '' : appField,
      pid,
      msgId: msgIdField === '-' ? null : msgIdField,
      structuredData,
      msg,
    },
  };
}

/** HOSTNAME then TAG after a timestamp (RFC 3164 and rsyslog file forms). */
function parseHostTag(
  s: string,
  pos: number,
  format: SyslogFormat,
  pri: number | null,
  fixedTimeMs: EpochMs,
  bsdStart: number,
  ctx: ParseContext,
): FrameResult {
  let i = pos;
  if (s.charCodeAt(i) !== 32)
    return reject('bad-header', `expected a space after the timestamp at offset ${i}`);
  while (s.charCodeAt(i) === 32) i++;
  const sp = s.indexOf(' ', i);
  const firstEnd = sp < 0 ? s.length : sp;
  const first = s.substring(i, firstEnd);
  let host: string;
  let tag: ReturnType<typeof parseTag>;
  // `<30>Nov 28 01:23:45 dhcpd[812]: msg` (no HOSTNAME, as syslog(3) writes to /dev/log): the first
  // token already ends the TAG. A host name never contains `:` or `[` (RFC 1123).
  if (first.length > 0 && first.charCodeAt(first.length - 1) === 58 && first.indexOf('[') !== 0) {
    host = '';
    tag = parseTag(s, i);
  } else {
    if (sp < 0) return reject('truncated', 'expected HOSTNAME and TAG after the timestamp');
    host = first;
    tag = parseTag(s, sp + 1);
  }
  let app = '';
  let pid: number | null = null;
  let msg: string;
  if (tag === null) {
    // No `tag:`; RFC 3164 allows a MSG without TAG. Keep the content whole.
    msg = host === '' ? s.substring(i) : s.substring(sp + 1);
  } else {
    app = tag.app;
    pid = tag.pid;
    msg = s.substring(tag.msgStart);
  }
  let timeMs = fixedTimeMs;
  if (bsdStart >= 0) {
    // RFC 3164: the zone depends on the host, so the time is read only now.
    const zone = zoneFor(ctx, host);
    const t = cachedBsdTimestamp(s, bsdStart, zone, ctx.referenceMs);
    if (typeof t === 'string') {
      if (t === 'zone') {
        return reject(
          'bad-timestamp',
          `unknown time zone ${JSON.stringify(zone)} for host ${JSON.stringify(host)}`,
        );
      }
      return reject(
        'bad-timestamp',
        `RFC 3164 timestamp invalid (${t}): ${JSON.stringify(s.substring(bsdStart, bsdStart + 15))}`,
      );
    }
    timeMs = t;
  }
  return {
    ok: true,
    frame: {
      format,
      facility: pri === null ? null : pri >> 3,
      severity: pri === null ? null : pri & 7,
      timeMs,
      host,
      app,
      pid,
      msgId: null,
      structuredData: null,
      msg: stripBom(msg),
    },
  };
}

function parseText(s: string, ctx: ParseContext): FrameResult {
  let i = 0;
  let pri: number | null = null;
  if (s.charCodeAt(0) === 60) {
    const p = parsePri(s);
    if (p === null)
      return reject('bad-pri', `expected <0>..<191> at the start, found ${JSON.stringify(s.slice(0, 6))}`);
    pri = p.pri;
    i = p.end;
    const c = s.charCodeAt(i);
    if (
      c >= 49 &&
      c <= 57 &&
      (s.charCodeAt(i + 1) === 32 || (isDigit(s.charCodeAt(i + 1)) && s.charCodeAt(i + 2) === 32))
    ) {
      return parseRfc5424(s, pri, i, ctx);
    }
  }
  const c = s.charCodeAt(i);
  if (isDigit(c)) {
    const ts = parseRfc3339(s, i);
    if (ts === null) return reject('bad-timestamp', `expected an RFC 3339 timestamp at offset ${i}`);
    return parseHostTag(s, ts.end, 'rfc3339-file', pri, ts.timeMs, -1, ctx);
  }
  if (monthOf(s, i) === 0) {
    return reject('bad-timestamp', `expected "Mmm dd hh:mm:ss" or an RFC 3339 timestamp at offset ${i}`);
  }
  return parseHostTag(s, i + 15, 'rfc3164', pri, 0, i, ctx);
}

/**
 * Splits one syslog message into its header fields. Total: never throws; bad input gives a Rejection.
 *
 * Example: `<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 via eth0`
 * -> `{ format: 'rfc3164', facility: 3, severity: 6, host: 'dhcp1', app: 'dhcpd', pid: 812, msg: 'DHCPACK …' }`
 * with the time read in `ctx.zoneByHost['dhcp1'] ?? ctx.defaultZone`, year nearest `ctx.referenceMs`.
 */
export function parseSyslogFrame(
  bytes: Uint8Array,
  ctx: ParseContext,
  maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
): FrameResult {
  try {
    if (bytes.length === 0) return reject('empty', 'expected a syslog message, found 0 bytes');
    if (bytes.length > maxBytes)
      return reject('oversized', `message of ${bytes.length} bytes exceeds ${maxBytes}`);
    const decoded = decodeLine(bytes);
    if (!decoded.ok) return decoded;
    return parseText(decoded.text, ctx);
  } catch (err) {
    // Defence in depth for totality: a parser bug must surface as a counted rejection, not a crash.
    return reject('bad-header', `parser failure: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** How formatSyslogFrame writes a frame. */
export interface FormatFrameOptions {
  /** Output format; default the frame's own. */
  format?: SyslogFormat;
  /** Zone of the wall-clock time written for rfc3164 and of the offset for rfc3339-file. Default 'UTC'. */
  zone?: string;
  /** RFC 5424: put a UTF-8 BOM before a non-empty MSG (RFC 5424 §6.4). Default false. */
  bom?: boolean;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function priText(frame: SyslogFrame): string {
  if (frame.facility === null || frame.severity === null) return '';
  return `<${frame.facility * 8 + frame.severity}>`;
}

function tagText(frame: SyslogFrame): string {
  const pid = frame.pid === null ? '' : `[${frame.pid}]`;
  return `${frame.app}${pid}:${frame.msg === '' ? '' : ' '}${frame.msg}`;
}

function rfc3339(timeMs: EpochMs, offsetMs: number, fractionDigits: 3 | 6): string {
  const wall = civilFromMs(timeMs + offsetMs);
  const ms = wall.ms;
  const frac = fractionDigits === 6 ? `.${pad(ms, 3)}000` : ms === 0 ? '' : `.${pad(ms, 3)}`;
  let zone: string;
  if (offsetMs === 0 && fractionDigits === 3) {
    zone = 'Z';
  } else {
    const abs = Math.abs(Math.round(offsetMs / 60_000));
    zone = `${offsetMs < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  }
  return (
    `${pad(wall.year, 4)}-${pad2(wall.month)}-${pad2(wall.day)}` +
    `T${pad2(wall.hour)}:${pad2(wall.minute)}:${pad2(wall.second)}${frac}${zone}`
  );
}

/**
 * Writes a frame back as a syslog line: the inverse of parseSyslogFrame for frames it can express
 * (RFC 3164 keeps whole seconds and no year; the reader infers them).
 *
 * Example: `{ format: 'rfc3164', facility: 3, severity: 6, host: 'dhcp1', app: 'dhcpd', pid: 812, … }`
 * -> `<30>Nov  3 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 via eth0`
 */
export function formatSyslogFrame(frame: SyslogFrame, options: FormatFrameOptions = {}): string {
  const format = options.format ?? frame.format;
  const zone = options.zone ?? 'UTC';
  if (format === 'rfc5424') {
    const pri = `<${(frame.facility ?? 1) * 8 + (frame.severity ?? 5)}>`;
    const nil = (v: string | null): string => (v === null || v === '' ? '-' : v);
    const msg = frame.msg === '' ? '' : ` ${options.bom === true ? '\uFEFF' : ''}${frame.msg}`;
    return (
      `${pri}1 ${rfc3339(frame.timeMs, 0, 3)} ${nil(frame.host)} ${nil(frame.app)} ` +
      `${frame.pid === null ? '-' : frame.pid} ${nil(frame.msgId)} ${frame.structuredData ?? '-'}${msg}`
    );
  }
  const offsetMs = offsetAt(zone, frame.timeMs) ?? 0;
  const host = frame.host === '' ? '' : `${frame.host} `;
  if (format === 'rfc3339-file') {
    return `${priText(frame)}${rfc3339(frame.timeMs, offsetMs, 6)} ${host}${tagText(frame)}`;
  }
  const wall = civilFromMs(frame.timeMs + offsetMs);
  const day = wall.day;
  const stamp =
    `${MONTH_NAMES[wall.month - 1]} ${day < 10 ? ` ${day}` : day} ` +
    `${pad2(wall.hour)}:${pad2(wall.minute)}:${pad2(wall.second)}`;
  return `${priText(frame)}${stamp} ${host}${tagText(frame)}`;
}

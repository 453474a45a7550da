/**
 * Messages of the non-dhcpd programs we follow: the port permuter (`autobridge`), the memory sampler
 * (`memsample`, written by `gluff-verify sample`), Gluff itself (`gluff`) and the one-box rig's driver
 * (`gv-rig`). Formats: the lead's formats.md; gluff's messages from hansliss/gluff gluff.c (v1.12). Each
 * parse is total: text no rule recognises becomes `{ kind: 'unknown', app, text }` (for gluff: a `gluff`
 * note `other`; for gv-rig with the `reason` its grammar refused it).
 */
import type {
  BridgeMap,
  EpochMs,
  EventBody,
  GluffNote,
  GluffRecord,
  MemSample,
  RigEvent,
  UnknownLine,
} from '../model/index.js';
import { isDottedQuad, normaliseHexBytes } from './dhcpd-line.js';
import { parseGluffOptionText } from './option82.js';
import { civilFromMs, localToUtc, offsetAt, utcFromFields } from './zone.js';

const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

function readSeq(token: string | undefined): number | null {
  if (token === undefined || !token.startsWith('seq=')) return null;
  const v = token.substring(4);
  return DECIMAL.test(v) && Number(v) <= Number.MAX_SAFE_INTEGER ? Number(v) : null;
}

/**
 * One autobridge message -> `port-down` / `port-map`.
 *
 * Example: `map seq=17 bridge01=eth0+eth4 bridge02=eth1+eth3,eth5 bridge03=eth2+none`
 * -> `{ kind: 'port-map', seq: 17, bridges: [{ bridge: 'bridge01', switchIf: 'eth0', clientIfs: ['eth4'] }, …] }`
 */
export function parseAutobridgeMessage(msg: string): EventBody {
  const tokens = msg.split(' ');
  const seq = readSeq(tokens[1]);
  if (tokens[0] === 'down' && tokens.length === 2 && seq !== null) return { kind: 'port-down', seq };
  if (tokens[0] === 'map' && seq !== null) {
    const bridges: BridgeMap[] = [];
    for (let i = 2; i < tokens.length; i++) {
      const t = tokens[i] as string;
      const eq = t.indexOf('=');
      const plus = eq < 0 ? -1 : t.indexOf('+', eq + 1);
      if (eq <= 0 || plus <= eq + 1 || plus === t.length - 1)
        return { kind: 'unknown', app: 'autobridge', text: msg };
      const clients = t.substring(plus + 1);
      const clientIfs = clients === 'none' ? [] : clients.split(',');
      if (clientIfs.some((c) => c === '')) return { kind: 'unknown', app: 'autobridge', text: msg };
      bridges.push({ bridge: t.substring(0, eq), switchIf: t.substring(eq + 1, plus), clientIfs });
    }
    return { kind: 'port-map', seq, bridges };
  }
  return { kind: 'unknown', app: 'autobridge', text: msg };
}

/**
 * Inverse of parseAutobridgeMessage.
 * Example: `{ kind: 'port-down', seq: 17 }` -> `down seq=17`.
 */
export function formatAutobridgeMessage(body: EventBody): string {
  if (body.kind === 'port-down') return `down seq=${body.seq}`;
  if (body.kind === 'port-map') {
    const parts = body.bridges.map(
      (b) => `${b.bridge}=${b.switchIf}+${b.clientIfs.length === 0 ? 'none' : b.clientIfs.join(',')}`,
    );
    return ['map', `seq=${body.seq}`, ...parts].join(' ');
  }
  return body.kind === 'unknown' || body.kind === 'other' ? body.text : '';
}

/**
 * One memsample message -> `memsample`. Unknown `key=value` fields are ignored (forward compatible).
 *
 * Example: `proc=dhcpd pid=1234 rss=12345678 data=2345678`
 * -> `{ kind: 'memsample', proc: 'dhcpd', pid: 1234, rssBytes: 12345678, dataBytes: 2345678, gone: false }`
 */
export function parseMemsampleMessage(msg: string): EventBody {
  const tokens = msg.split(' ');
  const first = tokens[0] as string;
  if (!first.startsWith('proc=') || first.length === 5)
    return { kind: 'unknown', app: 'memsample', text: msg };
  const sample: MemSample = {
    kind: 'memsample',
    proc: first.substring(5),
    pid: null,
    rssBytes: null,
    dataBytes: null,
    gone: false,
  };
  if (tokens.length === 2 && tokens[1] === 'gone') {
    sample.gone = true;
    return sample;
  }
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i] as string;
    const eq = t.indexOf('=');
    if (eq <= 0) return { kind: 'unknown', app: 'memsample', text: msg };
    const key = t.substring(0, eq);
    const value = t.substring(eq + 1);
    if (key !== 'pid' && key !== 'rss' && key !== 'data') continue;
    if (!DECIMAL.test(value)) return { kind: 'unknown', app: 'memsample', text: msg };
    const n = Number(value);
    if (!Number.isSafeInteger(n)) return { kind: 'unknown', app: 'memsample', text: msg };
    if (key === 'pid') sample.pid = n;
    else if (key === 'rss') sample.rssBytes = n;
    else sample.dataBytes = n;
  }
  return sample;
}

/**
 * Inverse of parseMemsampleMessage (absent values are left out).
 * Example: `{ kind: 'memsample', proc: 'dhcpd', gone: true, … }` -> `proc=dhcpd gone`.
 */
export function formatMemsampleMessage(body: EventBody): string {
  if (body.kind !== 'memsample') return body.kind === 'unknown' || body.kind === 'other' ? body.text : '';
  if (body.gone) return `proc=${body.proc} gone`;
  let s = `proc=${body.proc}`;
  if (body.pid !== null) s += ` pid=${body.pid}`;
  if (body.rssBytes !== null) s += ` rss=${body.rssBytes}`;
  if (body.dataBytes !== null) s += ` data=${body.dataBytes}`;
  return s;
}

/** An event name or a field key of a `gv-rig` line. */
const RIG_WORD = /^[a-z0-9-]+$/;
/** A field value of a `gv-rig` line: no white space (any kind), no C0/C1 control character; may be empty. */
const RIG_VALUE = /^[^\s\u0000-\u001f\u007f-\u009f]*$/;

/**
 * One `gv-rig` message (the one-box rig's driver: what it did to the rig) -> `rig-event`. Exactly
 * `event=NAME` then ` key=value` pairs, single spaces: NAME and keys `[a-z0-9-]+`, each key once (and never
 * `event` again), values anything without white space or control characters (the first `=` of a pair
 * ends its key; an empty value is kept). Anything else is `unknown` with the reason, never a throw.
 *
 * Example: `event=dhcpd-restart server=gvrg-dhcp1 phase=stop`
 * -> `{ kind: 'rig-event', name: 'dhcpd-restart', fields: { server: 'gvrg-dhcp1', phase: 'stop' } }`
 */
export function parseRigMessage(msg: string): RigEvent | UnknownLine {
  const refuse = (reason: string): UnknownLine => ({ kind: 'unknown', app: 'gv-rig', text: msg, reason });
  const tokens = msg.split(' ');
  const first = tokens[0] as string;
  if (!first.startsWith('event=')) return refuse('expected event=NAME first');
  const name = first.substring(6);
  if (!RIG_WORD.test(name)) return refuse('the event name is not [a-z0-9-]+');
  const fields: Record<string, string> = {};
  const seen = new Set<string>(['event']);
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i] as string;
    const eq = t.indexOf('=');
    if (eq <= 0) return refuse(`field ${i} is not key=value (or two spaces in a row, or a trailing space)`);
    const key = t.substring(0, eq);
    if (!RIG_WORD.test(key)) return refuse(`field ${i}: the key is not [a-z0-9-]+`);
    if (seen.has(key)) return refuse(`field ${i}: key '${key}' comes twice`);
    const value = t.substring(eq + 1);
    if (!RIG_VALUE.test(value))
      return refuse(`field ${i}: the value of '${key}' holds white space or a control character`);
    seen.add(key);
    fields[key] = value;
  }
  return { kind: 'rig-event', name, fields };
}

/**
 * Inverse of parseRigMessage.
 * Example: `{ kind: 'rig-event', name: 'client-vanish', fields: { client: 'c4' } }`
 * -> `event=client-vanish client=c4`.
 */
export function formatRigMessage(body: EventBody): string {
  if (body.kind === 'rig-event') {
    let s = `event=${body.name}`;
    for (const [key, value] of Object.entries(body.fields)) s += ` ${key}=${value}`;
    return s;
  }
  return body.kind === 'unknown' || body.kind === 'other' ? body.text : '';
}

/** Prefixes of gluff's LOG_ERR / LOG_WARNING messages other than the database-lost one (gluff.c). */
const GLUFF_ERROR_PREFIXES = [
  'mysql_',
  'sqlite3_',
  'Failed to ',
  'do_find_lease(): ',
  'do_update_lease(): ',
] as const;

/** gluff's fixed messages (gluff.c, v1.12; the decisions only with `-D`), by exact text. */
const GLUFF_FIXED: ReadonlyMap<string, GluffNote['what']> = new Map<string, GluffNote['what']>([
  ['MySQL server unreachable', 'mysql-unreachable'],
  ['Re-connected to MySQL server', 'reconnected'],
  ['Prolonging identical lease', 'prolong'],
  ['Different hw, cid or rid. Cutting off and making a new one', 'cutoff'],
  ['Making new lease entry', 'make'],
  ['Release. Cutting off the lease I found', 'release-cut'],
  ['Multiple rows exist. Compacting...', 'multiple-rows'],
  // A LOG_WARNING after every prolong whose lend did not move (the queue row's end was not later): not an error.
  ['do_update_lease(): No rows were updated!', 'no-rows-updated'],
]);

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
/** `Sat Nov 28 04:22:05 2026`: ctime's `%.3s %.3s%3d %.2d:%.2d:%.2d %d` for a four-digit year. */
const CTIME_LENGTH = 24;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * UTC instant -> ctime text (without its newline) of the wall time in `zone`, as C's ctime_r on a host
 * in that zone prints it: `Sat Nov 28 04:22:05 2026`, day space-padded (`Sun Nov  1 …`). Milliseconds are
 * dropped. An unknown zone is read as UTC.
 */
export function formatCtime(ms: EpochMs, zone: string): string {
  const second = Math.floor(ms / 1000) * 1000;
  const wall = second + (offsetAt(zone, second) ?? 0);
  const c = civilFromMs(wall);
  const weekday = (((Math.floor(wall / DAY_MS) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return (
    `${WEEKDAYS[weekday] as string} ${MONTHS[c.month - 1] as string} ${c.day < 10 ? ' ' : ''}${c.day} ` +
    `${pad2(c.hour)}:${pad2(c.minute)}:${pad2(c.second)} ${c.year}`
  );
}

/** Digits at text[from, from+len) as a number (a leading space counts as 0), -1 when not digits. */
function ctimeNumber(text: string, from: number, len: number): number {
  let n = 0;
  for (let i = from; i < from + len; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 && i === from && len === 2) continue;
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

/**
 * ctime text (a wall time in `zone`) -> UTC ms; null unless the text is exactly what formatCtime writes
 * for the instant it reads as (so a wrong weekday, `Nov 31`, a zero-padded day or a wall time skipped by
 * a DST change are refused, and formatCtime gives the text back). A wall time in the repeated hour when
 * clocks go back is read as the earlier instant, as syslog headers are (parse/zone.ts).
 * Example: `parseCtime('Sat Nov 28 04:22:05 2026', 'Europe/Stockholm')` -> Date.UTC(2026, 10, 28, 3, 22, 5).
 */
export function parseCtime(text: string, zone: string): EpochMs | null {
  if (text.length !== CTIME_LENGTH) return null;
  const month = MONTHS.indexOf(text.substring(4, 7) as (typeof MONTHS)[number]) + 1;
  const day = ctimeNumber(text, 8, 2);
  const hour = ctimeNumber(text, 11, 2);
  const minute = ctimeNumber(text, 14, 2);
  const second = ctimeNumber(text, 17, 2);
  const year = ctimeNumber(text, 20, 4);
  if (month === 0 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return null;
  if (second < 0 || second > 59 || year < 1000) return null;
  const ms = localToUtc(zone, utcFromFields(year, month, day, hour, minute, second));
  if (ms === null || formatCtime(ms, zone) !== text) return null;
  return ms;
}

/**
 * Option values repeat a lot (a rig has a handful of ports), so parsed circuit-/remote-ids are memoised;
 * the cache is dropped when it grows past OPTION_CACHE_MAX distinct texts.
 */
const OPTION_CACHE_MAX = 10_000;
const optionCache = new Map<string, string | null>();

function optionHex(text: string): string | null {
  let hex = optionCache.get(text);
  if (hex === undefined) {
    hex = parseGluffOptionText(text);
    if (optionCache.size >= OPTION_CACHE_MAX) optionCache.clear();
    optionCache.set(text, hex);
  }
  return hex;
}

interface OptionField {
  /** As printed; null for `<NULL>`. */
  text: string | null;
  hex: string | null;
  /** Index just after the value (where `terminator` starts). */
  end: number;
}

/**
 * The cid or rid value at `pos`, followed by `terminator`: `<NULL>`, dhcpd's quoted text (read to its
 * closing unescaped quote, so an escaped `", rid: ` inside is part of the value) or colon hex. Null when
 * the value is neither rendering (parse/option82.ts) or the terminator does not follow.
 */
function readOptionField(msg: string, pos: number, terminator: string): OptionField | null {
  if (msg.startsWith('<NULL>', pos) && msg.startsWith(terminator, pos + 6)) {
    return { text: null, hex: null, end: pos + 6 };
  }
  let end: number;
  if (msg.charCodeAt(pos) === 34 /* " */) {
    let i = pos + 1;
    while (i < msg.length) {
      const c = msg.charCodeAt(i);
      if (c === 92 /* \ */) i += 2;
      else if (c === 34) break;
      else i++;
    }
    if (i >= msg.length) return null;
    end = i + 1;
    if (!msg.startsWith(terminator, end)) return null;
  } else {
    end = msg.indexOf(terminator, pos);
    if (end < 0) return null;
  }
  const text = msg.substring(pos, end);
  const hex = optionHex(text);
  return hex === null ? null : { text, hex, end };
}

/**
 * `ACK on ip: IP, hw: HW, cid: CID, rid: RID, start: CTIME, end: CTIME` (gluff.c's `%s on ip: %s, hw: %s,
 * cid: %s, rid: %s, start: %s, end: %s`, `RELEASE` for rtype 1), or null when any part does not read.
 */
function parseGluffRecord(msg: string, zone: string): GluffRecord | null {
  let record: GluffRecord['record'];
  let pos: number;
  if (msg.startsWith('ACK on ip: ')) {
    record = 'ack';
    pos = 11;
  } else if (msg.startsWith('RELEASE on ip: ')) {
    record = 'release';
    pos = 15;
  } else {
    return null;
  }
  const ipEnd = msg.indexOf(', hw: ', pos);
  if (ipEnd < 0) return null;
  const ip = msg.substring(pos, ipEnd);
  if (!isDottedQuad(ip)) return null;
  const hwEnd = msg.indexOf(', cid: ', ipEnd + 6);
  if (hwEnd < 0) return null;
  const hw = msg.substring(ipEnd + 6, hwEnd);
  const cid = readOptionField(msg, hwEnd + 7, ', rid: ');
  if (cid === null) return null;
  const rid = readOptionField(msg, cid.end + 7, ', start: ');
  if (rid === null) return null;
  const startAt = rid.end + 9;
  const endAt = startAt + CTIME_LENGTH + 7;
  if (msg.length !== endAt + CTIME_LENGTH || !msg.startsWith(', end: ', startAt + CTIME_LENGTH)) return null;
  const startMs = parseCtime(msg.substring(startAt, startAt + CTIME_LENGTH), zone);
  const endMs = startMs === null ? null : parseCtime(msg.substring(endAt), zone);
  if (startMs === null || endMs === null) return null;
  return {
    kind: 'gluff-record',
    record,
    ip,
    mac: normaliseHexBytes(hw) ?? hw,
    cidHex: cid.hex,
    remoteIdHex: rid.hex,
    cidText: cid.text,
    ridText: rid.text,
    startMs,
    endMs,
    zone,
  };
}

/**
 * One gluff message -> its event. The per-row line (`ACK on ip: …` / `RELEASE on ip: …`) becomes a
 * `gluff-record` with its ctimes read in `zone` (the sending host's zone, ParseContext.zoneByHost); a
 * per-row line that does not read (cut short, a bad ctime, a cid that is no dhcpd rendering) stays a
 * `gluff` note `other`. Everything else is classified by its text: gluff 1.12 logs `start` once after
 * connecting, `mysql-unreachable` when a ping fails, `reconnected` when one succeeds again, errors
 * (mostly followed by exit) and, with `-D`, its decision for each row (`found`, `prolong`, `cutoff`,
 * `make`, `release-cut`, `multiple-rows`, `no-rows-updated`). It logs nothing when it stops, so `stop`
 * never comes from gluff itself.
 *
 * Example: `gluff v1.12 starting, using Sqlite3 database /var/db/dhcpd_queue.db3 and MySQL database mysql://gluff@db1/dhcpd_leases`
 * -> `{ kind: 'gluff', what: 'start', text: <the message> }`
 */
export function parseGluffMessage(msg: string, zone = 'UTC'): GluffNote | GluffRecord {
  const c0 = msg.charCodeAt(0);
  if (c0 === 65 /* A */ || c0 === 82 /* R */) {
    const record = parseGluffRecord(msg, zone);
    if (record !== null) return record;
  }
  let what = GLUFF_FIXED.get(msg) ?? 'other';
  if (what !== 'other') return { kind: 'gluff', what, text: msg };
  if (msg.startsWith('Found lease in rdb.')) what = 'found';
  else if (msg.includes(' starting, using Sqlite3 database ')) what = 'start';
  else if (GLUFF_ERROR_PREFIXES.some((p) => msg.startsWith(p))) what = 'error';
  return { kind: 'gluff', what, text: msg };
}

/**
 * Inverse of parseGluffMessage. Examples: `{ what: 'reconnected', … }` -> `Re-connected to MySQL server`;
 * a gluff-record -> `ACK on ip: 10.1.0.50, hw: 52:54:00:12:34:56, cid: "port1", rid: <NULL>, start: Sat Nov 28 02:23:45 2026, end: …`
 * (its ctimes in the record's zone).
 */
export function formatGluffMessage(body: EventBody): string {
  if (body.kind === 'gluff-record') {
    return (
      `${body.record === 'ack' ? 'ACK' : 'RELEASE'} on ip: ${body.ip}, hw: ${body.mac}, ` +
      `cid: ${body.cidText ?? '<NULL>'}, rid: ${body.ridText ?? '<NULL>'}, ` +
      `start: ${formatCtime(body.startMs, body.zone)}, end: ${formatCtime(body.endMs, body.zone)}`
    );
  }
  return body.kind === 'gluff' || body.kind === 'unknown' || body.kind === 'other' ? body.text : '';
}

/**
 * One Gluff `leases` row, as read (joined with its lookup tables, timestamps as text), into an
 * ActualLease. Pure: the MySQL reader and the SQLite snapshot reader both yield GluffLeaseRowText
 * and the CLI wiring maps them through here, so both sources give identical rows.
 */
import type { ActualLease, EpochMs, TimeWindow } from '../model/index.js';
import { parseGluffOptionText } from './option82.js';
import { localToUtc, offsetAt, utcFromFields } from './zone.js';

/**
 * A `leases` row joined with `ips`, `hws`, `cids`, `rids`. A lookup value is null when the id is 0
 * (Gluff's "absent") or points at no row. Timestamps are the text the server returned
 * (`2026-11-28 01:23:45`), read in the same session time zone Gluff wrote them in.
 */
export interface GluffLeaseRowText {
  id: number;
  ip: string | null;
  hw: string | null;
  cid: string | null;
  rid: string | null;
  lstart: string;
  lend: string;
}

/**
 * Which `leases` rows a reader returns (`where` and `who` read one address's or one client's). `ip`: the rows
 * of that address and those whose address is unknown (id 0 or dangling: invalid rows that may stand for one
 * of its leases); `hw`: the rows of that hardware address as stored. Both absent: every row.
 */
export interface GluffRowFilter {
  ip?: string;
  hw?: string;
}

/** The SQL condition of a filter over `leases l` joined with `ips i` and `hws h`, and its parameters. */
export function gluffRowFilterSql(filter: GluffRowFilter | undefined): { where: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  if (filter?.ip !== undefined) {
    parts.push('(i.value = ? OR i.value IS NULL)');
    params.push(filter.ip);
  }
  if (filter?.hw !== undefined) {
    parts.push('h.value = ?');
    params.push(filter.hw);
  }
  return { where: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')} `, params };
}

/** Whether a parsed row passes the filter (the SQL condition may be looser: MySQL compares text case-blind). */
export function gluffRowPasses(
  row: { ip: string | null; hw: string | null },
  filter: GluffRowFilter | undefined,
): boolean {
  if (filter?.ip !== undefined && row.ip !== null && row.ip !== filter.ip) return false;
  if (filter?.hw !== undefined && row.hw !== filter.hw) return false;
  return true;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Digits at text[from, from+len) as a number, or -1 when any is not a digit. Faster than a regex here. */
function digits(text: string, from: number, len: number): number {
  let n = 0;
  for (let i = from; i < from + len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * Gluff timestamp text (the DHCP server's local wall time in `zone`) -> UTC epoch ms.
 * Null for the zero date `0000-00-00 00:00:00`, a partly zero or impossible date, or an unknown zone.
 * Accepts `YYYY-MM-DD HH:MM:SS` (or `T` between), optionally followed by a fraction that is ignored.
 * Example: `parseGluffTimestamp('2026-11-28 02:23:45', 'Europe/Stockholm')` -> Date.UTC(2026, 10, 28, 1, 23, 45).
 * A wall time in the repeated hour at the end of DST resolves to the earlier instant.
 */
export function parseGluffTimestamp(text: string, zone: string): EpochMs | null {
  if (text.length < 19 || (text.length > 19 && text[19] !== '.')) return null;
  if (
    text[4] !== '-' ||
    text[7] !== '-' ||
    (text[10] !== ' ' && text[10] !== 'T') ||
    text[13] !== ':' ||
    text[16] !== ':'
  ) {
    return null;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year <= 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59)
    return null;
  if (second < 0 || second > 59) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return null;
  if (text.length > 19 && !/^\.\d+$/.test(text.slice(19))) return null;
  return localToUtc(zone, utcFromFields(year, month, day, hour, minute, second));
}

/**
 * Option values repeat a lot (a rig has a handful of ports), so parsed values are memoised; the cache is
 * dropped when it grows past OPTION_CACHE_MAX distinct texts.
 */
const OPTION_CACHE_MAX = 10_000;
const optionCache = new Map<string, string | null>();

function optionHex(text: string | null): string | null {
  if (text === null) return null;
  let hex = optionCache.get(text);
  if (hex === undefined) {
    hex = parseGluffOptionText(text);
    if (optionCache.size >= OPTION_CACHE_MAX) optionCache.clear();
    optionCache.set(text, hex);
  }
  return hex;
}

/** UTC epoch ms -> the text Gluff would have written in `zone` (`YYYY-MM-DD HH:MM:SS`); the inverse of parseGluffTimestamp. */
export function formatGluffTimestamp(ms: EpochMs, zone: string): string {
  const offset = offsetAt(zone, ms);
  if (offset === null) throw new TypeError(`formatGluffTimestamp: unknown time zone '${zone}'`);
  const d = new Date(Math.floor(ms / 1000) * 1000 + offset);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
  );
}

/**
 * Row -> ActualLease. `zone` is the spec's tolerances.gluffZone.
 * Example: `{id: 7, ip: '10.1.0.50', hw: '52:54:00:12:34:56', cid: '"port1"', rid: null,
 * lstart: '2026-11-28 02:00:00', lend: '2026-11-28 02:10:00'}` in Europe/Stockholm ->
 * cidHex `70:6f:72:74:31`, startMs 2026-11-28T01:00:00Z, endMs 2026-11-28T01:10:00Z.
 * The hw text is kept as stored: dhcpd's print_hw_addr (or print_hex_1 for a client-id) already writes
 * two lower-case hex digits a byte, colon separated, the same form as ExpectedLease.hw.
 */
export function parseGluffLeaseRow(row: GluffLeaseRowText, zone: string): ActualLease {
  return {
    id: row.id,
    ip: row.ip,
    hw: row.hw,
    cidHex: optionHex(row.cid),
    remoteIdHex: optionHex(row.rid),
    cidText: row.cid,
    ridText: row.rid,
    startMs: parseGluffTimestamp(row.lstart, zone),
    endMs: parseGluffTimestamp(row.lend, zone),
    startText: row.lstart,
    endText: row.lend,
  };
}

/**
 * True when the row touches the window: Gluff's lend is inclusive (`lstart <= t <= lend` finds a lease),
 * so a row ending exactly at fromMs is kept. Rows with an unreadable start or end are always kept:
 * they are `invalid-row` findings whatever the window.
 */
export function gluffLeaseInWindow(lease: ActualLease, window: TimeWindow | undefined): boolean {
  if (window === undefined) return true;
  if (lease.startMs === null || lease.endMs === null) return true;
  if (window.toMs !== null && lease.startMs >= window.toMs) return false;
  if (window.fromMs !== null && lease.endMs < window.fromMs) return false;
  return true;
}

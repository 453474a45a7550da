/**
 * Formatting helpers shared by the renderers. Times become ISO 8601 UTC only here (STYLE.md §5), and
 * text that came from the network is made safe for each output before it is printed.
 */
import type { ActualLease, RigEventEntry } from '../model/lease.js';
import type { TimeWindow } from '../model/time.js';

/** What every report says of a run without a Gluff table (`verify --gluff none`). */
export const NO_GLUFF_TEXT =
  'Gluff: none — stock dhcpd run: lease rows not compared; rig and channel self-check';

/**
 * A rig event as the rig driver wrote it, without `event=` (not escaped: each renderer escapes it).
 * Example: `{ name: 'dhcpd-restart', fields: { server: 'gvrg-dhcp1', phase: 'stop' } }` ->
 * `dhcpd-restart server=gvrg-dhcp1 phase=stop`.
 */
export function formatRigEventText(e: Pick<RigEventEntry, 'name' | 'fields'>): string {
  let s = e.name;
  for (const [key, value] of Object.entries(e.fields)) s += ` ${key}=${value}`;
  return s;
}

/** `2026-11-28T01:23:45Z` (milliseconds shown only when not whole seconds); `-` for null. */
export function formatIsoTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

const TIME_TOKEN = /\{\{t:(-?\d{1,16})\}\}/g;

/**
 * Expands the instants rebuild/ and diff/ write into finding messages as `{{t:1795754943000}}` (pure folders
 * never format time) to ISO 8601 UTC: `moved the client at {{t:1795754943000}}` ->
 * `moved the client at 2026-11-27T04:49:03Z`. Anything else is left as it is.
 */
export function expandTimeTokens(text: string): string {
  return text.includes('{{t:')
    ? text.replace(TIME_TOKEN, (_, ms: string) => formatIsoTime(Number(ms)))
    : text;
}

/**
 * The checked window in words: `the whole store` without bounds; an open start is `the first event`, an open
 * end `as-of` (TimeWindow's meaning of null). Example: `{fromMs: 1795838400000, toMs: null}` ->
 * `2026-11-28T01:00:00Z to as-of`.
 */
export function formatWindow(w: TimeWindow): string {
  if (w.fromMs === null && w.toMs === null) return 'the whole store';
  const from = w.fromMs === null ? 'the first event' : formatIsoTime(w.fromMs);
  const to = w.toMs === null ? 'as-of' : formatIsoTime(w.toMs);
  return `${from} to ${to}`;
}

/**
 * A count with its noun in the number it needs: `1 finding`, `2 findings`; `plural` for irregular nouns.
 * Example: `countOf(0, 'IP')` -> `0 IPs`.
 */
export function countOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/**
 * Where Gluff's stored text is wall time, for marking it next to UTC instants: the zone when known, else
 * `gluff's zone`. Example: `Europe/Stockholm`.
 */
export function storedZoneText(zone: string | undefined): string {
  return zone === undefined || zone === '' ? "gluff's zone" : zone;
}

/** An actual row's interval in UTC like an expected row's: `2026-11-28T01:00:00Z .. 2026-11-28T01:05:00Z`. */
export function formatActualInterval(a: Pick<ActualLease, 'startMs' | 'endMs'>): string {
  return `${formatIsoTime(a.startMs)} .. ${formatIsoTime(a.endMs)}`;
}

/** ISO time or null, for JSON. */
export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? null : formatIsoTime(ms);
}

// Control characters (C0 except tab, DEL, C1) would let a syslog sender rewrite the operator's terminal
// with escape sequences; they are shown as \xNN instead.
const CONTROL_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/** Text from a log line made safe for a terminal: control characters as `\xNN`. */
export function escapeForTerminal(text: string): string {
  return text.replace(CONTROL_CHARS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

// XML 1.0 allows tab, LF, CR and U+0020..U+D7FF, U+E000..U+FFFD and astral code points; anything else
// (NUL, other C0 controls, lone surrogates, U+FFFE/U+FFFF) makes the whole file unreadable to Jenkins.
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text escaped for an XML attribute or element; characters XML cannot hold become `\xNN` / `\uNNNN`. */
export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, (c) => {
      const code = c.charCodeAt(0);
      return code < 0x100
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : `\\u${code.toString(16).padStart(4, '0')}`;
    })
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

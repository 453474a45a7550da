/**
 * ISC dhcpd 4.4 DHCPv4 log messages (the MSG after `dhcpd[pid]: `) -> EventBody, and back.
 *
 * Format strings checked against isc-projects/dhcp v4_4_3: server/dhcp.c (dhcpdiscover,
 * dhcprequest, dhcprelease, dhcpdecline, dhcpinform, nak_lease, ack_lease, find_lease),
 * server/bootp.c, server/failover.c, server/mdb.c (abandon_lease). Fields as dhcpd prints them:
 * - the client identifier is print_hw_addr() (`%02x` bytes joined by `:`, empty when hlen is 0) or,
 *   with no hardware address, print_hex_1() of the client-id (hex, or `"text"` when printable) or
 *   `<no identifier>`; we normalise MACs and keep other identifiers verbatim;
 * - `(name)` is the lease's client-hostname when at most 64 printable chars without `"` or `\`,
 *   else `Hostname Unsuitable for Printing`; it may contain spaces, parentheses and ` via `;
 * - `via X` is inet_ntoa(giaddr) when relayed, else the receiving interface name (never a space).
 *
 * Also the Gluff queue patch's own error lines (`Line N: sqlite3 error: …`, `ldb error: …`: kind queue-error).
 *
 * Hostile input never throws: a line no rule recognises becomes `{ kind: 'unknown', app: 'dhcpd' }`.
 */
import type { DhcpCommit, EventBody, FailoverNote } from '../model/index.js';

function unknown(msg: string): EventBody {
  return { kind: 'unknown', app: 'dhcpd', text: msg };
}

/** Dotted quad check for [start, end): four 1..3-digit numbers <= 255. */
function isIpv4(s: string, start: number, end: number): boolean {
  let parts = 0;
  let value = 0;
  let len = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (len === 0) return false;
      parts++;
      value = 0;
      len = 0;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      len++;
      if (len > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  return parts === 3 && len > 0;
}

/** True for a whole-string dotted quad. */
export function isDottedQuad(s: string): boolean {
  return isIpv4(s, 0, s.length);
}

const HEX = '0123456789abcdef';

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * `52:54:0:a:B:5` -> `52:54:00:0a:0b:05`: colon-separated groups of 1-2 hex digits, normalised to two
 * lower-case digits a byte. Null when the text is not such a list (empty text is not).
 */
export function normaliseHexBytes(text: string): string | null {
  const n = text.length;
  if (n === 0) return null;
  if (isCanonicalHex(text)) return text;
  let out = '';
  let i = 0;
  for (;;) {
    const a = hexVal(text.charCodeAt(i));
    if (a < 0) return null;
    const b = i + 1 < n ? hexVal(text.charCodeAt(i + 1)) : -1;
    let byte: number;
    if (b >= 0) {
      byte = a * 16 + b;
      i += 2;
    } else {
      byte = a;
      i += 1;
    }
    out += HEX[byte >> 4] as string;
    out += HEX[byte & 15] as string;
    if (i === n) return out;
    if (text.charCodeAt(i) !== 58 || i + 1 === n) return null;
    out += ':';
    i++;
  }
}

function isLowerHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** Already `hh:hh:…` in lower case (what print_hw_addr prints): the common case, no rebuilding. */
function isCanonicalHex(text: string): boolean {
  const n = text.length;
  if (n % 3 !== 2) return false;
  for (let i = 0; i < n; i += 3) {
    if (!isLowerHex(text.charCodeAt(i)) || !isLowerHex(text.charCodeAt(i + 1))) return false;
    if (i + 2 < n && text.charCodeAt(i + 2) !== 58) return false;
  }
  return true;
}

/** Canonical hex -> dhcpd's binary-to-ascii(16, 8, ":") form (no zero padding): `00:0a` -> `0:a`. */
export function unpadHexBytes(hex: string): string {
  if (hex === '') return '';
  return hex
    .split(':')
    .map((b) => (b.length === 2 && b.charCodeAt(0) === 48 ? b.substring(1) : b))
    .join(':');
}

/** A client identifier as dhcpd printed it -> normalised MAC when it is hex bytes, else verbatim. */
function normaliseId(token: string): string {
  return normaliseHexBytes(token) ?? token;
}

/** Where the identifier at `pos` ends (exclusive). Handles `<no identifier>` and `"quoted uid"`. */
function idEnd(s: string, pos: number): number {
  if (s.startsWith('<no identifier>', pos)) return pos + 15;
  if (s.charCodeAt(pos) === 34) {
    let k = s.indexOf('" ', pos + 1);
    while (k >= 0) {
      const next = s.charCodeAt(k + 2);
      if (next === 40 /* ( */ || s.startsWith('via ', k + 2)) return k + 1;
      k = s.indexOf('" ', k + 1);
    }
    return -1;
  }
  const sp = s.indexOf(' ', pos);
  return sp < 0 ? -1 : sp;
}

/** What may follow `via `: the end of the line, a `: reason`, or ` (found)`/` (not found)`. */
type Tail = 'end' | 'reason' | 'release';

interface ViaTail {
  via: string;
  reason: string | null;
  found: boolean;
}

function readTail(s: string, viaStart: number, tail: Tail): ViaTail | null {
  if (tail === 'end') {
    if (viaStart >= s.length || s.indexOf(' ', viaStart) >= 0) return null;
    return { via: s.substring(viaStart), reason: null, found: false };
  }
  if (tail === 'release') {
    let found: boolean;
    let end: number;
    if (s.endsWith(' (found)')) {
      found = true;
      end = s.length - 8;
    } else if (s.endsWith(' (not found)')) {
      found = false;
      end = s.length - 12;
    } else {
      return null;
    }
    if (end <= viaStart || s.indexOf(' ', viaStart) !== end) return null;
    return { via: s.substring(viaStart, end), reason: null, found };
  }
  const sp = s.indexOf(' ', viaStart);
  if (sp < 0) {
    if (viaStart >= s.length) return null;
    return { via: s.substring(viaStart), reason: null, found: false };
  }
  // `via eth0: reason`: the interface name itself may hold a colon (eth0:1), never `: `.
  if (sp - 1 <= viaStart || s.charCodeAt(sp - 1) !== 58) return null;
  return { via: s.substring(viaStart, sp - 1), reason: s.substring(sp + 1), found: false };
}

interface ClientPart extends ViaTail {
  mac: string;
  name: string | null;
}

/**
 * `ID [(name)] via VIA<tail>` at `pos`. The name can contain `) via `, so the name ends at the first
 * `) via ` whose remainder is a well-formed tail; a name holding `) via X: ` is read differently,
 * and cannot be told apart from a reason by any rule.
 */
function readClient(s: string, pos: number, tail: Tail, allowName: boolean): ClientPart | null {
  const end = idEnd(s, pos);
  if (end < 0 || s.charCodeAt(end) !== 32) return null;
  const mac = normaliseId(s.substring(pos, end));
  const after = end + 1;
  if (s.startsWith('via ', after)) {
    const t = readTail(s, after + 4, tail);
    if (t !== null) return { mac, name: null, ...t };
  }
  if (!allowName || s.charCodeAt(after) !== 40) return null;
  let k = s.indexOf(') via ', after + 1);
  while (k >= 0) {
    const t = readTail(s, k + 6, tail);
    if (t !== null) return { mac, name: s.substring(after + 1, k), ...t };
    k = s.indexOf(') via ', k + 1);
  }
  return null;
}

/** `IP` up to the next space at pos; returns the end index or -1. */
function ipEnd(s: string, pos: number): number {
  const sp = s.indexOf(' ', pos);
  if (sp < 0 || !isIpv4(s, pos, sp)) return -1;
  return sp;
}

function parseDiscover(msg: string): EventBody {
  // DHCPDISCOVER from %s %s%s%svia %s[: reason]   (dhcp.c dhcpdiscover; bad_packet in dhcp())
  const c = readClient(msg, 18, 'reason', true);
  if (c === null) return unknown(msg);
  return { kind: 'dhcpdiscover', mac: c.mac, name: c.name, via: c.via, reason: c.reason };
}

function parseRequest(msg: string): EventBody {
  // DHCPREQUEST for %s%s from %s %s%s%svia %s[: reason]   (dhcp.c dhcprequest)
  const ipE = ipEnd(msg, 16);
  if (ipE < 0) return unknown(msg);
  let pos = ipE + 1;
  let serverId: string | null = null;
  if (msg.charCodeAt(pos) === 40) {
    const close = msg.indexOf(') ', pos);
    if (close < 0 || !isIpv4(msg, pos + 1, close)) return unknown(msg);
    serverId = msg.substring(pos + 1, close);
    pos = close + 2;
  }
  if (!msg.startsWith('from ', pos)) return unknown(msg);
  const c = readClient(msg, pos + 5, 'reason', true);
  if (c === null) return unknown(msg);
  return {
    kind: 'dhcprequest',
    ip: msg.substring(16, ipE),
    serverId,
    mac: c.mac,
    name: c.name,
    via: c.via,
    reason: c.reason,
  };
}

/** `<WORD> on IP to ID [(name)] via VIA` (ack_lease, dhcp.c) for DHCPOFFER / DHCPACK / BOOTREPLY. */
function parseOnTo(msg: string, prefixLen: number): { ip: string; c: ClientPart } | null {
  const ipE = ipEnd(msg, prefixLen);
  if (ipE < 0 || !msg.startsWith('to ', ipE + 1)) return null;
  const c = readClient(msg, ipE + 4, 'end', true);
  if (c === null) return null;
  return { ip: msg.substring(prefixLen, ipE), c };
}

function parseAck(msg: string): EventBody {
  if (msg.startsWith('DHCPACK on ')) {
    const r = parseOnTo(msg, 11);
    if (r === null) return unknown(msg);
    return { kind: 'dhcpack', ip: r.ip, mac: r.c.mac, name: r.c.name, via: r.c.via };
  }
  if (msg.startsWith('DHCPACK to ')) {
    // DHCPACK to %s (%s) via %s   (dhcp.c dhcpinform; `<no client hardware address>` when none)
    const ipE = ipEnd(msg, 11);
    if (ipE < 0 || msg.charCodeAt(ipE + 1) !== 40) return unknown(msg);
    const close = msg.lastIndexOf(') via ');
    if (close <= ipE + 1) return unknown(msg);
    const via = msg.substring(close + 6);
    if (via === '' || via.indexOf(' ') >= 0) return unknown(msg);
    const id = msg.substring(ipE + 2, close);
    return {
      kind: 'dhcpack-inform',
      ip: msg.substring(11, ipE),
      mac: id === '<no client hardware address>' ? null : normaliseId(id),
      via,
    };
  }
  return unknown(msg);
}

function parseNak(msg: string): EventBody {
  // DHCPNAK on %s to %s via %s   (dhcp.c nak_lease)
  const ipE = ipEnd(msg, 11);
  if (ipE < 0 || !msg.startsWith('to ', ipE + 1)) return unknown(msg);
  const c = readClient(msg, ipE + 4, 'end', false);
  if (c === null) return unknown(msg);
  return { kind: 'dhcpnak', ip: msg.substring(11, ipE), mac: c.mac, via: c.via };
}

function parseRelease(msg: string): EventBody {
  // DHCPRELEASE of %s from %s %s%s%svia %s (%sfound)   (dhcp.c dhcprelease)
  const ipE = ipEnd(msg, 15);
  if (ipE < 0 || !msg.startsWith('from ', ipE + 1)) return unknown(msg);
  const c = readClient(msg, ipE + 6, 'release', true);
  if (c === null) return unknown(msg);
  return {
    kind: 'dhcprelease',
    ip: msg.substring(15, ipE),
    mac: c.mac,
    name: c.name,
    via: c.via,
    found: c.found,
  };
}

function parseDecline(msg: string): EventBody {
  // DHCPDECLINE of %s from %s %s%s%svia %s: (abandoned|not found|ignored)   (dhcp.c dhcpdecline)
  const ipE = ipEnd(msg, 15);
  if (ipE < 0 || !msg.startsWith('from ', ipE + 1)) return unknown(msg);
  const c = readClient(msg, ipE + 6, 'reason', true);
  if (c === null) return unknown(msg);
  return {
    kind: 'dhcpdecline',
    ip: msg.substring(15, ipE),
    mac: c.mac,
    name: c.name,
    via: c.via,
    reason: c.reason,
  };
}

function parseInform(msg: string): EventBody {
  // DHCPINFORM from %s via %s[: reason]   (dhcp.c dhcpinform)
  const ipE = ipEnd(msg, 16);
  if (ipE < 0 || !msg.startsWith('via ', ipE + 1)) return unknown(msg);
  const t = readTail(msg, ipE + 5, 'reason');
  if (t === null) return unknown(msg);
  return { kind: 'dhcpinform', ip: msg.substring(16, ipE), via: t.via, reason: t.reason };
}

function parseBootRequest(msg: string): EventBody {
  // BOOTREQUEST from %s via %s[: reason]   (bootp.c bootp)
  const c = readClient(msg, 17, 'reason', false);
  if (c === null) return unknown(msg);
  return { kind: 'bootrequest', mac: c.mac, via: c.via, reason: c.reason };
}

function parseBootReply(msg: string): EventBody {
  if (msg.startsWith('BOOTREPLY on ')) {
    // ack_lease for a dynamic BOOTP lease: BOOTREPLY on %s to %s %s%s%svia %s
    const r = parseOnTo(msg, 13);
    if (r === null) return unknown(msg);
    return { kind: 'bootreply', ip: r.ip, mac: r.c.mac, name: r.c.name, via: r.c.via, lease: true };
  }
  // BOOTREPLY for %s to %s (%s) via %s   (bootp.c; the name is the host declaration or `unknown`)
  const ipE = ipEnd(msg, 14);
  if (ipE < 0 || !msg.startsWith('to ', ipE + 1)) return unknown(msg);
  const close = msg.lastIndexOf(') via ');
  const open = close < 0 ? -1 : msg.lastIndexOf(' (', close);
  if (open < ipE + 4 || close < 0) return unknown(msg);
  const via = msg.substring(close + 6);
  if (via === '' || via.indexOf(' ') >= 0) return unknown(msg);
  const name = msg.substring(ipE + 4, open);
  return {
    kind: 'bootreply',
    ip: msg.substring(14, ipE),
    mac: normaliseId(msg.substring(open + 2, close)),
    name: name === 'unknown' ? null : name,
    via,
  };
}

function parseUidDuplicate(msg: string): EventBody {
  // uid lease %s for client %s is duplicate on %s   (dhcp.c find_lease)
  const ipE = ipEnd(msg, 10);
  if (ipE < 0 || !msg.startsWith('for client ', ipE + 1)) return unknown(msg);
  const macStart = ipE + 12;
  const k = msg.indexOf(' is duplicate on ', macStart);
  if (k < 0) return unknown(msg);
  return {
    kind: 'uid-duplicate',
    ip: msg.substring(10, ipE),
    mac: normaliseId(msg.substring(macStart, k)),
    network: msg.substring(k + 17),
  };
}

function parseReuseLease(msg: string): EventBody {
  // reuse_lease: lease age %ld (secs) under %d%% threshold, reply with unaltered, existing lease for %s
  // (dhcp.c reuse_lease, debug level). A real line, dhcpd 4.4.3:
  // `reuse_lease: lease age 0 (secs) under 25% threshold, reply with unaltered, existing lease for 10.99.1.69`
  const m =
    /^reuse_lease: lease age (\d{1,10}) \(secs\) under (\d{1,3})% threshold, reply with unaltered, existing lease for (\S+)$/.exec(
      msg,
    );
  if (m === null || !isIpv4(m[3]!, 0, m[3]!.length)) return unknown(msg);
  return { kind: 'reuse-lease', ip: m[3]!, ageSec: Number(m[1]), thresholdPct: Number(m[2]) };
}

function parseAbandon(msg: string): EventBody {
  // Abandoning IP address %s: %s   (mdb.c abandon_lease)
  const colon = msg.indexOf(': ', 22);
  if (colon < 0 || !isIpv4(msg, 22, colon)) return unknown(msg);
  return { kind: 'abandon', ip: msg.substring(22, colon), reason: msg.substring(colon + 2) };
}

function note(note: string, peer: string | null, text: string): FailoverNote {
  return { kind: 'failover-note', note, peer, text };
}

function isStateWord(s: string): boolean {
  return s.length > 0 && s.indexOf(' ') < 0;
}

function parseFailoverPeer(msg: string): EventBody {
  // failover.c: `failover peer %s: I move from %s to %s`, `... peer moves from %s to %s`,
  // `... Both servers normal`, `... requesting full update from peer`, `... peer update completed.`,
  // and `failover peer %s: %s` with an isc_result text (connection errors).
  for (const [marker, who] of [
    [': I move from ', 'self'],
    [': peer moves from ', 'peer'],
  ] as const) {
    const k = msg.lastIndexOf(marker);
    if (k > 14) {
      const rest = msg.substring(k + marker.length);
      const to = rest.indexOf(' to ');
      const from = to < 0 ? '' : rest.substring(0, to);
      const target = to < 0 ? '' : rest.substring(to + 4);
      if (isStateWord(from) && isStateWord(target)) {
        return { kind: 'failover-state', peer: msg.substring(14, k), who, from, to: target };
      }
    }
  }
  const fixed: readonly (readonly [string, string])[] = [
    [': Both servers normal', 'normal'],
    [': requesting full update from peer', 'update-requested'],
    [': peer update completed.', 'update-completed'],
  ];
  for (const [suffix, name] of fixed) {
    if (msg.endsWith(suffix) && msg.length > 14 + suffix.length) {
      return note(name, msg.substring(14, msg.length - suffix.length), msg);
    }
  }
  const colon = msg.indexOf(': ', 14);
  if (colon > 14) return note('other', msg.substring(14, colon), msg);
  return unknown(msg);
}

/** `prefix PEER suffix` -> PEER, when non-empty. */
function between(msg: string, prefix: string, suffixMarker: string): string | null {
  const k = msg.indexOf(suffixMarker, prefix.length);
  if (k <= prefix.length) return null;
  return msg.substring(prefix.length, k);
}

function parseOtherFailover(msg: string): EventBody | null {
  const c0 = msg.charCodeAt(0);
  if (c0 === 66 /* B */) {
    if (msg === 'Both servers have entered recover-done!') return note('recover-done', null, msg);
    return null;
  }
  if (c0 === 112 /* p */) {
    if (msg.startsWith('peer ')) {
      if (msg.endsWith(': disconnected') && msg.length > 19) {
        return note('disconnected', msg.substring(5, msg.length - 14), msg);
      }
      const k = msg.indexOf(': Got POOLREQ, answering negatively!');
      if (k > 5) return note('poolreq-refused', msg.substring(5, k), msg);
    }
    return null;
  }
  if (c0 === 98 /* b */) {
    if (msg.startsWith('balancing pool ')) return note('pool-balancing', null, msg);
    if (msg.startsWith('balanced pool ')) return note('pool-balanced', null, msg);
    if (msg.startsWith('bind update on ')) {
      const from = msg.indexOf(' from ', 15);
      const rejected = from < 0 ? -1 : msg.indexOf(' rejected: ', from + 6);
      if (from > 15 && rejected > from + 6) {
        return note('bind-update-rejected', msg.substring(from + 6, rejected), msg);
      }
      const got = msg.indexOf(' got ack from ', 15);
      const colon = got < 0 ? -1 : msg.indexOf(': ', got + 14);
      if (got > 15 && colon > got + 14)
        return note('bind-update-failed', msg.substring(got + 14, colon), msg);
    }
    return null;
  }
  if (c0 === 73 /* I */ && msg.startsWith('IMBALANCED pool ')) return note('pool-imbalanced', null, msg);
  if (c0 === 116 /* t */ && msg.startsWith('timeout waiting for failover peer ') && msg.length > 34) {
    return note('timeout', msg.substring(34), msg);
  }
  if (c0 === 70 /* F */ && msg.startsWith('Failover ')) {
    // Failover CONNECT from %s: %s / CONNECT to %s rejected: %s / CONNECTACK from %s: %s / DISCONNECT from %s: %s
    for (const prefix of [
      'Failover CONNECT from ',
      'Failover CONNECTACK from ',
      'Failover DISCONNECT from ',
    ]) {
      if (msg.startsWith(prefix)) {
        const peer = between(msg, prefix, ': ');
        return peer === null ? null : note('connect-error', peer, msg);
      }
    }
    if (msg.startsWith('Failover CONNECT to ')) {
      const peer = between(msg, 'Failover CONNECT to ', ' rejected: ');
      return peer === null ? null : note('connect-error', peer, msg);
    }
    return null;
  }
  if (c0 === 83 /* S */ && msg.startsWith('Sent update ')) {
    // Sent update request message to %s / Sent update request all message to %s / Sent update done message to %s
    const k = msg.indexOf(' message to ', 12);
    if (k > 12 && msg.length > k + 12) return note('update-sent', msg.substring(k + 12), msg);
    return null;
  }
  if (c0 === 85 /* U */ && msg.startsWith('Update request ')) {
    // Update request from %s: sending update / nothing pending; Update request all from %s: ...
    const prefix = msg.startsWith('Update request all from ')
      ? 'Update request all from '
      : 'Update request from ';
    if (!msg.startsWith(prefix)) return null;
    const peer = between(msg, prefix, ': ');
    return peer === null ? null : note('update-received', peer, msg);
  }
  return null;
}

/** Value of ` key=` starting exactly at pos (pos at the space); [valueStart, valueEnd] or null. */
function field(s: string, pos: number, key: string): number {
  // Returns the index where the value starts, or -1. The value runs to the next space or the end.
  if (s.charCodeAt(pos) !== 32 || !s.startsWith(key, pos + 1)) return -1;
  return pos + 1 + key.length;
}

function valueEnd(s: string, start: number): number {
  const sp = s.indexOf(' ', start);
  return sp < 0 ? s.length : sp;
}

/** `gv-commit ip=… hw=… lease=… giaddr=… cid=… rid=…` (specs/dhcpd-commit-log.conf). Scanned, not split: hot path. */
function parseCommit(msg: string): EventBody {
  const ipS = field(msg, 9, 'ip=');
  const ipE = ipS < 0 ? -1 : valueEnd(msg, ipS);
  const hwS = ipE < 0 ? -1 : field(msg, ipE, 'hw=');
  const hwE = hwS < 0 ? -1 : valueEnd(msg, hwS);
  const leaseS = hwE < 0 ? -1 : field(msg, hwE, 'lease=');
  const leaseE = leaseS < 0 ? -1 : valueEnd(msg, leaseS);
  const giS = leaseE < 0 ? -1 : field(msg, leaseE, 'giaddr=');
  const giE = giS < 0 ? -1 : valueEnd(msg, giS);
  const cidS = giE < 0 ? -1 : field(msg, giE, 'cid=');
  const cidE = cidS < 0 ? -1 : valueEnd(msg, cidS);
  const ridS = cidE < 0 ? -1 : field(msg, cidE, 'rid=');
  if (ridS < 0 || msg.indexOf(' ', ridS) >= 0) return unknown(msg);
  if (!isIpv4(msg, ipS, ipE) || !isIpv4(msg, giS, giE)) return unknown(msg);
  const leaseLen = leaseE - leaseS;
  if (leaseLen < 1 || leaseLen > 10) return unknown(msg);
  let leaseSec = 0;
  for (let i = leaseS; i < leaseE; i++) {
    const c = msg.charCodeAt(i);
    if (c < 48 || c > 57) return unknown(msg);
    leaseSec = leaseSec * 10 + (c - 48);
  }
  const mac = hwE === hwS ? null : normaliseHexBytes(msg.substring(hwS, hwE));
  const circuitIdHex = cidE === cidS ? null : normaliseHexBytes(msg.substring(cidS, cidE));
  const remoteIdHex = ridS === msg.length ? null : normaliseHexBytes(msg.substring(ridS));
  if (
    (hwE !== hwS && mac === null) ||
    (cidE !== cidS && circuitIdHex === null) ||
    (ridS !== msg.length && remoteIdHex === null)
  ) {
    return unknown(msg);
  }
  const commit: DhcpCommit = {
    kind: 'commit',
    ip: msg.substring(ipS, ipE),
    mac,
    leaseSec,
    giaddr: msg.substring(giS, giE),
    circuitIdHex,
    remoteIdHex,
  };
  return commit;
}

/**
 * The Gluff queue patch's errors (hl_ldb.c): `Line %d: sqlite3 error: %s` and `ldb error: %s`.
 * The line number must be written as `%d` writes it (no sign, no leading zero) so the format gives the
 * text back; the detail is anything, empty included.
 */
function parseQueueError(msg: string): EventBody {
  if (msg.startsWith('ldb error: ')) {
    return { kind: 'queue-error', stage: 'ldb', line: null, detail: msg.substring(11) };
  }
  // `Line ` + 1-9 digits + `: sqlite3 error: ` (a tenth digit fails the startsWith)
  let i = 5;
  let line = 0;
  for (; i < msg.length && i < 14; i++) {
    const c = msg.charCodeAt(i);
    if (c < 48 || c > 57) break;
    line = line * 10 + (c - 48);
  }
  if (i === 5 || (i > 6 && msg.charCodeAt(5) === 48)) return unknown(msg);
  if (!msg.startsWith(': sqlite3 error: ', i)) return unknown(msg);
  return { kind: 'queue-error', stage: 'sqlite3', line, detail: msg.substring(i + 17) };
}

/**
 * One dhcpd message (after `dhcpd[pid]: `) -> its event. Total: unrecognised text gives
 * `{ kind: 'unknown', app: 'dhcpd', text }`, never a throw.
 *
 * Example: `DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1`
 * -> `{ kind: 'dhcpack', ip: '10.1.0.50', mac: '52:54:00:12:34:56', name: 'host1', via: '10.1.0.1' }`
 */
export function parseDhcpdMessage(msg: string): EventBody {
  const c0 = msg.charCodeAt(0);
  if (c0 === 68 /* D */ && msg.startsWith('DHCP')) {
    switch (msg.charCodeAt(4)) {
      case 65: // A
        return parseAck(msg);
      case 68: // D
        if (msg.startsWith('DHCPDISCOVER from ')) return parseDiscover(msg);
        if (msg.startsWith('DHCPDECLINE of ')) return parseDecline(msg);
        return unknown(msg);
      case 73: // I
        return msg.startsWith('DHCPINFORM from ') ? parseInform(msg) : unknown(msg);
      case 78: // N
        return msg.startsWith('DHCPNAK on ') ? parseNak(msg) : unknown(msg);
      case 79: // O
        if (msg.startsWith('DHCPOFFER on ')) {
          const r = parseOnTo(msg, 13);
          if (r === null) return unknown(msg);
          return { kind: 'dhcpoffer', ip: r.ip, mac: r.c.mac, name: r.c.name, via: r.c.via };
        }
        return unknown(msg);
      case 82: // R
        if (msg.startsWith('DHCPREQUEST for ')) return parseRequest(msg);
        if (msg.startsWith('DHCPRELEASE of ')) return parseRelease(msg);
        return unknown(msg);
      default:
        return unknown(msg);
    }
  }
  if (c0 === 66 /* B */) {
    if (msg.startsWith('BOOTREQUEST from ')) return parseBootRequest(msg);
    if (msg.startsWith('BOOTREPLY ')) return parseBootReply(msg);
  }
  if (c0 === 103 /* g */ && msg.startsWith('gv-commit ')) return parseCommit(msg);
  if (c0 === 117 /* u */ && msg.startsWith('uid lease ')) return parseUidDuplicate(msg);
  if (c0 === 114 /* r */ && msg.startsWith('reuse_lease: ')) return parseReuseLease(msg);
  if (c0 === 65 /* A */ && msg.startsWith('Abandoning IP address ')) return parseAbandon(msg);
  if (c0 === 102 /* f */ && msg.startsWith('failover peer ')) return parseFailoverPeer(msg);
  if (
    (c0 === 76 /* L */ && msg.startsWith('Line ')) ||
    (c0 === 108 /* l */ && msg.startsWith('ldb error: '))
  ) {
    return parseQueueError(msg);
  }
  return parseOtherFailover(msg) ?? unknown(msg);
}

function namePart(name: string | null): string {
  return name === null ? '' : `(${name}) `;
}

function reasonPart(reason: string | null): string {
  return reason === null ? '' : `: ${reason}`;
}

/**
 * The inverse of parseDhcpdMessage: the message dhcpd logs for an event (for generators and replays).
 * MACs come out as dhcpd prints them (`%02x`); the commit line's hw/cid/rid unpadded, as
 * binary-to-ascii prints them. Kinds dhcpd never logs (port, memsample, gluff, gluff-record) give ''.
 *
 * Example: `{ kind: 'dhcprelease', ip: '10.1.0.50', mac: '52:54:00:12:34:56', name: null, via: 'eth0', found: true }`
 * -> `DHCPRELEASE of 10.1.0.50 from 52:54:00:12:34:56 via eth0 (found)`
 */
export function formatDhcpdMessage(body: EventBody): string {
  switch (body.kind) {
    case 'dhcpdiscover':
      return `DHCPDISCOVER from ${body.mac} ${namePart(body.name)}via ${body.via}${reasonPart(body.reason)}`;
    case 'dhcpoffer':
      return `DHCPOFFER on ${body.ip} to ${body.mac} ${namePart(body.name)}via ${body.via}`;
    case 'dhcprequest':
      return (
        `DHCPREQUEST for ${body.ip}${body.serverId === null ? '' : ` (${body.serverId})`} from ${body.mac} ` +
        `${namePart(body.name)}via ${body.via}${reasonPart(body.reason)}`
      );
    case 'dhcpack':
      return `DHCPACK on ${body.ip} to ${body.mac} ${namePart(body.name)}via ${body.via}`;
    case 'dhcpack-inform':
      return `DHCPACK to ${body.ip} (${body.mac ?? '<no client hardware address>'}) via ${body.via}`;
    case 'dhcpnak':
      return `DHCPNAK on ${body.ip} to ${body.mac} via ${body.via}`;
    case 'dhcprelease':
      return (
        `DHCPRELEASE of ${body.ip} from ${body.mac} ${namePart(body.name)}via ${body.via} ` +
        `(${body.found ? '' : 'not '}found)`
      );
    case 'dhcpdecline':
      return `DHCPDECLINE of ${body.ip} from ${body.mac} ${namePart(body.name)}via ${body.via}${reasonPart(body.reason)}`;
    case 'dhcpinform':
      return `DHCPINFORM from ${body.ip} via ${body.via}${reasonPart(body.reason)}`;
    case 'bootrequest':
      return `BOOTREQUEST from ${body.mac} via ${body.via}${reasonPart(body.reason)}`;
    case 'bootreply':
      if (body.lease === true)
        return `BOOTREPLY on ${body.ip} to ${body.mac} ${namePart(body.name)}via ${body.via}`;
      return `BOOTREPLY for ${body.ip} to ${body.name ?? 'unknown'} (${body.mac}) via ${body.via}`;
    case 'uid-duplicate':
      return `uid lease ${body.ip} for client ${body.mac} is duplicate on ${body.network}`;
    case 'abandon':
      return `Abandoning IP address ${body.ip}: ${body.reason}`;
    case 'reuse-lease':
      return `reuse_lease: lease age ${body.ageSec} (secs) under ${body.thresholdPct}% threshold, reply with unaltered, existing lease for ${body.ip}`;
    case 'failover-state':
      return body.who === 'self'
        ? `failover peer ${body.peer}: I move from ${body.from} to ${body.to}`
        : `failover peer ${body.peer}: peer moves from ${body.from} to ${body.to}`;
    case 'failover-note':
      return body.text;
    case 'queue-error':
      return body.stage === 'ldb'
        ? `ldb error: ${body.detail}`
        : `Line ${body.line ?? 0}: sqlite3 error: ${body.detail}`;
    case 'commit':
      return (
        `gv-commit ip=${body.ip} hw=${unpadHexBytes(body.mac ?? '')} lease=${body.leaseSec} ` +
        `giaddr=${body.giaddr} cid=${unpadHexBytes(body.circuitIdHex ?? '')} rid=${unpadHexBytes(body.remoteIdHex ?? '')}`
      );
    case 'unknown':
    case 'other':
      return body.text;
    default:
      return '';
  }
}

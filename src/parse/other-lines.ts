/**
 * Messages of the non-dhcpd programs we follow: the port permuter (`autobridge`), the memory sampler
 * (`memsample`, written by `gluff-verify sample`) and Gluff itself (`gluff`). Formats: the lead's
 * formats.md; gluff's messages from hansliss/gluff gluff.c (v1.12). Each parse is total: text no
 * rule recognises becomes `{ kind: 'unknown', app, text }`.
 */
import type { BridgeMap, EventBody, GluffNote, MemSample } from '../model/index.js';

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

/** Prefixes of gluff's LOG_ERR / LOG_WARNING messages other than the database-lost one (gluff.c). */
const GLUFF_ERROR_PREFIXES = [
  'mysql_',
  'sqlite3_',
  'Failed to ',
  'do_find_lease(): ',
  'do_update_lease(): ',
] as const;

/**
 * Classifies one gluff message. gluff 1.12 logs `start` once after connecting, `mysql-unreachable`
 * when a ping fails, `reconnected` when one succeeds again, and errors (mostly followed by exit).
 * It logs nothing when it stops, so `stop` never comes from gluff itself.
 *
 * Example: `gluff v1.12 starting, using Sqlite3 database /var/db/dhcpd_queue.db3 and MySQL database mysql://gluff@db1/dhcpd_leases`
 * -> `{ kind: 'gluff', what: 'start', text: <the message> }`
 */
export function parseGluffMessage(msg: string): GluffNote {
  let what: GluffNote['what'] = 'other';
  if (msg === 'MySQL server unreachable') what = 'mysql-unreachable';
  else if (msg === 'Re-connected to MySQL server') what = 'reconnected';
  else if (msg.includes(' starting, using Sqlite3 database ')) what = 'start';
  else if (GLUFF_ERROR_PREFIXES.some((p) => msg.startsWith(p))) what = 'error';
  return { kind: 'gluff', what, text: msg };
}

/** Inverse of parseGluffMessage: the text. Example: `{ what: 'reconnected', … }` -> `Re-connected to MySQL server`. */
export function formatGluffMessage(body: EventBody): string {
  return body.kind === 'gluff' || body.kind === 'unknown' || body.kind === 'other' ? body.text : '';
}

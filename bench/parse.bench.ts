/**
 * Parse throughput: 1M generated realistic syslog lines (dhcpd packet lines, commit lines, some
 * failover and other lines; RFC 3164 with PRI as rsyslog forwards them), one thread.
 * Prints lines/s for parseMessage (frame + dispatch), for framing alone and for the dhcpd
 * message parser alone; in UTC and in Europe/Stockholm (zone conversion through the cache).
 *   node --import tsx bench/parse.bench.ts [lines]
 */
import type { ParseContext } from '../src/model/index.js';
import { parseDhcpdMessage } from '../src/parse/dhcpd-line.js';
import { parseMessage } from '../src/parse/parse-message.js';
import { parseSyslogFrame } from '../src/parse/syslog-frame.js';

const N = Number(process.argv[2] ?? 1_000_000);
/** The dhcpd-only figure cycles over this many distinct message strings. */
const MSG_POOL = 100_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Deterministic PRNG (mulberry32) so every run parses the same lines. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * All lines live in one contiguous buffer (offsets beside it), as a file read or a socket batch
 * gives them: a million separate Uint8Arrays kept alive would make the bench measure the GC.
 */
function makeLines(n: number): { buf: Uint8Array; offsets: Uint32Array; msgs: string[]; bytes: number } {
  const rand = rng(42);
  const enc = new TextEncoder();
  const lines: Uint8Array[] = [];
  const msgs: string[] = [];
  let bytes = 0;
  let t = Date.UTC(2026, 10, 1);
  const hex = (b: number): string => b.toString(16).padStart(2, '0');
  for (let i = 0; i < n; i++) {
    t += Math.floor(rand() * 400);
    const d = new Date(t);
    const day = d.getUTCDate();
    const stamp = `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${d.toISOString().slice(11, 19)}`;
    const c = Math.floor(rand() * 500);
    const mac = `52:54:00:${hex(c >> 8)}:${hex(c & 255)}:${hex(Math.floor(rand() * 256))}`;
    const ip = `10.1.${c >> 8}.${c & 255}`;
    const via = rand() < 0.7 ? '10.1.0.1' : 'eth0';
    const name = rand() < 0.5 ? `(client${c}) ` : '';
    const r = rand();
    let msg: string;
    if (r < 0.25) msg = `DHCPREQUEST for ${ip} (10.2.0.10) from ${mac} ${name}via ${via}`;
    else if (r < 0.5) msg = `DHCPACK on ${ip} to ${mac} ${name}via ${via}`;
    else if (r < 0.65)
      msg = `gv-commit ip=${ip} hw=52:54:0:1:${(c & 255).toString(16)}:5 lease=600 giaddr=10.1.0.1 cid=65:74:68:31 rid=`;
    else if (r < 0.75) msg = `DHCPDISCOVER from ${mac} via ${via}`;
    else if (r < 0.85) msg = `DHCPOFFER on ${ip} to ${mac} ${name}via ${via}`;
    else if (r < 0.9) msg = `DHCPRELEASE of ${ip} from ${mac} ${name}via eth0 (found)`;
    else if (r < 0.95) msg = `DHCPREQUEST for ${ip} (10.3.0.10) from ${mac} via ${via}: lease owned by peer`;
    else if (r < 0.98) msg = 'failover peer dhcp-failover: I move from normal to communications-interrupted';
    else msg = 'Wrote 0 leases to leases file.';
    const host = rand() < 0.5 ? 'dhcp1' : 'dhcp2';
    const line = enc.encode(`<30>${stamp} ${host} dhcpd[${800 + (c & 7)}]: ${msg}`);
    lines.push(line);
    if (i < MSG_POOL) msgs.push(msg);
    bytes += line.length;
  }
  const buf = new Uint8Array(bytes);
  const offsets = new Uint32Array(n + 1);
  let at = 0;
  for (let i = 0; i < n; i++) {
    buf.set(lines[i] as Uint8Array, at);
    offsets[i] = at;
    at += (lines[i] as Uint8Array).length;
  }
  offsets[n] = at;
  return { buf, offsets, msgs, bytes };
}

/**
 * Prints wall-clock and CPU-time rates. On a shared machine (parallel builds, other benches) the
 * wall figure drops with the load; lines per CPU second is what one free core would do.
 */
function time(label: string, n: number, fn: () => number): void {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const sink = fn();
  const sec = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const fmt = (v: number): string => Math.round(v).toLocaleString('en-US').padStart(10);
  console.log(
    `${label.padEnd(46)} ${fmt(n / sec)} lines/s wall  ${fmt(n / cpuSec)} lines/CPU-s  (${sec.toFixed(2)} s, check ${sink})`,
  );
}

const { buf, offsets, msgs, bytes } = makeLines(N);
console.log(
  `${N.toLocaleString('en-US')} lines, average ${(bytes / N).toFixed(0)} bytes, node ${process.version}`,
);

const utc: ParseContext = { referenceMs: Date.UTC(2026, 10, 28), zoneByHost: {}, defaultZone: 'UTC' };
const sthlm: ParseContext = {
  referenceMs: Date.UTC(2026, 10, 28),
  zoneByHost: {},
  defaultZone: 'Europe/Stockholm',
};

for (let round = 0; round < 2; round++) {
  // The first round warms up the JIT and the zone caches; the second is the figure to quote.
  const tag = round === 0 ? '(warm-up) ' : '';
  time(`${tag}parseMessage, zone UTC`, N, () => {
    let ok = 0;
    for (let i = 0; i < N; i++) if (parseMessage(buf.subarray(offsets[i], offsets[i + 1]), utc).ok) ok++;
    return ok;
  });
  time(`${tag}parseMessage, zone Europe/Stockholm`, N, () => {
    let ok = 0;
    for (let i = 0; i < N; i++) if (parseMessage(buf.subarray(offsets[i], offsets[i + 1]), sthlm).ok) ok++;
    return ok;
  });
  time(`${tag}parseSyslogFrame only, zone UTC`, N, () => {
    let ok = 0;
    for (let i = 0; i < N; i++) if (parseSyslogFrame(buf.subarray(offsets[i], offsets[i + 1]), utc).ok) ok++;
    return ok;
  });
  time(`${tag}parseDhcpdMessage only (string in)`, N, () => {
    let known = 0;
    for (let i = 0; i < N; i++)
      if (parseDhcpdMessage(msgs[i % msgs.length] as string).kind !== 'unknown') known++;
    return known;
  });
}

/**
 * The rig simulator: a pure, seeded discrete-event simulation of the paper's test rig (two ISC dhcpd
 * 4.4 servers in failover, a relay, a switch stamping Option 82, the port permuter, RFC 2131 clients,
 * one gluff daemon per server) that produces what the verifier reads: the syslog lines in send order
 * and the Gluff `leases` table. No clock, no I/O: the edges (send-syslog.ts, write-gluff-*.ts) do that.
 *
 * Time: every instant is true simulation time, UTC ms. A server's syslog header may be offset from
 * the true time (drift; the clock-skew faults), while Gluff's rows carry dhcpd's own (true) second:
 * the offset models the clock that stamps the line disagreeing with the clock behind the lease times.
 *
 * dhcpd and its queue patch, as the real ones behave (seen in the real-Gluff captures):
 * - each server keeps a lease struct per address; a fresh ACK supersedes it with the commit line's Option 82,
 *   the failover peer's copy (binding update) has none;
 * - a request for a lease younger than dhcp-cache-threshold (25 %) is answered `reuse_lease`: the lease unaltered,
 *   the commit line shows the packet's Option 82, the queue row the struct's old start, end and stored options
 *   (the router's relayed copy of a renewal is one; in relay mode the clean rig has a copy that names another
 *   port than dhcpd stored reach dhcpd first, so that no stale row is queued unless a fault wants it);
 * - every ACK and every release of a lease not yet ended is one call of the patch (queue-patch-sim.ts: idx per
 *   process, a collision with a row still queued logs `sqlite3 error`/`ldb error`, a release before the first
 *   ACK since dhcpd started is dropped without a line); the clean rig keeps releases clear of the gluff poll
 *   after the client's last ACK, so nothing collides unless a fault wants it;
 * - each gluff logs `ACK on ip: …` / `RELEASE on ip: …` for every row it takes (SimOptions.gluffRecordLines).
 */
import type {
  ChannelStats,
  EpochMs,
  EventBody,
  ParseContext,
  RigSpec,
  SwitchPortSpec,
} from '../model/index.js';
import { formatGluffOptionText } from '../parse/option82.js';
import { formatAppMessage } from '../parse/parse-message.js';
import { formatSyslogFrame } from '../parse/syslog-frame.js';
import { expectedOutcome, type ExpectedOutcome, type FaultName } from './fault-catalogue.js';
import type { GluffRow, QueueRow } from './gluff-model.js';
import { createRng } from './prng.js';
import {
  ACK_ERROR_LINE,
  RELEASE_ERROR_LINE,
  runQueuePatch,
  type DhcpdRestart,
  type PatchCall,
  type PatchResult,
} from './queue-patch-sim.js';
import { gluffTakesAt, runGluff, type GluffStall, type QueuedRow } from './run-gluff.js';

/** How Option 82 reaches dhcpd on a client's unicast renewal. */
export type Option82Path =
  /** The switch does DHCP snooping and stamps every DHCP packet (the paper's Cisco 2950): renewals carry the current port. */
  | 'snooping'
  /** Only the relay adds Option 82 (dhcrelay -a): direct renewals carry none, dhcpd logs the options it remembered. */
  | 'relay';

export interface SimOptions {
  seed: number;
  /** Simulated duration. */
  hours: number;
  /** Number of clients; default the MACs of the spec's client segments (more are generated round-robin). */
  clients?: number;
  faults?: readonly FaultName[];
  /** Start instant, UTC ms; default 2026-11-27T00:00:00Z. */
  startMs?: EpochMs;
  /** The permuter reshuffles every K minutes (the paper's cron: 20). */
  permuteEveryMin?: number;
  /** Lease time dhcpd grants; default the spec's lease.defaultSec. */
  leaseSec?: number;
  option82Path?: Option82Path;
  /** Chance that the router's dhcrelay also relays a unicast renewal/release (dhcpd-observed.md "Duplicates"). */
  duplicateRelayProb?: number;
  /** Chance per renewal that the client releases before the next one and goes away for a while. */
  releaseProb?: number;
  /** Chance per renewal that the client vanishes without a release (unplugged) past its lease end. */
  vanishProb?: number;
  /** The gateway's clients_nwrestart_slow.sh every N hours (release, 300 s off, rediscover); null for never. */
  slowRestartEveryHours?: number | null;
  /** Run a partner-down episode of the secondary (also turned on by the fault of that name). */
  partnerDown?: boolean;
  /**
   * Minutes between memory samples (`gluff-verify sample` beside dhcpd and gluff on each server);
   * null sends none. Default 5.
   */
  memSampleEveryMin?: number | null;
  /** The relay's giaddr. */
  relayAddress?: string;
  /** First address of the pool. */
  poolStart?: string;
  /** Server identifiers, one per spec server. */
  serverAddresses?: readonly string[];
  failoverPeer?: string;
  /** Zone the permuter's syslog lines are written in. Default: the spec's permuterZone. */
  permuterZone?: string;
  /**
   * gluff logs its record line (`ACK on ip: …` / `RELEASE on ip: …`) for every queue row it takes, as the real
   * gluff 1.12 does with or without -D. Default true; false models a channel that does not collect gluff's lines.
   */
  gluffRecordLines?: boolean;
}

/** One syslog message as sent. */
export interface SimMessage {
  /** True simulation time it was written; messages are in this order. */
  trueMs: EpochMs;
  /** The sender clock's reading, as the syslog header carries it (whole seconds in RFC 3164). */
  timeMs: EpochMs;
  host: string;
  app: string;
  pid: number;
  facility: number;
  severity: number;
  msg: string;
  /** The RFC 3164 message as sent (`<30>Nov 27 00:01:02 dhcp1 dhcpd[812]: ...`), in the host's zone. */
  line: string;
  /** True when the channel loses it (never sent): the channel-loss fault. */
  lost: boolean;
}

export interface SimCounts {
  clients: number;
  acks: number;
  releases: number;
  reshuffles: number;
  expiries: number;
  messages: number;
  lost: number;
  queueRows: number;
  tableRows: number;
  /** dhcpd answers `reuse_lease` (the lease unaltered, its old start and stored Option 82 queued). */
  reuses: number;
  /** Queue inserts that failed on the primary key (dhcpd logged `sqlite3 error` and `ldb error`). */
  queueCollisions: number;
  /** Releases the patch dropped without a line (no ACK since dhcpd started). */
  releasesDropped: number;
  /** gluff's record lines (one per queue row it took). */
  gluffRecords: number;
}

export interface SimOutput {
  seed: number;
  startMs: EpochMs;
  /** End of the simulated traffic (no line and no queue row after it). */
  endMs: EpochMs;
  /**
   * The instant to verify as of: endMs plus the spec's settle time and one gluff poll, by when both
   * daemons have written everything (the table is the one at this instant).
   */
  asOfMs: EpochMs;
  /** How to parse the lines: each host's zone (servers from the spec, the permuter's). */
  parseContext: ParseContext;
  messages: SimMessage[];
  /** Every queue row, in the order the gluff daemons applied them (`processedMs` null: not yet at endMs). */
  queueRows: QueuedRow[];
  /** Every call of the queue patch (each DHCPACK, each release of a lease not yet ended) and what became of it. */
  queueCalls: PatchResult[];
  /** Gluff's `leases` table at endMs, faults applied. Times epoch seconds. */
  table: GluffRow[];
  /** The same table without the Gluff faults (the truth). */
  cleanTable: GluffRow[];
  /**
   * The collector's periodic channel counters (one a minute) as it would store them; empty when
   * nothing was lost. For channel-loss, `kernelDrops` counts the lost messages cumulatively.
   */
  channelStats: ChannelStats[];
  faults: FaultName[];
  expected: ExpectedOutcome;
  /** One sentence per injected fault: what exactly was touched (ip, times). */
  injected: string[];
  counts: SimCounts;
}

const DEFAULT_START_MS = Date.UTC(2026, 10, 27, 0, 0, 0);
const MIB = 1024 * 1024;
/** The memory-leak fault's growth: well above the seed spec's 1 MiB/h limit, yet a realistic slow leak. */
export const MEMORY_LEAK_BYTES_PER_HOUR = 4 * MIB;
/** dhcpd 4.4's default dhcp-cache-threshold: a lease younger than this share of its length is reused. */
const CACHE_THRESHOLD_PCT = 25;
/** A clean client releases no sooner than this after its last ACK: the gluff poll (5 s) has taken that row. */
const RELEASE_AFTER_ACK_MS = 5500;
const FAC_DAEMON = 3;
const FAC_LOCAL2 = 18;
const FAC_USER = 1;
const SEV_ERR = 3;
const SEV_WARNING = 4;
const SEV_INFO = 6;
const SEV_DEBUG = 7;

type ClientState = 'off' | 'init' | 'bound';

/** Option 82 circuit-id / remote-id as canonical hex (null: absent). */
interface Option82 {
  cid: string | null;
  rid: string | null;
}

interface Client {
  index: number;
  mac: string;
  name: string;
  iface: string;
  ip: string | null;
  state: ClientState;
  server: number;
  ackS: number;
  leaseSec: number;
  endMs: number;
  /** Bumped on every state change: timers of an older generation are ignored. */
  gen: number;
  /** drop-ack scenario: after the next ACK, vanish without a release past the lease end. */
  forcedVanish: boolean;
  /** drop-release scenario: after the next ACK, release and stay away past the lease end. */
  forcedLeave: boolean;
  /** queue-insert-collision scenario: after the next ACK, release while its server's gluff is stalled. */
  forcedCollide: boolean;
  /** The router never duplicates this client's unicasts (set for a fault's target: keeps its rows regular). */
  quiet: boolean;
  /** True time of the last DHCPACK line the client got. */
  lastAckMs: number;
  /** When its next renewal (T1) is due; 0 when none is scheduled. */
  nextRenewMs: number;
  /**
   * Its last fresh ACK renewed a lease of the same server with the same Option 82 and no gap: its lease start is
   * inside one stint, not a second where a row was cut off and another made.
   */
  midStint: boolean;
}

/**
 * dhcpd's lease struct for one address on one server: what the queue patch reads (starts, ends, the stored
 * Option 82 `agent_options`), not what the packet said. Times are the server's epoch seconds.
 */
interface LeaseStruct {
  mac: string;
  starts: number;
  ends: number;
  cid: string | null;
  rid: string | null;
}

interface Server {
  index: number;
  host: string;
  zone: string;
  address: string;
  role: 'primary' | 'secondary';
  /** dhcpd answers. */
  serving: boolean;
  state: string;
  pid: number;
  gluffPid: number;
  /** The server's clock: true time plus a base offset and a drift (ppm). dhcpd's times and its syslog header use it. */
  offsetBaseMs: number;
  driftPpm: number;
  /** Extra offset of the syslog header only (the clock-skew faults): the line disagrees with dhcpd's own times. */
  syslogSkewMs: number;
  /**
   * dhcpd's lease structs per ip. A fresh ACK supersedes the struct (its options are what the commit line shows:
   * the packet's, or on a direct renewal without Option 82 the ones it remembered); the failover peer learns of
   * it by a binding update, which carries no Option 82.
   */
  leases: Map<string, LeaseStruct>;
}

interface Timer {
  t: number;
  seq: number;
  run: () => void;
}

/** A binary min-heap of timers on (t, seq). */
class TimerHeap {
  private readonly items: Timer[] = [];
  private seq = 0;
  get size(): number {
    return this.items.length;
  }
  push(t: number, run: () => void): void {
    const item = { t, seq: this.seq++, run };
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(item, a[p] as Timer)) break;
      a[i] = a[p] as Timer;
      i = p;
    }
    a[i] = item;
  }
  pop(): Timer | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && before(a[r] as Timer, a[l] as Timer) ? r : l;
      if (!before(a[c] as Timer, last)) break;
      a[i] = a[c] as Timer;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

function before(x: Timer, y: Timer): boolean {
  return x.t < y.t || (x.t === y.t && x.seq < y.seq);
}

/**
 * A SimMessage as stored: `msg` is read from the line on demand, so each of a million messages holds
 * one string (a day of 1000 clients spent most of its time in the garbage collector).
 */
class Message implements SimMessage {
  lost = false;
  constructor(
    readonly trueMs: EpochMs,
    readonly timeMs: EpochMs,
    readonly host: string,
    readonly app: string,
    readonly pid: number,
    readonly facility: number,
    readonly severity: number,
    readonly line: string,
    private readonly headLength: number,
  ) {}
  get msg(): string {
    return this.line.slice(this.headLength);
  }
}

/**
 * Makes V8 flatten a concatenated string now: a million retained rope strings (several heap objects
 * each) made the garbage collector dominate a 1000-client day.
 */
function flatten(text: string): string {
  void text.charCodeAt(text.length >> 1);
  return text;
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The spec's MACs first, then generated ones (VMware-style `00:0c:29:xx:yy:zz`), round-robin over segments. */
function clientMacs(spec: RigSpec, count: number): { mac: string; iface: string }[] {
  const listed = spec.clientSegments.flatMap((s) => s.macs.map((mac) => ({ mac, iface: s.iface })));
  const out = listed.slice(0, count);
  const used = new Set(out.map((c) => c.mac));
  let n = 0x100;
  for (let i = out.length; i < count; i++) {
    let mac: string;
    do {
      mac = `00:0c:29:${[16, 8, 0].map((s) => ((n >> s) & 0xff).toString(16).padStart(2, '0')).join(':')}`;
      n++;
    } while (used.has(mac));
    used.add(mac);
    const seg = spec.clientSegments[i % spec.clientSegments.length];
    out.push({ mac, iface: seg === undefined ? 'eth3' : seg.iface });
  }
  return out;
}

/** Which server of a load-balanced pair answers a client's broadcast: dhcpd hashes the hardware address over 256 buckets, split 128. */
function loadBalanceOwner(mac: string): 0 | 1 {
  let h = 0x811c9dc5;
  for (const part of mac.split(':')) h = Math.imul(h ^ parseInt(part, 16), 0x01000193) >>> 0;
  // Final avalanche (murmur3 fmix32): MACs that differ in their last bits must spread over both halves.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return (h & 0xff) < 128 ? 0 : 1;
}

/**
 * Runs the simulation. Pure: the same spec and options give the same output, byte for byte.
 * A day of 6 clients takes milliseconds; a day of 1000 clients a few seconds.
 */
export function simulateRig(spec: RigSpec, options: SimOptions): SimOutput {
  const faults = [...new Set(options.faults ?? [])];
  const has = (f: FaultName): boolean => faults.includes(f);
  const rng = createRng(options.seed);
  const clockRng = rng.fork('clocks');
  const faultRng = rng.fork('faults');
  const lossRng = rng.fork('loss');
  const startMs = options.startMs ?? DEFAULT_START_MS;
  const endMs = startMs + Math.round(options.hours * 3_600_000);
  const spanMs = endMs - startMs;
  const leaseSec = Math.min(
    Math.max(options.leaseSec ?? spec.lease.defaultSec, Math.max(spec.lease.minSec, 1)),
    spec.lease.maxSec,
  );
  const permuteMs = (options.permuteEveryMin ?? 20) * 60_000;
  const o82: Option82Path = options.option82Path ?? 'snooping';
  const dupProb = options.duplicateRelayProb ?? 0.1;
  const releaseProb = options.releaseProb ?? 0.01;
  const vanishProb = options.vanishProb ?? 0.004;
  const slowRestartMs =
    options.slowRestartEveryHours === null ? null : (options.slowRestartEveryHours ?? 6) * 3_600_000;
  const relay = options.relayAddress ?? '10.1.0.1';
  const peerName = options.failoverPeer ?? 'dhcp-failover';
  const permuterZone = options.permuterZone ?? spec.permuterZone;
  const clientCount = Math.max(
    1,
    options.clients ?? spec.clientSegments.reduce((n, s) => n + s.macs.length, 0),
  );
  const tolSec = Math.min(spec.tolerances.startSkewSec, spec.tolerances.endSkewSec);
  const injected: string[] = [];

  // ---- servers and their clocks ------------------------------------------------------------
  const specServers =
    spec.servers.length >= 2 ? spec.servers : [...spec.servers, ...spec.servers].slice(0, 2);
  const addresses = options.serverAddresses ?? ['10.2.0.10', '10.3.0.10'];
  const servers: Server[] = specServers.slice(0, 2).map((s, index) => ({
    index,
    host: s.host,
    zone: s.zone,
    address: addresses[index] ?? `10.${index + 2}.0.10`,
    role: index === 0 ? 'primary' : 'secondary',
    serving: true,
    state: 'normal',
    pid: 700 + clockRng.int(30_000),
    gluffPid: 700 + clockRng.int(30_000),
    // Clean clocks stay well inside the tolerance: at most 0.3 s off plus 3 ppm (0.26 s a day).
    offsetBaseMs: Math.round(clockRng.between(-300, 300)),
    driftPpm: clockRng.between(-3, 3),
    syslogSkewMs: 0,
    leases: new Map(),
  }));
  const skewed = servers[1] as Server;
  if (has('clock-skew-within-tolerance')) {
    skewed.syslogSkewMs = Math.max(1, tolSec - 1) * 1000;
    injected.push(
      `clock-skew-within-tolerance: ${skewed.host}'s syslog clock is ${skewed.syslogSkewMs / 1000} s ahead`,
    );
  }
  if (has('clock-skew-beyond-tolerance')) {
    skewed.syslogSkewMs = (Math.max(spec.tolerances.startSkewSec, spec.tolerances.endSkewSec) + 30) * 1000;
    injected.push(
      `clock-skew-beyond-tolerance: ${skewed.host}'s syslog clock is ${skewed.syslogSkewMs / 1000} s ahead`,
    );
  }
  const hostZone = new Map<string, string>(servers.map((s) => [s.host, s.zone]));
  hostZone.set(spec.permuterHost, permuterZone);
  const serverClock = (s: Server, t: number): number =>
    t + s.offsetBaseMs + Math.round((s.driftPpm * (t - startMs)) / 1e6);
  const hostOffset = (host: string, t: number): number => {
    const s = servers.find((x) => x.host === host);
    if (s === undefined) return 0;
    return serverClock(s, t) - t + s.syslogSkewMs;
  };

  // ---- message output ------------------------------------------------------------------------
  const messages: SimMessage[] = [];
  // The RFC 3164 timestamp only changes once a second: format it through the parser's own
  // formatter once per (zone, second) and reuse it (a day of 1000 clients writes a million lines).
  const stampCache = new Map<string, { second: number; stamp: string }>();
  const stampOf = (timeMs: number, zone: string): string => {
    const second = Math.floor(timeMs / 1000);
    const hit = stampCache.get(zone);
    if (hit !== undefined && hit.second === second) return hit.stamp;
    const text = formatSyslogFrame(
      {
        format: 'rfc3164',
        facility: null,
        severity: null,
        timeMs: second * 1000,
        host: '',
        app: '',
        pid: null,
        msgId: null,
        structuredData: null,
        msg: '',
      },
      { zone },
    );
    const stamp = text.slice(0, text.length - 2);
    stampCache.set(zone, { second, stamp });
    return stamp;
  };
  const emit = (
    t: number,
    host: string,
    app: string,
    pid: number,
    facility: number,
    severity: number,
    msg: string,
  ) => {
    const timeMs = t + hostOffset(host, t);
    const head = `<${facility * 8 + severity}>${stampOf(timeMs, hostZone.get(host) ?? 'UTC')} ${host} ${app}[${pid}]: `;
    messages.push(
      new Message(t, timeMs, host, app, pid, facility, severity, flatten(head + msg), head.length),
    );
  };
  const commitText = new Map<string, string>();
  const dhcpd = (t: number, s: Server, body: EventBody, severity = SEV_INFO) => {
    let msg: string;
    if (body.kind === 'commit') {
      // The commit line's unpadded hex is the costly part: remember each distinct line.
      const key = `${body.ip}|${body.mac}|${body.leaseSec}|${body.giaddr}|${body.circuitIdHex}|${body.remoteIdHex}`;
      msg = commitText.get(key) ?? formatAppMessage(body).msg;
      commitText.set(key, msg);
    } else {
      msg = formatAppMessage(body).msg;
    }
    emit(t, s.host, 'dhcpd', s.pid, FAC_DAEMON, severity, msg);
  };

  // ---- queue patch calls ---------------------------------------------------------------------
  // Every DHCPACK and every release of a lease that has not ended is one call of Gluff's dhcpd patch, with the
  // values of dhcpd's lease struct. What became of each (queued, a primary-key collision, dropped before the
  // queue file was open) depends on when gluff takes rows out, so it is decided after the run
  // (queue-patch-sim.ts), once the gluff daemons' polls and stalls are known.
  const calls: PatchCall[] = [];
  const callPid: number[] = [];
  const restarts: DhcpdRestart[] = [];
  const patchCall = (t: number, s: Server, row: Omit<QueueRow, 'idx'>): number => {
    const id = calls.length;
    calls.push({ id, server: s.index, atMs: t, row });
    callPid.push(s.pid);
    return id;
  };

  // ---- permuter ------------------------------------------------------------------------------
  const ports = spec.switch.ports;
  const clientIfaces = spec.clientSegments.map((s) => s.iface);
  /** client iface -> index into ports, or -1 when not bridged. */
  const portOfIface = new Map<string, number>();
  let permuterDown = false;
  let permuteSeq = 0;
  let reshuffles = 0;
  const permute = (t: number) => {
    permuteSeq++;
    const pid = 1000 + rng.int(60_000);
    emit(t, spec.permuterHost, 'autobridge', pid, FAC_USER, SEV_INFO, `down seq=${permuteSeq}`);
    permuterDown = true;
    // The paper's setupbridge.sh: `shuf` of the client interfaces, pasted next to the bridges.
    const shuffled = rng.shuffle(clientIfaces);
    const byPort: string[][] = ports.map(() => []);
    shuffled.forEach((iface, i) => byPort[i % Math.max(ports.length, 1)]?.push(iface));
    const seq = permuteSeq;
    timers.push(t + 2000 + rng.int(2000), () => {
      const now = clock;
      const before = new Map(portOfIface);
      portOfIface.clear();
      byPort.forEach((ifs, p) => ifs.forEach((iface) => portOfIface.set(iface, p)));
      const parts = ports.map((port, p) => {
        const ifs = byPort[p] ?? [];
        return `bridge${String(p + 1).padStart(2, '0')}=${port.switchIf}+${ifs.length === 0 ? 'none' : ifs.join(',')}`;
      });
      emit(
        now,
        spec.permuterHost,
        'autobridge',
        pid,
        FAC_USER,
        SEV_INFO,
        `map seq=${seq} ${parts.join(' ')}`,
      );
      permuterDown = false;
      reshuffles++;
      if (has('queue-stale-options-on-reuse')) staleEpisode(now, before);
    });
  };
  const currentPort = (c: Client): SwitchPortSpec | null => {
    if (permuterDown) return null;
    const p = portOfIface.get(c.iface);
    return p === undefined ? null : (ports[p] ?? null);
  };

  // ---- clients -------------------------------------------------------------------------------
  const poolBase = ipToNumber(options.poolStart ?? '10.1.0.50');
  let nextIp = 0;
  const clients: Client[] = clientMacs(spec, clientCount).map((c, index) => ({
    index,
    mac: c.mac,
    name: `client${index + 1}`,
    iface: c.iface,
    ip: null,
    state: 'off',
    server: 0,
    ackS: 0,
    leaseSec,
    endMs: 0,
    gen: 0,
    forcedVanish: false,
    forcedLeave: false,
    forcedCollide: false,
    quiet: false,
    lastAckMs: 0,
    nextRenewMs: 0,
    midStint: false,
  }));

  const timers = new TimerHeap();
  let clock = startMs;
  let acks = 0;
  let releases = 0;
  let expiries = 0;
  let reuses = 0;

  const at = (c: Client, t: number, fn: () => void) => {
    const gen = c.gen;
    timers.push(t, () => {
      if (c.gen === gen) fn();
    });
  };
  const servingServers = () => servers.filter((s) => s.serving);
  const broadcastOwner = (c: Client): Server | null => {
    const up = servingServers();
    if (up.length === 0) return null;
    if (up.length === 1) return up[0] as Server;
    return servers[loadBalanceOwner(c.mac)] as Server;
  };
  const grantSec = (s: Server) => (s.state === 'normal' ? leaseSec : Math.min(leaseSec, spec.lease.mcltSec));

  /** The Option 82 values dhcpd remembered on its lease of the address (what a direct renewal is recorded with). */
  const remembered = (s: Server, ip: string): Option82 => {
    const st = s.leases.get(ip);
    return { cid: st?.cid ?? null, rid: st?.rid ?? null };
  };

  /**
   * One ACK: the commit line (on commit runs before the ACK is sent), the ACK line, the queue patch's call.
   * `packet`: the Option 82 the request carried (null: none, dhcpd then uses the options it remembered).
   * dhcpd 4.4 answers a request for a lease younger than dhcp-cache-threshold (25 % of its length) with the
   * lease unaltered (`reuse_lease`): the commit line still shows the packet's options, but the struct keeps its
   * starts, ends and stored Option 82, and that is what the patch queues.
   */
  const ack = (t: number, s: Server, c: Client, via: string, giaddr: string, packet: Option82 | null) => {
    const ip = c.ip as string;
    const opts = packet ?? remembered(s, ip);
    const nowS = Math.floor(serverClock(s, t) / 1000);
    const st = s.leases.get(ip);
    const ageS = st === undefined ? 0 : nowS - st.starts;
    const reuse =
      st !== undefined &&
      st.mac === c.mac &&
      st.ends > nowS &&
      ageS >= 0 &&
      ageS * 100 < CACHE_THRESHOLD_PCT * (st.ends - st.starts);
    // The commit line states the configured length even for a reused lease (its end did not move).
    const sec = grantSec(s);
    dhcpd(t, s, {
      kind: 'commit',
      ip,
      mac: c.mac,
      leaseSec: sec,
      giaddr,
      circuitIdHex: opts.cid,
      remoteIdHex: opts.rid,
    });
    acks++;
    c.lastAckMs = t;
    if (reuse) {
      dhcpd(t, s, { kind: 'reuse-lease', ip, ageSec: ageS, thresholdPct: CACHE_THRESHOLD_PCT }, SEV_DEBUG);
      dhcpd(t, s, { kind: 'dhcpack', ip, mac: c.mac, name: c.name, via });
      reuses++;
      patchCall(t, s, {
        start: st.starts,
        rtype: 0,
        end: st.ends,
        ip,
        hw: c.mac,
        cid: st.cid,
        rid: st.rid,
      });
      // The client is told what is left of the lease.
      return { startS: st.starts, sec: st.ends - st.starts, leaseTimeSec: st.ends - nowS };
    }
    dhcpd(t, s, { kind: 'dhcpack', ip, mac: c.mac, name: c.name, via });
    const startS = nowS;
    c.midStint =
      st !== undefined &&
      st.mac === c.mac &&
      st.ends >= nowS &&
      st.cid === opts.cid &&
      st.rid === opts.rid &&
      (st.cid !== null || st.rid !== null);
    s.leases.set(ip, { mac: c.mac, starts: startS, ends: startS + sec, cid: opts.cid, rid: opts.rid });
    // The binding update tells the peer the lease's times, never its Option 82.
    for (const other of servers) {
      if (other !== s)
        other.leases.set(ip, { mac: c.mac, starts: startS, ends: startS + sec, cid: null, rid: null });
    }
    patchCall(t, s, {
      start: startS,
      rtype: 0,
      end: startS + sec,
      ip,
      hw: c.mac,
      cid: opts.cid,
      rid: opts.rid,
    });
    return { startS, sec, leaseTimeSec: sec };
  };

  /**
   * dhcpd processes a DHCPRELEASE of the client's address: the patch queues the lease's starts, the release
   * time and the lease's stored Option 82, only while the lease has not ended; the lease ends, and the binding
   * update ends it on the peer too. Returns the patch call's id, or null when nothing was queued.
   */
  const processRelease = (t: number, s: Server, c: Client, via: string): number | null => {
    const ip = c.ip as string;
    dhcpd(t, s, { kind: 'dhcprelease', ip, mac: c.mac, name: c.name, via, found: true });
    const nowS = Math.floor(serverClock(s, t) / 1000);
    const st = s.leases.get(ip);
    if (st === undefined || st.mac !== c.mac || st.ends <= nowS) return null;
    const id = patchCall(t, s, {
      start: st.starts,
      rtype: 1,
      end: nowS,
      ip,
      hw: c.mac,
      cid: st.cid,
      rid: st.rid,
    });
    // The binding update ends the lease on the peer too (by the peer's own clock: a copy of the release it
    // processes after it is not queued).
    for (const x of servers) {
      const other = x.leases.get(ip);
      if (other !== undefined && other.mac === c.mac) {
        other.ends = Math.min(other.ends, Math.floor(serverClock(x, t) / 1000));
      }
    }
    return id;
  };

  const bind = (t: number, c: Client, s: Server, startS: number, sec: number, leaseTimeSec: number = sec) => {
    c.gen++;
    c.state = 'bound';
    c.server = s.index;
    c.ackS = startS;
    c.leaseSec = sec;
    c.endMs = (startS + sec) * 1000;
    const t1 = t + (leaseTimeSec * 1000) / 2 + rng.int(3000);
    c.nextRenewMs = 0;
    if (c.forcedCollide && collideEpisode(t, c, s)) return;
    if (c.forcedVanish) {
      c.forcedVanish = false;
      goAway(t + 20_000 + rng.int(20_000), c, false, 3 * sec * 1000 + 600_000);
      return;
    }
    if (c.forcedLeave) {
      c.forcedLeave = false;
      goAway(t + 60_000 + rng.int(60_000), c, true, 3 * sec * 1000 + 900_000);
      return;
    }
    if (rng.chance(releaseProb)) {
      goAway(t + rng.between(0.05, 0.45) * sec * 1000, c, true, rng.exp(1_800_000) + 60_000);
    } else if (rng.chance(vanishProb)) {
      goAway(t + rng.between(0.05, 0.45) * sec * 1000, c, false, sec * 1000 + rng.exp(1_800_000));
    }
    c.nextRenewMs = t1;
    at(c, t1, () => renew(t1, c));
    at(c, c.endMs, () => expire(c));
  };

  /** Client leaves at t (with a DHCPRELEASE when `release`) and comes back after offMs. */
  const goAway = (t: number, c: Client, release: boolean, offMs: number) => {
    at(c, t, () => {
      if (release) sendRelease(t, c);
      c.gen++;
      c.state = 'off';
      const back = t + offMs;
      at(c, back, () => startInit(back, c));
    });
  };

  const sendRelease = (t: number, c: Client) => {
    const s = servers[c.server] as Server;
    if (c.state !== 'bound' || c.ip === null || !s.serving || t >= c.endMs || currentPort(c) === null) return;
    // The patched dhcpd (ldb_log_release) queues the lease's starts and its stored agent options.
    processRelease(t, s, c, 'eth0');
    // The router's dhcrelay may catch the unicast release and relay it too: more lines, no more queue rows
    // (the lease has ended on both servers by then: the clean rig's binding update is faster than the relay).
    if (!c.quiet && rng.chance(dupProb)) {
      for (const other of servingServers()) processRelease(t, other, c, relay);
    }
    releases++;
  };

  const startInit = (t: number, c: Client) => {
    c.gen++;
    c.state = 'init';
    discover(t, c);
  };

  const discover = (t: number, c: Client) => {
    const port = currentPort(c);
    const owner = broadcastOwner(c);
    if (port === null || owner === null) {
      // No link (the permuter is rebuilding its bridges) or nobody answers: dhclient retries.
      const retry = t + 5000 + rng.int(20_000);
      at(c, retry, () => discover(retry, c));
      return;
    }
    if (c.ip === null) c.ip = numberToIp(poolBase + nextIp++);
    const ip = c.ip;
    const packet = { cid: port.circuitIdHex, rid: port.remoteIdHex };
    const other = servers[1 - owner.index] as Server;
    if (other.serving) {
      dhcpd(
        t,
        other,
        {
          kind: 'dhcpdiscover',
          mac: c.mac,
          name: c.name,
          via: relay,
          reason: `load balance to peer ${peerName}`,
        },
        SEV_DEBUG,
      );
    }
    dhcpd(t, owner, { kind: 'dhcpdiscover', mac: c.mac, name: c.name, via: relay, reason: null });
    dhcpd(t + 1, owner, { kind: 'dhcpoffer', ip, mac: c.mac, name: c.name, via: relay });
    const tReq = t + 200 + rng.int(1300);
    at(c, tReq, () => {
      if (!owner.serving) {
        const retry = tReq + 5000 + rng.int(20_000);
        at(c, retry, () => discover(retry, c));
        return;
      }
      dhcpd(tReq, owner, {
        kind: 'dhcprequest',
        ip,
        serverId: owner.address,
        mac: c.mac,
        name: c.name,
        via: relay,
        reason: null,
      });
      const r = ack(tReq + 1, owner, c, relay, relay, packet);
      bind(tReq + 1, c, owner, r.startS, r.sec, r.leaseTimeSec);
    });
  };

  /** RENEWING (T1): unicast to the server that granted the lease. */
  const renew = (t: number, c: Client) => {
    const s = servers[c.server] as Server;
    const t2 = c.ackS * 1000 + (c.leaseSec * 1000 * 7) / 8;
    const port = currentPort(c);
    if (!s.serving || port === null) {
      // Unanswered: retransmit halfway to T2 (RFC 2131 4.4.5), then rebind at T2.
      const next = t + (t2 - t) / 2;
      if (t2 - t > 60_000) at(c, next, () => renew(next, c));
      else at(c, t2, () => rebind(t2, c));
      return;
    }
    const ip = c.ip as string;
    const stamped = { cid: port.circuitIdHex, rid: port.remoteIdHex };
    // What the unicast carries: the switch's stamp (snooping), or nothing (relay: dhcpd uses what it remembered).
    const direct = o82 === 'snooping' ? stamped : null;
    // dhcrelay on the router may catch the unicast too: one or two relayed copies, same second. dhcpd answers
    // every copy after the first with reuse_lease.
    const copies = !c.quiet && rng.chance(dupProb) ? 1 + rng.int(2) : 0;
    const stored = remembered(s, ip);
    // A relayed copy naming another port than dhcpd stored, answered after the direct renewal, would be queued
    // with the stored (stale) port (reuse_lease): the clean rig has it reach dhcpd first, a fresh ACK that stores
    // the new port, and the direct renewal is the reused copy. queue-stale-options-on-reuse makes the stale row.
    const relayedFirst =
      copies > 0 && direct === null && (stored.cid !== stamped.cid || stored.rid !== stamped.rid);
    const request = (tk: number, via: string) =>
      dhcpd(tk, s, { kind: 'dhcprequest', ip, serverId: null, mac: c.mac, name: c.name, via, reason: null });
    let first: ReturnType<typeof ack>;
    if (relayedFirst) {
      request(t, relay);
      first = ack(t + 1, s, c, relay, relay, stamped);
      request(t + 2, 'eth0');
      ack(t + 2, s, c, 'eth0', '0.0.0.0', direct);
    } else {
      request(t, 'eth0');
      first = ack(t + 1, s, c, 'eth0', '0.0.0.0', direct);
    }
    for (let k = relayedFirst ? 1 : 0; k < copies; k++) {
      request(t + 2 + k, relay);
      ack(t + 2 + k, s, c, relay, relay, stamped);
    }
    // The client takes the first ACK.
    bind(t + 3, c, s, first.startS, first.sec, first.leaseTimeSec);
  };

  /** REBINDING (T2): broadcast through the relay; whichever server is up answers. */
  const rebind = (t: number, c: Client) => {
    const port = currentPort(c);
    const owner = broadcastOwner(c);
    if (port === null || owner === null) {
      const next = t + Math.max(10_000, (c.endMs - t) / 2);
      if (next < c.endMs - 5000) at(c, next, () => rebind(next, c));
      return;
    }
    const r = relayedRequest(t, owner, c, port);
    bind(t + 1, c, owner, r.startS, r.sec, r.leaseTimeSec);
  };

  /** A broadcast REQUEST of c through the relay, stamped with its port, and s's ACK a millisecond later. */
  const relayedRequest = (t: number, s: Server, c: Client, port: SwitchPortSpec) => {
    dhcpd(t, s, {
      kind: 'dhcprequest',
      ip: c.ip as string,
      serverId: null,
      mac: c.mac,
      name: c.name,
      via: relay,
      reason: null,
    });
    return ack(t + 1, s, c, relay, relay, { cid: port.circuitIdHex, rid: port.remoteIdHex });
  };

  const expire = (c: Client) => {
    // The lease ran out unanswered: dhcpd 4.4 logs nothing, the client starts over (INIT).
    expiries++;
    const t = c.endMs + 1000 + rng.int(5000);
    c.gen++;
    c.state = 'off';
    at(c, t, () => startInit(t, c));
  };

  // ---- the queue patch's faults ---------------------------------------------------------------
  /** What the queue faults did, for the post-run checks (patch call ids). */
  const queueFault = {
    staleCall: null as number | null,
    staleNote: '',
    collideCall: null as number | null,
    collideStall: null as GluffStall | null,
    collideNote: '',
    restartCall: null as number | null,
    restartNote: '',
  };
  const serverClockS = (s: Server, t: number) => Math.floor(serverClock(s, t) / 1000);

  /**
   * A bound client whose lease and renewal leave room for a short episode now, or null. `midStint`: its lease
   * start must be inside one stint (no row cut off at that second).
   */
  const pickEpisodeClient = (t: number, midStint = false): Client | null => {
    const ok = clients.filter(
      (c) =>
        c.state === 'bound' &&
        (!midStint || c.midStint) &&
        !c.quiet &&
        !c.forcedVanish &&
        !c.forcedLeave &&
        !c.forcedCollide &&
        c.nextRenewMs > t + 30_000 &&
        c.endMs > t + 120_000 &&
        (servers[c.server] as Server).serving,
    );
    return ok.length === 0 ? null : faultRng.pick(ok);
  };

  /** The client releases at t through `s` (already decided), then stays away past its lease's end. */
  const releaseAndLeave = (t: number, c: Client, s: Server, via: string): number | null => {
    const id = processRelease(t, s, c, via);
    releases++;
    c.gen++;
    c.state = 'off';
    c.nextRenewMs = 0;
    const back = t + 3 * c.leaseSec * 1000 + 900_000;
    at(c, back, () => startInit(back, c));
    return id;
  };

  /**
   * queue-insert-collision: at the client's ACK, its server's gluff stalls (MySQL unreachable); another client's
   * renewal on that server makes the patch's idx restart, and the client's release then binds (its lease start,
   * idx 1): the key of its own ACK row, still queued. The insert fails; dhcpd logs the patch's errors.
   */
  const collideEpisode = (t: number, c: Client, s: Server): boolean => {
    if (t > startMs + spanMs * 0.7) {
      c.forcedCollide = false;
      queueFault.collideNote =
        'queue-insert-collision: no episode fitted before 70% of the run; nothing collided';
      return false;
    }
    const due = clients
      .filter((o) => o !== c && o.state === 'bound' && o.server === s.index)
      .map((o) => o.nextRenewMs)
      .filter((ms) => ms > t + 10_000 && ms < t + 240_000);
    if (due.length === 0) return false;
    c.forcedCollide = false;
    const tRel = Math.min(...due) + 5000 + faultRng.int(10_000);
    queueFault.collideStall = {
      server: s.index,
      fromMs: t - 1000,
      toMs: tRel + 30_000 + faultRng.int(60_000),
    };
    at(c, tRel, () => {
      queueFault.collideCall = releaseAndLeave(tRel, c, s, 'eth0');
    });
    return true;
  };

  /** A quick dhcpd restart of x: stopped at tStop (its peer notices), a new process at tStart. */
  const fs = (t: number, s: Server, who: 'self' | 'peer', from: string, to: string) =>
    dhcpd(t, s, { kind: 'failover-state', peer: peerName, who, from, to });
  const note = (t: number, s: Server, text: string) =>
    dhcpd(t, s, { kind: 'failover-note', note: '', peer: peerName, text });
  /** SIGTERM to x's dhcpd at tStop: it logs nothing; its peer notices `noticeMs` later. */
  const stopDhcpd = (x: Server, tStop: number, noticeMs: number): void => {
    const peer = servers[1 - x.index] as Server;
    timers.push(tStop, () => {
      x.serving = false;
      x.state = 'down';
      note(tStop + noticeMs, peer, `peer ${peerName}: disconnected`);
      fs(tStop + noticeMs, peer, 'self', 'normal', 'communications-interrupted');
      peer.state = 'communications-interrupted';
    });
  };

  const restartDhcpd = (x: Server, tStop: number, tStart: number): void => {
    const peer = servers[1 - x.index] as Server;
    stopDhcpd(x, tStop, 1);
    timers.push(tStart, () => {
      // The new process: the patch's statics start over; the queue file keeps its rows.
      x.pid = 700 + faultRng.int(30_000);
      restarts.push({ server: x.index, atMs: tStart });
      fs(tStart, x, 'self', 'normal', 'startup');
      fs(tStart, peer, 'peer', 'normal', 'normal');
      fs(tStart, peer, 'self', 'communications-interrupted', 'normal');
      note(tStart, peer, `failover peer ${peerName}: Both servers normal`);
      fs(tStart, x, 'peer', 'normal', 'communications-interrupted');
      fs(tStart, x, 'self', 'startup', 'normal');
      fs(tStart, x, 'peer', 'communications-interrupted', 'normal');
      note(tStart, x, `failover peer ${peerName}: Both servers normal`);
      x.serving = true;
      x.state = 'normal';
      peer.state = 'normal';
    });
  };

  /**
   * The client's server restarts. `before-first-ack`: the client releases just after the restart, to that
   * server only, before it ACKed anything: the patch's queue is not open, the release is dropped without a line.
   * `peer`: the client releases while its server is down; the router's dhcrelay relays it and only the peer is
   * up to process it, from its copy of the lease, which binding updates gave no Option 82.
   */
  const restartEpisode = (t: number, how: 'before-first-ack' | 'peer'): void => {
    timers.push(t, () => {
      // The peer's release row is applied as gluff.c does; a lease start that is also a cut-off second would
      // have two rows cover it, and gluff.c's find would mix them (gluff-1.12-find's defect, not this one).
      const c = permuterDown ? null : pickEpisodeClient(t, how === 'peer');
      if (c === null) {
        if (t < startMs + spanMs * 0.7) restartEpisode(t + 60_000, how);
        else
          queueFault.restartNote = `${how === 'peer' ? 'queue-peer-release-without-option82' : 'queue-release-before-first-ack'}: no client fitted before 70% of the run; nothing done`;
        return;
      }
      c.quiet = true;
      const x = servers[c.server] as Server;
      const y = servers[1 - x.index] as Server;
      const tStop = t + 1000;
      if (how === 'before-first-ack') {
        const tStart = tStop + 3000 + faultRng.int(2000);
        restartDhcpd(x, tStop, tStart);
        const tRel = tStart + 300 + faultRng.int(400);
        at(c, tRel, () => {
          queueFault.restartCall = releaseAndLeave(tRel, c, x, 'eth0');
        });
      } else {
        const tRel = tStop + 1000 + faultRng.int(1000);
        restartDhcpd(x, tStop, tRel + 2000 + faultRng.int(2000));
        at(c, tRel, () => {
          queueFault.restartCall = y.serving ? releaseAndLeave(tRel, c, y, relay) : null;
        });
      }
    });
  };

  /**
   * queue-stale-options-on-reuse: a client this reshuffle moved, ACKed less than a quarter lease ago, requests
   * again at once (INIT-REBOOT: broadcast, relayed from its new port). dhcpd answers reuse_lease: the commit line
   * names the new port, the patch queues the lease's stored (old) one.
   */
  let staleDone = false;
  const staleEpisode = (now: number, before: ReadonlyMap<string, number>): void => {
    if (staleDone || now < startMs + spanMs * 0.15 || now > startMs + spanMs * 0.7) return;
    const cands = clients.filter((c) => {
      const b = before.get(c.iface);
      const a = portOfIface.get(c.iface);
      if (c.state !== 'bound' || c.quiet || c.forcedVanish || c.forcedLeave || c.forcedCollide) return false;
      if (b === undefined || a === undefined || a === b || c.nextRenewMs < now + 30_000) return false;
      const s = servers[c.server] as Server;
      const st = s.leases.get(c.ip as string);
      if (!s.serving || broadcastOwner(c) !== s || st === undefined || st.mac !== c.mac) return false;
      const old = ports[b] as SwitchPortSpec;
      const ageS = serverClockS(s, now) - st.starts;
      return (
        st.cid === old.circuitIdHex &&
        st.rid === old.remoteIdHex &&
        ageS >= 5 &&
        (ageS + 10) * 100 < CACHE_THRESHOLD_PCT * (st.ends - st.starts)
      );
    });
    if (cands.length === 0) return;
    staleDone = true;
    const c = faultRng.pick(cands);
    c.quiet = true;
    const tReq = now + 1000 + faultRng.int(2000);
    at(c, tReq, () => {
      const s = servers[c.server] as Server;
      const port = currentPort(c);
      if (port === null || !s.serving) return;
      const ip = c.ip as string;
      const r = relayedRequest(tReq, s, c, port);
      queueFault.staleCall = calls.length - 1;
      queueFault.staleNote = `queue-stale-options-on-reuse: ${ip} (${c.mac}) moved to ${port.name} and requested again at ${new Date(tReq).toISOString()}, ${serverClockS(s, tReq) - r.startS} s into its lease: ${s.host} answered reuse_lease and queued the circuit-id it had stored`;
      bind(tReq + 1, c, s, r.startS, r.sec, r.leaseTimeSec);
    });
  };

  // ---- scenario ------------------------------------------------------------------------------
  timers.push(startMs, () => permute(startMs));
  for (let t = startMs + permuteMs; t < endMs; t += permuteMs) {
    const tt = t;
    timers.push(tt, () => permute(tt));
  }
  for (const s of servers) {
    const t = startMs + 1000 + rng.int(2000);
    timers.push(t, () =>
      emit(
        t,
        s.host,
        'gluff',
        s.gluffPid,
        FAC_LOCAL2,
        SEV_INFO,
        'gluff v1.12 starting, using Sqlite3 database /var/db/dhcpd_queue.db3 and MySQL database mysql://dhcpd@10.4.0.10/dhcpd_leases',
      ),
    );
  }
  for (const c of clients) {
    const t = startMs + 10_000 + rng.int(110_000);
    timers.push(t, () => startInit(t, c));
  }
  if (slowRestartMs !== null) {
    for (let t = startMs + slowRestartMs; t < endMs - 600_000; t += slowRestartMs) {
      const tt = t;
      timers.push(tt, () => {
        // clients_nwrestart_slow.sh: ifdown (dhclient releases), clear the lease files, sleep 300, start.
        for (const c of clients) {
          const tRel = tt + 5000 + rng.int(10_000);
          const tBack = tRel + 300_000 + rng.int(5000);
          const leave = (tr: number) => {
            // A client that is away (powered off) never gets the ssh command.
            if (c.state === 'off') return;
            if (c.state === 'bound' && tr - c.lastAckMs < RELEASE_AFTER_ACK_MS) {
              // The rig keeps a release clear of the gluff poll after the client's last ACK: while that ACK's
              // row is still queued the release would collide on the queue's primary key (its start's idx 1).
              const later = c.lastAckMs + RELEASE_AFTER_ACK_MS;
              timers.push(later, () => leave(later));
              return;
            }
            if (c.state === 'bound') sendRelease(tr, c);
            c.gen++;
            c.state = 'off';
            at(c, tBack, () => startInit(tBack, c));
          };
          timers.push(tRel, () => leave(tRel));
        }
      });
    }
  }
  // drop-ack / drop-release need a lease row with one ACK (or one ACK then a release) and nothing after it
  // for longer than the lease: unplug a bound client (no release) so that it comes back with a DISCOVER,
  // and after that one ACK let it vanish (drop-ack) or release and leave (drop-release).
  const forceEpisode = (flag: 'forcedVanish' | 'forcedLeave', t: number) =>
    timers.push(t, () => {
      const bound = clients.filter((c) => c.state === 'bound' && !c.forcedVanish && !c.forcedLeave);
      if (bound.length === 0) return;
      const c = faultRng.pick(bound);
      c[flag] = true;
      c.quiet = true;
      goAway(t, c, false, Math.max(c.endMs - t, 0) + 2 * leaseSec * 1000 + 300_000);
    });
  if (has('drop-ack')) forceEpisode('forcedVanish', startMs + spanMs * faultRng.between(0.3, 0.4));
  if (has('drop-release')) forceEpisode('forcedLeave', startMs + spanMs * faultRng.between(0.3, 0.4));
  // The queue patch's faults (queue-patch-sim.ts decides what each call became once gluff's polls are known).
  if (has('queue-insert-collision')) {
    const t = startMs + spanMs * faultRng.between(0.3, 0.4);
    timers.push(t, () => {
      const c = pickEpisodeClient(t);
      if (c === null) return;
      c.quiet = true;
      c.forcedCollide = true;
    });
  }
  if (has('queue-release-before-first-ack')) {
    restartEpisode(startMs + spanMs * faultRng.between(0.3, 0.4), 'before-first-ack');
  }
  if (has('queue-peer-release-without-option82')) {
    restartEpisode(startMs + spanMs * faultRng.between(0.3, 0.4), 'peer');
  }
  // Memory samples: dhcpd and gluff on each server, flat with allocator noise; the memory-leak fault
  // makes the primary's gluff grow by MEMORY_LEAK_BYTES_PER_HOUR. A stopped dhcpd samples as gone.
  const memEveryMs = options.memSampleEveryMin === null ? null : (options.memSampleEveryMin ?? 5) * 60_000;
  if (memEveryMs !== null) {
    const memRng = rng.fork('memory');
    const samplerPid = 900 + memRng.int(30_000);
    for (let t = startMs + 60_000; t < endMs; t += memEveryMs) {
      const tt = t;
      timers.push(tt, () => {
        const hours = (tt - startMs) / 3_600_000;
        for (const s of servers) {
          const noise = () => Math.round((memRng.next() - 0.5) * 256 * 1024);
          const dhcpdLine =
            s.state === 'down'
              ? 'proc=dhcpd gone'
              : `proc=dhcpd pid=${s.pid} rss=${9 * MIB + noise()} data=${3 * MIB + noise()}`;
          const leak =
            has('memory-leak') && s.index === 0 ? Math.round(MEMORY_LEAK_BYTES_PER_HOUR * hours) : 0;
          const gluffLine = `proc=gluff pid=${s.gluffPid} rss=${5 * MIB + leak + noise()} data=${2 * MIB + leak + noise()}`;
          emit(tt, s.host, 'memsample', samplerPid, FAC_USER, SEV_INFO, dhcpdLine);
          emit(tt, s.host, 'memsample', samplerPid, FAC_USER, SEV_INFO, gluffLine);
        }
      });
    }
    if (has('memory-leak')) {
      injected.push(
        `memory-leak: gluff on ${servers[0]?.host ?? 'the primary'} grows by ${MEMORY_LEAK_BYTES_PER_HOUR / MIB} MiB/h (RSS and data)`,
      );
    }
  }
  if (options.partnerDown === true || has('partner-down-and-recover')) {
    schedulePartnerDown();
  }

  function schedulePartnerDown(): void {
    const down = servers[1] as Server;
    const peer = servers[0] as Server;
    const tDown = startMs + spanMs * 0.3;
    const tUp = Math.min(tDown + Math.max(3 * leaseSec * 1000, 2_700_000), startMs + spanMs * 0.65);
    const tPartnerDown = tDown + Math.min(600_000, (tUp - tDown) / 3);
    stopDhcpd(down, tDown, 1500);
    timers.push(tPartnerDown, () => {
      fs(tPartnerDown, peer, 'self', 'communications-interrupted', 'partner-down');
      peer.state = 'partner-down';
    });
    timers.push(tUp, () => {
      down.pid = 700 + rng.int(30_000);
      restarts.push({ server: down.index, atMs: tUp });
      down.state = 'recover';
      fs(tUp, down, 'self', 'startup', 'recover');
      fs(tUp + 1000, down, 'peer', 'unknown-state', 'partner-down');
      fs(tUp + 1000, peer, 'peer', 'unknown-state', 'recover');
    });
    const tDone = tUp + Math.min(spec.lease.mcltSec * 1000, 300_000);
    timers.push(tDone, () => {
      fs(tDone, down, 'self', 'recover', 'recover-done');
      fs(tDone, peer, 'peer', 'recover', 'recover-done');
      note(tDone, peer, 'Both servers have entered recover-done!');
      fs(tDone + 1, peer, 'self', 'partner-down', 'normal');
      fs(tDone + 1, down, 'self', 'recover-done', 'normal');
      note(tDone + 2, peer, `failover peer ${peerName}: Both servers normal`);
      note(tDone + 2, down, `failover peer ${peerName}: Both servers normal`);
      down.state = 'normal';
      peer.state = 'normal';
      down.serving = true;
    });
    injected.push(
      `partner-down-and-recover: ${down.host} stopped ${new Date(tDown).toISOString()}, back ${new Date(tUp).toISOString()}`,
    );
  }

  // ---- run -------------------------------------------------------------------------------------
  for (let tm = timers.pop(); tm !== undefined; tm = timers.pop()) {
    if (tm.t >= endMs) continue;
    clock = tm.t;
    tm.run();
  }
  messages.sort((a, b) => a.trueMs - b.trueMs);

  // ---- gluff ---------------------------------------------------------------------------------
  const stallCandidates: GluffStall[] = [];
  if (has('gluff-stalled-then-catches-up')) {
    const server = faultRng.int(2);
    for (let i = 0; i < 12; i++) {
      const from = startMs + spanMs * faultRng.between(0.2, 0.5);
      const lenMs = faultRng.between(20, 40) * 60_000 * (i < 6 ? 1 : 0.5);
      stallCandidates.push({ server, fromMs: from, toMs: Math.min(from + lenMs, startMs + spanMs * 0.8) });
    }
  }
  const asOfMs = endMs + spec.tolerances.settleSec * 1000 + 5000;
  const phasesMs = servers.map(() => faultRng.int(5000));
  const gluffTiming = { startMs, phasesMs, processUntilMs: asOfMs };
  // What the patch queued depends on when each gluff takes rows out (a row still queued makes a later insert
  // with its key fail), so it is replayed for every set of stalls the gluff runner tries.
  const patched = new Map<string, ReturnType<typeof runQueuePatch>>();
  const patchWith = (stalls: readonly GluffStall[]) => {
    const key = JSON.stringify(stalls);
    let r = patched.get(key);
    if (r === undefined) {
      r = runQueuePatch(calls, restarts, servers.length, (server, queuedMs) =>
        gluffTakesAt(gluffTiming, stalls, server, queuedMs),
      );
      patched.set(key, r);
    }
    return r;
  };
  const peerRelease = has('queue-peer-release-without-option82') ? queueFault.restartCall : null;
  const gluff = runGluff((stalls) => patchWith(stalls).queued, {
    startMs,
    endMs,
    processUntilMs: asOfMs,
    servers: servers.length,
    phasesMs,
    stallCandidates,
    fixedStalls: queueFault.collideStall === null ? [] : [queueFault.collideStall],
    asCodedCallId: peerRelease,
    faults,
    rng: faultRng,
    settleMs: spec.tolerances.settleSec * 1000,
    leaseSec,
  });
  const patch = patchWith(gluff.stalls);
  for (const st of gluff.stalls) {
    // gluff pings MySQL every 5 s and warns on every 12th failure (once a minute).
    const s = servers[st.server] as Server;
    for (let t = st.fromMs + 60_000; t < st.toMs; t += 60_000) {
      emit(t, s.host, 'gluff', s.gluffPid, FAC_LOCAL2, SEV_WARNING, 'MySQL server unreachable');
    }
  }
  const stall = gluff.stall;
  if (stall !== null) {
    const s = servers[stall.server] as Server;
    injected.push(
      `gluff-stalled-then-catches-up: ${s.host}'s gluff stalled ${new Date(stall.fromMs).toISOString()} - ${new Date(stall.toMs).toISOString()}`,
    );
  } else if (has('gluff-stalled-then-catches-up')) {
    injected.push('gluff-stalled-then-catches-up: no stall window left the table unchanged; no stall');
  }
  injected.push(...gluff.injected);

  // ---- what the patch did: its error lines, gluff's record lines ------------------------------
  let queueCollisions = 0;
  let releasesDropped = 0;
  for (const r of patch.results) {
    if (r.outcome === 'not-open') releasesDropped++;
    if (r.outcome !== 'collision') continue;
    queueCollisions++;
    // log_error in ldb_log_lease comes after the DHCPACK line; ldb_log_release runs before the DHCPRELEASE line.
    const s = servers[r.call.server] as Server;
    const release = r.call.row.rtype === 1;
    const t = release ? r.call.atMs - 1 : r.call.atMs;
    const pid = callPid[r.call.id] ?? s.pid;
    const line = release ? RELEASE_ERROR_LINE : ACK_ERROR_LINE;
    for (const body of [
      { kind: 'queue-error', stage: 'sqlite3', line, detail: 'SQL logic error' },
      { kind: 'queue-error', stage: 'ldb', line: null, detail: 'SQL logic error' },
    ] as const) {
      emit(t, s.host, 'dhcpd', pid, FAC_DAEMON, SEV_ERR, formatAppMessage(body).msg);
    }
  }
  let gluffRecords = 0;
  if (options.gluffRecordLines !== false) {
    // gluff logs each row it takes, in its (start, idx) order within a poll.
    let lastPoll = '';
    let k = 0;
    for (const q of gluff.queueRows) {
      if (q.processedMs === null) continue;
      const poll = `${q.server}/${q.processedMs}`;
      k = poll === lastPoll ? k + 1 : 0;
      lastPoll = poll;
      const s = servers[q.server] as Server;
      const r = q.row;
      const msg = formatAppMessage({
        kind: 'gluff-record',
        record: r.rtype === 0 ? 'ack' : 'release',
        ip: r.ip,
        mac: r.hw,
        cidHex: r.cid,
        remoteIdHex: r.rid,
        cidText: r.cid === null ? null : formatGluffOptionText(r.cid),
        ridText: r.rid === null ? null : formatGluffOptionText(r.rid),
        startMs: r.start * 1000,
        endMs: r.end * 1000,
        zone: s.zone,
      }).msg;
      emit(q.processedMs + k, s.host, 'gluff', s.gluffPid, FAC_LOCAL2, SEV_INFO, msg);
      gluffRecords++;
    }
  }
  messages.sort((a, b) => a.trueMs - b.trueMs);
  injected.push(...queueFaultNotes());

  function queueFaultNotes(): string[] {
    const notes: string[] = [];
    const result = (id: number | null) =>
      id === null ? undefined : patch.results.find((r) => r.call.id === id);
    const when = (ms: number) => new Date(ms).toISOString();
    if (has('queue-stale-options-on-reuse')) {
      const r = result(queueFault.staleCall);
      notes.push(
        r === undefined
          ? 'queue-stale-options-on-reuse: no moved client was young enough to re-request; nothing done'
          : `${queueFault.staleNote} (${r.call.row.cid ?? 'none'}; ${r.outcome})`,
      );
    }
    if (has('queue-insert-collision')) {
      const r = result(queueFault.collideCall);
      const st = queueFault.collideStall;
      notes.push(
        r === undefined || st === null
          ? queueFault.collideNote || 'queue-insert-collision: no release was made; nothing collided'
          : `queue-insert-collision: ${(servers[st.server] as Server).host}'s gluff stalled ${when(st.fromMs)} - ${when(st.toMs)}; the release of ${r.call.row.ip} (${r.call.row.hw}) at ${when(r.call.atMs)} bound (${r.call.row.start}, ${r.idx}): ${r.outcome}`,
      );
    }
    for (const how of ['before-first-ack', 'peer'] as const) {
      const name = how === 'peer' ? 'queue-peer-release-without-option82' : 'queue-release-before-first-ack';
      if (!has(name)) continue;
      const r = result(queueFault.restartCall);
      notes.push(
        r === undefined
          ? queueFault.restartNote || `${name}: the release was never made`
          : `${name}: ${(servers[r.call.server] as Server).host} processed the release of ${r.call.row.ip} (${r.call.row.hw}) at ${when(r.call.atMs)} (circuit-id ${r.call.row.cid ?? 'none'}): ${r.outcome}`,
      );
    }
    return notes;
  }

  // ---- channel loss --------------------------------------------------------------------------
  const channelStats: ChannelStats[] = [];
  let lost = 0;
  if (has('channel-loss')) {
    const from = startMs + spanMs * lossRng.between(0.3, 0.5);
    const to = from + Math.min(3_600_000, spanMs * 0.2);
    const candidates = messages.filter((m) => m.app === 'dhcpd' && m.trueMs >= from && m.trueMs < to);
    for (const m of candidates) {
      if (lossRng.chance(0.03)) {
        m.lost = true;
        lost++;
      }
    }
    if (lost === 0 && candidates.length > 0) {
      lossRng.pick(candidates).lost = true;
      lost = 1;
    }
    // A UDP collector cannot see which datagrams it lost, only its socket's drop counter rising.
    let i = 0;
    let received = 0;
    let dropped = 0;
    for (let t = startMs; t <= endMs; t += 60_000) {
      for (; i < messages.length && (messages[i] as SimMessage).trueMs < t; i++) {
        if ((messages[i] as SimMessage).lost) dropped++;
        else received++;
      }
      channelStats.push({
        atMs: t,
        listener: 'udp://127.0.0.1:0',
        received,
        stored: received,
        rejected: 0,
        untrusted: 0,
        kernelDrops: dropped,
        appDrops: 0,
        connections: 0,
      });
    }
    injected.push(
      `channel-loss: ${lost} of ${candidates.length} dhcpd lines between ${new Date(from).toISOString()} and ${new Date(to).toISOString()} never sent`,
    );
  }

  const zoneByHost: Record<string, string> = {};
  for (const [host, zone] of hostZone) zoneByHost[host] = zone;
  return {
    seed: options.seed,
    startMs,
    endMs,
    asOfMs,
    parseContext: { referenceMs: endMs, zoneByHost, defaultZone: 'UTC' },
    messages,
    queueRows: gluff.queueRows,
    queueCalls: patch.results,
    table: gluff.table,
    cleanTable: gluff.cleanTable,
    channelStats,
    faults,
    expected: expectedOutcome(faults, { gluffRecordLines: options.gluffRecordLines !== false }),
    injected,
    counts: {
      clients: clients.length,
      acks,
      releases,
      reshuffles,
      expiries,
      messages: messages.length,
      lost,
      queueRows: patch.queued.length,
      tableRows: gluff.table.length,
      reuses,
      queueCollisions,
      releasesDropped,
      gluffRecords,
    },
  };
}

/**
 * What the secondary channel carries: raw messages as received, syslog frames, and the typed events
 * parsed from them. These types are the contract between parse/, the event store, rebuild/ and leak/.
 */
import type { EpochMs } from './time.js';

/** How a raw message reached us. `file` is a replayed log file (`gluff-verify ingest`). */
export type Transport = 'udp' | 'tcp' | 'tls' | 'file';

/** One message exactly as received, before any parsing. Stored byte for byte. */
export interface RawMessage {
  /** The message bytes: one datagram, one RFC 6587 frame, or one line of a file (without its newline). */
  bytes: Uint8Array;
  /** When the collector (or ingest) received it, by its own clock. */
  receivedMs: EpochMs;
  /** Sender address as `ip` or `[ipv6]:port`-free text; null for file input. */
  peer: string | null;
  transport: Transport;
  /** For file input: `path:line`; for sockets: the listener URL. Null when unknown. */
  origin: string | null;
  /** False when the peer is outside `--allow`: kept, counted, never used as evidence. */
  trusted: boolean;
  /**
   * Set by the collector when the transport already shows the message is bad: an oversized frame cut at
   * `--max-message-bytes` (`bytes` holds its first part), or a partial frame at connection close
   * (`truncated`). The store keeps such a message as a rejection with this reason and does not parse it,
   * so a cut message is never used as evidence. Absent for every normally framed message.
   */
  framingRejection?: Rejection;
}

/** Which syslog framing a message used. `bsd-file` is `Nov 28 01:23:45 host tag: msg` as files hold it. */
export type SyslogFormat = 'rfc3164' | 'rfc5424' | 'rfc3339-file';

/** A syslog message split into its header fields. */
export interface SyslogFrame {
  format: SyslogFormat;
  /** PRI facility (0..23), or null when the line had no PRI (file formats). */
  facility: number | null;
  /** PRI severity (0..7), or null when the line had no PRI. */
  severity: number | null;
  /** The sender's timestamp converted to UTC, using the configured zone of `host` where the format has none. */
  timeMs: EpochMs;
  /** HOSTNAME field ('-' in RFC 5424 nil becomes ''). */
  host: string;
  /** Tag / APP-NAME, e.g. `dhcpd`, `gluff`, `autobridge`, `memsample`, `gv-rig`. '' when absent. */
  app: string;
  /** PID from `tag[pid]:` or PROCID, null when absent or not numeric. */
  pid: number | null;
  /** RFC 5424 MSGID, null when nil or not RFC 5424. */
  msgId: string | null;
  /** RFC 5424 structured data as written (without parsing), null when nil or absent. */
  structuredData: string | null;
  /** The free-text message after the header, BOM removed, trailing newline/NULs removed. */
  msg: string;
}

/** Parser context: everything the syslog header cannot say by itself. */
export interface ParseContext {
  /** Year inference reference (usually the receive time): RFC 3164 has no year, take the nearest. */
  referenceMs: EpochMs;
  /** IANA zone per sender host for zone-less timestamps; hosts not listed use `defaultZone`. */
  zoneByHost: Readonly<Record<string, string>>;
  /** Zone for hosts not in zoneByHost. Default 'UTC'. */
  defaultZone: string;
}

// ---------------------------------------------------------------------------------------------
// Event bodies. Discriminated on `kind`. MACs are normalised: lower case, two hex digits a byte,
// colon separated. IPs are dotted quads. `via` is the relay's giaddr or the server's interface name.
// ---------------------------------------------------------------------------------------------

/** `DHCPDISCOVER from 52:54:00:12:34:56 (host1) via 10.1.0.1[: reason]` */
export interface DhcpDiscover {
  kind: 'dhcpdiscover';
  mac: string;
  /** Client host name in parentheses, null when absent. */
  name: string | null;
  via: string;
  /** Text after `: ` (e.g. `load balance to peer dhcp-failover`, `network X: no free leases`), null when absent. */
  reason: string | null;
}
/** `DHCPOFFER on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1` */
export interface DhcpOffer {
  kind: 'dhcpoffer';
  ip: string;
  mac: string;
  name: string | null;
  via: string;
}
/** `DHCPREQUEST for 10.1.0.50 (10.2.0.10) from 52:54:00:12:34:56 (host1) via 10.1.0.1[: reason]` */
export interface DhcpRequest {
  kind: 'dhcprequest';
  ip: string;
  /** The server identifier in parentheses after the address, null when absent (renewals). */
  serverId: string | null;
  mac: string;
  name: string | null;
  via: string;
  /** Suffix after `: ` (`lease owned by peer`, `wrong network.`, `lease 10.1.0.50 unavailable.` ...), null when none. */
  reason: string | null;
}
/** A lease DHCPACK: `DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1` */
export interface DhcpAck {
  kind: 'dhcpack';
  ip: string;
  mac: string;
  name: string | null;
  via: string;
}
/** The DHCPINFORM answer: `DHCPACK to 10.1.0.50 (52:54:00:12:34:56) via eth0`. Grants no lease. */
export interface DhcpAckInform {
  kind: 'dhcpack-inform';
  ip: string;
  /** MAC in parentheses; null when dhcpd printed no hardware address. */
  mac: string | null;
  via: string;
}
/** `DHCPNAK on 10.1.0.50 to 52:54:00:12:34:56 via 10.1.0.1` */
export interface DhcpNak {
  kind: 'dhcpnak';
  ip: string;
  mac: string;
  via: string;
}
/** `DHCPRELEASE of 10.1.0.50 from 52:54:00:12:34:56 (host1) via eth0 (found)` */
export interface DhcpRelease {
  kind: 'dhcprelease';
  ip: string;
  mac: string;
  name: string | null;
  via: string;
  /** `(found)` true, `(not found)` false. Only a found release can end a lease. */
  found: boolean;
}
/** `DHCPDECLINE of 10.1.0.50 from 52:54:00:12:34:56 (host1) via 10.1.0.1[: reason]` */
export interface DhcpDecline {
  kind: 'dhcpdecline';
  ip: string;
  mac: string;
  name: string | null;
  via: string;
  reason: string | null;
}
/** `DHCPINFORM from 10.1.0.50 via 10.1.0.1` */
export interface DhcpInform {
  kind: 'dhcpinform';
  ip: string;
  via: string;
  reason: string | null;
}
/** `BOOTREQUEST from 52:54:00:12:34:56 via eth0[: reason]` */
export interface BootRequest {
  kind: 'bootrequest';
  mac: string;
  via: string;
  reason: string | null;
}
/** `BOOTREPLY for 10.1.0.50 to host1 (52:54:00:12:34:56) via eth0` */
export interface BootReply {
  kind: 'bootreply';
  ip: string;
  mac: string;
  /** Host declaration name (`for` form; dhcpd prints `unknown` for none, read as null) or client hostname (`on` form). */
  name: string | null;
  via: string;
  /**
   * True for the `BOOTREPLY on 10.1.0.50 to 52:54:00:12:34:56 (host1) via eth0` form that ack_lease logs
   * when it grants a dynamic BOOTP lease; absent for the `BOOTREPLY for` form (bootp.c).
   */
  lease?: true;
}
/** `uid lease 10.1.0.50 for client 52:54:00:12:34:56 is duplicate on 10.1.0.0/24` */
export interface UidDuplicate {
  kind: 'uid-duplicate';
  ip: string;
  mac: string;
  network: string;
}
/** `Abandoning IP address 10.1.0.50: declined.` */
export interface Abandon {
  kind: 'abandon';
  ip: string;
  reason: string;
}
/** `failover peer dhcp-failover: I move from recover to startup` (who=self) or `... peer moves from A to B` (who=peer). */
export interface FailoverState {
  kind: 'failover-state';
  peer: string;
  who: 'self' | 'peer';
  from: string;
  to: string;
}
/** Other failover lines: `Both servers normal`, `Both servers have entered recover-done!`, `peer X: disconnected`, balancing lines. */
export interface FailoverNote {
  kind: 'failover-note';
  /**
   * `normal`, `recover-done`, `disconnected`, `pool-balancing`, `pool-balanced`, `bind-update-rejected`, `load-balance`;
   * also (parse/dhcpd-line.ts) `pool-imbalanced`, `bind-update-failed`, `update-requested`, `update-completed`,
   * `update-sent`, `update-received`, `connect-error`, `timeout`, `poolreq-refused`, `other` (`failover peer X: <text>`).
   */
  note: string;
  /** Failover peer name when the line names one, else null. */
  peer: string | null;
  text: string;
}
/**
 * Our `on commit` log line (specs/dhcpd-commit-log.conf):
 * `gv-commit ip=10.1.0.50 hw=52:54:0:12:34:56 lease=600 giaddr=10.1.0.1 cid=70:6f:72:74:31 rid=`
 * The only place dhcpd says a lease's length and its Option 82 values.
 */
export interface DhcpCommit {
  kind: 'commit';
  ip: string;
  /** Normalised MAC; null when the lease had no hardware address. */
  mac: string | null;
  /** Lease length dhcpd granted, seconds. */
  leaseSec: number;
  /** Relay address of the packet; '0.0.0.0' for a direct (unicast) exchange. */
  giaddr: string;
  /** Circuit-id bytes as canonical hex (`70:6f:72:74:31`), null when absent. */
  circuitIdHex: string | null;
  /** Remote-id bytes as canonical hex, null when absent. */
  remoteIdHex: string | null;
}
/**
 * dhcpd's debug line when it answers a duplicate request with the lease unchanged (dhcpd 4.4 `reuse_lease`):
 * `reuse_lease: lease age 1 (secs) under 25% threshold, reply with unaltered, existing lease for 10.1.0.50`
 * The `gv-commit` and DHCPACK lines still follow, but the lease's starts/ends stay as they were, so the queue
 * row Gluff reads carries the old start (now − age) and the old end.
 */
export interface DhcpReuseLease {
  kind: 'reuse-lease';
  ip: string;
  /** Seconds since the lease's starts. */
  ageSec: number;
  /** dhcpd's `cache-threshold`, percent of the lease time. */
  thresholdPct: number;
}
/**
 * The Gluff queue patch's error lines in dhcpd's log (the patch's hl_ldb.c): a failed SQLite step logs
 * `Line 241: sqlite3 error: SQL logic error` (stage `sqlite3`, the patch's source line), and then the
 * function's summary `ldb error: SQL logic error` (stage `ldb`). Either means the queue row of that ACK
 * or release was NOT queued (typically an `idx` primary-key collision). Which line number belongs to
 * which insert depends on the patch build (4.4.3: 241 an ACK's, 115 a release's), so it is kept as a number.
 */
export interface DhcpdQueueError {
  kind: 'queue-error';
  stage: 'sqlite3' | 'ldb';
  /** The patch's `__LINE__`; null for the `ldb` line, which carries none. */
  line: number | null;
  /** sqlite3_errmsg text after `error: ` (e.g. `SQL logic error`). */
  detail: string;
}
/** gluff's own syslog lines (ident `gluff`): start-up, lost and found database, its decisions (`-D`), errors. */
export interface GluffNote {
  kind: 'gluff';
  /**
   * `start` (connected), `mysql-unreachable`, `reconnected`, `error` (LOG_ERR lines, mostly followed by
   * exit), `other`; with `-D`, one decision per queue row: `found` (`Found lease in rdb. hw(a,b), …`),
   * `prolong` (`Prolonging identical lease`), `cutoff` (`Different hw, cid or rid. Cutting off and making
   * a new one`), `make` (`Making new lease entry`), `release-cut` (`Release. Cutting off the lease I found`),
   * `multiple-rows` (`Multiple rows exist. Compacting...`: nothing is compacted), `no-rows-updated`
   * (`do_update_lease(): No rows were updated!`: a warning after every prolong that moved nothing, not an
   * error). `stop` is never produced (gluff logs nothing when it stops).
   */
  what:
    | 'start'
    | 'stop'
    | 'mysql-unreachable'
    | 'reconnected'
    | 'found'
    | 'prolong'
    | 'cutoff'
    | 'make'
    | 'release-cut'
    | 'multiple-rows'
    | 'no-rows-updated'
    | 'error'
    | 'other';
  text: string;
}
/**
 * gluff's line for each queue row it processes (with or without `-D`), the witness of what the queue
 * delivered:
 * `ACK on ip: 10.77.2.59, hw: 02:0a:00:77:01:01, cid: "gvrgrp2", rid: <NULL>, start: Sat Nov 28 04:22:05 2026, end: Sat Nov 28 04:24:05 2026`
 * (`RELEASE on ip: …` for a release row). start/end are ctime text in the gluff host's local time.
 */
export interface GluffRecord {
  kind: 'gluff-record';
  /** The queue row's rtype: 0 `ack`, 1 `release`. */
  record: 'ack' | 'release';
  ip: string;
  /** Normalised MAC (the queue's hw text; a client-id in hex when dhcpd had no hardware address). */
  mac: string;
  /** Circuit-id / remote-id bytes as canonical hex (parse/option82.ts); null when gluff printed `<NULL>`. */
  cidHex: string | null;
  remoteIdHex: string | null;
  /** The circuit-id / remote-id exactly as printed (dhcpd's rendering, quotes included); null for `<NULL>`. */
  cidText: string | null;
  ridText: string | null;
  /** The queue row's start and end, UTC (the ctime text read as wall time in `zone`). */
  startMs: EpochMs;
  endMs: EpochMs;
  /**
   * The IANA zone the ctime texts were read in: the sending host's (ParseContext.zoneByHost, else
   * defaultZone). Kept so the body formats back to the exact text (ctime is a pure function of the
   * instant and the zone; only the ctime texts the parser accepts, the canonical ones, are taken) and so
   * a reader can see which zone turned wall time into startMs/endMs.
   */
  zone: string;
}
/** `autobridge[PID]: down seq=N`: the permuter is about to tear the bridges down. */
export interface PortDown {
  kind: 'port-down';
  seq: number;
}
/** One bridge of a port map: switch-side interface and the client-side interfaces joined to it. */
export interface BridgeMap {
  bridge: string;
  switchIf: string;
  /** Empty when the bridge has no client side (`none`). */
  clientIfs: string[];
}
/** `autobridge[PID]: map seq=N bridge01=eth0+eth4 bridge02=eth1+eth3,eth5 bridge03=eth2+none` */
export interface PortMap {
  kind: 'port-map';
  seq: number;
  bridges: BridgeMap[];
}
/** `memsample: proc=dhcpd pid=123 rss=12345678 data=2345678 [vsz=...] seg=...` (the leak issue's format). */
export interface MemSample {
  kind: 'memsample';
  proc: string;
  /** Null when the process is gone (`gone` sample). */
  pid: number | null;
  rssBytes: number | null;
  dataBytes: number | null;
  /** True when this sample says the process is gone. */
  gone: boolean;
}
/**
 * What the rig driver did to the rig (tag `gv-rig`, from any host): a fault it injected or a scenario step,
 * `event=dhcpd-restart server=gvrg-dhcp1 phase=stop`. Informational: shown in every report beside the
 * findings, never evidence for the rebuild, never a reason for a verdict.
 */
export interface RigEvent {
  kind: 'rig-event';
  /** NAME of the leading `event=NAME`, `[a-z0-9-]+` (`gluff-stop`, `client-release`, `rig-end`, ...). */
  name: string;
  /**
   * The `key=value` pairs after it: keys `[a-z0-9-]+`, each once (never `event`); values as written, without
   * white space or control characters, possibly empty. Keys that are all digits come first in JavaScript's
   * object order, so only they may be written back in another order than they came.
   */
  fields: Record<string, string>;
}
/** A line from a known program that no rule recognised. Kept with its text and counted. */
export interface UnknownLine {
  kind: 'unknown';
  /** The program that wrote it (`dhcpd`, `gluff`, `gv-rig`, ...). */
  app: string;
  text: string;
  /**
   * Why the program's grammar refused it, where the grammar is ours and strict (`gv-rig`: e.g.
   * `field 2 is not key=value`); absent for the other programs, whose unknown lines are merely unlisted.
   */
  reason?: string;
}
/** A line from a program we do not follow at all (cron, kernel, ...). */
export interface OtherLine {
  kind: 'other';
  app: string;
  text: string;
}

export type EventBody =
  | DhcpDiscover
  | DhcpOffer
  | DhcpRequest
  | DhcpAck
  | DhcpAckInform
  | DhcpNak
  | DhcpRelease
  | DhcpDecline
  | DhcpInform
  | BootRequest
  | BootReply
  | UidDuplicate
  | Abandon
  | FailoverState
  | FailoverNote
  | DhcpCommit
  | DhcpReuseLease
  | DhcpdQueueError
  | GluffNote
  | GluffRecord
  | PortDown
  | PortMap
  | MemSample
  | RigEvent
  | UnknownLine
  | OtherLine;

export type EventKind = EventBody['kind'];

export const EVENT_KINDS: readonly EventKind[] = [
  'dhcpdiscover',
  'dhcpoffer',
  'dhcprequest',
  'dhcpack',
  'dhcpack-inform',
  'dhcpnak',
  'dhcprelease',
  'dhcpdecline',
  'dhcpinform',
  'bootrequest',
  'bootreply',
  'uid-duplicate',
  'abandon',
  'failover-state',
  'failover-note',
  'commit',
  'reuse-lease',
  'queue-error',
  'gluff',
  'gluff-record',
  'port-down',
  'port-map',
  'memsample',
  'rig-event',
  'unknown',
  'other',
];

/** A parsed event with the header facts every kind shares. */
export type LogEvent = EventBody & {
  /** Sender's time, UTC. */
  timeMs: EpochMs;
  /** Sender host name from the syslog header. */
  host: string;
  /**
   * Syslog tag pid, null when absent. For `memsample` events this is the SAMPLED process's pid (the
   * body's own field, which the header shares); the sampler's own pid is not kept.
   */
  pid: number | null;
};

/** An event as the store returns it: with its row id and the raw row it came from. */
export type StoredEvent = LogEvent & {
  id: number;
  rawId: number;
  receivedMs: EpochMs;
};

/** Why a message was rejected. Stable strings: they are stored and counted. */
export type RejectionReason =
  | 'empty'
  | 'not-utf8'
  | 'binary'
  | 'oversized'
  | 'bad-pri'
  | 'bad-timestamp'
  | 'bad-header'
  | 'bad-structured-data'
  | 'bad-field'
  | 'truncated';

/** A message that could not be parsed. The raw bytes stay in the store beside it. */
export interface Rejection {
  reason: RejectionReason;
  /** Human detail: what was expected and what was found. */
  detail: string;
}

export type ParseResult = { ok: true; event: LogEvent } | { ok: false; rejection: Rejection };

/** Collector-side accounting written periodically into the store, so a verdict can see channel loss. */
export interface ChannelStats {
  /** When this snapshot was taken (collector clock). */
  atMs: EpochMs;
  /** Listener URL, e.g. `udp://0.0.0.0:514`. */
  listener: string;
  received: number;
  stored: number;
  rejected: number;
  untrusted: number;
  /** Datagrams the kernel dropped on this socket (cumulative, from /proc/net/udp{,6}); 0 for TCP. */
  kernelDrops: number;
  /** Messages we dropped ourselves (queue overflow, oversize beyond keep), cumulative. */
  appDrops: number;
  connections: number;
  /**
   * When the collector run that took this snapshot started. Every counter above is cumulative within
   * one run and starts again from 0 when the collector restarts on the same store, so a reader sums the
   * latest snapshot of each (listener, run). Absent in snapshots written before this field existed.
   */
  runStartedMs?: EpochMs;
}

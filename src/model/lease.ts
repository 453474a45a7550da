/**
 * Lease rows (expected and actual), findings and the verification result: the contract between
 * rebuild/, sources/mysql, diff/, leak/ and report/.
 */
import type { EpochMs } from './time.js';

/** Where a lease row's end came from. */
export type EndSource =
  /** ACK time + lease time from the commit line: exact to the second. */
  | 'commit'
  /** ACK time + the spec's default lease time: no commit line was seen. */
  | 'approximate'
  /** A found DHCPRELEASE cut the row at the release time. */
  | 'release'
  /** An ACK for the same IP with another hw/cid/rid cut the row at its time. */
  | 'cutoff';

/** A lease row Gluff should have written, rebuilt from the secondary channel. */
export interface ExpectedLease {
  ip: string;
  /** Normalised MAC (or client-id hex when dhcpd had no hardware address). */
  hw: string;
  /** Circuit-id as canonical hex bytes, null when absent (Gluff id 0). */
  cidHex: string | null;
  remoteIdHex: string | null;
  /** First ACK of the row: Gluff's lstart, whole seconds. */
  startMs: EpochMs;
  /** Gluff's lend, whole seconds. */
  endMs: EpochMs;
  endSource: EndSource;
  /** When a found release was seen but Gluff is expected to apply it, the release time; else null. */
  releaseMs: EpochMs | null;
  /** The physical port from the permuter at the row's start (switch port name), null when unknown. */
  physicalPort: string | null;
  /** Store ids of the events behind this row (ACKs, commits, releases, port maps). */
  evidence: number[];
  /** Non-null: this row cannot be judged, and why (lost seq, channel drops, not settled). */
  inconclusive: string | null;
  /**
   * When endSource is 'release': the end the row had from its ACKs before the release cut it (what Gluff
   * leaves when the release never reached its queue). Absent/null otherwise.
   */
  ackEndMs?: EpochMs | null;
  /**
   * Set when facts newer than as-of − settle changed this row: its end before those facts. Gluff may not have
   * applied them yet, so any end between this and endMs is accepted. Absent/null when the row is settled.
   */
  settledEndMs?: EpochMs | null;
  /**
   * True when this is the first row seen for its IP and its first ACK came within one max lease time of the
   * start of the evidence: the lease may have begun before the verifier was listening, so an earlier lstart is
   * accepted.
   */
  startMayBeEarlier?: boolean;
  /**
   * When Gluff 1.12's as-coded statements (replayed by the rebuild alongside the intended rules) would leave
   * this stint differently: which statement does it, e.g. 'gluff.c do_find_lease: two rows cover t'. Only
   * named in the details of a finding; never changes a severity.
   */
  asCodedCause?: string | null;
  /**
   * The DHCP server whose ACK line made this row (its syslog clock gave startMs); absent/null when unknown.
   * Lets the diff measure a constant clock offset per server (clock-skew).
   */
  startHost?: string | null;
}

/** An interval in which the collector lost messages (its kernel or app drop counters rose). */
export interface ChannelLoss {
  /** Listener URL the counters belong to. */
  listener: string;
  /** Snapshot before the drops rose (or the first snapshot), UTC ms. */
  fromMs: EpochMs;
  /** Snapshot at which the rise was seen, UTC ms. */
  toMs: EpochMs;
  /** Datagrams the kernel dropped in the interval. */
  kernelDrops: number;
  /** Messages the collector dropped itself in the interval. */
  appDrops: number;
}

/** A row read from Gluff's `leases` table joined with its lookup tables. */
export interface ActualLease {
  /** `leases.id`. */
  id: number;
  /** Null when the ip id points at no `ips` row (an invalid row). */
  ip: string | null;
  hw: string | null;
  /** Canonical hex of the stored circuit-id, null for id 0. */
  cidHex: string | null;
  remoteIdHex: string | null;
  /** The stored text exactly (`"port1"` or `0:4:0:a:1:5`), for reports. */
  cidText: string | null;
  ridText: string | null;
  /** Null when the timestamp is zero or unparsable (an invalid row). */
  startMs: EpochMs | null;
  endMs: EpochMs | null;
  /** Timestamps as stored (`2026-11-28 01:23:45`), for reports. */
  startText: string;
  endText: string;
}

export type FindingKind =
  | 'missing-lease'
  | 'unexpected-lease'
  | 'wrong-hw'
  | 'wrong-port'
  | 'start-mismatch'
  | 'end-mismatch'
  | 'release-not-applied'
  | 'split-lease'
  | 'merged-lease'
  | 'overlapping-rows'
  | 'invalid-row'
  | 'port-disagreement'
  | 'channel-gap'
  | 'not-settled'
  | 'memory-leak'
  /** A DHCP server's syslog clock is off the times in Gluff's rows by a constant beyond the tolerance. */
  | 'clock-skew'
  /**
   * A client MAC of the spec's clientSegments holds no rebuilt lease in the window: no DHCPACK for it
   * reached the channel, so the rig or the channel is broken. Only judged without a Gluff table
   * (`verify --gluff none`), where it is the run's self-check.
   */
  | 'client-silent';

export const FINDING_KINDS: readonly FindingKind[] = [
  'missing-lease',
  'unexpected-lease',
  'wrong-hw',
  'wrong-port',
  'start-mismatch',
  'end-mismatch',
  'release-not-applied',
  'split-lease',
  'merged-lease',
  'overlapping-rows',
  'invalid-row',
  'port-disagreement',
  'channel-gap',
  'not-settled',
  'memory-leak',
  'clock-skew',
  'client-silent',
];

/**
 * Who is most likely at fault: the first link of the chain dhcpd → queue patch → gluff → table where the fact
 * was lost or changed. `dhcpd`: stock dhcpd (e.g. remembered Option 82 on a unicast renewal); `queue`: Gluff's
 * dhcpd patch (hl_ldb.c: stale options on reuse_lease, a failed insert, a dropped release); `gluff`: gluff.c;
 * `rig`: the test rig (moves without DHCP, a switch not stamping); `channel`: the verifier's own evidence.
 */
export type Culprit = 'gluff' | 'queue' | 'dhcpd' | 'rig' | 'channel';

export const CULPRITS: readonly Culprit[] = ['dhcpd', 'queue', 'gluff', 'rig', 'channel'];

/** The source a culprit points an engineer at. */
export const CULPRIT_COMPONENT: Readonly<Record<Culprit, string>> = {
  dhcpd: 'ISC dhcpd (stock behaviour)',
  queue: "Gluff's dhcpd patch (hl_ldb.c)",
  gluff: 'gluff.c',
  rig: 'the test rig',
  channel: "the verifier's evidence (collector, permuter log)",
};

/** Why a finding names its culprit. */
export interface Attribution {
  /** Stable rule id, e.g. `queue.stale-options-on-reuse`, `gluff.told` (see specs/attribution.md). */
  rule: string;
  /** `witnessed`: dhcpd's or gluff's own lines show it; `inferred`: the model of the chain alone. */
  how: 'witnessed' | 'inferred';
  /** The lines that prove it (store event ids): the patch's error lines, gluff's record line. */
  witness: number[];
  /** Resolved by the edge, like Finding.evidenceLines. */
  witnessLines: EvidenceLine[];
  /** One sentence: what was lost or changed, where. */
  explanation: string;
}

/** fail: a regression; warn: shown, does not fail; inconclusive: the evidence cannot decide. */
export type Severity = 'fail' | 'warn' | 'inconclusive';

/** One raw syslog line behind a finding. */
export interface EvidenceLine {
  rawId: number;
  /** The line as received (decoded UTF-8, invalid bytes replaced). */
  text: string;
}

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  culprit: Culprit;
  /** IP concerned, null for findings not about one address (memory, channel). */
  ip: string | null;
  hw: string | null;
  /** One-sentence explanation with the numbers. */
  message: string;
  expected: ExpectedLease | null;
  actual: ActualLease[];
  /** Store event ids; report/ resolves them to raw lines via `evidenceLines`. */
  evidence: number[];
  evidenceLines: EvidenceLine[];
  /** Extra facts by kind (e.g. `deltaSec`, leak slope), JSON-safe. */
  details: Record<string, unknown>;
  /** Set on every fail finding about lease rows by the attribution stage (src/attribute/). */
  attribution?: Attribution;
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** One segment of a memory chart: the samples of one PID, a restart or a `gone` sample ends it. */
export interface MemoryChartSegment {
  /** The sampled process's pid; null when the samples carried none. */
  pid: number | null;
  /** First and last sample of the segment, UTC ms (warm-up included). */
  fromMs: EpochMs;
  toMs: EpochMs;
  /**
   * The samples of the chart's metric as [timeMs, bytes], in time order, thinned for drawing to at most a few
   * hundred per segment (each bucket keeps its lowest and highest sample, so a spike stays visible). The
   * judgement used every sample.
   */
  points: [EpochMs, number][];
  /** Samples before this instant are the warm-up: drawn, not judged (fromMs + warmupSec). */
  warmupEndMs: EpochMs;
  /**
   * A point of the fitted line in this segment: (anchorMs, anchorBytes) is the median judged sample time and
   * the Theil-Sen intercept there (median of y - slope * x); the verdict's slope and its 95 % bounds pass
   * through it. Null when nothing was fitted (too little to judge, or nothing judged in this segment).
   */
  anchorMs: EpochMs | null;
  anchorBytes: number | null;
}

/**
 * What a memory chart draws for one process, kept with its verdict. Only the HTML report reads it (the JSON
 * report leaves it out: it is the samples again, thinned).
 */
export interface MemoryChart {
  /** The series judged and drawn: the one that leaked, else RSS when sampled, else the data size. */
  metric: 'rssBytes' | 'dataBytes';
  /** In time order. */
  segments: MemoryChartSegment[];
  /** Instants the sampler found the process gone (a stop), UTC ms. */
  goneMs: EpochMs[];
  /** The spec's memory limits the verdict applied (MemorySpec). */
  warmupSec: number;
  maxSlopeBytesPerHour: number;
  maxGrowthBytes: number;
}

export interface LeakVerdict {
  proc: string;
  verdict: Verdict;
  /** Why inconclusive, or a summary. */
  reason: string;
  segments: number;
  samples: number;
  slopeBytesPerHour: number | null;
  slopeLowBytesPerHour: number | null;
  slopeHighBytesPerHour: number | null;
  growthBytes: number | null;
  /** Mann-Kendall two-sided p-value, null when not computed. */
  pValue: number | null;
  /** The samples, warm-up and fit for the HTML report's chart; absent in verdicts built before it existed. */
  chart?: MemoryChart;
}

/** One `gv-rig` line in the verified window, as the reports list it (model/events.ts RigEvent). */
export interface RigEventEntry {
  /** The rig host's syslog time, UTC. */
  atMs: EpochMs;
  /** Sender host from the syslog header. */
  host: string;
  name: string;
  fields: Record<string, string>;
  /** Store id of the raw line. */
  rawId: number;
}

/** A DHCPRELEASE line, for the lease timelines (a marker; the rebuild already applied it). */
export interface ReleaseMark {
  atMs: EpochMs;
  ip: string;
  /** Normalised MAC. */
  hw: string;
  /** The DHCP server that logged it. */
  host: string;
  /** dhcpd's `(found)`: only a found release ends a lease. */
  found: boolean;
  rawId: number;
}

/** A permuter `map seq=N` line that moved clients to other switch ports. */
export interface PortMoveMark {
  atMs: EpochMs;
  seq: number;
  rawId: number;
  /** Each client whose port changed: the spec's port names before and after (null: not on any port). */
  moved: { hw: string; fromPort: string | null; toPort: string | null }[];
}

/** A failed insert into Gluff's lease queue: the patch's `Line N: sqlite3 error` / `ldb error` lines. */
export interface QueueFailureMark {
  atMs: EpochMs;
  /** The dhcpd host whose queue insert failed. */
  host: string;
  /** The patch's source line when logged (`Line 241`), else null. */
  line: number | null;
  /** sqlite3's error text, e.g. `SQL logic error`. */
  detail: string;
  rawId: number;
}

/**
 * A dhcpd or gluff that came back with another pid: its first line as the new process. The old pid's last
 * line says when it was last heard of; the stop itself is not logged (dhcpd and gluff stop silently).
 */
export interface RestartMark {
  /** First line of the new process, UTC ms. */
  atMs: EpochMs;
  host: string;
  program: 'dhcpd' | 'gluff';
  oldPid: number;
  newPid: number;
  /** Last line of the old pid. */
  lastSeenMs: EpochMs;
  rawId: number;
}

/**
 * What the HTML report's lease timelines draw beyond the findings: every row the diff compared, and what
 * happened around them. Read by the edge beside the judgement (src/cli/verification.ts); never judged.
 */
export interface LeaseTimelineData {
  /** The rebuilt rows overlapping the window (Judgement.expected). */
  expected: ExpectedLease[];
  /** Gluff's rows as read; empty without a Gluff table. */
  actual: ActualLease[];
  releases: ReleaseMark[];
  portMoves: PortMoveMark[];
  queueFailures: QueueFailureMark[];
  restarts: RestartMark[];
  /** Where the collector lost messages: rows there are inconclusive. */
  losses: ChannelLoss[];
  /** as-of − settleSec: rows starting later may not be in Gluff yet; null without a settle window. */
  settleFromMs: EpochMs | null;
  /** The spec's switch ports, to name a circuit-id (`Fa0/2`) and give each port its colour and pattern. */
  ports: { name: string; circuitIdHex: string | null; remoteIdHex: string | null }[];
}

/**
 * Where the actual rows came from. `none`: `verify --gluff none`, a stock dhcpd run with no Gluff table:
 * no rows read, no lease diff (no clock-skew, no attribution); the rebuild's own findings, memory and the
 * `client-silent` self-check decide the verdict.
 */
export interface GluffSourceSummary {
  kind: 'mysql' | 'sqlite' | 'none';
  /** `mysql://USER@HOST:PORT/DB`, `sqlite:FILE (snapshot of …)`, or `none`. Never a password. */
  description: string;
  /**
   * The IANA zone Gluff's stored timestamps (ActualLease.startText/endText) are wall time in: the spec's
   * tolerances.gluffZone. Reports mark the stored text with it. Absent without a Gluff table, and in results
   * built before it existed.
   */
  zone?: string;
}

/** Everything a report renders. `schemaVersion` bumps with any incompatible change (specs/report.schema.json). */
export interface VerificationResult {
  schemaVersion: 2;
  verdict: Verdict;
  /** Checked window and the as-of instant (UTC ms). */
  window: { fromMs: EpochMs | null; toMs: EpochMs | null; asOfMs: EpochMs };
  spec: string;
  /** Where Gluff's rows were read, or that there was no Gluff table. */
  gluff: GluffSourceSummary;
  /** Findings counted per kind (all severities). */
  counts: Partial<Record<FindingKind, number>>;
  findings: Finding[];
  /** Reasons the verdict is inconclusive, empty otherwise. */
  inconclusiveReasons: string[];
  /** Per checked IP: how many expected and actual rows (for JUnit test cases); actual 0 without Gluff. */
  ips: { ip: string; expected: number; actual: number }[];
  memory: LeakVerdict[];
  /** Secondary-channel health: events, rejections, drops. */
  channel: { events: number; rejections: number; kernelDrops: number; appDrops: number; untrusted: number };
  /**
   * What the rig driver logged it did (`gv-rig` lines from trusted peers, any host) in the window up to
   * as-of, in time order. Context for a reader only: no verdict depends on them. Empty without a rig.
   */
  rigEvents: RigEventEntry[];
  /**
   * Every compared row and the events around them, for the HTML report's timelines (no other report reads
   * it). Absent in results built without it: the timelines then draw the rows the findings carry.
   */
  timeline?: LeaseTimelineData;
}

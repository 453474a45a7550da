/**
 * The simulator's fault catalogue: each fault is one defect (in gluff, in Gluff's dhcpd queue patch, in
 * the rig or in the secondary channel) that the simulator injects, with the verdict, the finding kinds,
 * the culprit and the attribution rule the verifier must produce for it. The soundness tests hold the
 * verifier to this table.
 */
import type { Culprit, FindingKind, Verdict } from '../model/index.js';

export const FAULT_NAMES = [
  'drop-ack',
  'drop-release',
  'stale-port',
  'swapped-hw',
  'shortened-end',
  'phantom-row',
  'duplicate-rows',
  'clock-skew-beyond-tolerance',
  'channel-loss',
  'gluff-stalled-then-catches-up',
  'clock-skew-within-tolerance',
  'partner-down-and-recover',
  'memory-leak',
  'gluff-1.12-find',
  'queue-stale-options-on-reuse',
  'queue-insert-collision',
  'queue-release-before-first-ack',
  'queue-peer-release-without-option82',
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

export interface FaultSpec {
  name: FaultName;
  /** One line: what is broken and how the simulator represents it. */
  description: string;
  /** The verdict the verifier must give for a run with this fault alone. */
  verdict: Verdict;
  /** Finding kinds that must all be present (any severity). */
  kinds: FindingKind[];
  /** When non-empty: at least one of these kinds must be present (any severity). */
  oneOfKinds: FindingKind[];
  /**
   * Further kinds that may appear with severity `fail` as a side effect (e.g. a skewed clock also
   * shifts a cut-off). A failing finding of any other kind is a false alarm.
   */
  allowedKinds: FindingKind[];
  /**
   * The link of the chain the fault is in (src/attribute): every fail finding of a run with this fault alone
   * must name it as culprit. For a fault that must not fail it names where the fault lives.
   */
  culprit: Culprit;
  /** The attribution rule id at least one fail finding must carry (specs/attribution.md); null: none checked. */
  rule: string | null;
  /**
   * How the findings with that rule are attributed while gluff's record lines reach the channel (the
   * simulator's default): `witnessed` (a line proves it) or `inferred`; null: not checked.
   */
  how: 'witnessed' | 'inferred' | null;
}

export const FAULTS: readonly FaultSpec[] = [
  {
    name: 'drop-ack',
    description:
      "gluff takes one ACK queue row (and logs its record line) but never writes it: a client's only ACK before it vanished (no renewal, no release), so its whole lease row is missing",
    verdict: 'fail',
    kinds: ['missing-lease'],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'gluff',
    rule: 'gluff.told',
    how: 'witnessed',
  },
  {
    name: 'drop-release',
    description:
      'gluff takes one RELEASE queue row (and logs its record line) but never writes it (a client that released and left), so the row keeps the ACK end instead of the release time',
    verdict: 'fail',
    kinds: ['release-not-applied'],
    oneOfKinds: [],
    allowedKinds: ['end-mismatch'],
    culprit: 'gluff',
    rule: 'gluff.told',
    how: 'witnessed',
  },
  {
    name: 'stale-port',
    description:
      'after a client moved to another switch port, Gluff writes the new lease row with the previous circuit-id (table mutation on one row)',
    verdict: 'fail',
    kinds: ['wrong-port'],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'gluff',
    rule: 'gluff.told',
    how: 'witnessed',
  },
  {
    name: 'swapped-hw',
    description: 'two lease rows of different clients have their hardware addresses swapped',
    verdict: 'fail',
    kinds: ['wrong-hw'],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'gluff',
    rule: 'gluff.rows',
    how: 'inferred',
  },
  {
    name: 'shortened-end',
    description:
      "one row's lend is moved earlier (by a third of the row, at least a minute) than the end of the last ACK that made or prolonged it (a row no release or later row ended)",
    verdict: 'fail',
    kinds: ['end-mismatch'],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'gluff',
    rule: 'gluff.rows',
    how: 'inferred',
  },
  {
    name: 'phantom-row',
    description:
      'Gluff holds a row for an address during a time nobody leased it (inside a gap between two leases)',
    verdict: 'fail',
    kinds: ['unexpected-lease'],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'gluff',
    rule: 'gluff.rows',
    how: 'inferred',
  },
  {
    name: 'duplicate-rows',
    description:
      'the two gluff daemons race on one new lease (both find nothing, both make a row): two overlapping rows for one lease',
    verdict: 'fail',
    kinds: ['overlapping-rows'],
    oneOfKinds: [],
    allowedKinds: ['unexpected-lease', 'end-mismatch'],
    culprit: 'gluff',
    rule: 'gluff.rows',
    how: 'inferred',
  },
  {
    name: 'clock-skew-beyond-tolerance',
    description:
      "the secondary server's syslog clock runs 30 s past the spec's start/end tolerance, so its ACK times disagree with Gluff's rows",
    verdict: 'fail',
    // The verifier measures the constant offset of that server's lines against Gluff's rows and reports it
    // once (diff/measure-clock-skew.ts), then replays its lines corrected.
    kinds: ['clock-skew'],
    oneOfKinds: [],
    // Side effects the correction may leave (a shift moves every start, end and cut-off the server logged).
    allowedKinds: [
      'start-mismatch',
      'end-mismatch',
      'split-lease',
      'merged-lease',
      'missing-lease',
      'unexpected-lease',
      'release-not-applied',
      'overlapping-rows',
      // Its relayed exchanges now appear before/after the permuter's moves.
      'port-disagreement',
    ],
    culprit: 'rig',
    rule: null,
    how: null,
  },
  {
    name: 'channel-loss',
    description:
      'some syslog datagrams are never sent (about 3% of dhcpd lines in one hour); the collector reports it as a ChannelStats row with kernelDrops > 0',
    verdict: 'inconclusive',
    kinds: [],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'channel',
    rule: null,
    how: null,
  },
  {
    name: 'gluff-stalled-then-catches-up',
    description:
      "one gluff daemon cannot reach MySQL for 20-40 minutes (logs 'MySQL server unreachable'), then drains its queue: same table in the end (a window in which no queue insert collides with a row still waiting: see queue-insert-collision)",
    verdict: 'pass',
    kinds: [],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'gluff',
    rule: null,
    how: null,
  },
  {
    name: 'clock-skew-within-tolerance',
    description: "the secondary server's syslog clock is off by one second less than the spec's tolerance",
    verdict: 'pass',
    kinds: [],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'rig',
    rule: null,
    how: null,
  },
  {
    name: 'partner-down-and-recover',
    description:
      'the secondary dhcpd stops for a while (peer: communications-interrupted, then partner-down), its clients rebind to the primary, then it recovers',
    verdict: 'pass',
    kinds: [],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'rig',
    rule: null,
    how: null,
  },
  {
    name: 'memory-leak',
    description:
      "gluff on the primary leaks: its memory samples (RSS and data size) grow by 4 MiB/h from the start, while dhcpd and the secondary's gluff stay flat",
    verdict: 'fail',
    kinds: ['memory-leak'],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'gluff',
    rule: null,
    how: null,
  },
  {
    name: 'gluff-1.12-find',
    description:
      "both gluffs run Gluff 1.12's statements instead of the intended rules: when two rows cover a queue row's start (a cut-off second, the other server's copy of the same action) do_find_lease takes the first row's times and the second row's hw/cid/rid, and cut-off and prolong update every enclosing row: old rows keep being prolonged over the next stint, stints fall apart into pieces, duplicate rows appear",
    verdict: 'fail',
    kinds: [],
    oneOfKinds: ['overlapping-rows', 'split-lease', 'merged-lease'],
    allowedKinds: [],
    culprit: 'gluff',
    rule: 'gluff.told',
    how: 'witnessed',
  },
  {
    name: 'queue-stale-options-on-reuse',
    description:
      "a client moved to another switch port requests again within dhcpd's cache threshold (25% of its lease): dhcpd answers reuse_lease, its commit line names the new port, but the queue patch queues the lease's stored Option 82 (the old port), so Gluff keeps the old port",
    verdict: 'fail',
    // The old port's row runs over the client's stint on the new port: with the switch stamping every packet the
    // next renewal moves the row (so the new stint also appears as two rows: split-lease); with relay-only
    // Option 82 dhcpd records its renewals with the options it remembered, and the one row covers all.
    kinds: ['merged-lease'],
    oneOfKinds: [],
    allowedKinds: ['split-lease'],
    culprit: 'queue',
    rule: 'queue.stale-options-on-reuse',
    how: 'witnessed',
  },
  {
    name: 'queue-insert-collision',
    description:
      "a client's only release is queued while its server's gluff is stalled: the patch's idx restarted at 1 for its lease start, the key of the lease's own ACK row, still queued; the insert fails on the primary key and dhcpd logs the patch's sqlite3/ldb error lines, so the row keeps the ACK end",
    verdict: 'fail',
    kinds: ['release-not-applied'],
    oneOfKinds: [],
    allowedKinds: ['end-mismatch'],
    culprit: 'queue',
    rule: 'queue.insert-collision',
    how: 'witnessed',
  },
  {
    name: 'queue-release-before-first-ack',
    description:
      "a client releases right after its server's dhcpd restarted, to that server only and before it ACKed anything: the patch's queue file is not open yet and the release is dropped without a line, so the row keeps the ACK end",
    verdict: 'fail',
    kinds: ['release-not-applied'],
    oneOfKinds: [],
    allowedKinds: ['end-mismatch'],
    culprit: 'queue',
    rule: 'queue.release-before-first-ack',
    how: 'inferred',
  },
  {
    name: 'queue-peer-release-without-option82',
    description:
      "a client releases while its server's dhcpd is down; the relayed copy reaches only the failover peer, whose copy of the lease has no Option 82 (binding updates carry none), so the release is queued without circuit-id: Gluff (comparing hw, cid and rid as gluff.c does) cuts the row and makes a row without circuit-id",
    verdict: 'fail',
    kinds: ['split-lease'],
    oneOfKinds: [],
    allowedKinds: [],
    culprit: 'queue',
    rule: 'queue.peer-release-without-option82',
    how: 'witnessed',
  },
];

/** The catalogue entry for `name`. */
export function faultSpec(name: FaultName): FaultSpec {
  const spec = FAULTS.find((f) => f.name === name);
  if (spec === undefined) throw new TypeError(`faultSpec: no fault named '${name}'`);
  return spec;
}

/** True when `text` names a fault of the catalogue. */
export function isFaultName(text: string): text is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(text);
}

/** What the verifier must conclude for a run with these faults together. */
export interface ExpectedOutcome {
  verdict: Verdict;
  kinds: FindingKind[];
  /** One list per fault that has a oneOfKinds: at least one kind of each list must be present. */
  oneOfKinds: FindingKind[][];
  allowedKinds: FindingKind[];
  /** The culprits a fail finding may name: those of the faults that fail (every fail finding names one). */
  culprits: Culprit[];
  /** Rule ids of which each must be carried by at least one fail finding, with how it is attributed. */
  rules: { rule: string; how: 'witnessed' | 'inferred' | null }[];
}

/**
 * Combines faults: any failing fault makes the run fail; else any inconclusive one makes it inconclusive.
 * `gluffRecordLines: false` (the channel has no gluff record lines): how a rule is attributed is not checked,
 * since `witnessed` may rest on those lines.
 */
export function expectedOutcome(
  faults: readonly FaultName[],
  options: { gluffRecordLines?: boolean } = {},
): ExpectedOutcome {
  const specs = faults.map(faultSpec);
  const verdict: Verdict = specs.some((s) => s.verdict === 'fail')
    ? 'fail'
    : specs.some((s) => s.verdict === 'inconclusive')
      ? 'inconclusive'
      : 'pass';
  const kinds = [...new Set(specs.flatMap((s) => s.kinds))];
  const oneOfKinds = specs.map((s) => s.oneOfKinds).filter((l) => l.length > 0);
  const allowedKinds = [...new Set(specs.flatMap((s) => [...s.allowedKinds, ...s.oneOfKinds]))].filter(
    (k) => !kinds.includes(k),
  );
  const failing = specs.filter((s) => s.verdict === 'fail');
  const culprits = [...new Set(failing.map((s) => s.culprit))];
  const withLines = options.gluffRecordLines !== false;
  const rules = failing.flatMap((s) =>
    s.rule === null ? [] : [{ rule: s.rule, how: withLines ? s.how : null }],
  );
  return { verdict, kinds, oneOfKinds, allowedKinds, culprits, rules };
}

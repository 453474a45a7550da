/**
 * The simulator's fault catalogue: each fault is one defect (in Gluff, in the rig or in the
 * secondary channel) that the simulator injects, with the verdict and the finding kinds the
 * verifier must produce for it. The soundness tests hold the verifier to this table.
 */
import type { FindingKind, Verdict } from '../model/index.js';

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
}

export const FAULTS: readonly FaultSpec[] = [
  {
    name: 'drop-ack',
    description:
      "one ACK queue row never reaches the table: a client's only ACK before it vanished (no renewal, no release), so its whole lease row is missing",
    verdict: 'fail',
    kinds: ['missing-lease'],
    oneOfKinds: [],
    allowedKinds: [],
  },
  {
    name: 'drop-release',
    description:
      'one RELEASE queue row never reaches the table (a client that released and left), so the row keeps the ACK end instead of the release time',
    verdict: 'fail',
    kinds: ['release-not-applied'],
    oneOfKinds: [],
    allowedKinds: ['end-mismatch'],
  },
  {
    name: 'stale-port',
    description:
      'after a client moved to another switch port, Gluff writes the new lease row with the previous circuit-id (table mutation on one row)',
    verdict: 'fail',
    kinds: ['wrong-port'],
    oneOfKinds: [],
    allowedKinds: [],
  },
  {
    name: 'swapped-hw',
    description: 'two lease rows of different clients have their hardware addresses swapped',
    verdict: 'fail',
    kinds: ['wrong-hw'],
    oneOfKinds: [],
    allowedKinds: [],
  },
  {
    name: 'shortened-end',
    description:
      "one row's lend is moved earlier (by a third of the row, at least a minute) than the last ACK's end",
    verdict: 'fail',
    kinds: ['end-mismatch'],
    oneOfKinds: [],
    allowedKinds: [],
  },
  {
    name: 'phantom-row',
    description:
      'Gluff holds a row for an address during a time nobody leased it (inside a gap between two leases)',
    verdict: 'fail',
    kinds: ['unexpected-lease'],
    oneOfKinds: [],
    allowedKinds: [],
  },
  {
    name: 'duplicate-rows',
    description:
      'the two gluff daemons race on one new lease (both find nothing, both make a row): two overlapping rows for one lease',
    verdict: 'fail',
    kinds: ['overlapping-rows'],
    oneOfKinds: [],
    allowedKinds: ['unexpected-lease', 'end-mismatch'],
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
  },
  {
    name: 'channel-loss',
    description:
      'some syslog datagrams are never sent (about 3% of dhcpd lines in one hour); the collector reports it as a ChannelStats row with kernelDrops > 0',
    verdict: 'inconclusive',
    kinds: [],
    oneOfKinds: [],
    allowedKinds: [],
  },
  {
    name: 'gluff-stalled-then-catches-up',
    description:
      "one gluff daemon cannot reach MySQL for 20-40 minutes (logs 'MySQL server unreachable'), then drains its queue: same table in the end",
    verdict: 'pass',
    kinds: [],
    oneOfKinds: [],
    allowedKinds: [],
  },
  {
    name: 'clock-skew-within-tolerance',
    description: "the secondary server's syslog clock is off by one second less than the spec's tolerance",
    verdict: 'pass',
    kinds: [],
    oneOfKinds: [],
    allowedKinds: [],
  },
  {
    name: 'partner-down-and-recover',
    description:
      'the secondary dhcpd stops for a while (peer: communications-interrupted, then partner-down), its clients rebind to the primary, then it recovers',
    verdict: 'pass',
    kinds: [],
    oneOfKinds: [],
    allowedKinds: [],
  },
  {
    name: 'memory-leak',
    description:
      "gluff on the primary leaks: its memory samples (RSS and data size) grow by 4 MiB/h from the start, while dhcpd and the secondary's gluff stay flat",
    verdict: 'fail',
    kinds: ['memory-leak'],
    oneOfKinds: [],
    allowedKinds: [],
  },
  {
    name: 'gluff-1.12-find',
    description:
      "both gluffs run Gluff 1.12's statements instead of the intended rules: when two rows cover a queue row's start (a cut-off second, the other server's copy of the same action) do_find_lease takes the first row's times and the second row's hw/cid/rid, and cut-off and prolong update every enclosing row: old rows keep being prolonged over the next stint, stints fall apart into pieces, duplicate rows appear",
    verdict: 'fail',
    kinds: [],
    oneOfKinds: ['overlapping-rows', 'split-lease', 'merged-lease'],
    allowedKinds: [],
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
}

/** Combines faults: any failing fault makes the run fail; else any inconclusive one makes it inconclusive. */
export function expectedOutcome(faults: readonly FaultName[]): ExpectedOutcome {
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
  return { verdict, kinds, oneOfKinds, allowedKinds };
}

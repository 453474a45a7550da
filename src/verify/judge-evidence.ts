/**
 * The whole judgement over evidence already in hand, pure: rebuild the expected rows, measure and take
 * off a constant per-server clock offset, diff against the actual rows, attribute each failure to the link
 * that lost its fact, judge memory. `verify` (through
 * the event store and a Gluff source), `demo` and the simulator's soundness checks all call this one
 * function, so they cannot drift apart. Without a Gluff table (`actual` null) the rebuild, memory and the
 * `client-silent` self-check are all there is.
 */
import { clockSkewFindings, measureClockSkew } from '../diff/measure-clock-skew.js';
import { decideVerdict, diffLeases } from '../diff/diff-leases.js';
import { judgeMemorySamples } from '../leak/judge-samples.js';
import type { StoredEvent } from '../model/events.js';
import type {
  ActualLease,
  ChannelLoss,
  ExpectedLease,
  Finding,
  LeakVerdict,
  Verdict,
} from '../model/lease.js';
import type { RigSpec } from '../model/spec.js';
import type { TimeWindow } from '../model/time.js';
import { rebuildLeases } from '../rebuild/rebuild-leases.js';
import { attributeFindings, attributionIps, EMPTY_TRACE } from '../attribute/attribute-findings.js';
import { modelQueues } from '../attribute/queue-model.js';
import { findSilentClients } from './find-silent-clients.js';

export interface JudgeInput {
  /**
   * The rebuild's events in time order. A function: when a server's clock turns out to be off, the
   * events are replayed a second time with the offset taken off.
   */
  events: () => Iterable<StoredEvent>;
  /** `memsample` events. */
  memoryEvents: Iterable<StoredEvent>;
  /**
   * Gluff's rows; null when there is no Gluff table (`verify --gluff none`, a stock dhcpd run): then
   * nothing is compared (no clock-skew measurement, no diff, no attribution) and every client of the
   * spec's clientSegments must hold a rebuilt lease in the window instead (`client-silent`).
   */
  actual: readonly ActualLease[] | null;
  spec: RigSpec;
  asOfMs: number;
  window?: TimeWindow;
  losses: readonly ChannelLoss[];
  /**
   * Told when each step starts, for a progress display (the CLI counts the events it hands over through
   * `events`/`memoryEvents` itself). A plain callback: the judgement stays pure. Absent: nothing is told.
   */
  onPhase?: (phase: JudgePhase) => void;
  /**
   * When `events` are a part of the evidence (`where`: the lines of one address and its clients), the time of
   * the whole evidence's first event (RebuildOptions.evidenceFromMs). Absent: the first event given.
   */
  evidenceFromMs?: number | null;
}

/** The steps of the judgement, in the order they run (those that do not apply are skipped). */
export type JudgePhase =
  | { name: 'rebuild' }
  /** A server's clock was off by a constant: the events are replayed with the offsets taken off. */
  | { name: 'rebuild-with-clock-offsets'; hosts: string[] }
  | { name: 'memory' }
  | { name: 'diff'; expectedRows: number; actualRows: number }
  /** Without a Gluff table: every client of the spec must hold a lease. */
  | { name: 'self-check'; expectedRows: number }
  /** The events are replayed through the queue model for the IPs of failed findings. */
  | { name: 'attribute'; ips: number };

export interface Judgement {
  verdict: Verdict;
  /** Expected rows overlapping the window. */
  expected: ExpectedLease[];
  findings: Finding[];
  inconclusiveReasons: string[];
  memory: LeakVerdict[];
}

function overlapsWindow(startMs: number | null, endMs: number | null, w: TimeWindow | undefined): boolean {
  if (w === undefined || startMs === null || endMs === null) return true;
  return (w.toMs === null || startMs < w.toMs) && (w.fromMs === null || endMs >= w.fromMs);
}

/**
 * Judges the evidence. `extraInconclusive` are reasons found outside (e.g. unparsable trusted lines);
 * memory that cannot be judged yet does not make the lease verdict inconclusive, a leak fails it.
 */
export function judgeEvidence(input: JudgeInput, extraInconclusive: readonly string[] = []): Judgement {
  const { asOfMs, window, losses, actual } = input;
  const tell = input.onPhase ?? (() => undefined);
  // settleSec is how late Gluff may write a row; without a Gluff table nothing is late.
  const spec =
    actual === null ? { ...input.spec, tolerances: { ...input.spec.tolerances, settleSec: 0 } } : input.spec;
  const base = { asOfMs, losses: [...losses], ...(window === undefined ? {} : { window }) };
  tell({ name: 'rebuild' });
  const rebuildBase =
    input.evidenceFromMs === undefined ? base : { ...base, evidenceFromMs: input.evidenceFromMs };
  const first = rebuildLeases(input.events(), spec, rebuildBase);
  // A server whose syslog clock is off by a constant: reported once, and its lines replayed corrected.
  // Measured against Gluff's starts, so never without a Gluff table.
  const skews = actual === null ? [] : measureClockSkew(first.rows, [...actual], spec);
  if (skews.length > 0) tell({ name: 'rebuild-with-clock-offsets', hosts: skews.map((k) => k.host) });
  const rebuilt =
    skews.length === 0
      ? first
      : rebuildLeases(input.events(), spec, {
          ...rebuildBase,
          hostOffsetsMs: Object.fromEntries(skews.map((k) => [k.host, k.offsetMs])),
        });
  const expected = rebuilt.rows.filter((r) => overlapsWindow(r.startMs, r.endMs, window));
  tell({ name: 'memory' });
  const memory = judgeMemorySamples(input.memoryEvents, spec);
  tell(
    actual === null
      ? { name: 'self-check', expectedRows: expected.length }
      : { name: 'diff', expectedRows: expected.length, actualRows: actual.length },
  );
  const findings = [
    ...clockSkewFindings(skews, spec),
    ...rebuilt.findings,
    ...(actual === null
      ? findSilentClients(expected, spec, asOfMs, window)
      : diffLeases(expected, [...actual], spec, { ...base, evidenceFromMs: rebuilt.evidenceFromMs })),
    ...memory.findings,
  ];
  // Attribution: who lost each failed fact (replays the channel once more, only when something failed).
  // Without a Gluff table no fact was lost on the way to it: nothing to attribute.
  const ips = actual === null ? new Set<string>() : attributionIps(findings);
  if (ips.size > 0) tell({ name: 'attribute', ips: ips.size });
  const trace =
    ips.size === 0
      ? EMPTY_TRACE
      : modelQueues(input.events(), spec, {
          ips,
          hostOffsetsMs: Object.fromEntries(skews.map((k) => [k.host, k.offsetMs])),
        });
  if (actual !== null) attributeFindings(findings, trace);
  const inconclusiveReasons = [...rebuilt.inconclusiveReasons, ...extraInconclusive];
  return {
    verdict: decideVerdict(findings, inconclusiveReasons),
    expected,
    findings,
    inconclusiveReasons,
    memory: memory.verdicts,
  };
}

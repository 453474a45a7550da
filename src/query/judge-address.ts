/**
 * The judgement of one address over one episode (episode.ts): verify's own judgement (judgeEvidence: rebuild,
 * clock-skew pass, diff, attribution) run over the lines `where` read for it, keeping what belongs to that
 * address and episode. Pure.
 */
import type { StoredEvent } from '../model/events.js';
import type { ActualLease, ChannelLoss, ExpectedLease, Finding } from '../model/lease.js';
import type { RigSpec } from '../model/spec.js';
import { judgeEvidence } from '../verify/judge-evidence.js';

/** What the edge read for one address and episode. */
export interface AddressEvidence {
  ip: string;
  /** The episode: its earliest and latest line of the address (episode.ts). */
  episode: { fromMs: number; toMs: number };
  /**
   * The lines, in (time, id) order: the address's from the pre-roll on, the ACKs of its clients elsewhere,
   * the permuter's maps, and for attribution the neighbourhood of the address's lines (cli/address-lookup.ts).
   */
  events: readonly StoredEvent[];
  /** Gluff's rows of the address around the episode and the rows whose address Gluff lost; null: no Gluff. */
  actual: readonly ActualLease[] | null;
  losses: readonly ChannelLoss[];
  /** The first event of the whole store (RebuildOptions.evidenceFromMs). */
  evidenceFromMs: number | null;
}

/** What verify says about one address over one episode. */
export interface AddressJudgement {
  ip: string;
  episode: { fromMs: number; toMs: number };
  /** The rebuilt stints of the address in the episode, in time order. */
  expected: ExpectedLease[];
  /** Gluff's rows of the address around the episode (invalid rows whose address is unknown left out); null without Gluff. */
  actual: ActualLease[] | null;
  /**
   * The findings about those stints and rows (fail ones attributed), and the channel gaps (permuter, collector
   * losses) meeting the episode.
   */
  findings: Finding[];
  /** as-of − settle: Gluff may not have written what happened after it yet (0 s settle without Gluff). */
  settleBoundMs: number;
}

/**
 * Judges the evidence as `verify` judges the whole store (no window) and keeps the address's part. The rows
 * the pre-roll rebuilt (they end before the episode's quiet stretch) are left out, with their findings.
 */
export function judgeAddress(evidence: AddressEvidence, spec: RigSpec, asOfMs: number): AddressJudgement {
  const { ip, episode } = evidence;
  const j = judgeEvidence({
    events: () => evidence.events,
    memoryEvents: [],
    actual: evidence.actual === null ? null : [...evidence.actual],
    spec,
    asOfMs,
    window: { fromMs: null, toMs: null },
    losses: evidence.losses,
    evidenceFromMs: evidence.evidenceFromMs,
  });
  const mine = (e: ExpectedLease | null): boolean => e !== null && e.ip === ip && e.endMs >= episode.fromMs;
  const expected = j.expected.filter(mine).sort((a, b) => a.startMs - b.startMs);
  const lastEndMs = Math.max(episode.toMs, ...expected.map((e) => e.endMs));
  const findings = j.findings.filter((f) => {
    if (f.kind === 'channel-gap') {
      const from = f.details['fromMs'] as number;
      const to = f.details['toMs'] as number;
      return from <= lastEndMs && to >= Math.min(episode.fromMs, ...expected.map((e) => e.startMs));
    }
    if (f.ip !== ip) return false;
    return f.expected === null ? f.actual.length > 0 : mine(f.expected);
  });
  const settleSec = evidence.actual === null ? 0 : spec.tolerances.settleSec;
  return {
    ip,
    episode,
    expected,
    actual: evidence.actual === null ? null : evidence.actual.filter((a) => a.ip === ip),
    findings,
    settleBoundMs: asOfMs - settleSec * 1000,
  };
}

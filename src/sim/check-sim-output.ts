/**
 * The verifier's pure judgement (src/verify/judge-evidence.ts) run over a simulation, with no sockets
 * and no databases: lines -> parseMessage -> events -> judgeEvidence against the simulated Gluff table as
 * ActualLease rows. The soundness tests hold its verdict to the fault catalogue; `demo` runs the same
 * judgement on what the collector stored.
 */
import type {
  ActualLease,
  ChannelStats,
  Finding,
  FindingKind,
  LogEvent,
  ParseContext,
  RigSpec,
  StoredEvent,
  Verdict,
} from '../model/index.js';
import { formatGluffTimestamp, parseGluffLeaseRow } from '../parse/gluff-row.js';
import { formatGluffOptionText } from '../parse/option82.js';
import { parseMessage } from '../parse/parse-message.js';
import { lossIntervals } from '../rebuild/loss-intervals.js';
import { judgeEvidence } from '../verify/judge-evidence.js';
import type { ExpectedOutcome } from './fault-catalogue.js';
import type { GluffRow } from './gluff-model.js';
import type { SimMessage, SimOutput } from './simulate-rig.js';

/**
 * Gluff rows -> ActualLease, through the text a reader gets back (timestamps as local wall time in
 * `zone`, options as dhcpd renders them), so the conversion is the one the real readers use.
 */
export function actualLeasesFromTable(table: readonly GluffRow[], zone: string): ActualLease[] {
  return table.map((r) =>
    parseGluffLeaseRow(
      {
        id: r.id,
        ip: r.ip,
        hw: r.hw,
        cid: r.cid === null ? null : formatGluffOptionText(r.cid),
        rid: r.rid === null ? null : formatGluffOptionText(r.rid),
        lstart: formatGluffTimestamp(r.lstart * 1000, zone),
        lend: formatGluffTimestamp(r.lend * 1000, zone),
      },
      zone,
    ),
  );
}

/** The result of one check: verdict, findings and the counts the soundness tests look at. */
export interface SimCheck {
  verdict: Verdict;
  findings: Finding[];
  inconclusiveReasons: string[];
  /** Kinds of all findings. */
  kinds: FindingKind[];
  /** Kinds of the findings with severity `fail`. */
  failKinds: FindingKind[];
  events: number;
  rejections: number;
  unknownLines: number;
}

/** Parses the messages that reached the collector into stored events in store order (time, then arrival). */
export function eventsFromMessages(
  messages: readonly SimMessage[],
  ctx: ParseContext,
): { events: StoredEvent[]; rejections: number; unknown: number } {
  const encoder = new TextEncoder();
  const events: StoredEvent[] = [];
  let rejections = 0;
  let unknown = 0;
  let id = 0;
  for (const m of messages) {
    if (m.lost) continue;
    id++;
    const parsed = parseMessage(encoder.encode(m.line), ctx);
    if (!parsed.ok) {
      rejections++;
      continue;
    }
    const event: LogEvent = parsed.event;
    if (event.kind === 'unknown') unknown++;
    events.push({ ...event, id, rawId: id, receivedMs: m.trueMs });
  }
  events.sort((a, b) => a.timeMs - b.timeMs || a.id - b.id);
  return { events, rejections, unknown };
}

/** Runs parse -> rebuild -> diff -> verdict over events and actual rows. */
export function checkEvents(
  events: readonly StoredEvent[],
  actual: readonly ActualLease[],
  spec: RigSpec,
  opts: { asOfMs: number; channelStats: readonly ChannelStats[] },
): Pick<SimCheck, 'verdict' | 'findings' | 'inconclusiveReasons' | 'kinds' | 'failKinds'> {
  const { verdict, findings, inconclusiveReasons } = judgeEvidence({
    events: () => events,
    memoryEvents: events,
    actual,
    spec,
    asOfMs: opts.asOfMs,
    losses: lossIntervals(opts.channelStats),
  });
  return {
    verdict,
    findings,
    inconclusiveReasons,
    kinds: [...new Set(findings.map((f) => f.kind))].sort(),
    failKinds: [...new Set(findings.filter((f) => f.severity === 'fail').map((f) => f.kind))].sort(),
  };
}

/** The whole pure pipeline over one simulation, against its own Gluff table. */
export function checkSimOutput(out: SimOutput, spec: RigSpec): SimCheck {
  const { events, rejections, unknown } = eventsFromMessages(out.messages, out.parseContext);
  const actual = actualLeasesFromTable(out.table, spec.tolerances.gluffZone);
  const result = checkEvents(events, actual, spec, { asOfMs: out.asOfMs, channelStats: out.channelStats });
  return { ...result, events: events.length, rejections, unknownLines: unknown };
}

/** Why a check does not meet the expected outcome, per aspect; every list empty when it does. */
export interface OutcomeChecks {
  verdict: string[];
  /** Kinds required, and failing kinds not allowed. */
  kinds: string[];
  /** Fail findings that name another culprit than a declared one. */
  culprit: string[];
  /** Declared rules no fail finding carries, or not attributed as declared (`how`). */
  rule: string[];
}

/**
 * Holds a check to the expected outcome: the verdict, the kinds, and who is blamed (every fail finding names a
 * declared culprit; each declared rule is carried by a fail finding, and every finding carrying it is
 * attributed as declared).
 */
export function outcomeChecks(
  check: Pick<SimCheck, 'verdict' | 'kinds' | 'failKinds' | 'findings'>,
  expected: ExpectedOutcome,
): OutcomeChecks {
  const out: OutcomeChecks = { verdict: [], kinds: [], culprit: [], rule: [] };
  if (check.verdict !== expected.verdict)
    out.verdict.push(`verdict ${check.verdict}, expected ${expected.verdict}`);
  for (const k of expected.kinds) if (!check.kinds.includes(k)) out.kinds.push(`no '${k}' finding`);
  for (const list of expected.oneOfKinds) {
    if (!list.some((k) => check.kinds.includes(k))) out.kinds.push(`none of ${list.join(', ')}`);
  }
  for (const k of check.failKinds) {
    if (!expected.kinds.includes(k) && !expected.allowedKinds.includes(k))
      out.kinds.push(`unexpected failing '${k}'`);
  }
  const fails = check.findings.filter((f) => f.severity === 'fail');
  const blamed = new Set<string>();
  for (const f of fails) {
    if (expected.culprits.includes(f.culprit)) continue;
    blamed.add(
      `a failing '${f.kind}' blames ${f.culprit} (${f.attribution?.rule ?? 'no rule'}), expected ${expected.culprits.join(' or ') || 'no fail'}`,
    );
  }
  out.culprit.push(...blamed);
  for (const { rule, how } of expected.rules) {
    const carrying = fails.filter((f) => f.attribution?.rule === rule);
    const seen = [...new Set(fails.map((f) => f.attribution?.rule ?? 'no rule'))].join(', ');
    if (carrying.length === 0)
      out.rule.push(`no fail finding attributed by '${rule}' (${seen || 'no fail'})`);
    else if (how !== null && carrying.some((f) => f.attribution?.how !== how))
      out.rule.push(`'${rule}' is not always ${how}`);
  }
  return out;
}

/** Why a check does not meet the expected outcome (outcomeChecks, all aspects); empty when it does. */
export function outcomeProblems(
  check: Pick<SimCheck, 'verdict' | 'kinds' | 'failKinds' | 'findings'>,
  expected: ExpectedOutcome,
): string[] {
  const c = outcomeChecks(check, expected);
  return [...c.verdict, ...c.kinds, ...c.culprit, ...c.rule];
}

/**
 * The audit question Gluff exists for, answered from both sources side by side: who had address X at time
 * T (`where`), and where was this client (`who`). Pure: the judgement of the address (judge-address.ts)
 * comes in, the answer goes out.
 *
 * The agreement is verify's own verdict on the stint and rows at T, in one word:
 *
 * | agreement      | when                                                                               |
 * |----------------|------------------------------------------------------------------------------------|
 * | `disagree`     | verify fails the stint or a Gluff row at T (the finding's kind and culprit say how) |
 * | `unknown`      | the evidence cannot decide: the stint is inconclusive (collector loss, unknown port, |
 * |                | not settled), or neither source has a lease at T                                    |
 * | `agree`        | both have it and verify finds nothing wrong                                        |
 * | `channel-only` | only the rebuilt stint (no Gluff table given, or none and nothing failed)          |
 * | `gluff-only`   | only Gluff's row (no event store given, or a row verify cannot judge: before the   |
 * |                | evidence began, not settled yet)                                                   |
 */
import type { Agreement, SourcesMode, WhereAnswer, WhoStint } from '../model/answer.js';
import type { ActualLease, ExpectedLease, Finding } from '../model/lease.js';
import { findSwitchPort, type RigSpec } from '../model/spec.js';
import type { AddressJudgement } from './judge-address.js';

export type { Agreement, SourcesMode, WhereAnswer, WhoStint };

/** The exit code of an agreement: 0 they agree, 1 they disagree, 2 it cannot be told. */
export const AGREEMENT_EXIT: Readonly<Record<Agreement, 0 | 1 | 2>> = {
  agree: 0,
  disagree: 1,
  'gluff-only': 2,
  'channel-only': 2,
  unknown: 2,
};

/** The parts of a judgement an answer reads (a Gluff-only answer has no rebuild: no stints, no findings). */
export interface AnswerInput {
  sources: SourcesMode;
  ip: string;
  expected: readonly ExpectedLease[];
  actual: readonly ActualLease[];
  findings: readonly Finding[];
  /** as-of − settle: what happened after it may not be in Gluff's table yet. */
  settleBoundMs: number;
}

/** The input of an answer from a judgement (AddressJudgement.actual null: the event store alone). */
export function answerInputOf(j: AddressJudgement): AnswerInput {
  return {
    sources: j.actual === null ? 'channel' : 'both',
    ip: j.ip,
    expected: j.expected,
    actual: j.actual ?? [],
    findings: j.findings,
    settleBoundMs: j.settleBoundMs,
  };
}

/** `startMs <= t < endMs`: intervals are half-open (a stint cut at t is the next one's from t on). */
export function covers(startMs: number | null, endMs: number | null, t: number): boolean {
  return startMs !== null && endMs !== null && startMs <= t && t < endMs;
}

/** Whether a finding is about what held the address at T: its stint, or one of its Gluff rows, covers T. */
export function findingTouches(f: Finding, t: number): boolean {
  if (f.kind === 'channel-gap') {
    const from = f.details['fromMs'] as number;
    const to = f.details['toMs'] as number;
    return from <= t && t <= to;
  }
  if (f.expected !== null && covers(f.expected.startMs, f.expected.endMs, t)) return true;
  return f.actual.some((a) => covers(a.startMs, a.endMs, t));
}

/** Whether a Gluff row is a stint's: the same address and client, alive together or starting together. */
function rowOfStint(a: ActualLease, e: ExpectedLease, linkMs: number): boolean {
  if (a.ip !== e.ip || a.hw !== e.hw || a.startMs === null || a.endMs === null) return false;
  const overlap = Math.min(a.endMs, e.endMs) - Math.max(a.startMs, e.startMs);
  return overlap > 0 || Math.abs(a.startMs - e.startMs) <= linkMs;
}

/** What held the address at T, per source, and the one word for how the two compare. */
export function answerWhere(
  input: AnswerInput,
  atMs: number,
  spec: Pick<RigSpec, 'tolerances'>,
): WhereAnswer {
  const { sources, ip } = input;
  const linkMs = Math.max(spec.tolerances.startSkewSec, spec.tolerances.endSkewSec) * 1000;
  const stints = input.expected.filter((e) => e.ip === ip && covers(e.startMs, e.endMs, atMs));
  const stint = stints[0] ?? null;
  const gluffRows = input.actual.filter((a) => a.ip === ip && covers(a.startMs, a.endMs, atMs));
  const touching = input.findings.filter(
    (f) => (f.ip === ip || f.kind === 'channel-gap') && findingTouches(f, atMs),
  );
  const gaps = touching.filter((f) => f.kind === 'channel-gap').map((f) => f.message);
  const own = touching.filter((f) => f.kind !== 'channel-gap');
  const fails = own.filter((f) => f.severity === 'fail');
  const notes = own.filter((f) => f.severity === 'warn');
  const answer = (agreement: Agreement, reasons: string[], differences: Finding[] = []): WhereAnswer => ({
    ip,
    atMs,
    sources,
    agreement,
    gluffRows,
    stint,
    differences,
    reasons,
    notes: sources === 'both' ? notes : [...notes, ...fails],
  });
  const doubt = [
    ...stints.flatMap((e) => (e.inconclusive === null ? [] : [e.inconclusive])),
    ...own.filter((f) => f.severity === 'inconclusive').map((f) => f.message),
  ];
  const unsettled =
    atMs > input.settleBoundMs
      ? [`T is after as-of − settle time ({{t:${input.settleBoundMs}}}): Gluff may not have written it yet`]
      : [];
  if (sources === 'gluff') {
    return gluffRows.length > 0
      ? answer('gluff-only', ['no event store given: Gluff table only'])
      : answer('unknown', ['no Gluff row covers T (no event store given: Gluff table only)']);
  }
  if (sources === 'channel') {
    if (stint === null)
      return answer('unknown', ['no rebuilt stint covers T (no Gluff table given)', ...gaps]);
    return doubt.length > 0
      ? answer('unknown', [...doubt, ...gaps])
      : answer('channel-only', ['no Gluff table given: rebuilt from the event store only']);
  }
  if (fails.length > 0) return answer('disagree', [], fails);
  if (doubt.length > 0) return answer('unknown', [...doubt, ...gaps]);
  if (stint !== null && gluffRows.length > 0) return answer('agree', []);
  if (stint !== null) {
    // A row within the tolerance of the stint's edge: verify matched them, T falls in the slack.
    if (input.actual.some((a) => rowOfStint(a, stint, linkMs))) return answer('agree', []);
    return answer('channel-only', [
      'Gluff has no row for this stint, and verify names no difference',
      ...gaps,
    ]);
  }
  if (gluffRows.length > 0) {
    if (gluffRows.every((a) => input.expected.some((e) => rowOfStint(a, e, linkMs))))
      return answer('agree', []);
    const why = gluffRows.some((a) => a.startMs !== null && a.startMs > input.settleBoundMs)
      ? 'the row is newer than as-of − settle time: not judged yet'
      : 'no rebuilt stint covers T, and verify names no difference (the row began before the evidence)';
    return answer('gluff-only', [why, ...gaps]);
  }
  return answer('unknown', [
    ...gaps,
    ...unsettled,
    ...(gaps.length === 0 && unsettled.length === 0
      ? ['neither source has a lease of this address at T']
      : []),
  ]);
}

/** Whether a finding is about this stint or these rows. */
function findingOf(f: Finding, e: ExpectedLease | null, rowIds: ReadonlySet<number>): boolean {
  if (e !== null && f.expected !== null && f.expected.ip === e.ip && f.expected.startMs === e.startMs)
    return true;
  if (e !== null && f.kind === 'merged-lease') {
    const rows = (f.details['expectedRows'] as { startMs: number }[] | undefined) ?? [];
    if (f.ip === e.ip && rows.some((r) => r.startMs === e.startMs)) return true;
  }
  return f.actual.some((a) => rowIds.has(a.id));
}

/**
 * Every stint of client `mac` meeting [fromMs, toMs) in these judgements (one per address and episode),
 * per source: rebuilt stints with the Gluff rows that are theirs, then Gluff's rows of the client no stint
 * explains. In time order.
 */
export function answerWho(
  inputs: readonly AnswerInput[],
  mac: string,
  range: { fromMs: number | null; toMs: number | null },
  spec: Pick<RigSpec, 'tolerances'>,
): WhoStint[] {
  const linkMs = Math.max(spec.tolerances.startSkewSec, spec.tolerances.endSkewSec) * 1000;
  const meets = (s: number | null, e: number | null): boolean =>
    s !== null &&
    e !== null &&
    (range.toMs === null || s < range.toMs) &&
    (range.fromMs === null || e > range.fromMs);
  const out: WhoStint[] = [];
  const seenStints = new Set<string>();
  const held = new Set<number>();
  // The client's stints (one address's episodes may be judged twice: each stint is listed once), with the
  // Gluff rows that are theirs; a stint outside the range whose row reaches into it is listed too.
  for (const input of inputs) {
    for (const e of input.expected) {
      if (e.hw !== mac) continue;
      const rows = input.actual.filter((a) => rowOfStint(a, e, linkMs));
      for (const a of rows) held.add(a.id);
      const key = `${e.ip}/${e.startMs}`;
      if (seenStints.has(key) || !(meets(e.startMs, e.endMs) || rows.some((a) => meets(a.startMs, a.endMs))))
        continue;
      seenStints.add(key);
      out.push(whoStint(input, e, rows));
    }
  }
  // Then Gluff's rows of the client that no stint holds.
  const lone = new Set<number>();
  for (const input of inputs) {
    for (const a of input.actual) {
      if (a.hw !== mac || held.has(a.id) || lone.has(a.id) || !meets(a.startMs, a.endMs)) continue;
      lone.add(a.id);
      out.push(whoStint(input, null, [a]));
    }
  }
  return out.sort((a, b) => a.fromMs - b.fromMs || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

function whoStint(input: AnswerInput, e: ExpectedLease | null, rows: ActualLease[]): WhoStint {
  const rowIds = new Set(rows.map((a) => a.id));
  const about = input.findings.filter(
    (f) => f.kind !== 'channel-gap' && f.ip === input.ip && findingOf(f, e, rowIds),
  );
  const fails = about.filter((f) => f.severity === 'fail');
  const notes = about.filter((f) => f.severity === 'warn');
  const doubt = [
    ...(e?.inconclusive == null ? [] : [e.inconclusive]),
    ...about.filter((f) => f.severity === 'inconclusive').map((f) => f.message),
  ];
  const first = rows[0];
  const fromMs = e?.startMs ?? first?.startMs ?? 0;
  const toMs = e?.endMs ?? first?.endMs ?? 0;
  const base = { ip: input.ip, hw: e?.hw ?? first?.hw ?? '', stint: e, gluffRows: rows, fromMs, toMs };
  const { sources } = input;
  if (sources === 'gluff') {
    return {
      ...base,
      agreement: 'gluff-only',
      differences: [],
      reasons: ['no event store given'],
      notes: [],
    };
  }
  if (sources === 'channel') {
    return doubt.length > 0
      ? { ...base, agreement: 'unknown', differences: [], reasons: doubt, notes: [...notes, ...fails] }
      : {
          ...base,
          agreement: 'channel-only',
          differences: [],
          reasons: ['no Gluff table given'],
          notes: [...notes, ...fails],
        };
  }
  if (fails.length > 0) return { ...base, agreement: 'disagree', differences: fails, reasons: [], notes };
  if (doubt.length > 0) return { ...base, agreement: 'unknown', differences: [], reasons: doubt, notes };
  if (e !== null && rows.length > 0)
    return { ...base, agreement: 'agree', differences: [], reasons: [], notes };
  if (e !== null) {
    return {
      ...base,
      agreement: 'channel-only',
      differences: [],
      reasons: ['Gluff has no row for this stint, and verify names no difference'],
      notes,
    };
  }
  return {
    ...base,
    agreement: 'gluff-only',
    differences: [],
    reasons: [
      first !== undefined && first.startMs !== null && first.startMs > input.settleBoundMs
        ? 'the row is newer than as-of − settle time: not judged yet'
        : 'no rebuilt stint explains the row, and verify names no difference (it began before the evidence)',
    ],
    notes,
  };
}

/** The spec's name of the port with these Option 82 values, or null. */
export function portName(
  spec: Pick<RigSpec, 'switch'>,
  cidHex: string | null,
  ridHex: string | null,
): string | null {
  return findSwitchPort(spec, cidHex, ridHex)?.name ?? null;
}

/** Whether an answer at T puts its client behind the spec port `port` (by either source). */
export function answerOnPort(a: WhereAnswer, port: string, spec: Pick<RigSpec, 'switch'>): boolean {
  const s = a.stint;
  if (s !== null && (portName(spec, s.cidHex, s.remoteIdHex) === port || s.physicalPort === port))
    return true;
  return a.gluffRows.some((r) => portName(spec, r.cidHex, r.remoteIdHex) === port);
}

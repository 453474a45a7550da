/**
 * What the HTML report's lease timelines show, decided before anything is drawn: the findings' numbers (the
 * same as their cards'), which addresses and MACs get a timeline, which stretches of time each one shows
 * and where each finding's marker stands. Pure: VerificationResult in, plain values out.
 */
import type {
  ActualLease,
  ExpectedLease,
  Finding,
  LeaseTimelineData,
  Severity,
  VerificationResult,
} from '../model/lease.js';

/** A finding with its number on the page (`#12`): the card's heading and the marker say the same. */
export interface NumberedFinding {
  n: number;
  finding: Finding;
}

const SEVERITY_ORDER: readonly Severity[] = ['fail', 'inconclusive', 'warn'];

/** The cards' order: failures, then inconclusive findings, then warnings, each in the result's order; from 1. */
export function numberFindings(findings: readonly Finding[]): NumberedFinding[] {
  const out: NumberedFinding[] = [];
  for (const s of SEVERITY_ORDER)
    for (const finding of findings) if (finding.severity === s) out.push({ n: out.length + 1, finding });
  return out;
}

/** A stretch of time, UTC ms, half-open. */
export interface Span {
  fromMs: number;
  toMs: number;
}

/** The key of an expected row (a rebuilt stint is one client from one first ACK on one address). */
export function expectedKey(e: Pick<ExpectedLease, 'ip' | 'hw' | 'startMs'>): string {
  return `${e.ip} ${e.hw} ${e.startMs}`;
}

/**
 * The rows and marks the timelines draw: the result's timeline data, or, for a result built without it
 * (an older caller, a test), the rows the findings carry.
 */
export function timelineData(result: VerificationResult): LeaseTimelineData {
  if (result.timeline !== undefined) return result.timeline;
  const expected = new Map<string, ExpectedLease>();
  const actual = new Map<number, ActualLease>();
  for (const f of result.findings) {
    if (f.expected !== null) expected.set(expectedKey(f.expected), f.expected);
    for (const a of f.actual) actual.set(a.id, a);
  }
  return {
    expected: [...expected.values()],
    actual: [...actual.values()],
    releases: [],
    portMoves: [],
    queueFailures: [],
    restarts: [],
    losses: [],
    settleFromMs: null,
    ports: [],
  };
}

function finite(ms: unknown): ms is number {
  return typeof ms === 'number' && Number.isFinite(ms);
}

/** The instants a finding is about: its rows' ends, and the intervals its details name. */
function findingInstants(f: Finding): number[] {
  const out: number[] = [];
  if (f.expected !== null) out.push(f.expected.startMs, f.expected.endMs);
  for (const a of f.actual) for (const t of [a.startMs, a.endMs]) if (finite(t)) out.push(t);
  const d = f.details;
  for (const key of ['firstMs', 'lastMs', 'fromMs', 'toMs', 'settleBoundMs']) {
    if (finite(d[key])) out.push(d[key]);
  }
  const rows = d['expectedRows'];
  if (Array.isArray(rows)) {
    for (const r of rows as unknown[]) {
      if (typeof r !== 'object' || r === null) continue;
      const { startMs, endMs } = r as Record<string, unknown>;
      if (finite(startMs)) out.push(startMs);
      if (finite(endMs)) out.push(endMs);
    }
  }
  return out;
}

/** The stretch of time a finding is about (its rows and details), or null when it names no instant. */
export function findingSpan(f: Finding): Span | null {
  const t = findingInstants(f);
  if (t.length === 0) return null;
  return { fromMs: Math.min(...t), toMs: Math.max(...t) };
}

/** Where a finding's marker stands: at `atMs` on the rebuilt lane or on the lane of Gluff row `actualId`. */
export interface FindingMark {
  atMs: number;
  on: 'expected' | 'actual';
  /** The Gluff row the marker sits on (on: 'actual'); null on the rebuilt lane. */
  actualId: number | null;
}

/**
 * The instant and lane of a finding's marker: where the fact went wrong. A wrong end sits at the end of
 * Gluff's row, a wrong start or value at its start, a split at the start of the second piece, a merge at the
 * boundary Gluff ignored, a missing row or a port disagreement on the rebuilt lane. Null without a time.
 */
export function findingMark(f: Finding): FindingMark | null {
  const a0 = f.actual[0];
  const e = f.expected;
  const onActual = (atMs: number | null | undefined, row = a0): FindingMark | null =>
    finite(atMs) && row !== undefined ? { atMs, on: 'actual', actualId: row.id } : null;
  const onExpected = (atMs: number | null | undefined): FindingMark | null =>
    finite(atMs) ? { atMs, on: 'expected', actualId: null } : null;
  const d = f.details;
  let mark: FindingMark | null = null;
  switch (f.kind) {
    case 'end-mismatch':
      mark = onActual(a0?.endMs);
      break;
    case 'release-not-applied':
      mark = onActual(e?.endMs ?? a0?.endMs);
      break;
    case 'split-lease': {
      const second = f.actual[1];
      mark = onActual(second?.startMs, second) ?? onActual(a0?.startMs);
      break;
    }
    case 'merged-lease': {
      const rows = d['expectedRows'];
      const second = Array.isArray(rows) ? (rows[1] as Record<string, unknown> | undefined) : undefined;
      mark = onActual(finite(second?.['startMs']) ? second['startMs'] : e?.endMs);
      break;
    }
    case 'missing-lease':
      mark = onExpected(e?.startMs);
      break;
    case 'port-disagreement':
      mark = onExpected(finite(d['firstMs']) ? d['firstMs'] : e?.startMs);
      break;
    default:
      break;
  }
  mark ??= onActual(a0?.startMs ?? a0?.endMs) ?? onExpected(e?.startMs);
  return mark;
}

/** One timeline figure: an address, a MAC, or both when they are the same story. */
export interface TimelineSubject {
  /** The figure's id (`tl-3`): made from a counter, never from a text. */
  anchor: string;
  /** The address, when the figure is an address's (or both). */
  ip: string | null;
  /** The MAC, when the figure is a MAC's (or both). */
  mac: string | null;
  /** Shown in the per-address view, the per-MAC view, or both (one address held by one MAC only). */
  inIpView: boolean;
  inMacView: boolean;
  findings: NumberedFinding[];
  /** Every row of the address (or of the MAC), in start order. */
  expected: ExpectedLease[];
  actual: ActualLease[];
  /** The stretches drawn, around the findings, in time order. */
  panels: Span[];
  /** The most severe of its findings (fail before inconclusive before warn). */
  worst: Severity;
}

export interface SubjectOptions {
  /** Findings closer than this share a panel. */
  mergeGapMs: number;
  /** At most this many panels per figure (the closest are merged). */
  maxPanels: number;
  /** Time drawn either side of the findings: this share of the panel's span, at least minPadMs. */
  padShare: number;
  minPadMs: number;
}

export const SUBJECT_DEFAULTS: SubjectOptions = {
  mergeGapMs: 20 * 60_000,
  maxPanels: 4,
  padShare: 0.12,
  minPadMs: 90_000,
};

/** The panels around a figure's findings: their spans merged when close, padded, at most maxPanels. */
export function panelsOf(findings: readonly Finding[], o: SubjectOptions = SUBJECT_DEFAULTS): Span[] {
  const spans = findings
    .map(findingSpan)
    .filter((s): s is Span => s !== null)
    .sort((a, b) => a.fromMs - b.fromMs);
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && s.fromMs - last.toMs <= o.mergeGapMs) last.toMs = Math.max(last.toMs, s.toMs);
    else merged.push({ ...s });
  }
  while (merged.length > o.maxPanels) {
    let best = 0;
    for (let i = 1; i < merged.length - 1; i++) {
      if (merged[i + 1]!.fromMs - merged[i]!.toMs < merged[best + 1]!.fromMs - merged[best]!.toMs) best = i;
    }
    merged[best] = {
      fromMs: merged[best]!.fromMs,
      toMs: Math.max(merged[best]!.toMs, merged[best + 1]!.toMs),
    };
    merged.splice(best + 1, 1);
  }
  return merged.map((s) => {
    const pad = Math.max(o.minPadMs, (s.toMs - s.fromMs) * o.padShare);
    return { fromMs: s.fromMs - pad, toMs: s.toMs + pad };
  });
}

/**
 * The findings a figure's panels are drawn around: its failures and inconclusive findings when it has any
 * (warnings inside those stretches still get their markers), else its warnings.
 */
function focusOf(findings: readonly NumberedFinding[]): Finding[] {
  const serious = findings.filter((x) => x.finding.severity !== 'warn');
  return (serious.length > 0 ? serious : findings).map((x) => x.finding);
}

function worstOf(findings: readonly NumberedFinding[]): Severity {
  for (const s of SEVERITY_ORDER) if (findings.some((x) => x.finding.severity === s)) return s;
  return 'warn';
}

/** Numeric order of dotted quads, anything else after by text (as the checked-IPs list). */
export function compareIps(a: string, b: string): number {
  const key = (ip: string) => {
    const parts = ip.split('.');
    return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p))
      ? parts.reduce((n, p) => n * 256 + Number(p), 0)
      : Infinity;
  };
  const ka = key(a);
  const kb = key(b);
  return ka !== kb ? ka - kb : a < b ? -1 : a > b ? 1 : 0;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

/**
 * The timeline figures: one per address with findings and one per MAC with findings; an address whose
 * rows are exactly one MAC's rows, and that MAC's are exactly its, is one figure in both views. Ordered by
 * address (a MAC's figure after its first address's), MACs without rows last.
 */
export function timelineSubjects(
  numbered: readonly NumberedFinding[],
  data: Pick<LeaseTimelineData, 'expected' | 'actual'>,
  options: SubjectOptions = SUBJECT_DEFAULTS,
): TimelineSubject[] {
  const expByIp = groupBy(data.expected, (r) => r.ip);
  const actByIp = groupBy(data.actual, (r) => r.ip);
  const expByHw = groupBy(data.expected, (r) => r.hw);
  const actByHw = groupBy(data.actual, (r) => r.hw);
  const findingsByIp = groupBy(numbered, (x) => x.finding.ip);
  const findingsByHw = groupBy(numbered, (x) => x.finding.hw);

  /** The one MAC all of an address's rows have, when that MAC's rows are all on this address. */
  const soleMac = (ip: string): string | null => {
    const exp = expByIp.get(ip) ?? [];
    const act = actByIp.get(ip) ?? [];
    const hws = new Set<string | null>([...exp.map((r) => r.hw), ...act.map((r) => r.hw)]);
    if (hws.size !== 1) return null;
    const hw = [...hws][0]!;
    if (hw === null) return null;
    const sameCount =
      (expByHw.get(hw)?.length ?? 0) === exp.length && (actByHw.get(hw)?.length ?? 0) === act.length;
    return sameCount ? hw : null;
  };

  const sortRows = <T extends { startMs: number | null }>(rows: T[] | undefined): T[] =>
    [...(rows ?? [])].sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0));
  const subjects: (TimelineSubject & { order: [string, number] })[] = [];
  const macsDone = new Set<string>();
  for (const ip of [...findingsByIp.keys()].sort(compareIps)) {
    const mac = soleMac(ip);
    const fs = [...(findingsByIp.get(ip) ?? [])];
    if (mac !== null && findingsByHw.has(mac)) {
      macsDone.add(mac);
      for (const x of findingsByHw.get(mac)!) if (!fs.includes(x)) fs.push(x);
    }
    fs.sort((a, b) => a.n - b.n);
    subjects.push({
      anchor: '',
      ip,
      mac: mac !== null && findingsByHw.has(mac) ? mac : null,
      inIpView: true,
      inMacView: mac !== null && findingsByHw.has(mac),
      findings: fs,
      expected: sortRows(expByIp.get(ip)),
      actual: sortRows(actByIp.get(ip)),
      panels: panelsOf(focusOf(fs), options),
      worst: worstOf(fs),
      order: [ip, 0],
    });
  }
  for (const [mac, fs] of findingsByHw) {
    if (macsDone.has(mac)) continue;
    const expected = sortRows(expByHw.get(mac));
    const actual = sortRows(actByHw.get(mac));
    const firstIp = expected[0]?.ip ?? actual.find((a) => a.ip !== null)?.ip ?? null;
    subjects.push({
      anchor: '',
      ip: null,
      mac,
      inIpView: false,
      inMacView: true,
      findings: [...fs].sort((a, b) => a.n - b.n),
      expected,
      actual,
      panels: panelsOf(focusOf(fs), options),
      worst: worstOf(fs),
      order: [firstIp ?? '\uffff', 1],
    });
  }
  subjects.sort((a, b) => compareIps(a.order[0], b.order[0]) || a.order[1] - b.order[1]);
  return subjects.map(({ order: _order, ...s }, i) => ({ ...s, anchor: `tl-${i + 1}` }));
}

/**
 * Diff the rebuilt (expected) lease rows against the rows read from Gluff's table, and decide the verdict.
 *
 * Per IP, rows are aligned by time: an expected and an actual row are linked when they overlap by more than
 * the tolerance (or start together with the same hw). Linked rows form components; each component yields
 * the finding of its shape (missing, unexpected, split, merged) or, for one-to-one pairs, field findings.
 * Aligning by components is what keeps one defect to one finding: a deleted row leaves its neighbours
 * paired with their own rows. The expected rows are the ideal table, where no two rows of an IP are alive at
 * once: actual rows that are make one overlapping-rows finding per cluster, and each of them is tied only to
 * the expected stints with its own values, so the overlap does not cascade into start/end mismatches, and a
 * stint whose rows fall apart into pieces (with holes or cuts between them) is one split-lease.
 */
import { findSwitchPort } from '../model/index.js';
import type {
  ActualLease,
  ChannelLoss,
  ExpectedLease,
  Finding,
  FindingKind,
  RigSpec,
  Severity,
  TimeWindow,
  Verdict,
} from '../model/index.js';

export interface DiffOptions {
  /** The instant the actual table was read. */
  asOfMs: number;
  /** Only rows starting in this window are judged; null bounds are open. */
  window?: TimeWindow;
  /** Collector loss intervals: unexplained actual rows alive in one are inconclusive, not unexpected. */
  losses?: readonly ChannelLoss[];
  /** First event of the evidence (RebuildResult.evidenceFromMs): actual rows starting before it are not judged. */
  evidenceFromMs?: number | null;
}

/** An actual row with the fields alignment needs, all known. */
interface ValidRow {
  row: ActualLease;
  ip: string;
  hw: string;
  startMs: number;
  endMs: number;
}

/** The tolerances and bounds every step of the diff reads, and where its findings go. */
interface DiffContext {
  /** For messages only: the switch ports' names. */
  spec: Pick<RigSpec, 'switch'>;
  tol: { start: number; end: number; approx: number };
  /** Rows overlapping by more than this are linked (ms). */
  link: number;
  settleBoundMs: number;
  losses: readonly ChannelLoss[];
  evidenceFromMs: number | null;
  window: TimeWindow | undefined;
  findings: Finding[];
  /** Expected rows with no actual row: resolved at the end (an invalid row may explain one). */
  missing: { e: ExpectedLease; severity: Severity }[];
}

/** Compare expected and actual rows; returns findings (never throws on bad rows). */
export function diffLeases(
  expected: readonly ExpectedLease[],
  actual: readonly ActualLease[],
  spec: RigSpec,
  options: DiffOptions,
): Finding[] {
  const tol = {
    start: spec.tolerances.startSkewSec * 1000,
    end: spec.tolerances.endSkewSec * 1000,
    approx: spec.tolerances.approxEndSkewSec * 1000,
  };
  const ctx: DiffContext = {
    spec,
    tol,
    link: Math.max(tol.start, tol.end),
    settleBoundMs: options.asOfMs - spec.tolerances.settleSec * 1000,
    losses: options.losses ?? [],
    evidenceFromMs: options.evidenceFromMs ?? null,
    window: options.window,
    findings: [],
    missing: [],
  };
  const findings = ctx.findings;
  const invalid: ActualLease[] = [];
  const actualByIp = new Map<string, ValidRow[]>();
  for (const a of actual) {
    if (a.ip === null || a.hw === null || a.startMs === null || a.endMs === null || a.endMs < a.startMs) {
      invalid.push(a);
      continue;
    }
    const v: ValidRow = { row: a, ip: a.ip, hw: a.hw, startMs: a.startMs, endMs: a.endMs };
    const list = actualByIp.get(a.ip);
    if (list === undefined) actualByIp.set(a.ip, [v]);
    else list.push(v);
  }
  const expectedByIp = new Map<string, ExpectedLease[]>();
  for (const e of expected) {
    const list = expectedByIp.get(e.ip);
    if (list === undefined) expectedByIp.set(e.ip, [e]);
    else list.push(e);
  }
  const ips = new Set([...expectedByIp.keys(), ...actualByIp.keys()]);
  for (const ip of ips) {
    const es = [...(expectedByIp.get(ip) ?? [])].sort((a, b) => a.startMs - b.startMs);
    const as = [...(actualByIp.get(ip) ?? [])].sort((a, b) => a.startMs - b.startMs || a.row.id - b.row.id);
    const { kept, tiedTo } = judgeOverlaps(ctx, ip, es, as);
    const links = linkRows(ctx, es, kept, tiedTo);
    judgeComponents(ctx, ip, es, kept, tiedTo, links);
  }
  // A corrupted row usually still says which lease it was: let it explain a missing one.
  const usedInvalid = new Set<ActualLease>();
  for (const m of ctx.missing) {
    const bad = invalid.find((a) => !usedInvalid.has(a) && resembles(ctx, m.e, a));
    if (bad !== undefined) {
      usedInvalid.add(bad);
      findings.push(invalidFinding(bad, m.e, 'fail'));
      continue;
    }
    const f = finding('missing-lease', m.severity, 'gluff', m.e, [], m.e.evidence);
    f.message = `${m.e.ip}: no row for ${m.e.hw} ${window(m.e)} (expected from ${count(m.e.evidence.length, 'event')})`;
    f.details = { reason: 'the ACKs behind this row are settled but Gluff has no row covering them' };
    findings.push(f);
  }
  for (const a of invalid) {
    if (usedInvalid.has(a)) continue;
    if (a.startMs !== null && !inScope(a.startMs, options.window)) continue;
    findings.push(invalidFinding(a, null, 'fail'));
  }
  return findings;
}

/**
 * Step 1. Overlapping actual rows: the ideal table never has two rows of one IP alive at once, so each cluster
 * is one overlapping-rows finding. Each row of it is then tied to the expected rows with its own values that it
 * overlaps (the stint it belongs to); rows with none (a duplicate with stale values) are explained by the
 * overlap finding alone, and the ends of tied rows are not judged again (no cascade). Returns the rows the
 * later steps align (in start order) and their ties.
 */
function judgeOverlaps(
  ctx: DiffContext,
  ip: string,
  es: readonly ExpectedLease[],
  as: readonly ValidRow[],
): { kept: ValidRow[]; tiedTo: Map<ValidRow, ExpectedLease[]> } {
  const kept: ValidRow[] = [];
  const tiedTo = new Map<ValidRow, ExpectedLease[]>();
  for (const cluster of overlapClusters(as, ctx.link)) {
    if (cluster.length === 1) {
      kept.push(cluster[0]!);
      continue;
    }
    const lo = Math.min(...cluster.map((a) => a.startMs));
    const hi = Math.max(...cluster.map((a) => a.endMs));
    const near = es.filter(
      (e) => overlapMs(e.startMs, e.endMs, lo, hi) > ctx.link || Math.abs(e.startMs - lo) <= ctx.tol.start,
    );
    for (const a of cluster) {
      const picks: ExpectedLease[] = [];
      for (const e of near) {
        const optionsKnown = !(e.endSource === 'approximate' && e.physicalPort === null);
        if (a.hw !== e.hw) continue;
        if (optionsKnown && (a.row.cidHex !== e.cidHex || a.row.remoteIdHex !== e.remoteIdHex)) continue;
        const ov = overlapMs(e.startMs, e.endMs, a.startMs, a.endMs);
        if (ov <= ctx.link && Math.abs(a.startMs - e.startMs) > ctx.tol.start) continue;
        picks.push(e);
      }
      if (picks.length > 0) {
        kept.push(a);
        tiedTo.set(a, picks);
      }
    }
    if (!inScope(lo, ctx.window)) continue;
    const inconclusive = near.find((e) => e.inconclusive !== null);
    // A lost line may be the queue row that explains the overlap.
    const lost = ctx.losses.some((l) => overlapMs(lo, hi, l.fromMs, l.toMs) >= 0);
    const sev: Severity = inconclusive || lost ? 'inconclusive' : 'fail';
    const f = finding(
      'overlapping-rows',
      sev,
      'gluff',
      near[0] ?? null,
      cluster.map((a) => a.row),
      near.flatMap((e) => e.evidence),
    );
    f.ip = ip;
    f.hw = cluster[0]!.hw;
    f.message = `${ip}: ${cluster.length} rows (ids ${cluster.map((a) => a.row.id).join(', ')}) are alive at once between ${tok(lo)} and ${tok(hi)}; one lease stint is one row`;
    f.details = {
      ids: cluster.map((a) => a.row.id),
      ...causeOf(near),
    };
    ctx.findings.push(f);
  }
  kept.sort((a, b) => a.startMs - b.startMs || a.row.id - b.row.id);
  return { kept, tiedTo };
}

/**
 * Step 2. Links between expected row i and kept actual row j: the ties of step 1, then overlap beyond the
 * tolerance, then rows too short to overlap paired by start.
 */
function linkRows(
  ctx: DiffContext,
  es: readonly ExpectedLease[],
  kept: readonly ValidRow[],
  tiedTo: ReadonlyMap<ValidRow, ExpectedLease[]>,
): [number, number][] {
  const n = es.length;
  const links: [number, number][] = [];
  if (tiedTo.size > 0) {
    const eIndex = new Map(es.map((e, i) => [e, i]));
    kept.forEach((a, j) => {
      for (const e of tiedTo.get(a) ?? []) {
        const i = eIndex.get(e)!;
        links.push([i, j]);
      }
    });
  }
  let lo = 0;
  for (let i = 0; i < n; i++) {
    const e = es[i]!;
    while (lo < kept.length && kept[lo]!.endMs < e.startMs - ctx.link) lo++;
    for (let j = lo; j < kept.length; j++) {
      const a = kept[j]!;
      if (a.startMs > e.endMs + ctx.link) break;
      if (tiedTo.has(a)) continue;
      if (overlapMs(e.startMs, e.endMs, a.startMs, a.endMs) > ctx.link) {
        links.push([i, j]);
      }
    }
  }
  // Rows too short to overlap by more than the tolerance: pair each left-over expected row with the nearest
  // left-over actual row that starts within the tolerance and either ends within it or has the same hw. When
  // none is left over, a row of the same hw that starts with it but already holds the next stint has merged
  // the two (e.g. a release 1 s after the ACK, whose cut went elsewhere): linked too, so it reads merged.
  const eDone = new Set(links.map(([i]) => i));
  const aDone = new Set(links.map(([, j]) => j));
  for (let i = 0; i < n; i++) {
    if (eDone.has(i)) continue;
    const e = es[i]!;
    let best = -1;
    let bestD = Infinity;
    let taken = -1;
    for (let j = 0; j < kept.length; j++) {
      const a = kept[j]!;
      const dStart = Math.abs(a.startMs - e.startMs);
      if (aDone.has(j)) {
        if (taken < 0 && dStart <= ctx.tol.start && a.hw === e.hw) taken = j;
        continue;
      }
      const dEnd = Math.abs(a.endMs - e.endMs);
      const near = dEnd <= Math.max(ctx.tol.end, ctx.tol.approx) || a.hw === e.hw;
      if (dStart <= ctx.tol.start && near && dStart + dEnd < bestD) {
        best = j;
        bestD = dStart + dEnd;
      }
    }
    if (best < 0) best = taken;
    if (best >= 0) {
      aDone.add(best);
      links.push([i, best]);
    }
  }
  return links;
}

/** The connected components of the link graph: expected indexes and kept actual indexes. */
function componentsOf(
  n: number,
  m: number,
  links: readonly [number, number][],
): { es: number[]; as: number[] }[] {
  const parent = Array.from({ length: n + m }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (const [i, j] of links) parent[find(i)] = find(n + j);
  const comps = new Map<number, { es: number[]; as: number[] }>();
  const comp = (i: number) => {
    const root = find(i);
    let c = comps.get(root);
    if (c === undefined) {
      c = { es: [], as: [] };
      comps.set(root, c);
    }
    return c;
  };
  for (let i = 0; i < n; i++) comp(i).es.push(i);
  for (let j = 0; j < m; j++) comp(n + j).as.push(j);
  return [...comps.values()];
}

/**
 * Step 3. Each component yields the finding of its shape: actual rows alone are unexpected, expected rows
 * alone are missing, an actual row linked to two stints is merged, a stint in two or more pieces is split, a
 * one-to-one pair gets field findings.
 */
function judgeComponents(
  ctx: DiffContext,
  ip: string,
  es: readonly ExpectedLease[],
  kept: readonly ValidRow[],
  tiedTo: ReadonlyMap<ValidRow, ExpectedLease[]>,
  links: readonly [number, number][],
): void {
  const comps = componentsOf(es.length, kept.length, links);
  const eLinks = new Map<number, number[]>();
  const aLinks = new Map<number, number[]>();
  for (const [i, j] of links) {
    eLinks.set(i, [...(eLinks.get(i) ?? []), j]);
    aLinks.set(j, [...(aLinks.get(j) ?? []), i]);
  }
  for (const c of comps) {
    const ce = c.es.map((i) => es[i]!);
    const ca = c.as.map((j) => kept[j]!);
    const scopeMs =
      ce.length > 0 ? Math.min(...ce.map((e) => e.startMs)) : Math.min(...ca.map((a) => a.startMs));
    if (!inScope(scopeMs, ctx.window)) continue;
    const inconclusive = ce.some((e) => e.inconclusive !== null);
    const sev: Severity = inconclusive ? 'inconclusive' : 'fail';
    const push = (f: Finding): void => {
      f.details = { ...f.details, ...causeOf(ce) };
      ctx.findings.push(f);
    };
    if (ce.length === 0) {
      for (const a of ca) {
        if (ctx.evidenceFromMs !== null && a.startMs < ctx.evidenceFromMs) continue;
        if (a.startMs > ctx.settleBoundMs) continue;
        const lost = ctx.losses.some((l) => overlapMs(a.startMs, a.endMs, l.fromMs, l.toMs) >= 0);
        const f = finding(
          'unexpected-lease',
          lost ? 'inconclusive' : 'fail',
          lost ? 'channel' : 'gluff',
          null,
          [a.row],
          [],
        );
        f.ip = ip;
        f.hw = a.hw;
        f.message = `${ip}: row id ${a.row.id} for ${a.hw} from ${tok(a.startMs)} to ${tok(a.endMs)} has no ACK behind it${lost ? ' (the collector lost messages then)' : ''}`;
        f.details = {
          reason: lost ? 'the ACK may be among the lost messages' : 'no DHCPACK for this ip covers the row',
        };
        ctx.findings.push(f);
      }
      continue;
    }
    if (ca.length === 0) {
      for (const e of ce) {
        if (e.inconclusive !== null) continue;
        ctx.missing.push({ e, severity: 'fail' });
      }
      continue;
    }
    for (const j of c.as) {
      const ei = aLinks.get(j) ?? [];
      if (ei.length < 2) continue;
      const a = kept[j]!;
      const merged = ei.map((i) => es[i]!);
      const f = finding(
        'merged-lease',
        sev,
        'gluff',
        merged[0]!,
        [a.row],
        merged.flatMap((e) => e.evidence),
      );
      f.message = `${ip}: row id ${a.row.id} (${tok(a.startMs)} to ${tok(a.endMs)}) covers ${merged.length} expected rows (${merged.map((e) => `${tok(e.startMs)} to ${tok(e.endMs)}`).join(', ')}) that Gluff should have kept apart`;
      f.details = {
        expectedRows: merged.map((e) => ({
          startMs: e.startMs,
          endMs: e.endMs,
          hw: e.hw,
          cidHex: e.cidHex,
        })),
      };
      push(f);
    }
    for (const i of c.es) {
      const aj = eLinks.get(i) ?? [];
      if (aj.length === 0) continue;
      const e = es[i]!;
      const rows = aj.map((j) => kept[j]!).sort((x, y) => x.startMs - y.startMs || x.row.id - y.row.id);
      // Pieces: the rows of this stint grouped by being alive at once (those are an overlap finding).
      const pieces = piecesOf(rows, ctx.link);
      if (pieces.length >= 2) {
        const parts = borderRows(pieces, ctx.tol.start);
        const f = finding(
          'split-lease',
          sev,
          'gluff',
          e,
          parts.map((a) => a.row),
          e.evidence,
        );
        f.message = `${ip}: the lease of ${e.hw} ${window(e)} appears as ${pieces.length} rows (ids ${parts.map((a) => a.row.id).join(', ')})`;
        f.details = { ids: parts.map((a) => a.row.id) };
        push(f);
        continue;
      }
      const j = aj[0]!;
      // Several rows alive at once for this stint: the overlap finding says it all.
      if (new Set(rows.map((a) => `${a.startMs}/${a.endMs}`)).size !== 1) continue;
      if ((aLinks.get(j) ?? []).length !== 1) continue;
      for (const f of compareFields(ctx, e, kept[j]!, sev, tiedTo.has(kept[j]!))) push(f);
    }
  }
}

/** `overlapped`: the row is part of a reported overlap, so its times are that finding's, not judged again. */
function compareFields(
  ctx: DiffContext,
  e: ExpectedLease,
  a: ValidRow,
  sev: Severity,
  overlapped: boolean,
): Finding[] {
  const out: Finding[] = [];
  const ip = e.ip;
  if (a.hw !== e.hw) {
    // The queue order of two servers' copies of one client action never changes the hw (one MAC a fact).
    const f = finding('wrong-hw', sev, 'gluff', e, [a.row], e.evidence);
    f.message = `${ip}: row id ${a.row.id} has hw ${a.hw}, dhcpd ACKed ${e.hw} ${window(e)}`;
    f.details = { expectedHw: e.hw, actualHw: a.hw };
    out.push(f);
  }
  // Without a commit line and without a known port the Option 82 values are unknowable: not judged.
  const optionsKnown = !(e.endSource === 'approximate' && e.physicalPort === null);
  if (optionsKnown && (a.row.cidHex !== e.cidHex || a.row.remoteIdHex !== e.remoteIdHex)) {
    const f = finding('wrong-port', sev, 'gluff', e, [a.row], e.evidence);
    const actualPort = findSwitchPort(ctx.spec, a.row.cidHex, a.row.remoteIdHex)?.name ?? null;
    const expectedPort = findSwitchPort(ctx.spec, e.cidHex, e.remoteIdHex)?.name ?? null;
    f.message = `${ip}: row id ${a.row.id} names ${portText(actualPort, a.row.cidHex, a.row.remoteIdHex)}, dhcpd recorded ${portText(expectedPort, e.cidHex, e.remoteIdHex)} for the lease of ${e.hw} ${window(e)}`;
    f.details = {
      expectedPort,
      actualPort,
      expectedCidHex: e.cidHex,
      actualCidHex: a.row.cidHex,
      expectedRidHex: e.remoteIdHex,
      actualRidHex: a.row.remoteIdHex,
      reason:
        e.endSource === 'approximate'
          ? 'no commit line: the expectation is the permuter port'
          : "Gluff must store dhcpd's own Option 82 values",
    };
    out.push(f);
  }
  if (overlapped) return out;
  const dStart = a.startMs - e.startMs;
  if (Math.abs(dStart) > ctx.tol.start && !(e.startMayBeEarlier && dStart < 0)) {
    const f = finding('start-mismatch', sev, 'gluff', e, [a.row], e.evidence);
    f.message = `${ip}: row id ${a.row.id} starts ${Math.abs(dStart) / 1000} s ${dStart > 0 ? 'after' : 'before'} the first ACK at ${tok(e.startMs)} (tolerance ${ctx.tol.start / 1000} s)`;
    f.details = { deltaSec: dStart / 1000, toleranceSec: ctx.tol.start / 1000 };
    out.push(f);
  }
  const t = e.endSource === 'approximate' ? ctx.tol.approx : ctx.tol.end;
  const settled = e.settledEndMs ?? e.endMs;
  const lo = Math.min(settled, e.endMs) - t;
  const hi = Math.max(settled, e.endMs) + t;
  if (a.endMs < lo || a.endMs > hi) {
    const dEnd = a.endMs - e.endMs;
    if (e.endSource === 'release' && e.ackEndMs != null && Math.abs(a.endMs - e.ackEndMs) <= t) {
      const f = finding('release-not-applied', sev, 'gluff', e, [a.row], e.evidence);
      f.message = `${ip}: ${e.hw} released at ${e.releaseMs === null ? '-' : tok(e.releaseMs)} but row id ${a.row.id} still ends at the ACK's end ${tok(a.endMs)} (${Math.abs(dEnd) / 1000} s ${dEnd >= 0 ? 'late' : 'early'})`;
      f.details = {
        releaseMs: e.releaseMs,
        ackEndMs: e.ackEndMs,
        deltaSec: dEnd / 1000,
        reason: 'the release never reached the queue (dhcpd logs an ldb error) or gluff did not apply it',
      };
      out.push(f);
    } else {
      const f = finding('end-mismatch', sev, 'gluff', e, [a.row], e.evidence);
      f.message = `${ip}: row id ${a.row.id} ends ${Math.abs(dEnd) / 1000} s ${dEnd > 0 ? 'after' : 'before'} the expected ${e.endSource} end ${tok(e.endMs)} (tolerance ${t / 1000} s)`;
      f.details = { deltaSec: dEnd / 1000, toleranceSec: t / 1000, endSource: e.endSource };
      out.push(f);
    }
  }
  return out;
}

function resembles(ctx: DiffContext, e: ExpectedLease, a: ActualLease): boolean {
  let score = 0;
  if (a.ip === e.ip) score += 2;
  else if (a.ip !== null) return false;
  if (a.hw !== null && a.hw === e.hw) score++;
  if (a.startMs !== null && Math.abs(a.startMs - e.startMs) <= ctx.tol.start) score++;
  if (a.endMs !== null && Math.abs(a.endMs - e.endMs) <= Math.max(ctx.tol.end, ctx.tol.approx)) score++;
  return score >= 3;
}

/** fail if any finding fails; else inconclusive if anything is inconclusive; else pass. */
export function decideVerdict(findings: readonly Finding[], inconclusiveReasons: readonly string[]): Verdict {
  if (findings.some((f) => f.severity === 'fail')) return 'fail';
  if (inconclusiveReasons.length > 0 || findings.some((f) => f.severity === 'inconclusive'))
    return 'inconclusive';
  return 'pass';
}

function invalidFinding(a: ActualLease, e: ExpectedLease | null, severity: Severity): Finding {
  const problems: string[] = [];
  if (a.ip === null) problems.push('its ip id points at no ips row');
  if (a.hw === null) problems.push('its hw id points at no hws row');
  if (a.startMs === null) problems.push(`lstart '${a.startText}' is zero or unparsable`);
  if (a.endMs === null) problems.push(`lend '${a.endText}' is zero or unparsable`);
  if (a.startMs !== null && a.endMs !== null && a.endMs < a.startMs) {
    problems.push(`lend is ${(a.startMs - a.endMs) / 1000} s before lstart`);
  }
  const f = finding('invalid-row', severity, 'gluff', e, [a], e?.evidence ?? []);
  f.ip = a.ip ?? e?.ip ?? null;
  f.hw = a.hw ?? e?.hw ?? null;
  f.message = `row id ${a.id}: ${problems.join('; ')}${e ? ` (it stands where the lease of ${e.hw} on ${e.ip} ${window(e)} should be)` : ''}`;
  f.details = { problems };
  return f;
}

function finding(
  kind: FindingKind,
  severity: Severity,
  culprit: Finding['culprit'],
  e: ExpectedLease | null,
  actual: ActualLease[],
  evidence: number[],
): Finding {
  return {
    kind,
    severity,
    culprit,
    ip: e?.ip ?? actual[0]?.ip ?? null,
    hw: e?.hw ?? actual[0]?.hw ?? null,
    message: '',
    expected: e,
    actual,
    evidence: [...new Set(evidence)],
    evidenceLines: [],
    details: {},
  };
}

/** `1 event`, `2 events`: a count and its noun in the number it needs. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** An instant in a message: report/ expands the token to ISO 8601 UTC (pure folders never format time). */
function tok(ms: number): string {
  return `{{t:${ms}}}`;
}

/**
 * Option 82 values as a message names them: `port Fa0/3` when they are a port of the spec; else both values
 * in canonical hex (never Gluff's stored text beside hex).
 */
function portText(port: string | null, cidHex: string | null, ridHex: string | null): string {
  if (port !== null) return `port ${port}`;
  if (cidHex === null && ridHex === null) return 'no Option 82';
  return `circuit-id ${cidHex ?? 'none'} / remote-id ${ridHex ?? 'none'} (no port of the spec)`;
}

function window(e: ExpectedLease): string {
  return `from ${tok(e.startMs)} to ${tok(e.endMs)} (${e.endSource} end)`;
}

function inScope(ms: number, w: TimeWindow | undefined): boolean {
  if (w === undefined) return true;
  return (w.fromMs === null || ms >= w.fromMs) && (w.toMs === null || ms < w.toMs);
}

/** Length of the intersection of two closed intervals; negative when they are apart. */
function overlapMs(aFrom: number, aTo: number, bFrom: number, bTo: number): number {
  return Math.min(aTo, bTo) - Math.max(aFrom, bFrom);
}

/**
 * Groups of actual rows of one IP alive at once (overlapping by more than the tolerance, or with the same
 * times), in start order. The ideal table never has two: each group of two or more is one defect.
 */
function overlapClusters(as: readonly ValidRow[], link: number): ValidRow[][] {
  const parent = as.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let i = 0; i < as.length; i++) {
    const a = as[i]!;
    for (let j = i + 1; j < as.length; j++) {
      const b = as[j]!;
      if (b.startMs > a.endMs) break;
      const same = a.startMs === b.startMs && a.endMs === b.endMs;
      if (overlapMs(a.startMs, a.endMs, b.startMs, b.endMs) > link || same) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, ValidRow[]>();
  as.forEach((a, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g === undefined) groups.set(root, [a]);
    else g.push(a);
  });
  return [...groups.values()];
}

/** Rows (in start order) grouped into runs that are alive at once (overlap beyond `link` or same times). */
function piecesOf(rows: readonly ValidRow[], link: number): ValidRow[][] {
  const pieces: ValidRow[][] = [];
  let cur: ValidRow[] = [];
  for (const a of rows) {
    const joins = cur.some(
      (b) =>
        overlapMs(a.startMs, a.endMs, b.startMs, b.endMs) > link ||
        (a.startMs === b.startMs && a.endMs === b.endMs),
    );
    if (cur.length > 0 && !joins) {
      pieces.push(cur);
      cur = [];
    }
    cur.push(a);
  }
  if (cur.length > 0) pieces.push(cur);
  return pieces;
}

/**
 * The rows that border the cuts and holes between consecutive pieces of a split stint: of the earlier piece
 * the rows ending last, of the later the rows starting first (within `tol`). Rows inside a piece that only
 * overlap these are the overlap finding's, not the split's.
 */
function borderRows(pieces: readonly ValidRow[][], tol: number): ValidRow[] {
  const out = new Set<ValidRow>();
  for (let k = 0; k + 1 < pieces.length; k++) {
    const p = pieces[k]!;
    const q = pieces[k + 1]!;
    const end = Math.max(...p.map((a) => a.endMs));
    const start = Math.min(...q.map((a) => a.startMs));
    for (const a of p) if (end - a.endMs <= tol) out.add(a);
    for (const a of q) if (a.startMs - start <= tol) out.add(a);
  }
  return [...out].sort((x, y) => x.startMs - y.startMs || x.row.id - y.row.id);
}

/**
 * Which Gluff 1.12 statement produced a defect, when the rebuild's replay of those statements predicted it
 * (ExpectedLease.asCodedCause): so the engineer sees the line of gluff.c behind the finding.
 */
function causeOf(es: readonly ExpectedLease[]): Record<string, unknown> {
  const cause = es.find((e) => e.asCodedCause)?.asCodedCause;
  return cause ? { cause } : {};
}

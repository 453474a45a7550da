/**
 * Diff the rebuilt (expected) lease rows against the rows read from Gluff's table, and decide the verdict.
 *
 * Per IP, rows are aligned by time: an expected and an actual row are linked when they overlap by more than
 * the tolerance (or start together with the same hw). Linked rows form components; each component yields
 * the finding of its shape (missing, unexpected, split, merged) or, for one-to-one pairs, field findings.
 * Aligning by components is what keeps one defect to one finding: a deleted row leaves its neighbours
 * paired with their own rows.
 */
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
  const link = Math.max(tol.start, tol.end);
  const settleBoundMs = options.asOfMs - spec.tolerances.settleSec * 1000;
  const losses = options.losses ?? [];
  const evidenceFromMs = options.evidenceFromMs ?? null;
  const findings: Finding[] = [];
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
  const missing: { e: ExpectedLease; severity: Severity }[] = [];
  const ips = new Set([...expectedByIp.keys(), ...actualByIp.keys()]);
  for (const ip of ips) {
    const es = [...(expectedByIp.get(ip) ?? [])].sort((a, b) => a.startMs - b.startMs);
    const as = [...(actualByIp.get(ip) ?? [])].sort((a, b) => a.startMs - b.startMs || a.row.id - b.row.id);
    diffIp(ip, es, as);
  }
  // A corrupted row usually still says which lease it was: let it explain a missing one.
  const usedInvalid = new Set<ActualLease>();
  for (const m of missing) {
    const bad = invalid.find((a) => !usedInvalid.has(a) && resembles(m.e, a));
    if (bad !== undefined) {
      usedInvalid.add(bad);
      findings.push(invalidFinding(bad, m.e, 'fail'));
      continue;
    }
    const f = finding('missing-lease', m.severity, 'gluff', m.e, [], m.e.evidence);
    f.message = `${m.e.ip}: no row for ${m.e.hw} ${window(m.e)} (expected from ${m.e.evidence.length} events)`;
    f.details = { reason: 'the ACKs behind this row are settled but Gluff has no row covering them' };
    findings.push(f);
  }
  for (const a of invalid) {
    if (usedInvalid.has(a)) continue;
    if (a.startMs !== null && !inScope(a.startMs, options.window)) continue;
    findings.push(invalidFinding(a, null, 'fail'));
  }
  return findings;

  function diffIp(ip: string, allEs: ExpectedLease[], as: ValidRow[]): void {
    // 0. Rows exactly as expected pair off first. The rebuild replays Gluff's own statements, so it may expect
    // overlapping rows (a second queue row in a cut-off second prolongs the old row): those are not a race.
    const matchedA = new Set<ValidRow>();
    const matchedE = new Set<ExpectedLease>();
    for (const e of allEs) {
      for (const a of as) {
        if (matchedA.has(a) || !exactly(e, a)) continue;
        matchedA.add(a);
        matchedE.add(e);
        break;
      }
    }
    const es = allEs.filter((e) => !matchedE.has(e));
    // 1. Overlapping actual rows (two gluffs racing): one finding per cluster; keep the best row per expected.
    const kept: ValidRow[] = [];
    for (const whole of overlapClusters(as, link, matchedA, tol.start)) {
      const cluster = whole.filter((a) => !matchedA.has(a));
      if (cluster.length === 0) continue;
      const lo = Math.min(...cluster.map((a) => a.startMs));
      const hi = Math.max(...cluster.map((a) => a.endMs));
      // Unmatched rows no more than the unmatched expected rows around them: described by the components.
      const around = es.filter(
        (e) => overlapMs(e.startMs, e.endMs, lo, hi) > link || Math.abs(e.startMs - lo) <= tol.start,
      );
      if (whole.length === 1 || (cluster.length < whole.length && cluster.length <= around.length)) {
        kept.push(...cluster);
        continue;
      }
      const near = es.filter(
        (e) => overlapMs(e.startMs, e.endMs, lo, hi) > link || Math.abs(e.startMs - lo) <= tol.start,
      );
      const best = new Set<ValidRow>();
      for (const e of near) {
        let pick: ValidRow | null = null;
        let pickScore = Infinity;
        for (const a of cluster) {
          if (best.has(a)) continue;
          const plausible =
            overlapMs(e.startMs, e.endMs, a.startMs, a.endMs) > link ||
            (Math.abs(a.startMs - e.startMs) <= tol.start &&
              Math.abs(a.endMs - e.endMs) <= Math.max(tol.end, tol.approx));
          if (!plausible) continue;
          const score =
            (a.hw === e.hw ? 0 : 1e15) +
            (a.row.cidHex === e.cidHex ? 0 : 1e14) +
            Math.abs(a.startMs - e.startMs) +
            Math.abs(a.endMs - e.endMs);
          if (score < pickScore) {
            pickScore = score;
            pick = a;
          }
        }
        if (pick !== null) best.add(pick);
      }
      kept.push(...cluster.filter((a) => best.has(a)));
      if (!inScope(lo, options.window)) continue;
      const context = [
        ...near,
        ...allEs.filter((e) => matchedE.has(e) && overlapMs(e.startMs, e.endMs, lo, hi) >= 0),
      ];
      const quirk = context.find((e) => e.gluffQuirk);
      const inconclusive = context.find((e) => e.inconclusive !== null);
      // A lost line may be the queue row that explains the overlap.
      const lost = losses.some((l) => overlapMs(lo, hi, l.fromMs, l.toMs) >= 0);
      const sev: Severity = inconclusive || lost ? 'inconclusive' : quirk ? 'warn' : 'fail';
      const f = finding(
        'overlapping-rows',
        sev,
        'gluff',
        context[0] ?? null,
        whole.map((a) => a.row),
        context.flatMap((e) => e.evidence),
      );
      f.ip = ip;
      f.hw = cluster[0]!.hw;
      f.message = `${ip}: ${whole.length} rows (ids ${whole.map((a) => a.row.id).join(', ')}) overlap between ${tok(lo)} and ${tok(hi)} where Gluff's own statements leave ${whole.length - cluster.length} (two gluff daemons racing find-then-make?)`;
      f.details = { ids: whole.map((a) => a.row.id), ...(quirk ? { gluffQuirk: quirk.gluffQuirk } : {}) };
      findings.push(f);
    }
    kept.sort((a, b) => a.startMs - b.startMs || a.row.id - b.row.id);
    // 2. Components of the expected/actual link graph.
    const n = es.length;
    const parent = Array.from({ length: n + kept.length }, (_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i]!]!;
        i = parent[i]!;
      }
      return i;
    };
    const links: [number, number][] = [];
    let lo = 0;
    for (let i = 0; i < n; i++) {
      const e = es[i]!;
      while (lo < kept.length && kept[lo]!.endMs < e.startMs - link) lo++;
      for (let j = lo; j < kept.length; j++) {
        const a = kept[j]!;
        if (a.startMs > e.endMs + link) break;
        if (overlapMs(e.startMs, e.endMs, a.startMs, a.endMs) > link) {
          links.push([i, j]);
          parent[find(i)] = find(n + j);
        }
      }
    }
    // Rows too short to overlap by more than the tolerance: pair each left-over expected row with the nearest
    // left-over actual row that starts within the tolerance and either ends within it or has the same hw.
    const eDone = new Set(links.map(([i]) => i));
    const aDone = new Set(links.map(([, j]) => j));
    for (let i = 0; i < n; i++) {
      if (eDone.has(i)) continue;
      const e = es[i]!;
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < kept.length; j++) {
        if (aDone.has(j)) continue;
        const a = kept[j]!;
        const dStart = Math.abs(a.startMs - e.startMs);
        const dEnd = Math.abs(a.endMs - e.endMs);
        const near = dEnd <= Math.max(tol.end, tol.approx) || a.hw === e.hw;
        if (dStart <= tol.start && near && dStart + dEnd < bestD) {
          best = j;
          bestD = dStart + dEnd;
        }
      }
      if (best >= 0) {
        aDone.add(best);
        links.push([i, best]);
        parent[find(i)] = find(n + best);
      }
    }
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
    for (let j = 0; j < kept.length; j++) comp(n + j).as.push(j);
    const eLinks = new Map<number, number[]>();
    const aLinks = new Map<number, number[]>();
    for (const [i, j] of links) {
      eLinks.set(i, [...(eLinks.get(i) ?? []), j]);
      aLinks.set(j, [...(aLinks.get(j) ?? []), i]);
    }
    for (const c of comps.values()) {
      const ce = c.es.map((i) => es[i]!);
      const ca = c.as.map((j) => kept[j]!);
      const scopeMs =
        ce.length > 0 ? Math.min(...ce.map((e) => e.startMs)) : Math.min(...ca.map((a) => a.startMs));
      if (!inScope(scopeMs, options.window)) continue;
      const inconclusive = ce.some((e) => e.inconclusive !== null);
      const quirk = ce.find((e) => e.gluffQuirk)?.gluffQuirk ?? null;
      const sev: Severity = inconclusive ? 'inconclusive' : quirk ? 'warn' : 'fail';
      const push = (f: Finding): void => {
        if (quirk) f.details = { ...f.details, gluffQuirk: quirk };
        findings.push(f);
      };
      if (ce.length === 0) {
        for (const a of ca) {
          if (evidenceFromMs !== null && a.startMs < evidenceFromMs) continue;
          if (a.startMs > settleBoundMs) continue;
          const lost = losses.some((l) => overlapMs(a.startMs, a.endMs, l.fromMs, l.toMs) >= 0);
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
          findings.push(f);
        }
        continue;
      }
      if (ca.length === 0) {
        for (const e of ce) {
          if (e.inconclusive !== null) continue;
          missing.push({ e, severity: quirk ? 'warn' : 'fail' });
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
        if (aj.length < 2) continue;
        const e = es[i]!;
        const parts = aj.map((j) => kept[j]!);
        const f = finding(
          'split-lease',
          sev,
          'gluff',
          e,
          parts.map((a) => a.row),
          e.evidence,
        );
        f.message = `${ip}: the lease of ${e.hw} ${window(e)} appears as ${parts.length} rows (ids ${parts.map((a) => a.row.id).join(', ')})`;
        f.details = { ids: parts.map((a) => a.row.id) };
        push(f);
      }
      for (const i of c.es) {
        const aj = eLinks.get(i) ?? [];
        if (aj.length !== 1) continue;
        const j = aj[0]!;
        if ((aLinks.get(j) ?? []).length !== 1) continue;
        for (const f of compareFields(es[i]!, kept[j]!, sev)) push(f);
      }
    }
  }

  function compareFields(e: ExpectedLease, a: ValidRow, sev: Severity): Finding[] {
    const out: Finding[] = [];
    const ip = e.ip;
    if (a.hw !== e.hw) {
      // The queue order of two servers' copies of one client action never changes the hw (one MAC a fact).
      const f = finding('wrong-hw', sev === 'warn' ? 'fail' : sev, 'gluff', e, [a.row], e.evidence);
      f.message = `${ip}: row id ${a.row.id} has hw ${a.hw}, dhcpd ACKed ${e.hw} ${window(e)}`;
      f.details = { expectedHw: e.hw, actualHw: a.hw };
      out.push(f);
    }
    // Without a commit line and without a known port the Option 82 values are unknowable: not judged.
    const optionsKnown = !(e.endSource === 'approximate' && e.physicalPort === null);
    if (optionsKnown && (a.row.cidHex !== e.cidHex || a.row.remoteIdHex !== e.remoteIdHex)) {
      const f = finding('wrong-port', sev, 'gluff', e, [a.row], e.evidence);
      f.message = `${ip}: row id ${a.row.id} has circuit-id ${a.row.cidText ?? 'none'} / remote-id ${a.row.ridText ?? 'none'}, dhcpd recorded ${e.cidHex ?? 'none'} / ${e.remoteIdHex ?? 'none'}`;
      f.details = {
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
    const dStart = a.startMs - e.startMs;
    if (Math.abs(dStart) > tol.start && !(e.startMayBeEarlier && dStart < 0)) {
      const f = finding('start-mismatch', sev, 'gluff', e, [a.row], e.evidence);
      f.message = `${ip}: row id ${a.row.id} starts ${dStart / 1000} s ${dStart > 0 ? 'after' : 'before'} the first ACK at ${tok(e.startMs)} (tolerance ${tol.start / 1000} s)`;
      f.details = { deltaSec: dStart / 1000, toleranceSec: tol.start / 1000 };
      out.push(f);
    }
    const t = e.endSource === 'approximate' ? tol.approx : tol.end;
    const settled = e.settledEndMs ?? e.endMs;
    const lo = Math.min(settled, e.endMs) - t;
    const hi = Math.max(settled, e.endMs) + t;
    if (a.endMs < lo || a.endMs > hi) {
      const dEnd = a.endMs - e.endMs;
      if (e.endSource === 'release' && e.ackEndMs != null && Math.abs(a.endMs - e.ackEndMs) <= t) {
        const f = finding('release-not-applied', sev, 'gluff', e, [a.row], e.evidence);
        f.message = `${ip}: ${e.hw} released at ${e.releaseMs === null ? '-' : tok(e.releaseMs)} but row id ${a.row.id} still ends at the ACK's end ${tok(a.endMs)} (${dEnd / 1000} s late)`;
        f.details = {
          releaseMs: e.releaseMs,
          ackEndMs: e.ackEndMs,
          deltaSec: dEnd / 1000,
          reason: 'the release never reached the queue (dhcpd logs an ldb error) or gluff did not apply it',
        };
        out.push(f);
      } else {
        const f = finding('end-mismatch', sev, 'gluff', e, [a.row], e.evidence);
        f.message = `${ip}: row id ${a.row.id} ends ${dEnd / 1000} s ${dEnd > 0 ? 'after' : 'before'} the expected ${e.endSource} end ${tok(e.endMs)} (tolerance ${t / 1000} s)`;
        f.details = { deltaSec: dEnd / 1000, toleranceSec: t / 1000, endSource: e.endSource };
        out.push(f);
      }
    }
    return out;
  }

  /** True when comparing e and a would give no finding at all (the pre-match of step 0). */
  function exactly(e: ExpectedLease, a: ValidRow): boolean {
    if (a.hw !== e.hw) return false;
    const optionsKnown = !(e.endSource === 'approximate' && e.physicalPort === null);
    if (optionsKnown && (a.row.cidHex !== e.cidHex || a.row.remoteIdHex !== e.remoteIdHex)) return false;
    const dStart = a.startMs - e.startMs;
    if (Math.abs(dStart) > tol.start && !(e.startMayBeEarlier && dStart < 0)) return false;
    const t = e.endSource === 'approximate' ? tol.approx : tol.end;
    const settled = e.settledEndMs ?? e.endMs;
    return a.endMs >= Math.min(settled, e.endMs) - t && a.endMs <= Math.max(settled, e.endMs) + t;
  }

  function resembles(e: ExpectedLease, a: ActualLease): boolean {
    let score = 0;
    if (a.ip === e.ip) score += 2;
    else if (a.ip !== null) return false;
    if (a.hw !== null && a.hw === e.hw) score++;
    if (a.startMs !== null && Math.abs(a.startMs - e.startMs) <= tol.start) score++;
    if (a.endMs !== null && Math.abs(a.endMs - e.endMs) <= Math.max(tol.end, tol.approx)) score++;
    return score >= 3;
  }
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

/** An instant in a message: report/ expands the token to ISO 8601 UTC (pure folders never format time). */
function tok(ms: number): string {
  return `{{t:${ms}}}`;
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
 * Groups of actual rows of one IP that overlap each other (beyond touching), in start order. Rows that matched
 * an expected row exactly (`matched`) are explained: two of them never join, and an unmatched row joins one
 * only as its duplicate (same hw, circuit-id and remote-id, start within `startTol`), so Gluff's own
 * overlaps (which the rebuild predicts) do not hide a defect next to them as a race.
 */
function overlapClusters(
  as: ValidRow[],
  link: number,
  matched: ReadonlySet<ValidRow>,
  startTol: number,
): ValidRow[][] {
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
      const ma = matched.has(a);
      const mb = matched.has(b);
      if (ma && mb) continue;
      const same = a.startMs === b.startMs && a.endMs === b.endMs;
      const overlapping = overlapMs(a.startMs, a.endMs, b.startMs, b.endMs) > link || same;
      if (!overlapping) continue;
      if (ma || mb) {
        const dup =
          a.hw === b.hw &&
          a.row.cidHex === b.row.cidHex &&
          a.row.remoteIdHex === b.row.remoteIdHex &&
          Math.abs(a.startMs - b.startMs) <= startTol;
        if (!dup) continue;
      }
      parent[find(i)] = find(j);
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

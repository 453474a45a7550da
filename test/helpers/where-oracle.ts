/**
 * What the where/who comparison tests share: the part of an answer two answers must agree on, and the
 * instants to ask an address about (a base set plus a second either side of every stint's and row's ends).
 */
import type { ActualLease, ExpectedLease, Finding } from '../../src/model/index.js';
import type { WhereAnswer } from '../../src/query/where-answer.js';

/** The word, the stint, Gluff's rows, verify's findings and the reasons, as one comparable string. */
export function answerProjection(a: WhereAnswer): string {
  const stint = (e: ExpectedLease | null) =>
    e === null
      ? null
      : {
          startMs: e.startMs,
          endMs: e.endMs,
          hw: e.hw,
          cidHex: e.cidHex,
          remoteIdHex: e.remoteIdHex,
          endSource: e.endSource,
          physicalPort: e.physicalPort,
          inconclusive: e.inconclusive,
        };
  const finding = (f: Finding) => ({
    kind: f.kind,
    severity: f.severity,
    culprit: f.culprit,
    rule: f.attribution?.rule ?? null,
    how: f.attribution?.how ?? null,
    rows: f.actual.map((r) => r.id),
    message: f.message,
  });
  return JSON.stringify({
    agreement: a.agreement,
    stint: stint(a.stint),
    gluffRows: a.gluffRows.map((r) => r.id),
    differences: a.differences.map(finding),
    notes: a.notes.map(finding),
    reasons: a.reasons,
  });
}

/** `base` and, for `ip`, a second before, at and after each end of its expected stints and its Gluff rows; sorted. */
export function timesToAsk(
  ip: string,
  base: Iterable<number>,
  expected: readonly ExpectedLease[],
  rows: readonly ActualLease[],
): number[] {
  const times = new Set(base);
  const edges = (from: number, to: number) => {
    for (const t of [from, to]) for (const d of [-1000, 0, 1000]) times.add(t + d);
  };
  for (const e of expected) if (e.ip === ip) edges(e.startMs, e.endMs);
  for (const a of rows) if (a.ip === ip && a.startMs !== null && a.endMs !== null) edges(a.startMs, a.endMs);
  return [...times].sort((a, b) => a - b);
}

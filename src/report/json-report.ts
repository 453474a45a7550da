/**
 * The JSON report for CI (schema: specs/report.schema.json). Instants are ISO 8601 UTC strings; every
 * other value is as in VerificationResult.
 */
import type {
  ActualLease,
  Attribution,
  Culprit,
  ExpectedLease,
  Finding,
  RigEventEntry,
  VerificationResult,
} from '../model/lease.js';
import { CULPRIT_COMPONENT, CULPRITS } from '../model/lease.js';
import { expandTimeTokens, isoOrNull } from './format-time.js';

/** JSON shape of an expected row: times as ISO strings. */
function expectedJson(row: ExpectedLease) {
  return {
    ip: row.ip,
    hw: row.hw,
    cidHex: row.cidHex,
    remoteIdHex: row.remoteIdHex,
    start: isoOrNull(row.startMs),
    end: isoOrNull(row.endMs),
    endSource: row.endSource,
    release: isoOrNull(row.releaseMs),
    physicalPort: row.physicalPort,
    inconclusive: row.inconclusive === null ? null : expandTimeTokens(row.inconclusive),
  };
}

function actualJson(row: ActualLease) {
  return {
    id: row.id,
    ip: row.ip,
    hw: row.hw,
    cidHex: row.cidHex,
    remoteIdHex: row.remoteIdHex,
    cidText: row.cidText,
    ridText: row.ridText,
    start: isoOrNull(row.startMs),
    end: isoOrNull(row.endMs),
    startText: row.startText,
    endText: row.endText,
  };
}

function findingJson(f: Finding) {
  return {
    kind: f.kind,
    severity: f.severity,
    culprit: f.culprit,
    ip: f.ip,
    hw: f.hw,
    message: expandTimeTokens(f.message),
    expected: f.expected === null ? null : expectedJson(f.expected),
    actual: f.actual.map(actualJson),
    evidence: f.evidenceLines.map((l) => ({ rawId: l.rawId, line: l.text })),
    details: f.details,
    attribution: f.attribution === undefined ? null : attributionJson(f.culprit, f.attribution),
  };
}

function attributionJson(culprit: Culprit, a: Attribution) {
  return {
    link: culprit,
    component: CULPRIT_COMPONENT[culprit],
    rule: a.rule,
    how: a.how,
    explanation: expandTimeTokens(a.explanation),
    witness: a.witnessLines.map((l) => ({ rawId: l.rawId, line: l.text })),
  };
}

function rigEventJson(e: RigEventEntry) {
  return { at: isoOrNull(e.atMs), host: e.host, name: e.name, fields: e.fields, rawId: e.rawId };
}

/** Fail findings per culprit (the link that lost the fact): the headline of every report. */
export function failsByCulprit(findings: readonly Finding[]): Partial<Record<Culprit, number>> {
  const out: Partial<Record<Culprit, number>> = {};
  for (const c of CULPRITS) {
    const n = findings.filter((f) => f.severity === 'fail' && f.culprit === c).length;
    if (n > 0) out[c] = n;
  }
  return out;
}

/**
 * Renders the whole result as pretty-printed JSON (one object, trailing newline).
 * Example: `{"schemaVersion":2,"verdict":"fail","window":{"from":null,...},"counts":{"missing-lease":1},...}`
 */
export function renderJsonReport(result: VerificationResult): string {
  const doc = {
    schemaVersion: result.schemaVersion,
    verdict: result.verdict,
    window: {
      from: isoOrNull(result.window.fromMs),
      to: isoOrNull(result.window.toMs),
      asOf: isoOrNull(result.window.asOfMs),
    },
    spec: result.spec,
    gluff: result.gluff.description,
    ...(result.gluff.zone === undefined ? {} : { gluffZone: result.gluff.zone }),
    counts: result.counts,
    failsByCulprit: failsByCulprit(result.findings),
    inconclusiveReasons: result.inconclusiveReasons.map(expandTimeTokens),
    channel: result.channel,
    // The chart data (thinned samples) is for the HTML report's drawing; the verdict's numbers stay here.
    memory: result.memory.map(({ chart: _chart, ...verdict }) => verdict),
    ips: result.ips,
    rigEvents: result.rigEvents.map(rigEventJson),
    findings: result.findings.map(findingJson),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

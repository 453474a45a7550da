/**
 * JUnit XML for Jenkins and GitLab: one test suite per check family, one test case per family and IP.
 * Findings of severity fail are <failure>s; a case with only inconclusive findings is <skipped> with the
 * reason; warnings go to <system-out> of a passing case. Memory verdicts are one case per process, the rig
 * self-check one case per silent client MAC. Without a Gluff table (`verify --gluff none`) the families
 * that compare lease rows get no passing case per IP: nothing was compared.
 */
import type { Finding, FindingKind, VerificationResult } from '../model/lease.js';
import { CULPRIT_COMPONENT, CULPRITS } from '../model/lease.js';
import {
  countOf,
  escapeXml,
  expandTimeTokens,
  formatActualInterval,
  formatIsoTime,
  storedZoneText,
} from './format-time.js';

/** Check families: what a CI dashboard groups by. Every finding kind belongs to exactly one. */
export const CHECK_FAMILIES: Record<string, readonly FindingKind[]> = {
  presence: ['missing-lease', 'unexpected-lease', 'split-lease', 'merged-lease'],
  identity: ['wrong-hw', 'wrong-port'],
  timing: ['start-mismatch', 'end-mismatch', 'release-not-applied', 'clock-skew'],
  integrity: ['overlapping-rows', 'invalid-row'],
  port: ['port-disagreement'],
  channel: ['channel-gap', 'not-settled'],
  memory: ['memory-leak'],
  rig: ['client-silent'],
};

/** The families whose checks compare Gluff's rows: a case per checked IP, passing unless a finding fails it. */
const LEASE_ROW_FAMILIES = ['presence', 'identity', 'timing', 'integrity'] as const;

const familyOfKind = new Map<FindingKind, string>(
  Object.entries(CHECK_FAMILIES).flatMap(([family, kinds]) => kinds.map((k) => [k, family] as const)),
);

/** The family a finding kind is reported under. */
export function checkFamilyOf(kind: FindingKind): string {
  return familyOfKind.get(kind) ?? 'other';
}

interface Case {
  name: string;
  findings: Finding[];
  /** Set for cases that stand for something other than findings (memory verdicts, channel). */
  skippedReason?: string;
  failureText?: string;
}

/** A finding as text: the expected row, then each Gluff row in UTC and, in brackets, as stored in gluff's zone. */
function describeFinding(f: Finding, gluffZone: string | undefined): string {
  const lines = [
    `[${f.kind}] ${expandTimeTokens(f.message)}`,
    `culprit: ${f.culprit} (${CULPRIT_COMPONENT[f.culprit]})`,
  ];
  const a = f.attribution;
  if (a !== undefined) {
    lines.push(`why: ${expandTimeTokens(a.explanation)} [${a.rule}, ${a.how}]`);
    for (const l of a.witnessLines) lines.push(`witness #${l.rawId}: ${l.text}`);
  }
  if (f.expected !== null) {
    const e = f.expected;
    lines.push(
      `expected start=${formatIsoTime(e.startMs)} end=${formatIsoTime(e.endMs)} (${e.endSource} end) hw=${e.hw} cid=${e.cidHex ?? '-'}`,
    );
  }
  const zone = storedZoneText(gluffZone);
  for (const a of f.actual) {
    const [start, end] = formatActualInterval(a).split(' .. ');
    lines.push(
      `actual row id=${a.id} start=${start ?? '-'} end=${end ?? '-'} hw=${a.hw ?? '-'} cid=${a.cidHex ?? '-'} ` +
        `[as stored, ${zone}: start=${a.startText} end=${a.endText} cid=${a.cidText ?? '-'}]`,
    );
  }
  for (const l of f.evidenceLines) lines.push(`evidence #${l.rawId}: ${l.text}`);
  return lines.join('\n');
}

function renderCase(family: string, c: Case, gluffZone: string | undefined): string {
  const open = `    <testcase classname="gluff-verify.${escapeXml(family)}" name="${escapeXml(c.name)}" time="0">`;
  const fails = c.findings.filter((f) => f.severity === 'fail');
  const inconclusive = c.findings.filter((f) => f.severity === 'inconclusive');
  const warns = c.findings.filter((f) => f.severity === 'warn');
  const body: string[] = [];
  if (c.failureText !== undefined) {
    body.push(
      `      <failure message="${escapeXml(c.failureText.split('\n')[0] ?? '')}" type="regression">${escapeXml(c.failureText)}</failure>`,
    );
  }
  for (const f of fails) {
    body.push(
      `      <failure message="${escapeXml(`${f.kind}: ${expandTimeTokens(f.message)}`)}" type="${f.kind}">${escapeXml(describeFinding(f, gluffZone))}</failure>`,
    );
  }
  if (fails.length === 0 && c.failureText === undefined) {
    const reason =
      c.skippedReason ??
      (inconclusive.length > 0
        ? inconclusive.map((f) => `${f.kind}: ${expandTimeTokens(f.message)}`).join('; ')
        : undefined);
    if (reason !== undefined) body.push(`      <skipped message="${escapeXml(reason)}"/>`);
  }
  if (warns.length > 0) {
    body.push(
      `      <system-out>${escapeXml(warns.map((w) => describeFinding(w, gluffZone)).join('\n\n'))}</system-out>`,
    );
  }
  return body.length === 0 ? `${open}</testcase>` : `${open}\n${body.join('\n')}\n    </testcase>`;
}

/**
 * Renders JUnit XML. Example case: `<testcase classname="gluff-verify.timing" name="10.1.0.50">
 * <failure message="end-mismatch: ..." type="end-mismatch">...</failure></testcase>`
 */
export function renderJunitReport(result: VerificationResult): string {
  const byFamilyIp = new Map<string, Map<string, Finding[]>>();
  for (const family of Object.keys(CHECK_FAMILIES)) byFamilyIp.set(family, new Map());
  const ips = result.ips.map((i) => i.ip);
  const checked = result.gluff.kind === 'none' ? ['port'] : [...LEASE_ROW_FAMILIES, 'port'];
  for (const family of checked) {
    const m = byFamilyIp.get(family)!;
    for (const ip of ips) m.set(ip, []);
  }
  for (const f of result.findings) {
    const family = checkFamilyOf(f.kind);
    const m = byFamilyIp.get(family) ?? new Map<string, Finding[]>();
    byFamilyIp.set(family, m);
    const key =
      f.ip ??
      (family === 'memory'
        ? String(f.details['proc'] ?? 'memory')
        : family === 'rig'
          ? (f.hw ?? 'rig')
          : 'channel');
    const list = m.get(key) ?? [];
    list.push(f);
    m.set(key, list);
  }

  const suites: string[] = [];
  let totalTests = 0;
  let totalFailures = 0;
  let totalSkipped = 0;
  for (const [family, m] of byFamilyIp) {
    const cases: Case[] = [];
    if (family === 'memory') {
      for (const v of result.memory) {
        const findings = m.get(v.proc) ?? [];
        m.delete(v.proc);
        cases.push({
          name: v.proc,
          findings,
          ...(v.verdict === 'inconclusive' ? { skippedReason: v.reason } : {}),
          ...(v.verdict === 'fail' && findings.length === 0 ? { failureText: v.reason } : {}),
        });
      }
    }
    if (family === 'channel') {
      const findings = m.get('channel') ?? [];
      m.delete('channel');
      const reasons = result.inconclusiveReasons;
      cases.push({
        name: 'secondary channel',
        findings,
        ...(reasons.length > 0 ? { skippedReason: reasons.map(expandTimeTokens).join('; ') } : {}),
      });
    }
    for (const [key, findings] of [...m].sort(([a], [b]) => a.localeCompare(b)))
      cases.push({ name: key, findings });
    if (cases.length === 0) continue;
    const rendered = cases.map((c) => renderCase(family, c, result.gluff.zone));
    const failures = rendered.filter((r) => r.includes('<failure')).length;
    const skipped = rendered.filter((r) => r.includes('<skipped')).length;
    totalTests += cases.length;
    totalFailures += failures;
    totalSkipped += skipped;
    suites.push(
      `  <testsuite name="gluff-verify.${family}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${formatIsoTime(result.window.asOfMs).replace(/Z$/, '')}">\n${rendered.join('\n')}\n  </testsuite>`,
    );
  }
  // One case per component, failing when a fail finding names it: the CI page shows which one regressed.
  const components = CULPRITS.map((culprit) => {
    const fails = result.findings.filter((f) => f.severity === 'fail' && f.culprit === culprit);
    const open = `    <testcase classname="gluff-verify.culprit" name="${escapeXml(`${culprit}: ${CULPRIT_COMPONENT[culprit]}`)}" time="0">`;
    if (fails.length === 0) return `${open}</testcase>`;
    const text = fails
      .map((f) => `${f.kind} ${f.ip ?? f.hw ?? ''} [${f.attribution?.rule ?? f.culprit}]`)
      .join('\n');
    return `${open}\n      <failure message="${escapeXml(`${countOf(fails.length, 'fail finding')} ${fails.length === 1 ? 'blames' : 'blame'} ${CULPRIT_COMPONENT[culprit]}`)}" type="${culprit}">${escapeXml(text)}</failure>\n    </testcase>`;
  });
  const componentFailures = components.filter((r) => r.includes('<failure')).length;
  totalTests += components.length;
  totalFailures += componentFailures;
  suites.push(
    `  <testsuite name="gluff-verify.culprit" tests="${components.length}" failures="${componentFailures}" errors="0" skipped="0" timestamp="${formatIsoTime(result.window.asOfMs).replace(/Z$/, '')}">\n${components.join('\n')}\n  </testsuite>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gluff-verify" tests="${totalTests}" failures="${totalFailures}" errors="0" skipped="${totalSkipped}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

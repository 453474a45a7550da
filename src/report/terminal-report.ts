/**
 * The terminal report: a verdict line, counts per kind, then the first findings with their evidence, and
 * last what the rig driver logged it did (rig events). Colour only when asked (the CLI decides from isTTY
 * and NO_COLOR); text from the network is escaped.
 */
import { Chalk } from 'chalk';
import type { Finding, RigEventEntry, Severity, VerificationResult } from '../model/lease.js';
import { CULPRIT_COMPONENT } from '../model/lease.js';
import { failsByCulprit } from './json-report.js';
import {
  countOf,
  escapeForTerminal,
  expandTimeTokens,
  formatActualInterval,
  formatIsoTime,
  formatRigEventText,
  formatWindow,
  NO_GLUFF_TEXT,
  storedZoneText,
} from './format-time.js';

export interface TerminalOptions {
  color: boolean;
  /** How many findings to print in full; the rest are counted. */
  maxFindings: number;
  /** How many evidence lines per finding. */
  maxEvidence: number;
  /**
   * Print warnings in full too. Off by default: a healthy rig can carry hundreds (every permuter move
   * that no DHCP exchange followed), and they would bury the failures; they are counted instead.
   */
  showWarnings: boolean;
}

const DEFAULTS: TerminalOptions = { color: false, maxFindings: 10, maxEvidence: 4, showWarnings: false };

/** Rig events listed one a line; beyond this they are counted. */
const MAX_RIG_EVENTS = 30;

/**
 * The rig events block: counts per name, then each event (the first MAX_RIG_EVENTS). Empty without any.
 * Example: `rig events: 3 (2 client-release, 1 gluff-stop)` then
 * `  2026-11-28T01:02:03Z gvrg-sw gluff-stop server=gvrg-dhcp2`.
 */
function rigEventLines(events: readonly RigEventEntry[]): string[] {
  if (events.length === 0) return [];
  const perName = new Map<string, number>();
  for (const e of events) perName.set(e.name, (perName.get(e.name) ?? 0) + 1);
  const counts = [...perName]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, n]) => `${n} ${escapeForTerminal(name)}`)
    .join(', ');
  const out = [`rig events: ${events.length} (${counts})`];
  for (const e of events.slice(0, MAX_RIG_EVENTS))
    out.push(
      `  ${formatIsoTime(e.atMs)} ${escapeForTerminal(e.host)} ${escapeForTerminal(formatRigEventText(e))}`,
    );
  if (events.length > MAX_RIG_EVENTS)
    out.push(`  … ${events.length - MAX_RIG_EVENTS} more (see the JSON report)`);
  return out;
}

function findingBlock(
  f: Finding,
  index: number,
  c: InstanceType<typeof Chalk>,
  maxEvidence: number,
  gluffZone: string | undefined,
): string[] {
  const tag =
    f.severity === 'fail' ? c.red('FAIL') : f.severity === 'warn' ? c.yellow('WARN') : c.cyan('INCONCLUSIVE');
  const lines = [
    [`${index}. ${tag} ${c.bold(f.kind)}`, f.ip, f.hw].filter((x) => x !== null).join(' '),
    `   ${escapeForTerminal(expandTimeTokens(f.message))}`,
  ];
  lines.push(`   culprit: ${f.culprit} (${CULPRIT_COMPONENT[f.culprit]})`);
  const a = f.attribution;
  if (a !== undefined) {
    lines.push(`   why: ${escapeForTerminal(expandTimeTokens(a.explanation))} [${a.rule}, ${a.how}]`);
    for (const l of a.witnessLines.slice(0, maxEvidence))
      lines.push(`   witness: ${escapeForTerminal(l.text)}`);
  }
  if (f.expected !== null) {
    const e = f.expected;
    lines.push(
      `   expected: ${formatIsoTime(e.startMs)} .. ${formatIsoTime(e.endMs)} (${e.endSource} end) hw ${e.hw} cid ${e.cidHex ?? '-'}${e.physicalPort === null ? '' : ` port ${e.physicalPort}`}`,
    );
  }
  // In UTC and canonical hex like the expected row, so the two compare by eye; then Gluff's stored text,
  // which is wall time in gluff's zone, in brackets marked with that zone.
  const zone = escapeForTerminal(storedZoneText(gluffZone));
  for (const a of f.actual) {
    lines.push(
      `   actual:   row ${a.id}: ${formatActualInterval(a)} hw ${escapeForTerminal(a.hw ?? '-')} cid ${escapeForTerminal(a.cidHex ?? '-')} ` +
        `[as stored, ${zone}: ${escapeForTerminal(a.startText)} .. ${escapeForTerminal(a.endText)}, cid ${escapeForTerminal(a.cidText ?? '-')}]`,
    );
  }
  const shown = f.evidenceLines.slice(0, maxEvidence);
  for (const l of shown) lines.push(c.dim(`   | ${escapeForTerminal(l.text)}`));
  if (f.evidenceLines.length > shown.length)
    lines.push(c.dim(`   | ... ${countOf(f.evidenceLines.length - shown.length, 'more line')}`));
  return lines;
}

/** `2 failures: 1 end-mismatch, 1 wrong-port` for the findings of one severity; null without any. */
function severityCount(
  findings: readonly Finding[],
  severity: Severity,
  noun: string,
  plural: string,
): string | null {
  const of = findings.filter((f) => f.severity === severity);
  if (of.length === 0) return null;
  const perKind = new Map<string, number>();
  for (const f of of) perKind.set(f.kind, (perKind.get(f.kind) ?? 0) + 1);
  const kinds = [...perKind]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return `${countOf(of.length, noun, plural)}: ${kinds}`;
}

/**
 * The headline's counts: failures first (or `no failures`), then inconclusive findings and warnings apart,
 * so a pass with warnings does not read like one with findings. Empty without any finding.
 * Example: `no failures; 262 warnings: 262 port-disagreement`.
 */
function headlineCounts(findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  return [
    severityCount(findings, 'fail', 'failure', 'failures') ?? 'no failures',
    severityCount(findings, 'inconclusive', 'inconclusive', 'inconclusive'),
    severityCount(findings, 'warn', 'warning', 'warnings'),
  ]
    .filter((p) => p !== null)
    .join('; ');
}

/**
 * Renders the report. First line, e.g.
 * `gluff-verify: FAIL (2 failures: 1 end-mismatch, 1 missing-lease; 3 warnings: 3 port-disagreement); fails by culprit: 2 gluff`.
 */
export function renderTerminalReport(
  result: VerificationResult,
  options: Partial<TerminalOptions> = {},
): string {
  const o = { ...DEFAULTS, ...options };
  const c = new Chalk({ level: o.color ? 1 : 0 });
  const verdictText =
    result.verdict === 'pass'
      ? c.green.bold('PASS')
      : result.verdict === 'fail'
        ? c.red.bold('FAIL')
        : c.yellow.bold('INCONCLUSIVE');
  const countText = headlineCounts(result.findings);
  const out: string[] = [];
  const blamed = Object.entries(failsByCulprit(result.findings))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  out.push(
    `gluff-verify: ${verdictText}${countText === '' ? '' : ` (${countText})`}${blamed === '' ? '' : `; fails by culprit: ${blamed}`}`,
  );
  out.push(
    `window: ${formatWindow(result.window)}, as of ${formatIsoTime(result.window.asOfMs)}; spec ${result.spec}`,
  );
  const expected = result.ips.reduce((n, i) => n + i.expected, 0);
  const actual = result.ips.reduce((n, i) => n + i.actual, 0);
  const ips = countOf(result.ips.length, 'IP');
  if (result.gluff.kind === 'none') {
    out.push(c.bold(NO_GLUFF_TEXT));
    out.push(`checked: ${ips}, ${countOf(expected, 'rebuilt row')} (not compared: no Gluff table)`);
  } else {
    out.push(`checked: ${ips}, ${countOf(expected, 'expected row')}, ${countOf(actual, 'Gluff row')}`);
  }
  const ch = result.channel;
  out.push(
    `channel: ${countOf(ch.events, 'event')}, ${ch.rejections} rejected, ${ch.untrusted} untrusted, ${countOf(ch.kernelDrops, 'kernel drop')}, ${countOf(ch.appDrops, 'collector drop')}`,
  );
  for (const m of result.memory) {
    const slope =
      m.slopeBytesPerHour === null ? '' : `, slope ${(m.slopeBytesPerHour / 1024).toFixed(1)} KiB/h`;
    const tag =
      m.verdict === 'pass'
        ? c.green('pass')
        : m.verdict === 'fail'
          ? c.red('LEAK')
          : c.yellow('inconclusive');
    out.push(
      `memory ${m.proc}: ${tag} (${countOf(m.samples, 'sample')}${slope}) ${escapeForTerminal(m.reason)}`,
    );
  }
  for (const r of result.inconclusiveReasons)
    out.push(c.yellow(`inconclusive: ${escapeForTerminal(expandTimeTokens(r))}`));
  const order = { fail: 0, inconclusive: 1, warn: 2 } as const;
  const listed = o.showWarnings ? result.findings : result.findings.filter((f) => f.severity !== 'warn');
  const warnings = result.findings.filter((f) => f.severity === 'warn');
  if (!o.showWarnings && warnings.length > 0) {
    const perKind = new Map<string, number>();
    for (const f of warnings) perKind.set(f.kind, (perKind.get(f.kind) ?? 0) + 1);
    const text = [...perKind]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    out.push(c.yellow(`warnings: ${text} (not failures; shown with --warnings and in the JSON report)`));
  }
  const sorted = [...listed].sort((a, b) => order[a.severity] - order[b.severity]);
  const shown = sorted.slice(0, o.maxFindings);
  if (shown.length > 0) out.push('');
  shown.forEach((f, i) => out.push(...findingBlock(f, i + 1, c, o.maxEvidence, result.gluff.zone)));
  if (sorted.length > shown.length)
    out.push(`... and ${countOf(sorted.length - shown.length, 'more finding')} (see the JSON report)`);
  const rig = rigEventLines(result.rigEvents);
  if (rig.length > 0) out.push('', ...rig);
  return `${out.join('\n')}\n`;
}

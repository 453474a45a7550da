/**
 * The HTML report: one self-contained page (no script, no external file) to open from a CI artifact or
 * a nightly report folder. Verdict, window, channel health and memory first; then every finding with
 * its culprit, the expected and actual rows and the raw syslog evidence, failures first, warnings
 * folded away; then what the rig driver logged it did (rig events). Written as XHTML-compatible HTML
 * (it parses as XML, so `xmllint` checks it), and every text that came from the network goes through
 * escapeXml.
 */
import type {
  ActualLease,
  ExpectedLease,
  Finding,
  FindingKind,
  LeakVerdict,
  RigEventEntry,
  Severity,
  VerificationResult,
} from '../model/lease.js';
import { CULPRIT_COMPONENT } from '../model/lease.js';
import {
  escapeXml,
  expandTimeTokens,
  formatIsoTime,
  formatRigEventText,
  formatWindow,
  NO_GLUFF_TEXT,
  storedZoneText,
} from './format-time.js';

export interface HtmlOptions {
  /** Evidence lines shown per finding; the rest are counted. */
  maxEvidence: number;
}

const DEFAULTS: HtmlOptions = { maxEvidence: 20 };

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1d1d1f; }
h1 { font-size: 1.6em; } h1 .pass { color: #1a7f37; } h1 .fail { color: #cf222e; } h1 .inconclusive { color: #9a6700; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; } td, th { border: 1px solid #d0d7de; padding: 0.2em 0.6em; text-align: left; }
th { background: #f6f8fa; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
section.finding { border-left: 4px solid #d0d7de; padding: 0.2em 1em; margin: 1em 0; }
section.fail { border-color: #cf222e; } section.warn { border-color: #d4a72c; } section.inconclusive { border-color: #8c959f; }
pre { background: #f6f8fa; padding: 0.5em; overflow-x: auto; font-size: 12px; }
.tag { font-weight: bold; } .fail .tag { color: #cf222e; } .warn .tag { color: #9a6700; }
td.differs { background: #fff1c2; font-weight: bold; }
`;

/** Printed before a differing value: the mark must not rest on colour alone. */
const DIFFERS = '≠';

const TAG: Record<Severity, string> = { fail: 'FAIL', inconclusive: 'INCONCLUSIVE', warn: 'WARN' };

/** A table cell; `differs` marks a Gluff value unlike the expected row's (class and a visible sign). */
function cell(text: string | number, numeric = false, differs = false): string {
  if (differs) return `<td class="differs">${DIFFERS} ${escapeXml(String(text))}</td>`;
  return numeric ? `<td class="n">${escapeXml(String(text))}</td>` : `<td>${escapeXml(String(text))}</td>`;
}

function table(head: string[], rows: (string | number)[][], numericFrom = Infinity): string {
  const th = head.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((v, i) => cell(v, i >= numericFrom)).join('')}</tr>`).join('\n');
  return `<table>\n<tr>${th}</tr>\n${body}\n</table>`;
}

function kib(bytes: number | null): string {
  return bytes === null ? '-' : `${(bytes / 1024).toFixed(1)} KiB`;
}

function memoryRows(memory: readonly LeakVerdict[]): (string | number)[][] {
  return memory.map((m) => [
    m.proc,
    m.verdict === 'fail' ? 'LEAK' : m.verdict,
    m.samples,
    m.slopeBytesPerHour === null
      ? '-'
      : `${kib(m.slopeBytesPerHour)}/h (95% ${kib(m.slopeLowBytesPerHour)}..${kib(m.slopeHighBytesPerHour)})`,
    m.reason,
  ]);
}

/** Counts per event name, then every rig event with its time, host and fields. */
function rigEventsSection(events: readonly RigEventEntry[]): string[] {
  const perName = new Map<string, number>();
  for (const e of events) perName.set(e.name, (perName.get(e.name) ?? 0) + 1);
  const counts = [...perName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    `<h2>Rig events (${events.length})</h2>`,
    '<p>What the rig driver logged it did (gv-rig lines). Context only: no verdict depends on them.</p>',
    table(['event', 'count'], counts, 1),
    table(
      ['time (UTC)', 'host', 'event', 'line'],
      events.map((e) => [formatIsoTime(e.atMs), e.host, e.name, `#${e.rawId} ${formatRigEventText(e)}`]),
    ),
  ];
}

type RowField = 'start' | 'end' | 'hw' | 'cid';

/** The field a finding of this kind is about; other kinds mark every field whose value differs. */
const JUDGED_FIELDS: Partial<Record<FindingKind, readonly RowField[]>> = {
  'start-mismatch': ['start'],
  'end-mismatch': ['end'],
  'release-not-applied': ['end'],
  'wrong-hw': ['hw'],
  'wrong-port': ['cid'],
};

/** The cells of Gluff row `a` to mark as differing from expected row `e` in finding `f`. */
function differingFields(f: Finding, e: ExpectedLease, a: ActualLease): Set<RowField> {
  const judged = JUDGED_FIELDS[f.kind];
  if (judged !== undefined) return new Set(judged);
  const out = new Set<RowField>();
  if (a.startMs !== e.startMs) out.add('start');
  if (a.endMs !== e.endMs) out.add('end');
  if (a.hw !== e.hw) out.add('hw');
  if (a.cidHex !== e.cidHex || a.remoteIdHex !== e.remoteIdHex) out.add('cid');
  return out;
}

/** Circuit-id (and remote-id when there is one) in canonical hex. */
function option82Text(cidHex: string | null, ridHex: string | null): string {
  return ridHex === null ? (cidHex ?? '-') : `${cidHex ?? '-'} / remote-id ${ridHex}`;
}

function findingSection(
  f: Finding,
  index: number,
  maxEvidence: number,
  gluffZone: string | undefined,
): string {
  const out: string[] = [`<section class="finding ${f.severity}">`];
  const who = [f.ip, f.hw].filter((x) => x !== null).join(' ');
  out.push(
    `<h3><span class="tag">${index}. ${TAG[f.severity]}</span> ${escapeXml(f.kind)} ${escapeXml(who)}</h3>`,
  );
  out.push(`<p>${escapeXml(expandTimeTokens(f.message))}</p>`);
  const rows: string[] = [];
  const e = f.expected;
  if (e !== null) {
    rows.push(
      [
        'expected',
        formatIsoTime(e.startMs),
        `${formatIsoTime(e.endMs)} (${e.endSource} end)`,
        e.hw,
        option82Text(e.cidHex, e.remoteIdHex),
        '',
      ]
        .map((v) => cell(v))
        .join(''),
    );
  }
  for (const a of f.actual) {
    // In UTC and canonical hex like the expected row above it; then exactly as Gluff stored them.
    const differs = e === null ? new Set<RowField>() : differingFields(f, e, a);
    rows.push(
      [
        cell(`Gluff row ${a.id}`),
        cell(formatIsoTime(a.startMs), false, differs.has('start')),
        cell(formatIsoTime(a.endMs), false, differs.has('end')),
        cell(a.hw ?? '-', false, differs.has('hw')),
        cell(option82Text(a.cidHex, a.remoteIdHex), false, differs.has('cid')),
        cell(`${a.startText} .. ${a.endText}; cid ${a.cidText ?? '-'}`),
      ].join(''),
    );
  }
  out.push(`<p>culprit: <b>${escapeXml(f.culprit)}</b> (${escapeXml(CULPRIT_COMPONENT[f.culprit])})</p>`);
  const att = f.attribution;
  if (att !== undefined) {
    out.push(
      `<p>why: ${escapeXml(expandTimeTokens(att.explanation))} <i>[${escapeXml(att.rule)}, ${escapeXml(att.how)}]</i></p>`,
    );
    if (att.witnessLines.length > 0)
      out.push(
        `<pre class="witness">${escapeXml(att.witnessLines.map((l) => `#${l.rawId} ${l.text}`).join('\n'))}</pre>`,
      );
  }
  if (rows.length > 0) {
    const head = [
      '',
      'start (UTC)',
      'end (UTC)',
      'hw',
      'circuit-id',
      `as stored (${storedZoneText(gluffZone)})`,
    ];
    out.push(
      `<table>\n<tr>${head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>\n${rows.map((r) => `<tr>${r}</tr>`).join('\n')}\n</table>`,
    );
  }
  if (f.evidenceLines.length > 0) {
    const shown = f.evidenceLines.slice(0, maxEvidence).map((l) => `#${l.rawId} ${l.text}`);
    if (f.evidenceLines.length > shown.length)
      shown.push(`... ${f.evidenceLines.length - shown.length} more lines`);
    out.push(`<pre>${escapeXml(shown.join('\n'))}</pre>`);
  }
  out.push('</section>');
  return out.join('\n');
}

/** Renders the whole page. */
export function renderHtmlReport(result: VerificationResult, options: Partial<HtmlOptions> = {}): string {
  const o = { ...DEFAULTS, ...options };
  const verdict = result.verdict.toUpperCase();
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    `<title>gluff-verify: ${verdict} (${escapeXml(result.spec)})</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>gluff-verify: <span class="${result.verdict}">${verdict}</span></h1>`,
    `<p>window ${escapeXml(formatWindow(result.window))}, as of ${formatIsoTime(result.window.asOfMs)}; spec ${escapeXml(result.spec)}</p>`,
  ];
  const noGluff = result.gluff.kind === 'none';
  out.push(
    noGluff
      ? `<p class="gluff"><b>${escapeXml(NO_GLUFF_TEXT)}</b></p>`
      : `<p class="gluff">Gluff: ${escapeXml(result.gluff.description)}</p>`,
  );
  if (result.inconclusiveReasons.length > 0) {
    out.push('<h2>Why inconclusive</h2>', '<ul>');
    for (const r of result.inconclusiveReasons) out.push(`<li>${escapeXml(expandTimeTokens(r))}</li>`);
    out.push('</ul>');
  }
  const bySeverity = (s: Severity): Finding[] => result.findings.filter((f) => f.severity === s);
  const kinds = [...new Set(result.findings.map((f) => f.kind))].sort();
  out.push('<h2>Findings per kind</h2>');
  out.push(
    kinds.length === 0
      ? '<p>none</p>'
      : table(
          ['kind', 'fail', 'inconclusive', 'warn'],
          kinds.map((k) => {
            const of = result.findings.filter((f) => f.kind === k);
            return [
              k,
              ...(['fail', 'inconclusive', 'warn'] as const).map(
                (s) => of.filter((f) => f.severity === s).length,
              ),
            ];
          }),
          1,
        ),
  );
  const expected = result.ips.reduce((n, i) => n + i.expected, 0);
  const actual = result.ips.reduce((n, i) => n + i.actual, 0);
  const ch = result.channel;
  out.push('<h2>What was checked</h2>');
  out.push(
    table(
      [
        'IPs',
        noGluff ? 'rebuilt rows' : 'expected rows',
        'Gluff rows',
        'events',
        'rejected lines',
        'untrusted',
        'kernel drops',
        'collector drops',
      ],
      [
        [
          result.ips.length,
          expected,
          noGluff ? 'none' : actual,
          ch.events,
          ch.rejections,
          ch.untrusted,
          ch.kernelDrops,
          ch.appDrops,
        ],
      ],
      0,
    ),
  );
  if (result.memory.length > 0) {
    out.push('<h2>Memory</h2>');
    out.push(table(['process', 'verdict', 'samples', 'slope', 'reason'], memoryRows(result.memory)));
  }
  if (result.findings.some((f) => f.expected !== null && f.actual.length > 0))
    out.push(
      `<p class="legend">${DIFFERS} marks a value of a Gluff row that differs from the expected row.</p>`,
    );
  let index = 0;
  for (const [severity, title] of [
    ['fail', 'Failures'],
    ['inconclusive', 'Inconclusive'],
  ] as const) {
    const list = bySeverity(severity);
    if (list.length === 0) continue;
    out.push(`<h2>${title} (${list.length})</h2>`);
    for (const f of list) out.push(findingSection(f, ++index, o.maxEvidence, result.gluff.zone));
  }
  const warnings = bySeverity('warn');
  if (warnings.length > 0) {
    out.push(`<details>\n<summary><b>Warnings (${warnings.length}): not failures</b></summary>`);
    for (const f of warnings) out.push(findingSection(f, ++index, o.maxEvidence, result.gluff.zone));
    out.push('</details>');
  }
  if (result.rigEvents.length > 0) out.push(...rigEventsSection(result.rigEvents));
  if (result.ips.length > 0) {
    out.push(`<details>\n<summary>Checked IPs (${result.ips.length})</summary>`);
    out.push(
      table(
        ['IP', 'expected rows', 'Gluff rows'],
        result.ips.map((i) => [i.ip, i.expected, i.actual]),
        1,
      ),
    );
    out.push('</details>');
  }
  out.push('</body>', '</html>', '');
  return out.join('\n');
}

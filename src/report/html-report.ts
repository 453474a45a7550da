/**
 * The HTML report: one self-contained page (no script, no external file) to open from a CI artifact or
 * a nightly report folder. Verdict, window, the overview of every address, channel health and a memory
 * chart per process first; then a lease timeline per address (or MAC) with findings, each finding a
 * numbered marker linked to its card; then every finding with its culprit, the expected and actual rows
 * and the raw syslog evidence, failures first, warnings folded away, each card linked back to its
 * picture; then what the rig driver logged it did (rig events). The pictures are inline SVG from the pure
 * svg-*.ts modules. Written as XHTML-compatible HTML (it parses as XML, so `xmllint` checks it), and every
 * text that came from the network goes through escapeXml.
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
import {
  numberFindings,
  timelineData,
  timelineSubjects,
  type NumberedFinding,
  type Span,
  type TimelineSubject,
} from './lease-timeline.js';
import { patternDefs, SVG_STYLE } from './svg-common.js';
import { renderMemoryFigure } from './svg-memory.js';
import { overviewRange, renderOverview, type OverviewOptions } from './svg-overview.js';
import { renderTimelineFigure, renderTimelineLegend, type TimelineContext } from './svg-timeline.js';

export interface HtmlOptions {
  /** Evidence lines shown per finding; the rest are counted. */
  maxEvidence: number;
  /**
   * Timeline figures drawn at most (addresses and MACs with failures or inconclusive findings first, then
   * those with warnings only, folded); the rest are counted, their findings still listed.
   */
  maxTimelines: number;
  /** The overview's rows and time cells. */
  overview: Partial<OverviewOptions>;
}

const DEFAULTS: HtmlOptions = { maxEvidence: 20, maxTimelines: 300, overview: {} };

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
figure { margin: 0.8em 0 1.2em; } figcaption { margin-bottom: 0.2em; }
figure.tl, section.finding { content-visibility: auto; contain-intrinsic-size: auto 220px; }
figure.mem .v { padding: 0 0.3em; border: 1px solid; } figure.mem.fail .v { color: #cf222e; }
.pictures-note { color: #57606a; }
.view { margin: 0.4em 0; } .view label { margin-right: 1.2em; }
#gv-view-ip:checked ~ .tls .tl:not(.in-ip):not(:target) { display: none; }
#gv-view-mac:checked ~ .tls .tl:not(.in-mac):not(:target) { display: none; }
a.back { font-size: 0.9em; margin-left: 0.5em; }
${SVG_STYLE}`;

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
  pictures: readonly { anchor: string; text: string }[],
): string {
  const out: string[] = [`<section id="f${index}" class="finding ${f.severity}">`];
  const who = [f.ip, f.hw].filter((x) => x !== null).join(' ');
  const back = pictures.map((p) => ` <a class="back" href="#${p.anchor}">${escapeXml(p.text)}</a>`).join('');
  out.push(
    `<h3><span class="tag">${index}. ${TAG[f.severity]}</span> ${escapeXml(f.kind)} ${escapeXml(who)}${back}</h3>`,
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

/**
 * The figures drawn when there are more than `max`: failures before inconclusive before warnings; within
 * each, first one figure for every finding kind not yet shown (so each kind has an example), then address
 * order. The figures keep address order on the page.
 */
export function chooseDrawn(subjects: readonly TimelineSubject[], max: number): Set<string> {
  if (subjects.length <= max) return new Set(subjects.map((s) => s.anchor));
  const chosen = new Set<string>();
  const kindsShown = new Set<string>();
  for (const severity of ['fail', 'inconclusive', 'warn'] as const) {
    const tier = subjects.filter((s) => s.worst === severity);
    for (const s of tier) {
      if (chosen.size >= max) break;
      const kinds = s.findings.map((x) => `${x.finding.severity} ${x.finding.kind}`);
      if (kinds.some((k) => !kindsShown.has(k))) {
        chosen.add(s.anchor);
        for (const k of kinds) kindsShown.add(k);
      }
    }
    for (const s of tier) {
      if (chosen.size >= max) break;
      chosen.add(s.anchor);
    }
  }
  return chosen;
}

/** Where each finding's card points: its timeline figures, its memory chart, or the overview. */
function picturesOf(
  numbered: readonly NumberedFinding[],
  subjects: readonly TimelineSubject[],
  drawn: ReadonlySet<string>,
  memoryAnchors: ReadonlyMap<string, string>,
  hasOverview: boolean,
): Map<number, { anchor: string; text: string }[]> {
  const out = new Map<number, { anchor: string; text: string }[]>();
  const add = (n: number, anchor: string, text: string) => {
    const list = out.get(n) ?? [];
    if (!list.some((p) => p.anchor === anchor)) list.push({ anchor, text });
    out.set(n, list);
  };
  for (const s of subjects) {
    if (!drawn.has(s.anchor)) continue;
    const text = s.ip !== null ? '↑ timeline' : '↑ timeline per MAC';
    for (const x of s.findings) add(x.n, s.anchor, text);
  }
  for (const { n, finding } of numbered) {
    const proc = finding.kind === 'memory-leak' ? finding.details['proc'] : undefined;
    const mem = typeof proc === 'string' ? memoryAnchors.get(proc) : undefined;
    if (mem !== undefined) add(n, mem, '↑ memory chart');
    else if (hasOverview && finding.ip === null && finding.hw === null) add(n, 'overview', '↑ overview');
  }
  return out;
}

/** The permuter's gaps, from the channel-gap findings that name one (hatched in every picture). */
function portGapsOf(findings: readonly Finding[]): Span[] {
  return findings.flatMap((f) => {
    const { fromMs, toMs, source } = f.details;
    return f.kind === 'channel-gap' &&
      source === 'permuter' &&
      typeof fromMs === 'number' &&
      typeof toMs === 'number'
      ? [{ fromMs, toMs }]
      : [];
  });
}

/** The timelines section: the view switch when it changes anything, the legend, then the figures. */
function timelinesSection(
  subjects: readonly TimelineSubject[],
  drawn: ReadonlySet<string>,
  ctx: TimelineContext,
  ipsWithoutFindings: number,
): string[] {
  const main = subjects.filter((s) => s.worst !== 'warn' && drawn.has(s.anchor));
  const warnOnly = subjects.filter((s) => s.worst === 'warn' && drawn.has(s.anchor));
  const omitted = subjects.length - main.length - warnOnly.length;
  const out = [`<h2 id="timelines">Lease timelines (${subjects.length})</h2>`];
  const switchable = subjects.some((s) => s.inIpView !== s.inMacView);
  if (switchable) {
    out.push(
      '<input type="radio" name="gv-view" id="gv-view-ip" checked="checked"/><label for="gv-view-ip"> per address</label>',
      '<input type="radio" name="gv-view" id="gv-view-mac"/><label for="gv-view-mac"> per MAC</label>',
    );
  }
  const notes = [
    'Each address (or MAC) with findings, around its findings: the rebuilt stints above, the rows Gluff wrote below, each bar labelled with its switch port; a numbered marker per finding links to its card.',
  ];
  if (!switchable && subjects.length > 0)
    notes.push('Each address here was held by one MAC only, and that MAC by it.');
  if (ipsWithoutFindings > 0)
    notes.push(`${ipsWithoutFindings} addresses without findings are not drawn (the overview shows them).`);
  if (omitted > 0)
    notes.push(
      `${omitted} more addresses or MACs with findings are not drawn (at most ${drawn.size} figures a page: failures first, an example of every kind of finding, then by address); their findings are listed below and the overview shows where they are.`,
    );
  out.push(`<p class="pictures-note">${escapeXml(notes.join(' '))}</p>`);
  out.push(renderTimelineLegend(ctx.data.ports, ctx.hasGluff));
  out.push('<div class="tls">');
  for (const s of main) out.push(renderTimelineFigure(s, ctx));
  if (warnOnly.length > 0) {
    out.push(`<details>\n<summary>Timelines with warnings only (${warnOnly.length})</summary>`);
    for (const s of warnOnly) out.push(renderTimelineFigure(s, ctx));
    out.push('</details>');
  }
  out.push('</div>');
  return out;
}

/** Renders the whole page. */
export function renderHtmlReport(result: VerificationResult, options: Partial<HtmlOptions> = {}): string {
  const o = { ...DEFAULTS, ...options };
  const verdict = result.verdict.toUpperCase();
  const numbered = numberFindings(result.findings);
  const data = timelineData(result);
  const subjects = timelineSubjects(numbered, data);
  const drawn = chooseDrawn(subjects, o.maxTimelines);
  const portGaps = portGapsOf(result.findings);
  const noGluff = result.gluff.kind === 'none';
  const ctx: TimelineContext = {
    data,
    rigEvents: result.rigEvents,
    hasGluff: !noGluff,
    portGaps,
    asOfMs: result.window.asOfMs,
  };
  const range = overviewRange(result, data);
  const memoryAnchors = new Map(result.memory.map((m, i) => [m.proc, `mem-${i + 1}`]));
  const pictures = picturesOf(numbered, subjects, drawn, memoryAnchors, range !== null);
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    `<title>gluff-verify: ${verdict} (${escapeXml(result.spec)})</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    patternDefs(),
    `<h1>gluff-verify: <span class="${result.verdict}">${verdict}</span></h1>`,
    `<p>window ${escapeXml(formatWindow(result.window))}, as of ${formatIsoTime(result.window.asOfMs)}; spec ${escapeXml(result.spec)}</p>`,
  ];
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
  if (range !== null && result.ips.length > 0) {
    const anchorOfIp = new Map(
      subjects.filter((s) => s.ip !== null && drawn.has(s.anchor)).map((s) => [s.ip!, s.anchor]),
    );
    const perRow = Math.ceil(result.ips.length / (o.overview.maxRows ?? 60));
    out.push(
      `<h2 id="overview">Overview (${result.ips.length} addresses)</h2>`,
      `<p class="pictures-note">${escapeXml(
        `${perRow > 1 ? `One row per ${perRow} consecutive addresses (the worst of them), ` : 'One row per address, '}time across in UTC: red where a finding failed, hatched grey where the evidence cannot decide, green where a lease was held and nothing failed, blank where nothing was leased; the counts are at the end of each row. A row's name links to its timeline.`,
      )}</p>`,
      renderOverview(
        {
          ips: result.ips.map((i) => i.ip),
          data,
          numbered,
          anchorOfIp,
          range,
          rigEvents: result.rigEvents,
          portGaps,
          asOfMs: result.window.asOfMs,
        },
        o.overview,
      ),
    );
  }
  const bySeverity = (s: Severity): NumberedFinding[] => numbered.filter((x) => x.finding.severity === s);
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
    out.push('<h2 id="memory">Memory</h2>');
    out.push(table(['process', 'verdict', 'samples', 'slope', 'reason'], memoryRows(result.memory)));
    const leakCard = new Map<string, number>();
    for (const { n, finding } of numbered) {
      const proc = finding.details['proc'];
      if (finding.kind === 'memory-leak' && typeof proc === 'string') leakCard.set(proc, n);
    }
    out.push(
      '<p class="pictures-note">Each process: its samples (a restart breaks the line), the warm-up shaded (not judged), the fitted slope (solid) with its 95 % band (shaded) and the leak limit (dashed) from where the fit starts: a fit steeper than the limit, significant and in both halves, is a leak.</p>',
    );
    out.push('<div class="mems">');
    result.memory.forEach((m, i) => {
      out.push(renderMemoryFigure(m, `mem-${i + 1}`, leakCard.get(m.proc) ?? null));
    });
    out.push('</div>');
  }
  const ipsWithFindings = new Set(subjects.filter((s) => s.ip !== null).map((s) => s.ip));
  if (subjects.length > 0)
    out.push(
      ...timelinesSection(subjects, drawn, ctx, result.ips.filter((i) => !ipsWithFindings.has(i.ip)).length),
    );
  if (result.findings.some((f) => f.expected !== null && f.actual.length > 0))
    out.push(
      `<p class="legend">${DIFFERS} marks a value of a Gluff row that differs from the expected row.</p>`,
    );
  const section = (x: NumberedFinding) =>
    findingSection(x.finding, x.n, o.maxEvidence, result.gluff.zone, pictures.get(x.n) ?? []);
  for (const [severity, title] of [
    ['fail', 'Failures'],
    ['inconclusive', 'Inconclusive'],
  ] as const) {
    const list = bySeverity(severity);
    if (list.length === 0) continue;
    out.push(`<h2>${title} (${list.length})</h2>`);
    for (const x of list) out.push(section(x));
  }
  const warnings = bySeverity('warn');
  if (warnings.length > 0) {
    out.push(`<details>\n<summary><b>Warnings (${warnings.length}): not failures</b></summary>`);
    for (const x of warnings) out.push(section(x));
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

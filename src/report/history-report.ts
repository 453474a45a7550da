/**
 * The nightly history: one line per `make verify` run (its report folder), newest first, so the morning
 * question "is this failure new, or has it failed every night this week?" has an answer at a glance.
 * Pure: the CLI reads each folder's report.json and hands the text here; a report that cannot be read
 * is a row saying why, never a crash and never a silent gap.
 */
import type { Verdict } from '../model/lease.js';
import { countOf, escapeXml, formatIsoTime } from './format-time.js';

/** One run, as its report.json says. */
export interface RunSummary {
  /** The report folder's name (`20261128T024500Z`): the run's UTC start, and the link target. */
  run: string;
  /** Null when report.json could not be read or is not a report; `problem` says why. */
  verdict: Verdict | null;
  problem: string | null;
  asOfMs: number | null;
  /** Findings of severity fail per kind. */
  failKinds: Record<string, number>;
  fails: number;
  inconclusive: number;
  warnings: number;
  /** Processes whose memory verdict is fail (`gluff@dhcp1`). */
  leaks: string[];
  /** Datagrams the channel lost: kernel + collector drops. */
  drops: number;
}

const VERDICTS = new Set(['pass', 'fail', 'inconclusive']);

/** A run whose report cannot be used, listed with the reason. */
export function unreadableRun(run: string, problem: string): RunSummary {
  return {
    run,
    verdict: null,
    problem,
    asOfMs: null,
    failKinds: {},
    fails: 0,
    inconclusive: 0,
    warnings: 0,
    leaks: [],
    drops: 0,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Summarises one report.json (specs/report.schema.json, schemaVersion 1). Anything else (not JSON,
 * another schema version, a field of the wrong type) is a row with the problem.
 * Example: `summarizeReport('20261128T024500Z', '{"schemaVersion":1,"verdict":"pass",...}')`.
 */
export function summarizeReport(run: string, jsonText: string): RunSummary {
  let doc: unknown;
  try {
    doc = JSON.parse(jsonText);
  } catch (err) {
    return unreadableRun(run, `report.json is not JSON (${(err as Error).message})`);
  }
  if (!isRecord(doc)) return unreadableRun(run, 'report.json is not a JSON object');
  if (doc['schemaVersion'] !== 1 && doc['schemaVersion'] !== 2)
    return unreadableRun(
      run,
      `report.json has schemaVersion ${JSON.stringify(doc['schemaVersion'])}; expected 1 or 2`,
    );
  const verdict = doc['verdict'];
  if (typeof verdict !== 'string' || !VERDICTS.has(verdict))
    return unreadableRun(run, `report.json has verdict ${JSON.stringify(verdict)}`);
  const findings = doc['findings'];
  if (!Array.isArray(findings)) return unreadableRun(run, 'report.json has no findings array');
  const s: RunSummary = { ...unreadableRun(run, ''), verdict: verdict as Verdict, problem: null };
  const window = doc['window'];
  if (isRecord(window) && typeof window['asOf'] === 'string') {
    const ms = Date.parse(window['asOf']);
    s.asOfMs = Number.isFinite(ms) ? ms : null;
  }
  for (const f of findings) {
    if (!isRecord(f)) continue;
    const kind = typeof f['kind'] === 'string' ? f['kind'] : '?';
    if (f['severity'] === 'fail') {
      s.fails++;
      s.failKinds[kind] = (s.failKinds[kind] ?? 0) + 1;
    } else if (f['severity'] === 'inconclusive') s.inconclusive++;
    else if (f['severity'] === 'warn') s.warnings++;
  }
  const memory = doc['memory'];
  if (Array.isArray(memory)) {
    for (const m of memory) {
      if (isRecord(m) && m['verdict'] === 'fail' && typeof m['proc'] === 'string') s.leaks.push(m['proc']);
    }
  }
  const channel = doc['channel'];
  if (isRecord(channel)) {
    for (const key of ['kernelDrops', 'appDrops']) {
      const n = channel[key];
      if (typeof n === 'number' && Number.isFinite(n)) s.drops += n;
    }
  }
  return s;
}

/**
 * For each kind failing in the newest run (runs[0]): how many runs in a row, newest backwards, it has
 * failed. 1 means it is new tonight.
 */
export function failStreaks(runs: readonly RunSummary[]): Record<string, number> {
  const newest = runs[0];
  if (newest === undefined) return {};
  const streaks: Record<string, number> = {};
  for (const kind of Object.keys(newest.failKinds)) {
    let n = 0;
    while (n < runs.length && ((runs[n] as RunSummary).failKinds[kind] ?? 0) > 0) n++;
    streaks[kind] = n;
  }
  return streaks;
}

function kindsText(s: RunSummary): string {
  return Object.entries(s.failKinds)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

function runLine(s: RunSummary): string {
  if (s.verdict === null) return `${s.run}  UNREADABLE    ${s.problem ?? ''}`;
  const parts = [kindsText(s)];
  if (s.leaks.length > 0) parts.push(`leak: ${s.leaks.join(' ')}`);
  if (s.inconclusive > 0) parts.push(`${s.inconclusive} inconclusive`);
  if (s.drops > 0) parts.push(`${s.drops} datagrams lost`);
  return `${s.run}  ${s.verdict.toUpperCase().padEnd(12)}  ${parts.filter((p) => p !== '').join('; ')}`.trimEnd();
}

/**
 * The terminal form: the newest `max` runs, then, for the newest run's failing kinds, how long each
 * has been failing. Example first line: `20261128T024500Z  FAIL          1 wrong-port`.
 */
export function renderHistoryText(runs: readonly RunSummary[], max = 10): string {
  if (runs.length === 0) return 'history: no runs yet\n';
  const out = runs.slice(0, max).map(runLine);
  if (runs.length > max) out.push(`... ${countOf(runs.length - max, 'older run')}`);
  for (const [kind, n] of Object.entries(failStreaks(runs)).sort(([a], [b]) => a.localeCompare(b))) {
    out.push(
      n === 1
        ? `${kind}: new in the newest run`
        : `${kind}: failing in the last ${n} runs${n === runs.length ? ' (every run kept)' : ''}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** The page: a table of every run, newest first, each linking to its report.html. */
export function renderHistoryHtml(runs: readonly RunSummary[]): string {
  const rows = runs.map((s) => {
    const link = `<a href="${escapeXml(encodeURIComponent(s.run))}/report.html">${escapeXml(s.run)}</a>`;
    const verdict = s.verdict === null ? 'unreadable' : s.verdict;
    const what =
      s.verdict === null
        ? (s.problem ?? '')
        : [kindsText(s), s.leaks.length > 0 ? `leak: ${s.leaks.join(' ')}` : '']
            .filter((p) => p !== '')
            .join('; ');
    return `<tr class="${verdict}"><td>${link}</td><td>${verdict.toUpperCase()}</td><td>${escapeXml(formatIsoTime(s.asOfMs))}</td><td class="n">${s.fails}</td><td class="n">${s.inconclusive}</td><td class="n">${s.warnings}</td><td class="n">${s.drops}</td><td>${escapeXml(what)}</td></tr>`;
  });
  const streaks = Object.entries(failStreaks(runs)).sort(([a], [b]) => a.localeCompare(b));
  return [
    '<!DOCTYPE html>',
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    '<title>gluff-verify: history</title>',
    '<style>body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; } table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: 0.2em 0.6em; text-align: left; } td.n { text-align: right; } tr.fail td:nth-child(2) { color: #cf222e; font-weight: bold; } tr.pass td:nth-child(2) { color: #1a7f37; } tr.inconclusive td:nth-child(2), tr.unreadable td:nth-child(2) { color: #9a6700; }</style>',
    '</head>',
    '<body>',
    `<h1>gluff-verify: ${countOf(runs.length, 'run')}</h1>`,
    ...(streaks.length === 0
      ? []
      : [
          '<ul>',
          ...streaks.map(
            ([k, n]) =>
              `<li>${escapeXml(k)}: ${n === 1 ? 'new in the newest run' : `failing in the last ${n} runs`}</li>`,
          ),
          '</ul>',
        ]),
    '<table>',
    '<tr><th>run (UTC)</th><th>verdict</th><th>as of</th><th>fail</th><th>inconclusive</th><th>warn</th><th>datagrams lost</th><th>what failed</th></tr>',
    ...rows,
    '</table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * The overview at the top of the HTML report: one row per address (or per run of consecutive addresses once
 * there are more than fit), time across, each cell the worst that happened there: red where a finding failed,
 * hatched grey where the evidence could not decide, green where a lease was held and nothing failed, blank
 * where nothing was leased. Counts in words at the end of each row, so colour is never the only sign. Pure.
 */
import type { LeaseTimelineData, RigEventEntry, VerificationResult } from '../model/lease.js';
import { findingSpan, type NumberedFinding, type Span } from './lease-timeline.js';
import { markerShape } from './svg-timeline.js';
import { clockText, fitText, num, svgText, timeTicks } from './svg-common.js';

export interface OverviewOptions {
  /** At most this many rows; more addresses share a row (consecutive in address order). */
  maxRows: number;
  /** Time cells across. */
  columns: number;
}

export const OVERVIEW_DEFAULTS: OverviewOptions = { maxRows: 60, columns: 200 };

/** Cell states, worst last: a row of several addresses shows the worst of them. */
export const CELL = { none: 0, ok: 1, inconclusive: 2, fail: 3 } as const;

const CELL_CLASS = ['', 'ok', 'unk', 'bad'];

export interface OverviewInput {
  /** The checked addresses, in address order. */
  ips: readonly string[];
  data: LeaseTimelineData;
  numbered: readonly NumberedFinding[];
  /** The timeline figure of each address that has one. */
  anchorOfIp: ReadonlyMap<string, string>;
  range: Span;
  rigEvents: readonly RigEventEntry[];
  portGaps: readonly Span[];
  asOfMs: number;
}

/** The geometry, px. */
export const OVERVIEW_GEOMETRY = {
  width: 960,
  plotLeft: 170,
  plotRight: 860,
  top: 30,
  row: 11,
  cell: 9,
  axis: 22,
} as const;

const O = OVERVIEW_GEOMETRY;

/**
 * The stretch of time the overview covers: the window where it is bounded, else from the first row's start
 * to the last row's end; never past as-of (nothing later is known). Null when there is nothing to draw.
 */
export function overviewRange(result: VerificationResult, data: LeaseTimelineData): Span | null {
  const starts = [
    ...data.expected.map((e) => e.startMs),
    ...data.actual.flatMap((a) => (a.startMs === null ? [] : [a.startMs])),
  ];
  const ends = [
    ...data.expected.map((e) => e.endMs),
    ...data.actual.flatMap((a) => (a.endMs === null ? [] : [a.endMs])),
  ];
  const { asOfMs } = result.window;
  const lastEnd = ends.reduce((m, t) => Math.max(m, t), -Infinity);
  const toMs = Math.min(result.window.toMs ?? (ends.length === 0 ? asOfMs : lastEnd), asOfMs);
  let fromMs = result.window.fromMs;
  if (fromMs === null) {
    if (starts.length === 0) return null;
    fromMs = starts.reduce((m, t) => Math.min(m, t), Infinity);
  }
  if (!(toMs > fromMs)) return null;
  return { fromMs, toMs };
}

/** Per address, its cells: the worst state each time cell saw. */
export function overviewCells(
  input: Pick<OverviewInput, 'ips' | 'data' | 'numbered' | 'range'>,
  columns: number,
): Map<string, Uint8Array> {
  const { fromMs, toMs } = input.range;
  const perCell = (toMs - fromMs) / columns;
  const cells = new Map<string, Uint8Array>();
  for (const ip of input.ips) cells.set(ip, new Uint8Array(columns));
  const paint = (ip: string | null, from: number, to: number, state: number) => {
    if (ip === null) return;
    const row = cells.get(ip);
    if (row === undefined || to < fromMs || from > toMs) return;
    const c0 = Math.max(0, Math.floor((from - fromMs) / perCell));
    // Half-open: a stint ending on a cell's first instant does not colour that cell.
    const c1 = Math.max(c0, Math.min(columns - 1, Math.ceil((Math.min(to, toMs) - fromMs) / perCell) - 1));
    for (let c = c0; c <= c1; c++) if (row[c]! < state) row[c] = state;
  };
  for (const e of input.data.expected)
    paint(e.ip, e.startMs, e.endMs, e.inconclusive === null ? CELL.ok : CELL.inconclusive);
  for (const a of input.data.actual)
    if (a.startMs !== null) paint(a.ip, a.startMs, a.endMs ?? a.startMs, CELL.ok);
  for (const { finding } of input.numbered) {
    if (finding.severity === 'warn') continue;
    const span = findingSpan(finding);
    if (span === null) continue;
    paint(finding.ip, span.fromMs, span.toMs, finding.severity === 'fail' ? CELL.fail : CELL.inconclusive);
  }
  return cells;
}

/** Runs of equal cells: [first column, length, state]. */
function runs(cells: Uint8Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let c = 0; c < cells.length; c++) {
    const last = out[out.length - 1];
    if (last !== undefined && last[2] === cells[c] && last[0] + last[1] === c) last[1]++;
    else out.push([c, 1, cells[c]!]);
  }
  return out.filter((r) => r[2] !== CELL.none);
}

/** The overview as an `<svg>`, with its rows, bands, global findings and axis. */
export function renderOverview(input: OverviewInput, options: Partial<OverviewOptions> = {}): string {
  const o = { ...OVERVIEW_DEFAULTS, ...options };
  const { fromMs, toMs } = input.range;
  const plotW = O.plotRight - O.plotLeft;
  const x = (ms: number) =>
    O.plotLeft + ((Math.min(Math.max(ms, fromMs), toMs) - fromMs) / (toMs - fromMs)) * plotW;
  const cells = overviewCells(input, o.columns);
  const perRow = Math.max(1, Math.ceil(input.ips.length / o.maxRows));
  const rowsCount = Math.ceil(input.ips.length / perRow);
  const findingsByIp = new Map<string, { fail: number; inconclusive: number }>();
  for (const { finding } of input.numbered) {
    if (finding.ip === null || finding.severity === 'warn') continue;
    const c = findingsByIp.get(finding.ip) ?? { fail: 0, inconclusive: 0 };
    c[finding.severity] += 1;
    findingsByIp.set(finding.ip, c);
  }
  const height = O.top + rowsCount * O.row + O.axis;
  const cellW = plotW / o.columns;
  const out: string[] = [
    `<svg class="gv overview" xmlns="http://www.w3.org/2000/svg" width="${O.width}" height="${num(height)}" viewBox="0 0 ${O.width} ${num(height)}" role="img">`,
    `<title>${svgText(`Every address from ${clockText(fromMs)} to ${clockText(toMs)} UTC`)}</title>`,
  ];
  for (let r = 0; r < rowsCount; r++) {
    const ips = input.ips.slice(r * perRow, (r + 1) * perRow);
    const y = O.top + r * O.row;
    const merged = new Uint8Array(o.columns);
    let fail = 0;
    let inconclusive = 0;
    for (const ip of ips) {
      const row = cells.get(ip)!;
      for (let c = 0; c < o.columns; c++) if (merged[c]! < row[c]!) merged[c] = row[c]!;
      fail += findingsByIp.get(ip)?.fail ?? 0;
      inconclusive += findingsByIp.get(ip)?.inconclusive ?? 0;
    }
    const label = ips.length === 1 ? ips[0]! : `${ips[0]} – ${ips[ips.length - 1]}`;
    const anchor = ips.map((ip) => input.anchorOfIp.get(ip)).find((a) => a !== undefined);
    const text = `<text x="4" y="${num(y + O.cell - 1)}">${svgText(fitText(label, O.plotLeft - 10))}</text>`;
    out.push(anchor === undefined ? text : `<a href="#${anchor}">${text}</a>`);
    for (const [c, len, state] of runs(merged)) {
      out.push(
        `<rect class="${CELL_CLASS[state]}" x="${num(O.plotLeft + c * cellW)}" y="${num(y)}" width="${num(len * cellW)}" height="${O.cell}"/>`,
      );
    }
    const counts = [fail > 0 ? `${fail} fail` : '', inconclusive > 0 ? `${inconclusive} inconcl.` : '']
      .filter((s) => s !== '')
      .join(', ');
    out.push(
      `<text x="${O.plotRight + 6}" y="${num(y + O.cell - 1)}">${svgText(counts === '' ? 'ok' : counts)}</text>`,
    );
  }
  const bottom = O.top + rowsCount * O.row;
  // Bands over every row: where nothing could be judged.
  const bands: { from: number; to: number; label: string }[] = [
    ...input.data.losses.map((l) => ({ from: l.fromMs, to: l.toMs, label: 'channel loss' })),
    ...input.portGaps.map((g) => ({ from: g.fromMs, to: g.toMs, label: 'ports unknown' })),
    ...(input.data.settleFromMs === null
      ? []
      : [{ from: input.data.settleFromMs, to: input.asOfMs, label: 'not settled' }]),
  ].filter((b) => b.from < toMs && b.to > fromMs);
  for (const b of bands) {
    const bx = x(b.from);
    out.push(
      `<rect class="band" x="${num(bx)}" y="${O.top - 4}" width="${num(Math.max(2, x(b.to) - bx))}" height="${num(bottom - O.top + 6)}"><title>${svgText(`${b.label}: ${clockText(b.from)} to ${clockText(b.to)} UTC`)}</title></rect>`,
    );
  }
  // Rig events and restarts: ticks on top, their words in the title.
  const ticks = [
    ...input.rigEvents.map((e) => ({ at: e.atMs, title: `${clockText(e.atMs)} rig ${e.name} (${e.host})` })),
    ...input.data.restarts.map((r) => ({
      at: r.atMs,
      title: `${clockText(r.atMs)} ${r.program}@${r.host} restarted (pid ${r.oldPid} → ${r.newPid})`,
    })),
  ].filter((t) => t.at >= fromMs && t.at <= toMs);
  for (const t of ticks) {
    const tx = num(x(t.at));
    out.push(
      `<line class="ev ev-rs" x1="${tx}" x2="${tx}" y1="${O.top - 10}" y2="${O.top - 3}"><title>${svgText(t.title)}</title></line>`,
    );
  }
  // Findings about no one address (channel gaps, not settled): numbered markers on the top line.
  let lastX = -Infinity;
  for (const { n, finding } of input.numbered) {
    if (finding.ip !== null || finding.hw !== null) continue;
    const span = findingSpan(finding);
    if (span === null || span.toMs < fromMs || span.fromMs > toMs) continue;
    const mx = Math.max(x(span.fromMs), lastX + 16);
    lastX = mx;
    out.push(
      `<a href="#f${n}"><title>${svgText(`#${n} ${finding.severity.toUpperCase()} ${finding.kind}`)}</title>${markerShape(finding.severity, mx, 12)}<text class="halo" x="${num(mx + 7)}" y="${num(9)}">${n}</text></a>`,
    );
  }
  out.push('<g class="ax">');
  for (const t of timeTicks(fromMs, toMs, plotW, 90)) {
    const tx = num(x(t.ms));
    out.push(
      `<line x1="${tx}" x2="${tx}" y1="${bottom}" y2="${bottom + 4}"/><text x="${tx}" y="${bottom + 16}">${svgText(t.label)}</text>`,
    );
  }
  out.push(`<text class="u" x="4" y="${bottom + 16}">UTC</text></g>`);
  out.push(
    `<rect class="frame" x="${O.plotLeft}" y="${O.top - 2}" width="${plotW}" height="${num(bottom - O.top + 2)}"/>`,
  );
  out.push('</svg>');
  return out.join('');
}

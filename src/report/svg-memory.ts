/**
 * The memory chart of one process (dhcpd@dhcp1, gluff@dhcp2, the collector): its samples over time, each
 * segment on its own (a restart or a stop breaks the line), the warm-up shaded, the fitted Theil-Sen line
 * with its 95 % band, the leak limit drawn from where the fit starts, and the verdict in the caption. Pure.
 */
import type { LeakVerdict, MemoryChart } from '../model/lease.js';
import { HOUR_MS } from '../model/time.js';
import { escapeXml } from './format-time.js';
import { clockText, durationText, num, svgText, timeTicks } from './svg-common.js';

/** The geometry, px. */
export const MEMORY_GEOMETRY = {
  width: 960,
  height: 210,
  plotLeft: 70,
  plotRight: 948,
  plotTop: 16,
  plotBottom: 186,
} as const;

const M = MEMORY_GEOMETRY;

/** Bytes in the unit a reader expects: `512 B`, `12.5 KiB`, `3.25 MiB`, `1.50 GiB`. */
export function bytesText(bytes: number, digits = 1): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${Math.round(bytes)} B`;
  if (abs < 1024 ** 2) return `${(bytes / 1024).toFixed(digits)} KiB`;
  if (abs < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(digits + 1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(digits + 1)} GiB`;
}

/**
 * Ticks for a byte axis from lo to hi, about `count` of them, on round values of the unit the values are in
 * (MiB from 1 MiB on, else KiB, else B), labelled in it. Example: 8.9..9.2 MiB -> 8.9, 9.0, 9.1, 9.2 MiB.
 */
export function byteTicks(lo: number, hi: number, count = 4): { bytes: number; label: string }[] {
  const unit = hi >= 1024 ** 2 ? 1024 ** 2 : hi >= 1024 ? 1024 : 1;
  const name = unit === 1 ? 'B' : unit === 1024 ? 'KiB' : 'MiB';
  const span = (hi - lo) / unit;
  if (!(span > 0)) return [{ bytes: lo, label: `${(lo / unit).toFixed(1)} ${name}` }];
  // The largest round step that still gives count - 1 intervals.
  const most = span / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(most) + 1e-9);
  const step = [5, 2, 1].map((k) => k * mag).find((st) => st <= most * (1 + 1e-9)) ?? mag;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const out: { bytes: number; label: string }[] = [];
  const eps = step * 1e-9;
  for (let i = Math.ceil(lo / unit / step - 1e-9); i * step <= hi / unit + eps; i++) {
    out.push({ bytes: i * step * unit, label: `${(i * step).toFixed(decimals)} ${name}` });
  }
  return out;
}

/**
 * The stretches the process was gone: consecutive `gone` samples, up to the next segment's start (the
 * process back) or the last of them. Example: gone at 12:40, 12:45, 12:50, a new pid from 13:20 -> one
 * stretch 12:40..13:20 of 3 samples.
 */
export function stoppedSpans(
  chart: Pick<MemoryChart, 'segments' | 'goneMs'>,
): { fromMs: number; toMs: number; lastGoneMs: number; samples: number }[] {
  const starts = chart.segments.map((s) => s.fromMs).sort((a, b) => a - b);
  const gone = [...chart.goneMs].sort((a, b) => a - b);
  const out: { fromMs: number; toMs: number; lastGoneMs: number; samples: number }[] = [];
  for (const g of gone) {
    const last = out[out.length - 1];
    // Still the same stop unless a segment (the process back) started since its last gone sample.
    if (last !== undefined && !starts.some((t) => t > last.lastGoneMs && t <= g)) {
      last.lastGoneMs = g;
      last.samples += 1;
      continue;
    }
    out.push({ fromMs: g, toMs: g, lastGoneMs: g, samples: 1 });
  }
  for (const stop of out) stop.toMs = starts.find((t) => t > stop.lastGoneMs) ?? stop.lastGoneMs;
  return out;
}

/** The verdict in words for the caption: `PASS`, `LEAK`, `INCONCLUSIVE`. */
function verdictWord(v: LeakVerdict): string {
  return v.verdict === 'fail' ? 'LEAK' : v.verdict.toUpperCase();
}

/**
 * The figure of one process: caption (process, verdict, slope with its band, the limits, the reason), then the
 * chart. `anchor` is the figure's id; `findingNumber` the card of its memory-leak finding, when there is one.
 */
export function renderMemoryFigure(v: LeakVerdict, anchor: string, findingNumber: number | null): string {
  const chart = v.chart;
  const slope =
    v.slopeBytesPerHour === null
      ? 'no slope fitted'
      : `slope ${bytesText(v.slopeBytesPerHour)}/h (95 % ${v.slopeLowBytesPerHour === null ? '?' : bytesText(v.slopeLowBytesPerHour)}/h .. ${v.slopeHighBytesPerHour === null ? '?' : bytesText(v.slopeHighBytesPerHour)}/h)`;
  const limits =
    chart === undefined
      ? ''
      : `; limit ${bytesText(chart.maxSlopeBytesPerHour)}/h or ${bytesText(chart.maxGrowthBytes)} growth`;
  const link = findingNumber === null ? '' : ` — <a href="#f${findingNumber}">finding #${findingNumber}</a>`;
  const out = [
    `<figure id="${anchor}" class="mem ${v.verdict}">`,
    `<figcaption><b>${escapeXml(v.proc)}: <span class="v">${verdictWord(v)}</span></b> — ${escapeXml(slope + limits)}; ${v.samples} samples judged, ${v.segments} segment${v.segments === 1 ? '' : 's'}${link}<br/><small>${escapeXml(v.reason)}</small></figcaption>`,
  ];
  out.push(chart === undefined ? '<p>No samples kept for a chart.</p>' : renderMemoryChart(v, chart, anchor));
  out.push('</figure>');
  return out.join('\n');
}

/** The chart itself as an `<svg>`; `clipId` names its clip path (unique on the page). */
export function renderMemoryChart(v: LeakVerdict, chart: MemoryChart, clipId: string): string {
  const points = chart.segments.flatMap((s) => s.points);
  const times = [...chart.segments.flatMap((s) => [s.fromMs, s.toMs]), ...chart.goneMs];
  const metric = chart.metric === 'rssBytes' ? 'RSS' : 'data size';
  if (points.length === 0 || times.length === 0) {
    return `<svg class="gv memory" xmlns="http://www.w3.org/2000/svg" width="${M.width}" height="40" viewBox="0 0 ${M.width} 40" role="img"><title>${svgText(`${v.proc}: no samples`)}</title><text x="4" y="24">${svgText(`no ${metric} samples`)}</text></svg>`;
  }
  let fromMs = Math.min(...times);
  let toMs = Math.max(...times);
  if (toMs <= fromMs) {
    fromMs -= 60_000;
    toMs += 60_000;
  }
  let lo = Math.min(...points.map((p) => p[1]));
  let hi = Math.max(...points.map((p) => p[1]));
  const pad = Math.max((hi - lo) * 0.08, 64 * 1024);
  lo = Math.max(0, lo - pad);
  hi += pad;
  const plotW = M.plotRight - M.plotLeft;
  const plotH = M.plotBottom - M.plotTop;
  const x = (ms: number) => M.plotLeft + ((ms - fromMs) / (toMs - fromMs)) * plotW;
  const y = (bytes: number) => M.plotBottom - ((bytes - lo) / (hi - lo)) * plotH;
  const out: string[] = [
    `<svg class="gv memory" xmlns="http://www.w3.org/2000/svg" width="${M.width}" height="${M.height}" viewBox="0 0 ${M.width} ${M.height}" role="img">`,
    `<title>${svgText(`${v.proc} ${metric} from ${clockText(fromMs)} to ${clockText(toMs)} UTC`)}</title>`,
    `<defs><clipPath id="clip-${clipId}"><rect x="${M.plotLeft}" y="${M.plotTop}" width="${plotW}" height="${plotH}"/></clipPath></defs>`,
  ];
  // Warm-up: shaded, not judged.
  for (const s of chart.segments) {
    const wx = x(s.fromMs);
    const ww = x(Math.min(s.warmupEndMs, s.toMs)) - wx;
    if (ww <= 0) continue;
    out.push(
      `<rect class="warm" x="${num(wx)}" y="${M.plotTop}" width="${num(ww)}" height="${plotH}"><title>${svgText(`warm-up of pid ${s.pid ?? '?'}: ${durationText(chart.warmupSec * 1000)}, not judged`)}</title></rect>`,
    );
    if (ww > 50) out.push(`<text x="${num(wx + 3)}" y="${M.plotTop + 11}">warm-up</text>`);
  }
  // Axes.
  out.push('<g class="ax">');
  for (const tick of byteTicks(lo, hi)) {
    const ty = num(y(tick.bytes));
    out.push(
      `<line x1="${M.plotLeft}" x2="${M.plotRight}" y1="${ty}" y2="${ty}"/><text class="yl" x="${M.plotLeft - 4}" y="${num(y(tick.bytes) + 4)}">${svgText(tick.label)}</text>`,
    );
  }
  for (const t of timeTicks(fromMs, toMs, plotW, 90)) {
    const tx = num(x(t.ms));
    out.push(
      `<line x1="${tx}" x2="${tx}" y1="${M.plotBottom}" y2="${M.plotBottom + 4}"/><text x="${tx}" y="${M.plotBottom + 16}">${svgText(t.label)}</text>`,
    );
  }
  out.push(`<text class="u" x="4" y="${M.plotBottom + 16}">UTC</text></g>`);
  // Restarts and stops: each segment after the first starts at a break.
  chart.segments.forEach((s, i) => {
    if (i === 0) return;
    const bx = num(x(s.fromMs));
    out.push(
      `<g><title>${svgText(`restart: pid ${s.pid ?? '?'} from ${clockText(s.fromMs)} UTC`)}</title><line class="brk" x1="${bx}" x2="${bx}" y1="${M.plotTop}" y2="${M.plotBottom}"/><text class="halo" x="${num(x(s.fromMs) + 3)}" y="${M.plotBottom - 4}">restart</text></g>`,
    );
  });
  for (const stop of stoppedSpans(chart)) {
    const sx = x(stop.fromMs);
    out.push(
      `<rect class="down" x="${num(sx)}" y="${M.plotTop}" width="${num(Math.max(2, x(stop.toMs) - sx))}" height="${M.plotBottom - M.plotTop}"><title>${svgText(`the sampler found the process gone from ${clockText(stop.fromMs)} to ${clockText(stop.lastGoneMs)} UTC (${stop.samples} samples)`)}</title></rect><text class="halo" x="${num(sx + 3)}" y="${M.plotTop + 24}">stopped</text>`,
    );
  }
  // The samples, one line per segment (the fit is drawn over them).
  for (const s of chart.segments) {
    if (s.points.length === 0) continue;
    const pts = s.points.map(([t, b]) => `${num(x(t))},${num(y(b))}`).join(' ');
    out.push(
      s.points.length === 1
        ? `<circle class="memdot" cx="${num(x(s.points[0]![0]))}" cy="${num(y(s.points[0]![1]))}" r="2"/>`
        : `<polyline class="mem" points="${pts}"><title>${svgText(`${metric} of pid ${s.pid ?? '?'}, ${clockText(s.fromMs)} to ${clockText(s.toMs)} UTC`)}</title></polyline>`,
    );
  }
  // The fit: the line, its 95 % band and the limit from its start, over each segment's judged part.
  const limitLabels: string[] = [];
  out.push(`<g clip-path="url(#clip-${clipId})">`);
  for (const s of chart.segments) {
    if (s.anchorMs === null || s.anchorBytes === null || v.slopeBytesPerHour === null) continue;
    const t0 = Math.max(s.warmupEndMs, s.fromMs);
    const t1 = s.toMs;
    if (t1 <= t0) continue;
    const at = (slope: number, t: number) => s.anchorBytes! + (slope * (t - s.anchorMs!)) / HOUR_MS;
    const line = (slope: number) =>
      `${num(x(t0))},${num(y(at(slope, t0)))} ${num(x(t1))},${num(y(at(slope, t1)))}`;
    if (v.slopeLowBytesPerHour !== null && v.slopeHighBytesPerHour !== null) {
      const low = v.slopeLowBytesPerHour;
      const high = v.slopeHighBytesPerHour;
      // The band between the lines of the lowest and highest slope, both through the anchor.
      const pts = [
        [t0, Math.max(at(low, t0), at(high, t0))],
        [s.anchorMs, s.anchorBytes],
        [t1, Math.max(at(low, t1), at(high, t1))],
        [t1, Math.min(at(low, t1), at(high, t1))],
        [s.anchorMs, s.anchorBytes],
        [t0, Math.min(at(low, t0), at(high, t0))],
      ]
        .map(([t, b]) => `${num(x(t!))},${num(y(b!))}`)
        .join(' ');
      out.push(`<polygon class="ci" points="${pts}"><title>95 % band of the slope</title></polygon>`);
    }
    // The limit starts where the fit starts: a line steeper than it, sustained, is a leak.
    const fitStart = at(v.slopeBytesPerHour, t0);
    const limitEnd = fitStart + (chart.maxSlopeBytesPerHour * (t1 - t0)) / HOUR_MS;
    out.push(
      `<polyline class="lim" points="${num(x(t0))},${num(y(fitStart))} ${num(x(t1))},${num(y(limitEnd))}"><title>${svgText(`leak limit: ${bytesText(chart.maxSlopeBytesPerHour)}/h from the start of the fit`)}</title></polyline>`,
    );
    // Its label where it leaves the chart (the top, or the segment's end).
    const exitMs =
      limitEnd <= hi || chart.maxSlopeBytesPerHour <= 0
        ? t1
        : t0 + ((hi - fitStart) / chart.maxSlopeBytesPerHour) * HOUR_MS;
    const exitBytes = fitStart + (chart.maxSlopeBytesPerHour * (exitMs - t0)) / HOUR_MS;
    // One label for the chart: the last fitted segment's.
    limitLabels.splice(
      0,
      1,
      `<text class="halo" x="${num(Math.min(x(exitMs) + 4, M.plotRight - 90))}" y="${num(Math.max(M.plotTop + 10, y(exitBytes) + 12))}">${svgText(`limit ${bytesText(chart.maxSlopeBytesPerHour)}/h`)}</text>`,
    );
    out.push(
      `<polyline class="fit" points="${line(v.slopeBytesPerHour)}"><title>${svgText(`fitted slope ${bytesText(v.slopeBytesPerHour)}/h`)}</title></polyline>`,
    );
  }
  out.push('</g>', ...limitLabels);
  out.push(
    `<rect class="frame" x="${M.plotLeft}" y="${M.plotTop}" width="${plotW}" height="${plotH}"/>`,
    `<text x="${M.plotLeft}" y="11">${svgText(metric)}</text>`,
    '</svg>',
  );
  return out.join('');
}

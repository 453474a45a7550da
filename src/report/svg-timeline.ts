/**
 * The lease timeline of one address or MAC as inline SVG: time across; a rebuilt lane (the expected stints)
 * and a Gluff lane (the rows Gluff wrote) per address, rows that are alive at once stacked on extra lanes;
 * each bar in its port's colour and texture and labelled with the spec's port name; above them releases,
 * permuter moves, dhcpd/gluff restarts, rig events and failed queue inserts; hatched where the evidence is
 * incomplete (channel loss, ports unknown, not settled); each finding a numbered marker on its row's lane
 * that links to its card. Pure; see svg-common.ts for what keeps text from changing the markup.
 */
import type {
  ActualLease,
  ExpectedLease,
  LeaseTimelineData,
  RigEventEntry,
  Severity,
} from '../model/lease.js';
import { escapeXml, expandTimeTokens, formatRigEventText } from './format-time.js';
import { expectedKey, findingMark, type Span, type TimelineSubject } from './lease-timeline.js';
import {
  CHAR_PX,
  clockText,
  durationText,
  fitText,
  num,
  PORT_FILLS,
  svgText,
  timeOfDay,
  timeTicks,
} from './svg-common.js';

/** What every timeline shares: the marks, the rig events and whether there was a Gluff table. */
export interface TimelineContext {
  data: LeaseTimelineData;
  rigEvents: readonly RigEventEntry[];
  /** False for `verify --gluff none`: no Gluff lanes. */
  hasGluff: boolean;
  /** Where the permuter's evidence has a gap (channel-gap findings from the permuter). */
  portGaps: readonly Span[];
  /** The verdict's as-of: nothing after it is known. */
  asOfMs: number;
}

/** The drawing's geometry, px. */
export const GEOMETRY = {
  width: 960,
  /** Lane labels end here; the time axis runs from plotLeft to plotRight. */
  plotLeft: 124,
  plotRight: 948,
  eventRow: 13,
  maxEventRows: 3,
  lane: 18,
  bar: 13,
  groupGap: 6,
  axis: 20,
  /** A marker is moved right until it is this far from the previous one on its lane. */
  markerGap: 15,
} as const;

const G = GEOMETRY;

/** The spec's name of the port with these Option 82 values, and its fill index; null when no port matches. */
export function portOf(
  ports: LeaseTimelineData['ports'],
  cidHex: string | null,
  ridHex: string | null,
): { name: string; fill: number } | null {
  if (cidHex === null && ridHex === null) return null;
  const i = ports.findIndex((p) => p.circuitIdHex === cidHex && p.remoteIdHex === ridHex);
  return i < 0 ? null : { name: ports[i]!.name, fill: i % PORT_FILLS };
}

/** How a bar is named: the spec's port (`Fa0/2`), else what Gluff stored, else the hex; `no cid` for none. */
function portLabel(
  ports: LeaseTimelineData['ports'],
  cidHex: string | null,
  ridHex: string | null,
  cidText: string | null,
): { text: string; cls: string } {
  const port = portOf(ports, cidHex, ridHex);
  if (port !== null) return { text: port.name, cls: `b${port.fill}` };
  if (cidHex === null) return { text: 'no cid', cls: 'bu' };
  return { text: `cid ${cidText ?? cidHex}`, cls: 'bu' };
}

/** Rows alive at once go on separate lanes: each row takes the first lane free at its start. */
export function stackLanes<T>(rows: readonly T[], span: (r: T) => [number, number]): number[] {
  const laneEnds: number[] = [];
  return rows.map((r) => {
    const [from, to] = span(r);
    let lane = laneEnds.findIndex((end) => end <= from);
    if (lane < 0) lane = laneEnds.push(to) - 1;
    else laneEnds[lane] = to;
    return lane;
  });
}

/** An actual row's interval for drawing: a row with one time missing (an invalid row) is a point there. */
function actualSpan(a: ActualLease): [number, number] | null {
  const from = a.startMs ?? a.endMs;
  const to = a.endMs ?? a.startMs;
  if (from === null || to === null) return null;
  return from <= to ? [from, to] : [to, from];
}

interface EventMark {
  atMs: number;
  /** For a restart: the old process's last line; a hatched stretch from it to atMs. */
  sinceMs?: number;
  cls: string;
  label: string;
  title: string;
}

interface Band {
  fromMs: number;
  toMs: number;
  label: string;
}

interface Lane {
  y: number;
  label: string;
}

function hwShort(hw: string | null): string {
  if (hw === null) return 'no hw';
  return hw.length > 8 ? `…${hw.slice(-5)}` : hw;
}

/** Links a figure's caption gives per kind of finding. */
const CAPTION_LINKS = 6;

/** The figure of one subject: a caption with its findings, then one panel per stretch of time. */
export function renderTimelineFigure(subject: TimelineSubject, ctx: TimelineContext): string {
  const classes = ['tl', subject.worst];
  if (subject.inIpView) classes.push('in-ip');
  if (subject.inMacView) classes.push('in-mac');
  const who = [subject.ip, subject.mac].filter((x): x is string => x !== null).map(escapeXml);
  // An address's figure that is not also its MAC's names the MACs that held it; a MAC's, its addresses.
  const others =
    subject.ip !== null && subject.mac === null
      ? [...subject.expected.map((e) => e.hw), ...subject.actual.map((a) => a.hw)]
      : subject.ip === null
        ? [...subject.expected.map((e) => e.ip), ...subject.actual.map((a) => a.ip)]
        : [];
  const distinct = [...new Set(others.filter((x): x is string => x !== null))];
  const held =
    distinct.length === 0
      ? ''
      : ` (${escapeXml(distinct.slice(0, CAPTION_LINKS).join(', '))}${distinct.length > CAPTION_LINKS ? ` … ${distinct.length - CAPTION_LINKS} more` : ''})`;
  // Its findings by kind, each with links to the first cards.
  const byKind = new Map<string, number[]>();
  for (const x of subject.findings) {
    const key = `${x.finding.kind}${x.finding.severity === 'fail' ? '' : ` (${x.finding.severity})`}`;
    byKind.set(key, [...(byKind.get(key) ?? []), x.n]);
  }
  const links = [...byKind]
    .map(([kind, ns]) => {
      const shown = ns.slice(0, CAPTION_LINKS).map((n) => `<a href="#f${n}">#${n}</a>`);
      if (ns.length > shown.length) shown.push(`… ${ns.length - shown.length} more`);
      return `${escapeXml(kind)} ${shown.join(' ')}`;
    })
    .join('; ');
  const out = [
    `<figure id="${subject.anchor}" class="${classes.join(' ')}">`,
    `<figcaption><b>${who.join(' · ')}</b>${held} — ${links}</figcaption>`,
  ];
  if (subject.panels.length === 0) out.push('<p>No lease rows or instants to draw.</p>');
  for (const panel of subject.panels) out.push(renderTimelinePanel(subject, panel, ctx));
  out.push('</figure>');
  return out.join('\n');
}

/** One stretch of a subject's timeline as an `<svg>`. */
export function renderTimelinePanel(subject: TimelineSubject, panel: Span, ctx: TimelineContext): string {
  const { fromMs, toMs } = panel;
  const span = toMs - fromMs;
  const plotW = G.plotRight - G.plotLeft;
  const x = (ms: number) => G.plotLeft + (Math.min(Math.max(ms, fromMs), toMs) - fromMs) * (plotW / span);
  const inPanel = (a: number, b: number) => a < toMs && b > fromMs;
  const expected = subject.expected.filter((e) => inPanel(e.startMs, Math.max(e.endMs, e.startMs + 1)));
  const actual = subject.actual.filter((a) => {
    const s = actualSpan(a);
    return s !== null && inPanel(s[0], Math.max(s[1], s[0] + 1));
  });

  // Exact times as tooltips on the rows the findings are about (a page of many figures stays small).
  const tipExpected = new Set(
    subject.findings.flatMap((x) => (x.finding.expected === null ? [] : [expectedKey(x.finding.expected)])),
  );
  const tipActual = new Set(subject.findings.flatMap((x) => x.finding.actual.map((a) => a.id)));

  // Lane groups: one per address (a MAC's figure may hold several).
  const groupIps: (string | null)[] =
    subject.ip !== null
      ? [subject.ip]
      : [...new Set<string | null>([...expected.map((e) => e.ip), ...actual.map((a) => a.ip)])];
  if (groupIps.length === 0) groupIps.push(null);
  const hws = new Set<string | null>([...expected.map((e) => e.hw), ...actual.map((a) => a.hw)]);
  const showHw = hws.size > 1;
  const macs = new Set<string>([...hws].filter((h): h is string => h !== null));
  if (subject.mac !== null) macs.add(subject.mac);
  const ips = new Set(groupIps.filter((ip): ip is string => ip !== null));

  // Events above the lanes.
  const events = panelEvents(subject, panel, ctx, ips, macs);
  const placed = placeEventLabels(events.map((ev) => x(ev.atMs))).map((p, i) => ({ ...p, ev: events[i]! }));
  const eventRows = Math.max(1, ...placed.map((p) => p.row + 1));
  const lanesTop = 4 + eventRows * G.eventRow + 4;

  // Lanes and bars.
  const lanes: Lane[] = [];
  const bars: string[] = [];
  const laneOfExpected = new Map<string, number>();
  const laneOfActual = new Map<number, number>();
  const firstLane = new Map<string, { expected: number; actual: number | null }>();
  let y = lanesTop;
  for (const ip of groupIps) {
    const prefix = subject.ip === null ? `${ip ?? 'no address'} ` : '';
    const exp = expected.filter((e) => subject.ip !== null || e.ip === ip);
    const act = actual.filter((a) => subject.ip !== null || a.ip === ip);
    const expLanes = stackLanes(exp, (e) => [e.startMs, e.endMs]);
    const expCount = Math.max(1, ...expLanes.map((l) => l + 1));
    const groupFirst = lanes.length;
    for (let i = 0; i < expCount; i++)
      lanes.push({ y: y + i * G.lane, label: i === 0 ? `${prefix}rebuilt` : '+ at once' });
    exp.forEach((e, i) => {
      const laneIndex = groupFirst + expLanes[i]!;
      laneOfExpected.set(expectedKey(e), laneIndex);
      bars.push(
        expectedBar(e, lanes[laneIndex]!.y, x, ctx.data.ports, showHw, tipExpected.has(expectedKey(e))),
      );
    });
    let actualFirst: number | null = null;
    if (ctx.hasGluff) {
      const actLanes = stackLanes(act, (a) => actualSpan(a)!);
      const actCount = Math.max(1, ...actLanes.map((l) => l + 1));
      actualFirst = lanes.length;
      const top = y + expCount * G.lane;
      for (let i = 0; i < actCount; i++)
        lanes.push({ y: top + i * G.lane, label: i === 0 ? `${prefix}Gluff` : '+ at once' });
      act.forEach((a, i) => {
        const laneIndex = actualFirst! + actLanes[i]!;
        laneOfActual.set(a.id, laneIndex);
        bars.push(actualBar(a, lanes[laneIndex]!.y, x, ctx.data.ports, showHw, tipActual.has(a.id)));
      });
    }
    firstLane.set(ip ?? '', { expected: groupFirst, actual: actualFirst });
    y = lanes[lanes.length - 1]!.y + G.lane + G.groupGap;
  }
  const lanesBottom = y - G.groupGap;
  const height = lanesBottom + G.axis;

  const out: string[] = [
    `<svg class="gv timeline" xmlns="http://www.w3.org/2000/svg" width="${G.width}" height="${num(height)}" viewBox="0 0 ${G.width} ${num(height)}">`,
  ];
  // Axis: grid lines and UTC labels.
  const ticks = timeTicks(fromMs, toMs, plotW, 100);
  const grid = ticks.map((t) => `M${num(x(t.ms))} ${num(lanesTop - 2)}V${num(lanesBottom + 3)}`).join('');
  out.push(`<g class="ax"><path d="${grid === '' ? 'M0 0' : grid}"/>`);
  for (const t of ticks)
    out.push(`<text x="${num(x(t.ms))}" y="${num(lanesBottom + 15)}">${svgText(t.label)}</text>`);
  out.push(
    `<text class="u" x="4" y="${num(lanesBottom + 15)}">${clockText(fromMs).slice(0, 10)} UTC</text>`,
    '</g>',
  );
  // Lane labels.
  for (const lane of lanes) {
    out.push(
      `<text class="lbl" x="4" y="${num(lane.y + G.bar - 2)}">${svgText(fitText(lane.label, G.plotLeft - 8))}</text>`,
    );
  }
  out.push(...bars);
  // Bands over the bars (a see-through hatch): where the evidence is incomplete.
  for (const b of panelBands(panel, ctx)) {
    const bx = x(b.fromMs);
    const bw = Math.max(2, x(b.toMs) - bx);
    out.push(
      `<rect class="veil" x="${num(bx)}" y="${num(lanesTop - 2)}" width="${num(bw)}" height="${num(lanesBottom - lanesTop + 4)}"><title>${svgText(b.label)}</title></rect>`,
    );
    if (bw >= BAND_LABEL_MIN_PX)
      out.push(
        `<text class="halo" x="${num(bx + 2)}" y="${num(lanesBottom - 3)}">${svgText(fitText(b.label, bw - 4))}</text>`,
      );
  }
  // Events: a line through the lanes, the label above.
  for (const { ev, x: ex, row, toLeft, roomPx } of placed) {
    const ly = 4 + (Math.max(0, row) + 1) * G.eventRow - 3;
    if (ev.sinceMs !== undefined) {
      // The stretch the process was not heard of, ending at its restart line, under the label's row.
      const sx = x(ev.sinceMs);
      out.push(
        `<rect class="down" x="${num(sx)}" y="${num(ly + 2)}" width="${num(Math.max(1, ex - sx))}" height="4"/>`,
      );
    }
    const label =
      row < 0
        ? ''
        : `<text class="halo${toLeft ? ' end' : ''}" x="${num(toLeft ? ex - 2 : ex + 2)}" y="${num(ly)}">${svgText(fitText(ev.label, roomPx))}</text>`;
    out.push(
      `<line class="ev ${ev.cls}" x1="${num(ex)}" x2="${num(ex)}" y1="${num(ly + 2)}" y2="${num(lanesBottom)}"><title>${svgText(ev.title)}</title></line>${label}`,
    );
  }
  // Findings: a numbered marker on the lane of the row each is about, linked to its card.
  const lastX = new Map<number, number>();
  const marks = subject.findings
    .map((nf) => ({ nf, mark: findingMark(nf.finding) }))
    .filter((m) => m.mark !== null && m.mark.atMs >= fromMs && m.mark.atMs <= toMs)
    .sort((a, b) => a.mark!.atMs - b.mark!.atMs);
  for (const { nf, mark } of marks) {
    const f = nf.finding;
    const group = firstLane.get(subject.ip ?? f.ip ?? '') ?? [...firstLane.values()][0]!;
    let laneIndex: number;
    if (mark!.on === 'actual' && mark!.actualId !== null && laneOfActual.has(mark!.actualId))
      laneIndex = laneOfActual.get(mark!.actualId)!;
    else if (mark!.on === 'expected' && f.expected !== null && laneOfExpected.has(expectedKey(f.expected)))
      laneIndex = laneOfExpected.get(expectedKey(f.expected))!;
    else laneIndex = (mark!.on === 'actual' ? group.actual : null) ?? group.expected;
    let mx = x(mark!.atMs);
    const prev = lastX.get(laneIndex);
    if (prev !== undefined && mx < prev + G.markerGap) mx = prev + G.markerGap;
    lastX.set(laneIndex, mx);
    const my = lanes[laneIndex]!.y + G.bar / 2;
    out.push(
      `<a href="#f${nf.n}"><title>${svgText(`#${nf.n} ${f.severity.toUpperCase()} ${f.kind}`)}</title>${markerShape(f.severity, mx, my)}<text class="halo" x="${num(mx + 7)}" y="${num(my - 3)}">${nf.n}</text></a>`,
    );
  }
  out.push(
    `<rect class="frame" x="${G.plotLeft}" y="${num(lanesTop - 2)}" width="${plotW}" height="${num(lanesBottom - lanesTop + 4)}"/>`,
  );
  out.push('</svg>');
  return out.join('');
}

/** A band narrower than this is named by its tooltip only. */
const BAND_LABEL_MIN_PX = 40;

/** Room an event label is given at least before the next may share its row. */
const EVENT_LABEL_MIN_PX = 64;

/**
 * Rows for the labels of events at `xs` (in order): each goes on the first row free at its line, so labels
 * never overlap; one too close to the right edge ends at its line instead. Each is cut to the room up to the
 * next label on its row (labels with no free row are left out: row -1; the event keeps its line and
 * tooltip). Positions alone decide, never what a label says.
 */
export function placeEventLabels(
  xs: readonly number[],
): { x: number; row: number; toLeft: boolean; roomPx: number }[] {
  const free: number[] = [];
  const placed = xs.map((x) => {
    const toLeft = x > G.plotRight - EVENT_LABEL_MIN_PX;
    const from = toLeft ? x - 1.5 * EVENT_LABEL_MIN_PX : x;
    let row = free.findIndex((f) => f <= from);
    if (row < 0 && free.length < G.maxEventRows) row = free.push(-Infinity) - 1;
    if (row >= 0) free[row] = toLeft ? x + 6 : x + EVENT_LABEL_MIN_PX;
    return { x, row, toLeft, roomPx: 0 };
  });
  placed.forEach((p, i) => {
    if (p.row < 0) return;
    if (p.toLeft) {
      p.roomPx = 1.5 * EVENT_LABEL_MIN_PX;
      return;
    }
    const next = placed.slice(i + 1).find((q) => q.row === p.row);
    const nextFrom = next === undefined ? G.width : next.toLeft ? next.x - 1.5 * EVENT_LABEL_MIN_PX : next.x;
    p.roomPx = nextFrom - p.x - 6;
  });
  return placed;
}

/** A finding's marker: a diamond for a failure, a ring for inconclusive, a triangle for a warning. */
export function markerShape(severity: Severity, x: number, y: number): string {
  const cx = num(x);
  const cy = num(y);
  if (severity === 'fail')
    return `<path class="mk-fail" d="M${cx} ${num(y - 6)}L${num(x + 6)} ${cy}L${cx} ${num(y + 6)}L${num(x - 6)} ${cy}Z"/>`;
  if (severity === 'inconclusive') return `<circle class="mk-inconclusive" cx="${cx}" cy="${cy}" r="5"/>`;
  return `<path class="mk-warn" d="M${cx} ${num(y - 6)}L${num(x + 6)} ${num(y + 5)}L${num(x - 6)} ${num(y + 5)}Z"/>`;
}

/** A bar, with its tooltip when `title` is given. */
function barRect(
  cls: string,
  from: number,
  to: number,
  laneY: number,
  x: (ms: number) => number,
  title: string | null,
): { x0: number; w: number; rect: string } {
  const x0 = x(from);
  const w = Math.max(2, x(to) - x0);
  const attrs = `class="bar ${cls}" x="${num(x0)}" y="${num(laneY)}" width="${num(w)}" height="${G.bar}"`;
  return {
    x0,
    w,
    rect: title === null ? `<rect ${attrs}/>` : `<rect ${attrs}><title>${svgText(title)}</title></rect>`,
  };
}

/** The label inside a bar, centred, cut to the bar's width; none on a bar too narrow for two letters. */
function barLabel(text: string, x0: number, w: number, laneY: number): string {
  if (w < 2 * CHAR_PX + 4) return '';
  return `<text class="bl" x="${num(x0 + w / 2)}" y="${num(laneY + G.bar - 3)}">${svgText(fitText(text, w - 4))}</text>`;
}

function expectedBar(
  e: ExpectedLease,
  laneY: number,
  x: (ms: number) => number,
  ports: LeaseTimelineData['ports'],
  showHw: boolean,
  tooltip: boolean,
): string {
  const label = portLabel(ports, e.cidHex, e.remoteIdHex, null);
  const title = [
    `rebuilt ${timeOfDay(e.startMs)}–${timeOfDay(e.endMs)} ${e.endSource} end`,
    showHw ? ` ${e.hw}` : '',
    e.physicalPort === null || e.physicalPort === label.text ? '' : `, permuter port ${e.physicalPort}`,
    e.inconclusive === null ? '' : `; inconclusive: ${expandTimeTokens(e.inconclusive)}`,
  ].join('');
  const { x0, w, rect } = barRect(label.cls, e.startMs, e.endMs, laneY, x, tooltip ? title : null);
  const hatch =
    e.inconclusive === null
      ? ''
      : `<rect class="inc" x="${num(x0)}" y="${num(laneY)}" width="${num(w)}" height="${G.bar}"/>`;
  const text = showHw ? `${label.text} ${hwShort(e.hw)}` : label.text;
  return `${rect}${hatch}${barLabel(text, x0, w, laneY)}`;
}

function actualBar(
  a: ActualLease,
  laneY: number,
  x: (ms: number) => number,
  ports: LeaseTimelineData['ports'],
  showHw: boolean,
  tooltip: boolean,
): string {
  const [from, to] = actualSpan(a)!;
  const label = portLabel(ports, a.cidHex, a.remoteIdHex, a.cidText);
  const title = `row ${a.id} ${a.startMs === null ? `no start (${a.startText})` : timeOfDay(a.startMs)}–${a.endMs === null ? `no end (${a.endText})` : timeOfDay(a.endMs)}${showHw ? ` ${a.hw ?? 'no hw'}` : ''}`;
  const { x0, w, rect } = barRect(label.cls, from, to, laneY, x, tooltip ? title : null);
  const text = showHw ? `${label.text} ${hwShort(a.hw)}` : label.text;
  return `${rect}${barLabel(text, x0, w, laneY)}`;
}

/** Rig events name clients by the rig's own names; one about nobody in particular (a fault) goes on every panel. */
function rigEventConcerns(e: RigEventEntry, ips: ReadonlySet<string>, macs: ReadonlySet<string>): boolean {
  const values = Object.values(e.fields);
  if (values.some((v) => ips.has(v) || macs.has(v))) return true;
  return !('client' in e.fields) && !('mac' in e.fields) && !('ip' in e.fields);
}

/** The events a panel shows, in time order. */
function panelEvents(
  subject: TimelineSubject,
  panel: Span,
  ctx: TimelineContext,
  ips: ReadonlySet<string>,
  macs: ReadonlySet<string>,
): EventMark[] {
  const inside = (ms: number) => ms >= panel.fromMs && ms <= panel.toMs;
  const out: EventMark[] = [];
  for (const r of ctx.data.releases) {
    if (!inside(r.atMs)) continue;
    if (!(subject.ip !== null ? r.ip === subject.ip : macs.has(r.hw))) continue;
    out.push({
      atMs: r.atMs,
      cls: 'ev-rel',
      label: r.found ? 'release' : 'release (not found)',
      title: `${timeOfDay(r.atMs)} DHCPRELEASE of ${r.ip} from ${r.hw} on ${r.host}${r.found ? '' : ' (not found)'}`,
    });
  }
  for (const m of ctx.data.portMoves) {
    if (!inside(m.atMs)) continue;
    const mine = m.moved.filter((mv) => macs.has(mv.hw));
    if (mine.length === 0) continue;
    const first = mine[0]!;
    out.push({
      atMs: m.atMs,
      cls: 'ev-map',
      label: `map seq=${m.seq} ${first.fromPort ?? '-'}→${first.toPort ?? '-'}`,
      title: `${timeOfDay(m.atMs)} map seq=${m.seq}: ${mine.map((mv) => `${mv.hw} ${mv.fromPort ?? 'no port'} → ${mv.toPort ?? 'no port'}`).join('; ')}`,
    });
  }
  for (const r of ctx.data.restarts) {
    if (!inside(r.atMs) && !inside(r.lastSeenMs)) continue;
    out.push({
      atMs: Math.min(Math.max(r.atMs, panel.fromMs), panel.toMs),
      sinceMs: Math.max(r.lastSeenMs, panel.fromMs),
      cls: 'ev-rs',
      label: `${r.program}@${r.host} restart`,
      title: `${timeOfDay(r.atMs)} ${r.program}@${r.host} back as pid ${r.newPid}; pid ${r.oldPid} last heard ${durationText(r.atMs - r.lastSeenMs)} before`,
    });
  }
  for (const e of ctx.rigEvents) {
    if (!inside(e.atMs) || !rigEventConcerns(e, ips, macs)) continue;
    out.push({
      atMs: e.atMs,
      cls: 'ev-rig',
      label: `rig: ${fitText(formatRigEventText(e), 40 * CHAR_PX)}`,
      title: `${timeOfDay(e.atMs)} ${e.host}: ${formatRigEventText(e)}`,
    });
  }
  const witnesses = new Set(subject.findings.flatMap((x) => x.finding.attribution?.witness ?? []));
  for (const q of ctx.data.queueFailures) {
    if (!inside(q.atMs) || !witnesses.has(q.rawId)) continue;
    out.push({
      atMs: q.atMs,
      cls: 'ev-q',
      label: 'queue insert failed',
      title: `${timeOfDay(q.atMs)} ${q.host}: ${q.line === null ? 'ldb' : `Line ${q.line}: sqlite3`} error: ${q.detail}`,
    });
  }
  if (inside(ctx.asOfMs))
    out.push({
      atMs: ctx.asOfMs,
      cls: 'ev-asof',
      label: 'as-of',
      title: `as-of ${timeOfDay(ctx.asOfMs)}: nothing later is known`,
    });
  out.sort((a, b) => a.atMs - b.atMs);
  // The same event told twice (both servers, a relayed copy) within a couple of seconds is one mark.
  const merged: (EventMark & { count: number })[] = [];
  for (const ev of out) {
    const last = merged[merged.length - 1];
    if (
      last !== undefined &&
      last.cls === ev.cls &&
      last.label === ev.label &&
      ev.atMs - last.atMs <= SAME_EVENT_MS
    ) {
      last.count += 1;
      if (last.count <= 4) last.title += `\n${ev.title}`;
    } else merged.push({ ...ev, count: 1 });
  }
  return merged.map(({ count, ...ev }) => (count === 1 ? ev : { ...ev, label: `${ev.label} ×${count}` }));
}

/** Marks of one kind this close are drawn as one, with a count. */
const SAME_EVENT_MS = 2000;

/** The hatched stretches of a panel: channel loss, permuter gaps, the unsettled end. */
function panelBands(panel: Span, ctx: TimelineContext): Band[] {
  const out: Band[] = [];
  const meets = (a: number, b: number) => a < panel.toMs && b > panel.fromMs;
  for (const l of ctx.data.losses)
    if (meets(l.fromMs, l.toMs))
      out.push({
        fromMs: l.fromMs,
        toMs: l.toMs,
        label: `channel loss: ${l.kernelDrops + l.appDrops} lost on ${l.listener}`,
      });
  for (const g of ctx.portGaps)
    if (meets(g.fromMs, g.toMs)) out.push({ fromMs: g.fromMs, toMs: g.toMs, label: 'ports unknown' });
  const settle = ctx.data.settleFromMs;
  if (settle !== null && meets(settle, ctx.asOfMs))
    out.push({ fromMs: settle, toMs: ctx.asOfMs, label: 'not settled: Gluff may not have written it yet' });
  return out;
}

/**
 * The key to the timelines: every port's fill and name, the three markers, the event lines and the hatching.
 * Drawn the same way as in the figures, so it doubles as a greyscale check.
 */
export function renderTimelineLegend(ports: LeaseTimelineData['ports'], hasGluff: boolean): string {
  const items: string[] = [];
  let xPos = 4;
  const row1 = 4;
  const row2 = 26;
  const swatch = (cls: string, label: string, y: number) => {
    items.push(
      `<rect class="bar ${cls}" x="${num(xPos)}" y="${y}" width="34" height="${G.bar}"/><text x="${num(xPos + 40)}" y="${y + 10}">${svgText(label)}</text>`,
    );
    xPos += 48 + fitText(label, 400).length * CHAR_PX;
  };
  ports.forEach((p, i) => swatch(`b${i % PORT_FILLS}`, p.name, row1));
  swatch('bu', 'other circuit-id / none', row1);
  items.push(
    `<rect class="veil" x="${num(xPos)}" y="${row1}" width="34" height="${G.bar}"/><text x="${num(xPos + 40)}" y="${row1 + 10}">evidence incomplete (channel loss, ports unknown, not settled, inconclusive row)</text>`,
  );
  xPos = 10;
  for (const [severity, label] of [
    ['fail', 'failure'],
    ['inconclusive', 'inconclusive'],
    ['warn', 'warning (number: its card)'],
  ] as const) {
    items.push(
      `${markerShape(severity, xPos, row2 + 6)}<text x="${num(xPos + 10)}" y="${row2 + 10}">${label}</text>`,
    );
    xPos += 24 + label.length * CHAR_PX;
  }
  for (const [cls, label] of [
    ['ev-rel', 'release'],
    ['ev-map', 'permuter move'],
    ['ev-rs', 'dhcpd/gluff restart'],
    ['ev-rig', 'rig event'],
    ['ev-q', 'failed queue insert'],
    ['ev-asof', 'as-of'],
  ] as const) {
    items.push(
      `<line class="ev ${cls}" x1="${num(xPos)}" x2="${num(xPos)}" y1="${row2}" y2="${row2 + G.bar}"/><text x="${num(xPos + 5)}" y="${row2 + 10}">${label}</text>`,
    );
    xPos += 18 + label.length * CHAR_PX;
  }
  const lanes = hasGluff
    ? 'Lanes: rebuilt = the rows Gluff should have written; Gluff = the rows it wrote; "+ at once" = rows alive at the same time.'
    : 'Lanes: rebuilt = the lease stints from syslog (no Gluff table).';
  return [
    `<svg class="gv legend" xmlns="http://www.w3.org/2000/svg" width="${G.width}" height="64" viewBox="0 0 ${G.width} 64" role="img">`,
    '<title>Key to the timelines</title>',
    ...items,
    `<text x="4" y="58">${svgText(lanes)}</text>`,
    '</svg>',
  ].join('');
}

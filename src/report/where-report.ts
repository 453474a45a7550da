/**
 * `where` and `who` answers as terminal text and JSON. Instants are shown in UTC and in the rig's zone (the
 * spec's gluffZone, the wall time Gluff's table holds); the zone conversion comes in as a function, so this
 * module stays free of zone rules.
 */
import type { ActualLease, ExpectedLease, Finding } from '../model/lease.js';
import { findSwitchPort, type RigSpec } from '../model/spec.js';
import type { WhereAnswer, WhoStint } from '../model/answer.js';
import { escapeForTerminal, expandTimeTokens, formatIsoTime } from './format-time.js';

/** What the renderers need beside the answer. */
export interface AnswerRenderContext {
  spec: Pick<RigSpec, 'switch'>;
  /** The rig's zone (the spec's gluffZone). */
  zone: string;
  /** `2026-11-28 03:55:00`: an instant as wall time in `zone`. */
  localTime: (ms: number) => string;
  asOfMs: number;
  /** Where each source was read; null when that source was not given. */
  storeText: string | null;
  gluffText: string | null;
  /** The raw line of each event id the answer cites. */
  lines: ReadonlyMap<number, string>;
}

/** `2026-11-28T02:55:00Z (2026-11-28 03:55:00 Europe/Stockholm)`. */
function both(ms: number, ctx: AnswerRenderContext): string {
  return `${formatIsoTime(ms)} (${ctx.localTime(ms)} ${ctx.zone})`;
}

function portOf(ctx: AnswerRenderContext, cidHex: string | null, ridHex: string | null): string | null {
  return findSwitchPort(ctx.spec, cidHex, ridHex)?.name ?? null;
}

function rowText(a: ActualLease, ctx: AnswerRenderContext): string {
  const port = portOf(ctx, a.cidHex, a.remoteIdHex);
  const times =
    a.startMs !== null && a.endMs !== null
      ? `${both(a.startMs, ctx)} .. ${both(a.endMs, ctx)}`
      : `'${a.startText}' .. '${a.endText}' (unreadable)`;
  return (
    `row ${a.id}  ${times}  hw ${a.hw ?? '-'}  circuit-id ${escapeForTerminal(a.cidText ?? '-')}` +
    `  remote-id ${escapeForTerminal(a.ridText ?? '-')}  port ${port ?? '(none of the spec)'}`
  );
}

function stintText(e: ExpectedLease, ctx: AnswerRenderContext): string {
  const port = portOf(ctx, e.cidHex, e.remoteIdHex);
  return (
    `${both(e.startMs, ctx)} .. ${both(e.endMs, ctx)} (${e.endSource} end)  hw ${e.hw}` +
    `  circuit-id ${e.cidHex ?? '-'}  remote-id ${e.remoteIdHex ?? '-'}  port ${port ?? '(none of the spec)'}` +
    `${e.physicalPort === null ? '' : `  permuter: ${e.physicalPort}`}`
  );
}

function findingText(f: Finding): string {
  const a = f.attribution;
  const why = a === undefined ? `culprit ${f.culprit}` : `culprit ${f.culprit}, ${a.rule}, ${a.how}`;
  return `${f.severity} ${f.kind} (${why}): ${escapeForTerminal(expandTimeTokens(f.message))}`;
}

function sourcesLines(ctx: AnswerRenderContext): string[] {
  return [
    `event store: ${ctx.storeText ?? 'none given (Gluff table only)'}`,
    `Gluff: ${ctx.gluffText ?? 'none given (rebuilt from the event store only)'}`,
  ];
}

/** `where` as terminal text. `readInZone`: the zone a time without one was read in. */
export function renderWhereText(
  a: WhereAnswer,
  ctx: AnswerRenderContext,
  opts: { readInZone: string | null; mapId: number | null },
): string {
  const out: string[] = [];
  out.push(
    `where ${a.ip} at ${both(a.atMs, ctx)}${opts.readInZone === null ? '' : ` (T read as ${opts.readInZone} wall time)`}`,
  );
  out.push(`as of ${both(ctx.asOfMs, ctx)}; ${sourcesLines(ctx).join('; ')}`);
  out.push(`agreement: ${a.agreement}`);
  out.push('');
  if (ctx.gluffText !== null) {
    out.push(
      `Gluff: ${a.gluffRows.length === 0 ? 'no row covers T' : `${a.gluffRows.length} row(s) cover T`}`,
    );
    for (const r of a.gluffRows) out.push(`  ${rowText(r, ctx)}`);
  }
  if (ctx.storeText !== null) {
    out.push(`Rebuilt from the channel: ${a.stint === null ? 'no stint covers T' : 'the stint covering T'}`);
    if (a.stint !== null) {
      out.push(`  ${stintText(a.stint, ctx)}`);
      if (a.stint.inconclusive !== null)
        out.push(`  inconclusive: ${expandTimeTokens(a.stint.inconclusive)}`);
      const ids = [...a.stint.evidence, ...(opts.mapId === null ? [] : [opts.mapId])];
      const shown = [...new Set(ids)].filter((id) => ctx.lines.has(id)).sort((x, y) => x - y);
      if (shown.length > 0) out.push('  evidence:');
      for (const id of shown) {
        const tag = id === opts.mapId ? ' (permuter map in force at T)' : '';
        out.push(`    ${escapeForTerminal(ctx.lines.get(id)!)}${tag}`);
      }
    }
  }
  if (a.differences.length > 0) {
    out.push("What differs (verify's findings):");
    for (const f of a.differences) out.push(`  ${findingText(f)}`);
  }
  if (a.reasons.length > 0) {
    out.push('Why it cannot be told:');
    for (const r of a.reasons) out.push(`  ${escapeForTerminal(expandTimeTokens(r))}`);
  }
  if (a.notes.length > 0) {
    out.push('Notes:');
    for (const f of a.notes) out.push(`  ${findingText(f)}`);
  }
  return `${out.join('\n')}\n`;
}

function instantJson(ms: number | null, ctx: AnswerRenderContext): { utc: string; local: string } | null {
  return ms === null ? null : { utc: formatIsoTime(ms), local: ctx.localTime(ms) };
}

function rowJson(a: ActualLease, ctx: AnswerRenderContext): Record<string, unknown> {
  return {
    id: a.id,
    ip: a.ip,
    hw: a.hw,
    start: instantJson(a.startMs, ctx),
    end: instantJson(a.endMs, ctx),
    startText: a.startText,
    endText: a.endText,
    circuitId: a.cidText,
    remoteId: a.ridText,
    circuitIdHex: a.cidHex,
    remoteIdHex: a.remoteIdHex,
    port: portOf(ctx, a.cidHex, a.remoteIdHex),
  };
}

function stintJson(
  e: ExpectedLease,
  ctx: AnswerRenderContext,
  mapId: number | null,
): Record<string, unknown> {
  const ids = [...new Set([...e.evidence, ...(mapId === null ? [] : [mapId])])];
  return {
    ip: e.ip,
    hw: e.hw,
    start: instantJson(e.startMs, ctx),
    end: instantJson(e.endMs, ctx),
    endSource: e.endSource,
    circuitIdHex: e.cidHex,
    remoteIdHex: e.remoteIdHex,
    port: portOf(ctx, e.cidHex, e.remoteIdHex),
    physicalPort: e.physicalPort,
    inconclusive: e.inconclusive === null ? null : expandTimeTokens(e.inconclusive),
    evidence: ids.flatMap((id) => {
      const line = ctx.lines.get(id);
      return line === undefined ? [] : [{ id, line, ...(id === mapId ? { mapInForce: true } : {}) }];
    }),
  };
}

function findingJson(f: Finding): Record<string, unknown> {
  return {
    kind: f.kind,
    severity: f.severity,
    culprit: f.culprit,
    rule: f.attribution?.rule ?? null,
    how: f.attribution?.how ?? null,
    message: expandTimeTokens(f.message),
    rowIds: f.actual.map((a) => a.id),
    ...(f.details['cause'] === undefined ? {} : { cause: f.details['cause'] }),
  };
}

/** `where --json`: one object. */
export function whereJson(
  a: WhereAnswer,
  ctx: AnswerRenderContext,
  opts: { readInZone: string | null; mapId: number | null },
): Record<string, unknown> {
  return {
    query: 'where',
    ip: a.ip,
    at: instantJson(a.atMs, ctx),
    zone: ctx.zone,
    readInZone: opts.readInZone,
    asOf: formatIsoTime(ctx.asOfMs),
    sources: a.sources,
    store: ctx.storeText,
    gluff: ctx.gluffText,
    agreement: a.agreement,
    gluffRows: a.gluffRows.map((r) => rowJson(r, ctx)),
    stint: a.stint === null ? null : stintJson(a.stint, ctx, opts.mapId),
    differences: a.differences.map(findingJson),
    reasons: a.reasons.map(expandTimeTokens),
    notes: a.notes.map(findingJson),
  };
}

function whoLine(s: WhoStint, ctx: AnswerRenderContext): string {
  const port =
    s.stint !== null
      ? (portOf(ctx, s.stint.cidHex, s.stint.remoteIdHex) ?? s.stint.cidHex ?? '-')
      : (portOf(ctx, s.gluffRows[0]?.cidHex ?? null, s.gluffRows[0]?.remoteIdHex ?? null) ??
        s.gluffRows[0]?.cidText ??
        '-');
  const source = s.stint === null ? 'gluff' : s.gluffRows.length === 0 ? 'channel' : 'both';
  const rows = s.gluffRows.length === 0 ? '-' : s.gluffRows.map((a) => a.id).join(',');
  return `${s.ip.padEnd(15)}  ${both(s.fromMs, ctx)} .. ${both(s.toMs, ctx)}  port ${escapeForTerminal(port)}  ${source.padEnd(7)}  rows ${rows.padEnd(6)}  ${s.agreement}`;
}

/** `who MAC` as terminal text: one line per stint, then what differs. */
export function renderWhoText(
  mac: string,
  stints: readonly WhoStint[],
  ctx: AnswerRenderContext,
  range: { fromMs: number | null; toMs: number | null },
): string {
  const span =
    range.fromMs === null && range.toMs === null
      ? 'the whole store'
      : `${range.fromMs === null ? 'the start' : both(range.fromMs, ctx)} to ${range.toMs === null ? 'as-of' : both(range.toMs, ctx)}`;
  const out = [
    `who ${mac}, ${span}`,
    `as of ${both(ctx.asOfMs, ctx)}; ${sourcesLines(ctx).join('; ')}`,
    `${stints.length} stint(s)`,
  ];
  for (const s of stints) {
    out.push(`  ${whoLine(s, ctx)}`);
    for (const f of s.differences) out.push(`      ${findingText(f)}`);
    for (const r of s.reasons) out.push(`      ${escapeForTerminal(expandTimeTokens(r))}`);
    for (const f of s.notes) out.push(`      ${findingText(f)}`);
  }
  return `${out.join('\n')}\n`;
}

/** `who MAC --json`. */
export function whoJson(
  mac: string,
  stints: readonly WhoStint[],
  ctx: AnswerRenderContext,
  range: { fromMs: number | null; toMs: number | null },
): Record<string, unknown> {
  return {
    query: 'who',
    mac,
    from: instantJson(range.fromMs, ctx),
    to: instantJson(range.toMs, ctx),
    zone: ctx.zone,
    asOf: formatIsoTime(ctx.asOfMs),
    store: ctx.storeText,
    gluff: ctx.gluffText,
    stints: stints.map((s) => ({
      ip: s.ip,
      hw: s.hw,
      from: instantJson(s.fromMs, ctx),
      to: instantJson(s.toMs, ctx),
      agreement: s.agreement,
      stint: s.stint === null ? null : stintJson(s.stint, ctx, null),
      gluffRows: s.gluffRows.map((r) => rowJson(r, ctx)),
      differences: s.differences.map(findingJson),
      reasons: s.reasons.map(expandTimeTokens),
      notes: s.notes.map(findingJson),
    })),
  };
}

/** `who --port NAME --at T` as terminal text: one line per address, then what differs. */
export function renderPortText(
  port: string,
  answers: readonly WhereAnswer[],
  ctx: AnswerRenderContext,
  opts: { atMs: number; readInZone: string | null },
): string {
  const out = [
    `who was behind ${port} at ${both(opts.atMs, ctx)}${opts.readInZone === null ? '' : ` (T read as ${opts.readInZone} wall time)`}`,
    `as of ${both(ctx.asOfMs, ctx)}; ${sourcesLines(ctx).join('; ')}`,
    `${answers.length} client(s)`,
  ];
  for (const a of answers) {
    const channel =
      a.stint === null
        ? 'channel: -'
        : `channel: ${a.stint.hw} since ${formatIsoTime(a.stint.startMs)} (port ${portOf(ctx, a.stint.cidHex, a.stint.remoteIdHex) ?? '-'}${a.stint.physicalPort === null ? '' : `, permuter ${a.stint.physicalPort}`})`;
    const gluff =
      a.gluffRows.length === 0
        ? 'Gluff: -'
        : `Gluff: ${a.gluffRows.map((r) => `row ${r.id} ${r.hw ?? '-'} (port ${portOf(ctx, r.cidHex, r.remoteIdHex) ?? '-'})`).join(', ')}`;
    out.push(`  ${a.ip.padEnd(15)}  ${channel}  ${gluff}  ${a.agreement}`);
    for (const f of a.differences) out.push(`      ${findingText(f)}`);
    for (const r of a.reasons) out.push(`      ${escapeForTerminal(expandTimeTokens(r))}`);
  }
  return `${out.join('\n')}\n`;
}

/** `who --port … --json`. */
export function portJson(
  port: string,
  answers: readonly WhereAnswer[],
  ctx: AnswerRenderContext,
  opts: { atMs: number; readInZone: string | null },
): Record<string, unknown> {
  return {
    query: 'who-port',
    port,
    at: instantJson(opts.atMs, ctx),
    zone: ctx.zone,
    readInZone: opts.readInZone,
    asOf: formatIsoTime(ctx.asOfMs),
    store: ctx.storeText,
    gluff: ctx.gluffText,
    clients: answers.map((a) => whereJson(a, ctx, { readInZone: opts.readInZone, mapId: null })),
  };
}

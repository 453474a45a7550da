/**
 * `gluff-verify stats --store DB`: what an event store holds. Counts per event kind, rejections per
 * reason, untrusted messages, the collector's channel figures (drops) and the sender-time span.
 */
import { ExitCode } from '../../model/errors.js';
import { EventStore, type StoreStats } from '../../sources/sqlite/event-store.js';
import { parseCommandArgs, requireOption, type CliIo, type Command } from '../command.js';

const help = `Usage: gluff-verify stats --store DB [--json]

Summarises an event store: messages stored, events per kind, rejections per reason, untrusted
messages (kept, never used as evidence), the sender-time span of the events, and for each collector
listener its latest figures: received, stored, rejected, untrusted, kernel drops, app drops.
Messages = events + rejected + untrusted. These count stored messages: a line stored twice by two
channels (the collector live, then the same host's log file ingested) counts twice here and once in
'events' and 'verify' (see 'gluff-verify ingest --help').

Options:
  --store DB   event store to read (required; opened read-only)
  --json       one JSON object: { messages, events, rejected, untrusted, byKind, rejectionsByReason,
               firstTime, lastTime (ISO 8601 UTC or null), firstTimeMs, lastTimeMs, listeners, channel }

Exit: 0; 3 on usage or store errors.

Example:
  gluff-verify stats --store rig.db --json
`;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The JSON form printed by `stats --json`. */
export function statsToJson(s: StoreStats): Record<string, unknown> {
  return {
    messages: s.messages,
    events: s.events,
    rejected: s.rejected,
    untrusted: s.untrusted,
    byKind: s.byKind,
    rejectionsByReason: s.rejectionsByReason,
    firstTime: iso(s.firstTimeMs),
    lastTime: iso(s.lastTimeMs),
    firstTimeMs: s.firstTimeMs,
    lastTimeMs: s.lastTimeMs,
    listeners: s.listeners.map((l) => ({ ...l, at: iso(l.atMs) })),
    channel: s.channel,
  };
}

/** The human form of `stats`. */
export function formatStatsText(s: StoreStats): string {
  const lines: string[] = [];
  lines.push(
    `messages   ${s.messages}  (events ${s.events}, rejected ${s.rejected}, untrusted ${s.untrusted})`,
  );
  lines.push(`time span  ${iso(s.firstTimeMs) ?? '-'} .. ${iso(s.lastTimeMs) ?? '-'}`);
  const kinds = Object.entries(s.byKind).sort((a, b) => b[1] - a[1]);
  lines.push('events by kind:');
  if (kinds.length === 0) lines.push('  (none)');
  for (const [k, n] of kinds) lines.push(`  ${k.padEnd(16)} ${String(n).padStart(10)}`);
  const reasons = Object.entries(s.rejectionsByReason).sort((a, b) => b[1] - a[1]);
  lines.push('rejections by reason:');
  if (reasons.length === 0) lines.push('  (none)');
  for (const [r, n] of reasons) lines.push(`  ${r.padEnd(20)} ${String(n).padStart(10)}`);
  lines.push('channel (latest figures per listener):');
  if (s.listeners.length === 0) lines.push('  (no collector figures: file ingest only)');
  for (const l of s.listeners) {
    lines.push(
      `  ${l.listener}  at ${iso(l.atMs)}: received ${l.received}, stored ${l.stored}, rejected ${l.rejected}, ` +
        `untrusted ${l.untrusted}, kernel drops ${l.kernelDrops}, app drops ${l.appDrops}, connections ${l.connections}`,
    );
  }
  if (s.listeners.length > 1) {
    const c = s.channel;
    lines.push(
      `  total: received ${c.received}, stored ${c.stored}, rejected ${c.rejected}, untrusted ${c.untrusted}, ` +
        `kernel drops ${c.kernelDrops}, app drops ${c.appDrops}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  name: 'stats',
  summary: 'counts per kind, rejections per reason, channel losses, time span',
  help,
  async run(argv: string[], io: CliIo) {
    const { values } = parseCommandArgs('stats', argv, {
      store: { type: 'string' },
      json: { type: 'boolean' },
    });
    const storePath = requireOption('stats', 'store', values.store);
    const store = EventStore.open(storePath, { readonly: true });
    try {
      const s = store.stats();
      io.stdout.write(values.json === true ? `${JSON.stringify(statsToJson(s))}\n` : formatStatsText(s));
    } finally {
      store.close();
    }
    return ExitCode.pass;
  },
};

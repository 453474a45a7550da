/**
 * `gluff-verify events --store DB`: prints stored events, as JSON lines (`--json`) or a compact table,
 * filtered by kind and sender time. Untrusted messages only with `--untrusted`.
 */
import { AuditError, ExitCode } from '../../model/errors.js';
import { EVENT_KINDS, type EventKind, type StoredEvent } from '../../model/events.js';
import { EventStore } from '../../sources/sqlite/event-store.js';
import {
  parseCommandArgs,
  requireOption,
  WINDOW_OPTIONS,
  windowFromArgs,
  type CliIo,
  type Command,
} from '../command.js';

const help = `Usage: gluff-verify events --store DB [--kind KIND,...] [--from TIME] [--to TIME] [--untrusted] [--json]

Prints the events in an event store in sender-time order (then store id). Rejected messages are not
events: see 'gluff-verify stats' for their counts.

Options:
  --store DB        event store to read (required; opened read-only)
  --kind K,...      only these kinds (repeatable or comma separated):
                    ${EVENT_KINDS.join(', ')}
  --from TIME       events at or after TIME (ISO 8601, e.g. 2026-11-28T01:00:00Z, or epoch ms)
  --to TIME         events before TIME (the window is half-open; --to must be after --from)
  --untrusted       include messages from peers outside the collector's --allow list
  --json            one JSON object per line: id, rawId, kind, time (ISO 8601 UTC), received, host,
                    pid and every field of the event (ip, mac, via, name, leaseSec, ...)

Exit: 0; 3 on usage or store errors (a --to not after --from is refused, as by verify and expected).

Example:
  gluff-verify events --store rig.db --kind dhcpack,commit --from 2026-11-28T01:00:00Z --json
`;

/** The JSON form of one event: header fields first, ISO 8601 UTC times, then the body fields. */
export function eventToJson(e: StoredEvent): Record<string, unknown> {
  const { id, rawId, kind, timeMs, receivedMs, host, pid, ...body } = e;
  return {
    id,
    rawId,
    kind,
    time: new Date(timeMs).toISOString(),
    received: new Date(receivedMs).toISOString(),
    host,
    pid,
    ...body,
  };
}

function detailOf(e: StoredEvent): string {
  const skip = new Set(['id', 'rawId', 'kind', 'timeMs', 'receivedMs', 'host', 'pid', 'ip', 'mac', 'via']);
  return Object.entries(e)
    .filter(([k, v]) => !skip.has(k) && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

function field(e: StoredEvent, name: 'ip' | 'mac' | 'via'): string {
  const v = (e as unknown as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '-';
}

/** Parses `--kind a,b --kind c` into known kinds; GV_USAGE for an unknown one. */
export function parseKinds(commandName: string, values: string[] | undefined): EventKind[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const kinds = values
    .flatMap((v) => v.split(','))
    .map((k) => k.trim())
    .filter((k) => k !== '');
  for (const k of kinds) {
    if (!(EVENT_KINDS as readonly string[]).includes(k)) {
      throw new AuditError(
        'GV_USAGE',
        `${commandName}: --kind '${k}' is not an event kind; expected one of ${EVENT_KINDS.join(', ')}`,
      );
    }
  }
  return kinds as EventKind[];
}

export const command: Command = {
  name: 'events',
  summary: 'print stored events as JSON lines, filtered by kind and time',
  help,
  async run(argv: string[], io: CliIo) {
    const { values } = parseCommandArgs('events', argv, {
      store: { type: 'string' },
      kind: { type: 'string', multiple: true },
      from: WINDOW_OPTIONS.from,
      to: WINDOW_OPTIONS.to,
      untrusted: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const storePath = requireOption('events', 'store', values.store);
    const kinds = parseKinds('events', values.kind);
    const { window } = windowFromArgs('events', values, io.nowMs());
    const fromMs = window.fromMs ?? undefined;
    const toMs = window.toMs ?? undefined;
    const store = EventStore.open(storePath, { readonly: true });
    try {
      const events = store.queryEvents({ kinds, fromMs, toMs, includeUntrusted: values.untrusted === true });
      // Write in chunks: one write per event would dominate the run time for a million events.
      let out = '';
      const flush = async (): Promise<void> => {
        if (out === '') return;
        const ok = io.stdout.write(out);
        out = '';
        if (!ok) await new Promise<void>((resolve) => io.stdout.once('drain', () => resolve()));
      };
      if (values.json === true) {
        for (const e of events) {
          out += `${JSON.stringify(eventToJson(e))}\n`;
          if (out.length > 1 << 16) await flush();
        }
      } else {
        out += `${'time (UTC)'.padEnd(24)} ${'host'.padEnd(10)} ${'kind'.padEnd(14)} ${'ip'.padEnd(15)} ${'mac'.padEnd(17)} ${'via'.padEnd(15)} detail\n`;
        for (const e of events) {
          out +=
            `${new Date(e.timeMs).toISOString().padEnd(24)} ${e.host.padEnd(10)} ${e.kind.padEnd(14)} ` +
            `${field(e, 'ip').padEnd(15)} ${field(e, 'mac').padEnd(17)} ${field(e, 'via').padEnd(15)} ${detailOf(e)}\n`;
          if (out.length > 1 << 16) await flush();
        }
      }
      await flush();
    } finally {
      store.close();
    }
    return ExitCode.pass;
  },
};

/**
 * The lookup index of the event store (schema.ts migration 5, #13): which batches hold the lease events of an
 * address, of a MAC, or events of a kind, per hour. `where` and `who` read a few batches through it instead
 * of the whole store.
 *
 * One entry per (hour, key, batch): the hour of the events' sender time (epoch hours, UTC), the key, and the
 * earliest and latest time of that key's events in that batch. A batch's messages of one address come in
 * one entry however many lines the client action took (REQUEST, ACK, commit), so an append adds about one
 * entry per client action and key. Keys share one INTEGER column, by range:
 *
 * | key                  | what                                                        |
 * |----------------------|-------------------------------------------------------------|
 * | 0 .. 2^32 - 1        | an IPv4 address (row-codec encodeIpv4): LOOKUP_KINDS only    |
 * | 2^32 + MAC           | a 48-bit MAC (row-codec encodeMac): LOOKUP_KINDS only        |
 * | 2^50 + kind id       | every event of that kind (the store's `kind` table id)       |
 *
 * Only trusted parsed messages are indexed: `where` never reads untrusted ones or rejections.
 * Why hour first: the entries of one append then land in the few pages of the current hour, so the index
 * costs ~1 µs an entry on append however big the store grows (an address-first key made every append
 * touch a page per address: 850k entries/s fell to 74k/s at 20 M entries with 64 KiB pages); a lookup then
 * seeks once per hour, ~3 µs, so a year back is ~9,000 seeks.
 */
import type { BatchColumns } from './row-codec.js';

/** Kinds whose events are indexed by address and MAC: the rebuild's lease lines and gluff's own record lines. */
export const LOOKUP_KINDS = ['dhcpack', 'commit', 'reuse-lease', 'dhcprelease', 'gluff-record'] as const;

export const HOUR_MS = 3_600_000;
/** Keys from here on are MACs (2^32 + mac). */
export const MAC_KEY_BASE = 2 ** 32;
/** Keys from here on are kinds (2^50 + kind id). */
export const KIND_KEY_BASE = 2 ** 50;

/** The epoch hour of an instant. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

/** One index entry: a batch holding events of a key in an hour. */
export interface LookupEntry {
  hour: number;
  key: number;
  /** Earliest and latest sender time (ms, floor and ceil) of the key's events in that batch and hour. */
  minMs: number;
  maxMs: number;
}

/**
 * The entries of one batch, sorted by (hour, key). `indexKind[kindId]` says what a kind id gets: 0 nothing
 * (a rejection), 1 the kind key, 2 the kind key and the address and MAC keys; `trusted(sourceId)` whether a
 * source's messages are evidence.
 */
export function lookupEntries(
  cols: BatchColumns,
  indexKind: (kindId: number) => 0 | 1 | 2,
  trusted: (sourceId: number) => boolean,
): LookupEntry[] {
  const byHour = new Map<number, Map<number, LookupEntry>>();
  let lastHour = Number.NaN;
  let hourMap: Map<number, LookupEntry> | undefined;
  const add = (hour: number, key: number, t: number): void => {
    const e = hourMap!.get(key);
    if (e === undefined) {
      hourMap!.set(key, { hour, key, minMs: Math.floor(t), maxMs: Math.ceil(t) });
      return;
    }
    if (t < e.minMs) e.minMs = Math.floor(t);
    if (t > e.maxMs) e.maxMs = Math.ceil(t);
  };
  for (let i = 0; i < cols.count; i++) {
    const t = cols.timeMs[i] as number;
    if (Number.isNaN(t)) continue;
    const kindId = cols.kind[i] as number;
    const what = indexKind(kindId);
    if (what === 0 || !trusted(cols.source[i] as number)) continue;
    const hour = hourOf(t);
    if (hour !== lastHour) {
      hourMap = byHour.get(hour);
      if (hourMap === undefined) {
        hourMap = new Map();
        byHour.set(hour, hourMap);
      }
      lastHour = hour;
    }
    add(hour, KIND_KEY_BASE + kindId, t);
    if (what !== 2) continue;
    const ip = cols.ip[i] as number;
    if (!Number.isNaN(ip)) add(hour, ip, t);
    const mac = cols.mac[i] as number;
    if (!Number.isNaN(mac)) add(hour, MAC_KEY_BASE + mac, t);
  }
  const out: LookupEntry[] = [];
  for (const hour of [...byHour.keys()].sort((a, b) => a - b)) {
    const entries = [...byHour.get(hour)!.values()].sort((a, b) => a.key - b.key);
    out.push(...entries);
  }
  return out;
}

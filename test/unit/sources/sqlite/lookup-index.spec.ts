/**
 * The event store's lookup index (#13, schema migration 5): what `where` and `who` read instead of the whole
 * store. The index must give exactly the events a full query gives for the address, MAC or kind asked, with
 * the same copy rule, after appends, after the migration's backfill and after reparse.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type {
  ChannelStats,
  EventBody,
  EventKind,
  LogEvent,
  ParseContext,
  ParseResult,
  RawMessage,
  StoredEvent,
} from '../../../../src/model/events.js';
import { formatLogLine } from '../../../../src/parse/parse-message.js';
import { lossIntervals } from '../../../../src/rebuild/loss-intervals.js';
import { EventStore } from '../../../../src/sources/sqlite/event-store.js';
import {
  HOUR_MS,
  hourOf,
  KIND_KEY_BASE,
  LOOKUP_KINDS,
  lookupEntries,
  MAC_KEY_BASE,
} from '../../../../src/sources/sqlite/lookup-keys.js';
import { allocColumns } from '../../../../src/sources/sqlite/row-codec.js';

const T0 = Date.UTC(2026, 10, 28, 1, 0, 0);
const UTC: ParseContext = { zoneByHost: {}, defaultZone: 'UTC', referenceMs: T0 };
const IPS = ['10.1.0.50', '10.1.0.51', '10.1.0.52'];
const MACS = ['52:54:00:00:00:01', '52:54:00:00:00:02'];
const KINDS: EventKind[] = ['dhcpack', 'commit', 'dhcprelease', 'reuse-lease', 'dhcprequest', 'port-map'];

/** A lease line body of `kind` for this address and MAC. */
function bodyOf(kind: EventKind, ip: string, mac: string): EventBody {
  switch (kind) {
    case 'dhcpack':
      return { kind, ip, mac, name: null, via: '10.1.0.1' };
    case 'commit':
      return {
        kind,
        ip,
        mac,
        leaseSec: 600,
        giaddr: '10.1.0.1',
        circuitIdHex: '70:6f:72:74:31',
        remoteIdHex: null,
      };
    case 'dhcprelease':
      return { kind, ip, mac, name: null, via: 'eth0', found: true };
    case 'reuse-lease':
      return { kind, ip, ageSec: 3, thresholdPct: 25 };
    case 'dhcprequest':
      return { kind, ip, serverId: null, mac, name: null, via: '10.1.0.1', reason: null };
    default:
      return {
        kind: 'port-map',
        seq: 4,
        bridges: [{ bridge: 'bridge01', switchIf: 'eth0', clientIfs: ['eth3'] }],
      };
  }
}

/** One appended line: its event and how it came (a collector peer, untrusted `c`, or ingest input f1/f2). */
interface Item {
  kind: EventKind;
  ip: string;
  mac: string;
  timeMs: number;
  source: string;
  host: string;
}

/**
 * Few seconds in each of six hours, so lines repeat within a second by several channels (copies), batches
 * span hours, and appends move on to later hours (closing earlier ones) or go back to them (a late file).
 */
const arbItem: fc.Arbitrary<Item> = fc.record({
  kind: fc.constantFrom(...KINDS),
  ip: fc.constantFrom(...IPS),
  mac: fc.constantFrom(...MACS),
  timeMs: fc
    .tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 999 }))
    .map(([h, s, ms]) => T0 + h * HOUR_MS + s * 1000 + ms),
  source: fc.constantFrom('a', 'b', 'c', 'f1', 'f2'),
  host: fc.constantFrom('dhcp1', 'dhcp2'),
});

/** Appends the batches (each from one ingest input, or from collector peers), as the CLI paths do. */
function appendAll(s: EventStore, batches: readonly Item[][]): void {
  const inputs = new Map<string, number | null>([
    ['f1', null],
    ['f2', null],
  ]);
  let n = 0;
  for (const batch of batches) {
    const file = batch[0]!.source.startsWith('f') ? batch[0]!.source : null;
    const raws: RawMessage[] = [];
    const results: ParseResult[] = [];
    for (const item of batch) {
      const event = {
        ...bodyOf(item.kind, item.ip, item.mac),
        timeMs: item.timeMs,
        host: item.host,
        pid: 7,
      } as LogEvent;
      const line = formatLogLine(event);
      const source = file ?? (item.source.startsWith('f') ? 'a' : item.source);
      n++;
      raws.push({
        bytes: Buffer.from(line),
        receivedMs: item.timeMs,
        peer: file === null ? source : null,
        transport: file === null ? 'udp' : 'file',
        origin: file === null ? null : `${file}.log:${n}`,
        trusted: source !== 'c',
      });
      results.push({ ok: true, event });
    }
    const input =
      file === null
        ? undefined
        : {
            id: inputs.get(file) ?? null,
            path: `${file}.log`,
            headBytes: 1,
            headHash: file,
            offset: 1,
            lines: 1,
          };
    const r = s.appendParsed(raws, results, UTC, input);
    if (file !== null) inputs.set(file, r.inputId ?? null);
  }
}

/** Events of `kinds` in [from, to) carrying `key`, read through the index hour by hour. */
function viaIndex(
  s: EventStore,
  keys: readonly number[],
  fromMs: number,
  toMs: number,
  kinds: readonly EventKind[],
): StoredEvent[] {
  const sel = s.newSelection();
  for (const key of keys) {
    for (let h = hourOf(fromMs); h <= hourOf(toMs - 1); h++) {
      s.select(sel, key, s.lookupHour(key, h), fromMs, toMs, kinds);
    }
  }
  return s.selectedEvents(sel);
}

function carries(e: StoredEvent, key: number): boolean {
  const f = e as StoredEvent & { ip?: string; mac?: string | null };
  if (key >= KIND_KEY_BASE) return true;
  if (key >= MAC_KEY_BASE) return f.mac !== undefined && f.mac !== null && macKeyOf(f.mac) === key;
  return f.ip !== undefined && ipKeyOf(f.ip) === key;
}

function ipKeyOf(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

function macKeyOf(mac: string): number {
  return MAC_KEY_BASE + parseInt(mac.replace(/:/g, ''), 16);
}

function lookupRows(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(
        "SELECT 'closed' AS t, hour, key, first_id, min_ms, max_ms FROM lookup UNION ALL SELECT 'recent', hour, key, first_id, min_ms, max_ms FROM lookup_recent ORDER BY 1, 2, 3, 4",
      )
      .all();
  } finally {
    db.close();
  }
}

describe('lookupEntries', () => {
  it('should give one entry per hour, key and batch, spanning its events, for indexed trusted messages only', () => {
    // Arrange: an ACK and its commit (one client action), a port map, a rejection, an untrusted ACK, and an
    // ACK in the next hour.
    const cols = allocColumns(6);
    const put = (i: number, t: number, kind: number, ip: number, mac: number, source: number) => {
      cols.timeMs[i] = t;
      cols.kind[i] = kind;
      cols.ip[i] = ip;
      cols.mac[i] = mac;
      cols.source[i] = source;
    };
    put(0, T0 + 1000, 1, 100, 7, 1);
    put(1, T0 + 400, 2, 100, 7, 1);
    put(2, T0 + 2000, 3, Number.NaN, Number.NaN, 1);
    put(3, Number.NaN, 9, Number.NaN, Number.NaN, 1);
    put(4, T0 + 3000, 1, 101, 8, 2);
    put(5, T0 + HOUR_MS, 1, 100, 7, 1);
    // Act
    const entries = lookupEntries(
      cols,
      (k) => (k === 9 ? 0 : k === 3 ? 1 : 2),
      (s) => s === 1,
    );
    // Assert
    const h = hourOf(T0);
    assert.deepEqual(entries, [
      { hour: h, key: 100, minMs: T0 + 400, maxMs: T0 + 1000 },
      { hour: h, key: MAC_KEY_BASE + 7, minMs: T0 + 400, maxMs: T0 + 1000 },
      { hour: h, key: KIND_KEY_BASE + 1, minMs: T0 + 1000, maxMs: T0 + 1000 },
      { hour: h, key: KIND_KEY_BASE + 2, minMs: T0 + 400, maxMs: T0 + 400 },
      { hour: h, key: KIND_KEY_BASE + 3, minMs: T0 + 2000, maxMs: T0 + 2000 },
      { hour: h + 1, key: 100, minMs: T0 + HOUR_MS, maxMs: T0 + HOUR_MS },
      { hour: h + 1, key: MAC_KEY_BASE + 7, minMs: T0 + HOUR_MS, maxMs: T0 + HOUR_MS },
      { hour: h + 1, key: KIND_KEY_BASE + 1, minMs: T0 + HOUR_MS, maxMs: T0 + HOUR_MS },
    ]);
  });
});

describe('EventStore lookup index', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gv-lookup-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should select through the index exactly what queryEvents gives for an address, a MAC, a kind or several', () => {
    const arbRange = fc
      .tuple(fc.integer({ min: -2, max: 6 * 3600 + 5 }), fc.integer({ min: 1, max: 7 * 3600 }))
      .map(([from, len]) => ({ fromMs: T0 + from * 1000, toMs: T0 + (from + len) * 1000 }));
    const arbKeys = fc.array(
      fc.oneof(
        fc.constantFrom(...IPS).map((ip) => ipKeyOf(ip)),
        fc.constantFrom(...MACS).map((mac) => macKeyOf(mac)),
        fc.constantFrom(...KINDS).map((kind) => ({ kind })),
      ),
      { minLength: 1, maxLength: 3 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(arbItem, { minLength: 1, maxLength: 30 }), { maxLength: 10 }),
        fc.array(fc.record({ range: arbRange, keys: arbKeys, kinds: fc.subarray(KINDS, { minLength: 1 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        (batches, queries) => {
          const s = EventStore.open(':memory:');
          try {
            appendAll(s, batches);
            for (const q of queries) {
              const keys = q.keys
                .map((k) => (typeof k === 'number' ? k : s.lookupKey(k)))
                .filter((k): k is number => k !== null);
              // Address and MAC keys index the lease lines (LOOKUP_KINDS) only; a kind key every event of it.
              const want = [...s.queryEvents({ kinds: q.kinds, ...q.range })].filter((e) =>
                keys.some((k) =>
                  k >= KIND_KEY_BASE
                    ? e.kind === kindOfKey(s, k)
                    : (LOOKUP_KINDS as readonly string[]).includes(e.kind) && carries(e, k),
                ),
              );
              const got = viaIndex(s, keys, q.range.fromMs, q.range.toMs, q.kinds);
              assert.deepEqual(
                got.map((e) => e.id),
                want.map((e) => e.id),
              );
              assert.deepEqual(got, want);
            }
          } finally {
            s.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('should fill the index of a version-4 store in the migration, as appends would have', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(arbItem, { minLength: 1, maxLength: 20 }), { maxLength: 5 }),
        (batches) => {
          const path = join(dir, `v4-${Math.random().toString(36).slice(2)}.db`);
          // Arrange: a store indexed on append, then taken back to version 4.
          const s = EventStore.open(path);
          appendAll(s, batches);
          s.close();
          const indexed = lookupRows(path);
          const db = new Database(path);
          db.exec(
            "DROP TABLE lookup; DROP TABLE lookup_recent; DELETE FROM meta WHERE key = 'lookup_open_hour'; PRAGMA user_version = 4",
          );
          db.close();
          // A reading command leaves it as it is and has no index to offer.
          const ro = EventStore.open(path, { readonly: true });
          assert.equal(ro.hasLookupIndex, false);
          assert.equal(ro.lookupHours(), null);
          ro.close();
          // Act: a writing open migrates it.
          EventStore.open(path).close();
          // Assert
          assert.deepEqual(lookupRows(path), indexed);
          rmSync(path, { force: true });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('should rewrite the index on reparse, following the new times', () => {
    // Arrange: lines ingested with the wrong zone for dhcp1.
    const path = join(dir, 'events.db');
    const s = EventStore.open(path);
    const ack = 'Nov 28 02:30:00 dhcp1 dhcpd[7]: DHCPACK on 10.1.0.50 to 52:54:00:00:00:01 via 10.1.0.1';
    const raw: RawMessage = {
      bytes: Buffer.from(ack),
      receivedMs: T0,
      peer: null,
      transport: 'file',
      origin: 'x.log:1',
      trusted: true,
    };
    s.appendRaw([raw], UTC);
    const key = s.lookupKey({ ip: '10.1.0.50' })!;
    const at = Date.UTC(2026, 10, 28, 2, 30, 0);
    assert.deepEqual(s.lookupHour(key, hourOf(at)), [{ firstId: 1, minMs: at, maxMs: at }]);
    // Act: the same line read in Stockholm time (UTC+1 in November) is an hour earlier.
    s.reparse({ ...UTC, zoneByHost: { dhcp1: 'Europe/Stockholm' } });
    // Assert
    assert.deepEqual(s.lookupHour(key, hourOf(at)), []);
    assert.deepEqual(s.lookupHour(key, hourOf(at) - 1), [
      { firstId: 1, minMs: at - HOUR_MS, maxMs: at - HOUR_MS },
    ]);
    assert.deepEqual(s.lookupHours(), { first: hourOf(at) - 1, last: hourOf(at) - 1 });
    s.close();
  });

  it('should read around a range the snapshots that give the same loss intervals as the whole history', () => {
    const arbSnap = fc.record({
      atSec: fc.integer({ min: 0, max: 200 }),
      listener: fc.constantFrom('udp://0.0.0.0:514', 'tcp://0.0.0.0:514'),
      kernelDrops: fc.integer({ min: 0, max: 3 }),
      appDrops: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbSnap, { maxLength: 40 }),
        fc.integer({ min: -10, max: 210 }),
        fc.integer({ min: 0, max: 100 }),
        (snaps, fromSec, lenSec) => {
          const s = EventStore.open(':memory:');
          try {
            // Counters are cumulative and only rise within a run; a fall is a restart.
            const stats: ChannelStats[] = snaps.map((x) => ({
              atMs: T0 + x.atSec * 1000,
              listener: x.listener,
              received: 0,
              stored: 0,
              rejected: 0,
              untrusted: 0,
              kernelDrops: x.kernelDrops,
              appDrops: x.appDrops,
              connections: 0,
            }));
            s.recordChannelStats(stats);
            const fromMs = T0 + fromSec * 1000;
            const toMs = fromMs + lenSec * 1000;
            const meets = (l: { fromMs: number; toMs: number }) => l.fromMs <= toMs && l.toMs >= fromMs;
            const full = lossIntervals(s.channelStatsHistory());
            const part = lossIntervals(s.channelStatsAround(fromMs, toMs));
            assert.deepEqual(part.filter(meets), full.filter(meets));
            // What the range reads never makes an interval the whole history does not have.
            for (const l of part) assert.ok(full.some((f) => JSON.stringify(f) === JSON.stringify(l)));
          } finally {
            s.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** The kind a kind key names in this store. */
function kindOfKey(s: EventStore, key: number): EventKind | null {
  for (const k of KINDS) if (s.lookupKey({ kind: k }) === key) return k;
  return null;
}

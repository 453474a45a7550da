import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type {
  EventBody,
  LogEvent,
  ParseContext,
  ParseResult,
  RawMessage,
} from '../../../../src/model/events.js';
import { EVENT_KINDS } from '../../../../src/model/events.js';
import { AuditError } from '../../../../src/model/errors.js';
import { formatLogLine, parseMessage } from '../../../../src/parse/parse-message.js';
import { EventStore } from '../../../../src/sources/sqlite/event-store.js';
import { keepCopies } from '../../../../src/sources/sqlite/dedupe-copies.js';
import { EncodedBatchBuilder, encodeBody } from '../../../../src/sources/sqlite/row-codec.js';
import {
  MAX_BATCH_MESSAGES,
  MIGRATIONS,
  SCHEMA_VERSION,
  STORE_APPLICATION_ID,
} from '../../../../src/sources/sqlite/schema.js';
import { arbEventBody, arbTimeSec } from '../../../helpers/arbitraries.js';

const T0 = Date.UTC(2026, 10, 28, 1, 0, 0);
const UTC: ParseContext = { zoneByHost: {}, defaultZone: 'UTC', referenceMs: T0 };

function raw(text: string | Uint8Array, over: Partial<RawMessage> = {}): RawMessage {
  return {
    bytes: typeof text === 'string' ? Buffer.from(text) : text,
    receivedMs: T0 + 5000,
    peer: null,
    transport: 'file',
    origin: 'test.log:1',
    trusted: true,
    ...over,
  };
}

function expectAuditError(fn: () => unknown, code: string): AuditError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AuditError, `expected AuditError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}

/** Strips what the store adds, for comparing with the appended events. */
function plain(e: LogEvent & { id?: number; rawId?: number; receivedMs?: number }): LogEvent {
  const { id: _id, rawId: _rawId, receivedMs: _r, ...rest } = e;
  return rest as LogEvent;
}

/** A message a property test appended, and by which source. */
interface Sent {
  id: number;
  event: LogEvent;
  trusted: boolean;
  line: string;
  source: string;
}

/** The copy rule applied the slow way: group by second, key by the whole event but its time. */
function naiveKeepCopies(sorted: readonly Sent[]): Sent[] {
  const out: Sent[] = [];
  for (let i = 0; i < sorted.length;) {
    const second = Math.floor((sorted[i] as Sent).event.timeMs / 1000);
    let j = i;
    while (j < sorted.length && Math.floor((sorted[j] as Sent).event.timeMs / 1000) === second) j++;
    const group = sorted.slice(i, j);
    const keys = group.map((m) => {
      const { timeMs: _t, ...rest } = m.event as LogEvent & Record<string, unknown>;
      return JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
    });
    // Untrusted messages (source 'c') are never copies: only the trusted ones go through the rule.
    const trusted = group.filter((m) => m.trusted);
    const keep = keepCopies(
      keys.filter((_, k) => (group[k] as Sent).trusted),
      trusted.map((m) => ['a', 'b', 'c', 'f1', 'f2'].indexOf(m.source)),
    );
    const kept = new Set(trusted.filter((_, k) => keep[k]));
    out.push(...group.filter((m) => !m.trusted || kept.has(m)));
    i = j;
  }
  return out;
}

/** Real lines (three events, two rejections) and what the parser makes of them. */
const lines: [string, Partial<LogEvent> | { rejected: string }][] = [
  [
    'Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1',
    {
      kind: 'dhcpack',
      ip: '10.1.0.50',
      mac: '52:54:00:12:34:56',
      name: 'host1',
      via: '10.1.0.1',
      host: 'dhcp1',
      pid: 812,
      timeMs: Date.UTC(2026, 10, 28, 1, 23, 45),
    },
  ],
  [
    'Nov 28 01:23:45 dhcp1 dhcpd[812]: gv-commit ip=10.1.0.50 hw=52:54:0:12:34:56 lease=600 giaddr=10.1.0.1 cid=65:74:68:31 rid=',
    {
      kind: 'commit',
      ip: '10.1.0.50',
      mac: '52:54:00:12:34:56',
      leaseSec: 600,
      giaddr: '10.1.0.1',
      circuitIdHex: '65:74:68:31',
      remoteIdHex: null,
    },
  ],
  [
    'Nov 28 01:23:46 permuter autobridge[77]: map seq=17 bridge01=eth0+eth4 bridge02=eth1+eth3,eth5 bridge03=eth2+none',
    { kind: 'port-map', seq: 17, host: 'permuter' },
  ],
  ['', { rejected: 'empty' }],
  ['garbage line', { rejected: 'bad-timestamp' }],
];

describe('EventStore', () => {
  let dir: string;
  const opened: EventStore[] = [];
  function open(name = 'events.db', opts?: { readonly?: boolean; cacheKiB?: number }): EventStore {
    const s = EventStore.open(join(dir, name), opts);
    opened.push(s);
    return s;
  }
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gv-store-'));
  });
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('open', () => {
    it('should create the schema in a new file and in an existing empty file', () => {
      // Arrange
      writeFileSync(join(dir, 'empty.db'), '');
      // Act
      const a = open('new.db');
      const b = open('empty.db');
      // Assert
      for (const s of [a, b]) assert.equal(s.stats().messages, 0);
      const db = new Database(join(dir, 'new.db'), { readonly: true });
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      db.close();
    });
    it('should use the page cache asked for: 64 MiB by default, what the collector asks when it asks', () => {
      assert.equal(open('a.db').pageCacheKiB, 65_536);
      assert.equal(open('b.db', { cacheKiB: 4096 }).pageCacheKiB, 4096);
    });
    it('should keep the data across a close and reopen', () => {
      const s = open();
      s.appendRaw(
        [
          raw(
            'Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1',
          ),
        ],
        UTC,
      );
      s.close();
      const again = open('events.db', { readonly: true });
      assert.equal(again.stats().byKind.dhcpack, 1);
      assert.deepEqual(again.storedZones(), { zoneByHost: {}, defaultZone: 'UTC' });
    });
    it('should migrate a version 1 store to the current version, keeping its data', () => {
      // Arrange: a store as schema 1 left it.
      const path = join(dir, 'v1.db');
      const db = new Database(path);
      db.exec(MIGRATIONS[0] as string);
      db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
      db.prepare(
        "INSERT INTO channel_stats (at_ms, listener, received, stored, rejected, untrusted, kernel_drops, app_drops, connections) VALUES (1, 'udp://x', 7, 7, 0, 0, 0, 0, 0)",
      ).run();
      db.pragma('user_version = 1');
      db.close();
      // Act: read-only cannot migrate; a writable open does.
      expectAuditError(() => EventStore.open(path, { readonly: true }), 'GV_STORE_SCHEMA');
      const s = open('v1.db');
      // Assert
      assert.equal(s.stats().channel.received, 7);
      s.recordChannelStats([
        {
          atMs: 2,
          listener: 'udp://x',
          received: 3,
          stored: 3,
          rejected: 0,
          untrusted: 0,
          kernelDrops: 0,
          appDrops: 0,
          connections: 0,
          runStartedMs: 2,
        },
      ]);
      assert.equal(s.stats().channel.received, 10);
      const check = new Database(path, { readonly: true });
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      check.close();
    });
    it('should migrate a version 2 store (one row per message) to batches, keeping ids, events and lines', () => {
      // Arrange: a version-2 store as gluff-verify 2 wrote it, with an id gap, a rejection, an untrusted
      // peer and a second year reference.
      const path = join(dir, 'v2.db');
      const db = new Database(path);
      db.exec(MIGRATIONS[0] as string);
      db.exec(MIGRATIONS[1] as string);
      db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
      db.pragma('user_version = 2');
      const kindIds = new Map<string, number>();
      const addKind = db.prepare('INSERT INTO kind (name, rejection) VALUES (?, ?)');
      for (const k of EVENT_KINDS) kindIds.set(k, Number(addKind.run(k, 0).lastInsertRowid));
      kindIds.set('bad-header', Number(addKind.run('bad-header', 1).lastInsertRowid));
      const names = new Map<string, number>();
      const nameId = (t: string): number => {
        if (!names.has(t))
          names.set(t, Number(db.prepare('INSERT INTO name (text) VALUES (?)').run(t).lastInsertRowid));
        return names.get(t) as number;
      };
      db.prepare(
        "INSERT INTO source (id, transport, peer, origin, trusted) VALUES (1, 'file', NULL, 'old.log', 1)",
      ).run();
      db.prepare(
        "INSERT INTO source (id, transport, peer, origin, trusted) VALUES (2, 'udp', '10.9.9.9', NULL, 0)",
      ).run();
      db.prepare('INSERT INTO parse_batch (first_id, reference_ms) VALUES (1, ?), (10, ?)').run(T0, T0);
      db.prepare("INSERT INTO meta (key, value) VALUES ('zones', ?)").run(
        JSON.stringify({ zoneByHost: {}, defaultZone: 'UTC' }),
      );
      const insert = db.prepare(
        'INSERT INTO message (id, received_ms, source, line, bytes, kind, time_ms, host, pid, ip, mac, via, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const texts = [lines[0]![0], lines[1]![0], lines[2]![0], lines[3]![0], lines[0]![0], lines[2]![0]];
      const ids = [1, 2, 3, 4, 10, 11];
      const sources = [1, 1, 1, 1, 2, 1];
      const scratch = { ip: null, mac: null, via: null, rest: null };
      for (const [i, text] of texts.entries()) {
        const r = parseMessage(Buffer.from(text), UTC);
        if (r.ok) {
          const b = encodeBody(r.event, scratch);
          insert.run(
            ids[i],
            T0 + i,
            sources[i],
            i + 1,
            Buffer.from(text),
            kindIds.get(r.event.kind),
            r.event.timeMs,
            nameId(r.event.host),
            r.event.pid,
            b.ip,
            b.mac,
            b.via === null ? null : nameId(b.via),
            b.rest,
          );
        } else {
          insert.run(
            ids[i],
            T0 + i,
            sources[i],
            i + 1,
            Buffer.from(text),
            kindIds.get('bad-header'),
            null,
            null,
            null,
            null,
            null,
            null,
            r.rejection.detail,
          );
        }
      }
      db.close();
      const expected = texts.map((t, i) => ({
        id: ids[i] as number,
        r: parseMessage(Buffer.from(t), UTC),
        trusted: sources[i] === 1,
      }));
      // Act
      const s = open('v2.db');
      // Assert: same events with the same ids, the same lines, counts; the old table is a view now.
      const want = expected
        .filter((m) => m.r.ok && m.trusted)
        .map((m) => ({ id: m.id, event: (m.r as { event: LogEvent }).event }))
        .sort((x, y) => x.event.timeMs - y.event.timeMs || x.id - y.id);
      const got = [...s.queryEvents()];
      assert.deepEqual(
        got.map((e) => e.id),
        want.map((m) => m.id),
      );
      assert.deepEqual(
        got.map(plain),
        want.map((m) => m.event),
      );
      assert.deepEqual(
        got.map((e) => e.receivedMs),
        want.map((m) => T0 + ids.indexOf(m.id)),
      );
      assert.deepEqual(s.evidenceLines([11, 4, 10, 5]), [
        { rawId: 11, text: texts[5] },
        { rawId: 4, text: texts[3] },
        { rawId: 10, text: texts[4] },
      ]);
      const st = s.stats();
      assert.equal(st.messages, 6);
      assert.equal(st.untrusted, 1);
      assert.equal(st.events + st.rejected + st.untrusted, 6);
      const check = new Database(path, { readonly: true });
      try {
        assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
        assert.equal(check.pragma('page_size', { simple: true }), 65536);
        assert.deepEqual(check.prepare('SELECT first_id, count FROM batch ORDER BY first_id').all(), [
          { first_id: 1, count: 4 },
          { first_id: 10, count: 2 },
        ]);
        assert.deepEqual(
          (
            check.prepare('SELECT id, bytes FROM message ORDER BY id').all() as {
              id: number;
              bytes: Buffer;
            }[]
          ).map((r) => [r.id, r.bytes.toString()]),
          ids.map((id, i) => [id, texts[i]]),
        );
      } finally {
        check.close();
      }
      // And the migrated store keeps working: reparse keeps ids, a new append continues after the last id.
      assert.deepEqual(s.reparse(UTC), { events: 5, rejected: 1 });
      assert.deepEqual(
        [...s.queryEvents()].map((e) => e.id),
        want.map((m) => m.id),
      );
      s.appendRaw([raw(lines[0]![0])], UTC);
      assert.deepEqual(s.evidenceLines([12]), [{ rawId: 12, text: lines[0]![0] }]);
    });
    it('should migrate a version 3 store (no ingest checkpoints) and keep working', () => {
      // Arrange: a store with a file's lines, taken back to what schema 3 had (versions 4 and 5 only add).
      const ack = lines[0]![0];
      const s3 = open('v3.db');
      s3.appendRaw([raw(ack, { origin: 'old.log:1' }), raw(lines[2]![0], { origin: 'old.log:2' })], UTC);
      s3.close();
      const db = new Database(join(dir, 'v3.db'));
      db.exec(
        "DROP TABLE lookup; DROP TABLE lookup_recent; DELETE FROM meta WHERE key = 'lookup_open_hour'; DROP TABLE ingest_input; ALTER TABLE source DROP COLUMN input; PRAGMA user_version = 3",
      );
      db.close();
      // Read-only (stats, events, verify), it is read as it is, not migrated.
      const ro = open('v3.db', { readonly: true });
      assert.deepEqual(
        [...ro.queryEvents()].map((e) => e.id),
        [1, 2],
      );
      assert.deepEqual(ro.inputCheckpoints(), []);
      assert.equal(ro.stats().messages, 2);
      ro.close();
      const before = new Database(join(dir, 'v3.db'), { readonly: true });
      assert.equal(before.pragma('user_version', { simple: true }), 3);
      before.close();
      // Act: a writing open migrates it; the old file's lines come again, now as a checkpointed input.
      const s = open('v3.db');
      const first = s.appendRaw([raw(ack, { origin: 'old.log:1' })], UTC, {
        id: null,
        path: 'old.log',
        headBytes: 10,
        headHash: 'h',
        offset: ack.length + 1,
        lines: 1,
      });
      // Assert: the old rows are intact; the second copy of the ack (another channel) counts once.
      assert.equal(s.stats().messages, 3);
      assert.deepEqual(
        [...s.queryEvents()].map((e) => e.id),
        [1, 2],
      );
      assert.deepEqual(s.inputCheckpoints(), [
        {
          id: first.inputId,
          path: 'old.log',
          headBytes: 10,
          headHash: 'h',
          offset: ack.length + 1,
          lines: 1,
        },
      ]);
      assert.deepEqual(s.reparse(UTC), { events: 3, rejected: 0 });
      const check = new Database(join(dir, 'v3.db'), { readonly: true });
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      check.close();
    });
    it('should refuse a store from a newer version with GV_STORE_SCHEMA', () => {
      open().close();
      const db = new Database(join(dir, 'events.db'));
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();
      const err = expectAuditError(() => EventStore.open(join(dir, 'events.db')), 'GV_STORE_SCHEMA');
      assert.match(err.message, new RegExp(`schema version ${SCHEMA_VERSION + 1}`));
      expectAuditError(() => EventStore.open(join(dir, 'events.db'), { readonly: true }), 'GV_STORE_SCHEMA');
    });
    it('should refuse what is not an event store with GV_STORE_OPEN', () => {
      writeFileSync(
        join(dir, 'text.db'),
        'this is not a database, just some text that is long enough to have a header',
      );
      expectAuditError(() => EventStore.open(join(dir, 'text.db')), 'GV_STORE_OPEN');
      const other = new Database(join(dir, 'other.db'));
      other.exec('CREATE TABLE leases (id INTEGER)');
      other.close();
      expectAuditError(() => EventStore.open(join(dir, 'other.db')), 'GV_STORE_OPEN');
      expectAuditError(() => EventStore.open(join(dir, 'no', 'such', 'dir.db')), 'GV_STORE_OPEN');
      expectAuditError(() => EventStore.open(join(dir, 'missing.db'), { readonly: true }), 'GV_STORE_OPEN');
    });
  });

  describe('appendRaw', () => {
    it('should store every message and return its events from queryEvents', () => {
      // Arrange
      const s = open();
      // Act
      const r = s.appendRaw(
        lines.map(([l], i) => raw(l, { origin: `test.log:${i + 1}` })),
        UTC,
      );
      // Assert
      assert.deepEqual(r, { stored: 5, rejected: 2 });
      const events = [...s.queryEvents()];
      assert.equal(events.length, 3);
      for (const [i, [, want]] of lines.slice(0, 3).entries()) {
        const e = events[i] as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(want)) assert.deepEqual(e[k], v, `line ${i + 1} field ${k}`);
        assert.equal(e.id, i + 1);
        assert.equal(e.rawId, i + 1);
        assert.equal(e.receivedMs, T0 + 5000);
      }
      const st = s.stats();
      assert.deepEqual(st.byKind, { dhcpack: 1, commit: 1, 'port-map': 1 });
      assert.equal(st.rejected, 2);
      assert.equal(st.messages, 5);
    });
    it('should store the Gluff witnesses as typed events, count their kinds, and re-read their ctimes on reparse', () => {
      // Arrange: real lines of test/golden/real-gluff/run1 (hosts in Europe/Stockholm).
      const s = open();
      const stockholm: ParseContext = {
        ...UTC,
        zoneByHost: { 'gvrg-dhcp1': 'Europe/Stockholm', 'gvrg-dhcp2': 'Europe/Stockholm' },
      };
      // Act
      s.appendRaw(
        [
          raw('Nov 28 03:59:04 gvrg-dhcp1 dhcpd[29899]: Line 115: sqlite3 error: SQL logic error'),
          raw('Nov 28 03:59:04 gvrg-dhcp1 dhcpd[29899]: ldb error: SQL logic error'),
          raw(
            'Nov 28 03:59:06 gvrg-dhcp2 gluff[21923]: RELEASE on ip: 10.77.1.58, hw: 02:0a:00:77:05:05, cid: <NULL>, rid: <NULL>, start: Sat Nov 28 03:59:01 2026, end: Sat Nov 28 03:59:04 2026',
          ),
          raw('Nov 28 03:59:06 gvrg-dhcp2 gluff[21923]: do_update_lease(): No rows were updated!'),
        ],
        stockholm,
      );
      // Assert
      assert.deepEqual(s.stats().byKind, { 'queue-error': 2, 'gluff-record': 1, gluff: 1 });
      const [record] = [...s.queryEvents({ kinds: ['gluff-record'] })];
      assert.deepEqual(record && plain(record), {
        kind: 'gluff-record',
        record: 'release',
        ip: '10.77.1.58',
        mac: '02:0a:00:77:05:05',
        cidHex: null,
        remoteIdHex: null,
        cidText: null,
        ridText: null,
        startMs: Date.parse('2026-11-28T02:59:01Z'),
        endMs: Date.parse('2026-11-28T02:59:04Z'),
        zone: 'Europe/Stockholm',
        timeMs: Date.parse('2026-11-28T02:59:06Z'),
        host: 'gvrg-dhcp2',
        pid: 21923,
      });
      const errors = [...s.queryEvents({ kinds: ['queue-error'] })].map((e) =>
        e.kind === 'queue-error' ? [e.stage, e.line, e.detail] : [],
      );
      assert.deepEqual(errors, [
        ['sqlite3', 115, 'SQL logic error'],
        ['ldb', null, 'SQL logic error'],
      ]);
      // Reparse in UTC: the ctimes move with the header.
      s.reparse(UTC);
      const [again] = [...s.queryEvents({ kinds: ['gluff-record'] })];
      assert.ok(again?.kind === 'gluff-record');
      assert.equal(again.startMs, Date.parse('2026-11-28T03:59:01Z'));
      assert.equal(again.zone, 'UTC');
    });
    it('should count rejections per reason', () => {
      const s = open();
      s.appendRaw([raw(''), raw(''), raw('garbage'), raw(new Uint8Array(70_000).fill(65))], UTC);
      const st = s.stats();
      assert.equal(st.rejected, 4);
      assert.equal(st.events, 0);
      assert.equal(st.rejectionsByReason.empty, 2);
      assert.equal(st.rejectionsByReason.oversized, 1);
      assert.equal(
        (st.rejectionsByReason['bad-timestamp'] ?? 0) + (st.rejectionsByReason['bad-header'] ?? 0),
        1,
      );
    });
    it('should keep untrusted messages apart from the evidence', () => {
      // Arrange
      const s = open();
      const line =
        'Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1';
      // Act
      s.appendRaw(
        [
          raw(line, { transport: 'udp', peer: '127.0.0.1', origin: 'udp://127.0.0.1:514' }),
          raw(line, { transport: 'udp', peer: '192.0.2.9', origin: 'udp://127.0.0.1:514', trusted: false }),
          raw('junk', { transport: 'udp', peer: '192.0.2.9', origin: 'udp://127.0.0.1:514', trusted: false }),
        ],
        UTC,
      );
      // Assert
      assert.deepEqual(
        [...s.queryEvents()].map((e) => e.id),
        [1],
      );
      assert.deepEqual(
        [...s.queryEvents({ includeUntrusted: true })].map((e) => e.id),
        [1, 2],
      );
      const st = s.stats();
      assert.equal(st.untrusted, 2);
      assert.equal(st.events, 1);
      assert.equal(st.rejected, 0);
      assert.equal(st.messages, 3);
    });
    it('should commit a batch entirely or not at all (GV_STORE_WRITE)', () => {
      // Arrange: the batch's source carries a BLOB where the STRICT source table wants TEXT, so SQLite fails
      // after the batch's new names went into the dictionary, inside the same transaction.
      const s = open();
      s.appendRaw([raw('first batch')], UTC);
      const good =
        'Nov 28 01:23:45 newhost dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.9.9.9';
      const builder = new EncodedBatchBuilder();
      const ack: ParseResult = {
        ok: true,
        event: {
          kind: 'dhcpack',
          ip: '10.1.0.50',
          mac: '52:54:00:12:34:56',
          name: null,
          via: '10.9.9.9',
          timeMs: T0,
          host: 'newhost',
          pid: 1,
        },
      };
      for (let i = 0; i < 130; i++) builder.add(raw(good), ack);
      const batch = builder.finish();
      (batch.sources[0] as { peer: string | null }).peer = Buffer.from('blob') as unknown as string;
      // Act
      expectAuditError(() => s.appendEncoded(batch, UTC), 'GV_STORE_WRITE');
      // Assert: nothing of the failed batch, and the store still works (dictionaries were reloaded).
      assert.equal(s.stats().messages, 1);
      s.appendRaw([raw(good)], UTC);
      assert.deepEqual(
        [...s.queryEvents()].map((e) => [e.host, (e as { via?: string }).via]),
        [['newhost', '10.9.9.9']],
      );
    });
    it('should leave only whole batches when the writing process is killed', async function () {
      this.timeout(30_000);
      const path = join(dir, 'kill.db');
      open('kill.db').close();
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'append-forever.fixture.ts'), path],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      // Kill it mid-stream once a few batches are in.
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        child.stdout.on('data', (d: Buffer) => {
          seen += d.toString();
          if (/committed 5\n/.test(seen)) {
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.on('error', reject);
        child.on('exit', () => resolve());
      });
      await new Promise((resolve) => child.once('exit', resolve).once('close', resolve));
      const s = open('kill.db', { readonly: true });
      const n = s.stats().messages;
      assert.ok(n >= 5 * 500, `expected at least 5 batches, found ${n} messages`);
      assert.equal(n % 500, 0, `found ${n} messages: a partial batch survived the kill`);
    });
  });

  describe('appendEncoded', () => {
    it('should parse an unparsed batch with the append ctx, storing what appendRaw stores', () => {
      // Arrange: the same five lines through appendRaw and as an unparsed encoded batch.
      const a = open('a.db');
      const b = open('b.db');
      a.appendRaw(
        lines.map(([l], i) => raw(l, { origin: `test.log:${i + 1}` })),
        UTC,
      );
      const builder = new EncodedBatchBuilder();
      for (const [i, [l]] of lines.entries()) {
        builder.addUnparsed(Buffer.from(l), T0 + 5000, 'file', null, 'test.log', i + 1, true);
      }
      const batch = builder.finish();
      assert.equal(batch.unparsed, true);
      // Act
      const r = b.appendEncoded(batch, UTC);
      // Assert
      assert.deepEqual(r, { stored: 5, rejected: 2 });
      assert.deepEqual([...b.queryEvents()], [...a.queryEvents()]);
      assert.deepEqual(b.evidenceLines([1, 2, 3, 4, 5]), a.evidenceLines([1, 2, 3, 4, 5]));
      const { listeners: _l, ...sb } = b.stats();
      const { listeners: _k, ...sa } = a.stats();
      assert.deepEqual(sb, sa);
      // A batch is all parsed or all unparsed.
      const mixed = new EncodedBatchBuilder();
      mixed.addUnparsed(Buffer.from('x'), 0, 'file', null, null, null, true);
      assert.throws(
        () =>
          mixed.addParts(
            Buffer.from('x'),
            0,
            'file',
            null,
            null,
            null,
            true,
            parseMessage(Buffer.from('x'), UTC),
          ),
        (err: unknown) => err instanceof AuditError && err.code === 'GV_INTERNAL',
      );
    });
  });

  describe('queryEvents', () => {
    it('should filter by kind and by the half-open time window', () => {
      const s = open();
      const at = (sec: number, msg: string): RawMessage =>
        raw(`Nov 28 01:00:${String(sec).padStart(2, '0')} dhcp1 ${msg}`);
      s.appendRaw(
        [
          at(30, 'dhcpd[1]: DHCPACK on 10.1.0.3 to 52:54:00:00:00:03 via eth0'),
          at(10, 'dhcpd[1]: DHCPACK on 10.1.0.1 to 52:54:00:00:00:01 via eth0'),
          at(20, 'dhcpd[1]: DHCPOFFER on 10.1.0.2 to 52:54:00:00:00:02 via eth0'),
          at(20, 'dhcpd[1]: DHCPACK on 10.1.0.2 to 52:54:00:00:00:02 via eth0'),
        ],
        UTC,
      );
      const ips = (f: Parameters<EventStore['queryEvents']>[0]): string[] =>
        [...s.queryEvents(f)].map((e) => (e as { ip: string }).ip);
      assert.deepEqual(ips({}), ['10.1.0.1', '10.1.0.2', '10.1.0.2', '10.1.0.3']);
      assert.deepEqual(ips({ kinds: ['dhcpack'] }), ['10.1.0.1', '10.1.0.2', '10.1.0.3']);
      assert.deepEqual(ips({ kinds: ['dhcpoffer'] }), ['10.1.0.2']);
      assert.deepEqual(ips({ kinds: ['commit'] }), []);
      assert.deepEqual(ips({ fromMs: T0 + 20_000, toMs: T0 + 30_000 }), ['10.1.0.2', '10.1.0.2']);
    });
    it('should merge batches that overlap in time from interleaved sources, for any kind and time window', () => {
      const arbTimed = fc.record({
        body: arbEventBody,
        timeMs: fc.integer({ min: T0, max: T0 + 60_000 }),
        source: fc.constantFrom('a', 'b', 'c'),
      });
      const arbFilter = fc.record(
        {
          kinds: fc.subarray([...EVENT_KINDS]),
          fromMs: fc.integer({ min: T0 - 1000, max: T0 + 61_000 }),
          toMs: fc.integer({ min: T0 - 1000, max: T0 + 61_000 }),
          includeUntrusted: fc.boolean(),
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(
          fc.array(fc.array(arbTimed, { minLength: 1, maxLength: 40 }), { maxLength: 6 }),
          fc.array(arbFilter, { minLength: 1, maxLength: 4 }),
          (batches, filters) => {
            const s = EventStore.open(':memory:');
            try {
              // Source 'c' is untrusted; each batch mixes sources and times (two collectors, late files).
              const all: Sent[] = [];
              for (const batch of batches) {
                const raws: RawMessage[] = [];
                const results: ParseResult[] = [];
                for (const item of batch) {
                  const body = item.body as EventBody & { pid?: number | null };
                  // memsample's pid is part of its body; every other kind gets the header's.
                  const event = {
                    ...body,
                    timeMs: item.timeMs,
                    host: 'dhcp1',
                    pid: body.pid ?? 7,
                  } as LogEvent;
                  const line = formatLogLine(event);
                  const trusted = item.source !== 'c';
                  raws.push(raw(line, { peer: item.source, transport: 'udp', trusted }));
                  results.push({ ok: true, event });
                  all.push({ id: all.length + 1, event, trusted, line, source: item.source });
                }
                s.appendParsed(raws, results, UTC);
              }
              for (const f of filters) {
                const selected = all
                  .filter(
                    (m) =>
                      (f.includeUntrusted === true || m.trusted) &&
                      (f.kinds === undefined || f.kinds.includes(m.event.kind)) &&
                      (f.fromMs === undefined || m.event.timeMs >= f.fromMs) &&
                      (f.toMs === undefined || m.event.timeMs < f.toMs),
                  )
                  .sort((x, y) => x.event.timeMs - y.event.timeMs || x.id - y.id);
                // The naive copy rule: per second, the same event from several sources counts as often as
                // the source that brought it most often.
                const want = naiveKeepCopies(selected);
                assert.equal([...s.queryEvents({ ...f, allCopies: true })].length, selected.length);
                const got = [...s.queryEvents(f)];
                assert.deepEqual(
                  got.map((e) => [e.id, e.rawId]),
                  want.map((m) => [m.id, m.id]),
                );
                assert.deepEqual(
                  got.map((e) => plain(e)),
                  want.map((m) => m.event),
                );
              }
              const ids = all.filter((_, i) => i % 3 === 0).map((m) => m.id);
              assert.deepEqual(
                s.evidenceLines([...ids, 0, all.length + 1]),
                ids.map((id) => ({ rawId: id, text: (all[id - 1] as { line: string }).line })),
              );
            } finally {
              s.close();
            }
          },
        ),
        { numRuns: 80 },
      );
    });
    it('should count a line that came by two channels once, and keep a line repeated within one', () => {
      // Arrange: the collector got dhcpd's ACK twice (relayed copies, RFC 5424 with a fraction of a
      // second) and lost the commit; later the host's log file is ingested: both ACKs and the commit.
      const s = open();
      const ack = lines[0]![0];
      const commit = lines[1]![0];
      const udp = { transport: 'udp' as const, peer: '10.0.0.1', origin: 'udp://0.0.0.0:514' };
      const live = `<30>1 2026-11-28T01:23:45.250Z dhcp1 dhcpd 812 - - ${ack.split(': ').slice(1).join(': ')}`;
      s.appendRaw([raw(live, udp), raw(live, udp)], UTC);
      const progress = { id: null, path: 'dhcpd.log', headBytes: 20, headHash: 'h', offset: 300, lines: 3 };
      const file = s.appendRaw(
        [
          raw(ack, { origin: 'dhcpd.log:1' }),
          raw(ack, { origin: 'dhcpd.log:2' }),
          raw(commit, { origin: 'dhcpd.log:3' }),
        ],
        UTC,
        progress,
      );
      // The same file read again as another input (a store from before checkpoints): a third channel.
      s.appendRaw([raw(ack, { origin: 'copy.log:1' })], UTC, {
        ...progress,
        path: 'copy.log',
        headHash: 'g',
      });
      // Act
      const got = [...s.queryEvents()];
      const all = [...s.queryEvents({ allCopies: true })];
      // Assert: two ACKs (the file's, earlier in time), one commit; every copy on request.
      assert.deepEqual(
        got.map((e) => [e.id, e.kind]),
        [
          [3, 'dhcpack'],
          [4, 'dhcpack'],
          [5, 'commit'],
        ],
      );
      assert.equal(all.length, 6);
      assert.equal(typeof file.inputId, 'number');
      assert.equal(s.stats().messages, 6);
    });
    it('should apply the copy rule to lines that repeat within and across channels, as the naive rule does', () => {
      // A few lines over three seconds, so copies are frequent: sources a, b (collector peers), c
      // (untrusted), and f1, f2 (two ingest inputs of the same log).
      const pool = [lines[0]![0], lines[1]![0], lines[2]![0]].map((l) => parseMessage(Buffer.from(l), UTC));
      const arbItem = fc.record({
        line: fc.integer({ min: 0, max: pool.length - 1 }),
        timeMs: fc.integer({ min: T0, max: T0 + 2999 }),
        source: fc.constantFrom('a', 'b', 'c', 'f1', 'f2'),
      });
      fc.assert(
        fc.property(
          fc.array(fc.array(arbItem, { minLength: 1, maxLength: 30 }), { maxLength: 5 }),
          (batches) => {
            const s = EventStore.open(':memory:');
            try {
              const all: Sent[] = [];
              const inputs = new Map<string, number | null>([
                ['f1', null],
                ['f2', null],
              ]);
              for (const batch of batches) {
                // A batch comes from one input (ingest) or the collector's peers.
                const file = batch[0]!.source.startsWith('f') ? batch[0]!.source : null;
                const raws: RawMessage[] = [];
                const results: ParseResult[] = [];
                for (const item of batch) {
                  const source = file ?? (item.source.startsWith('f') ? 'a' : item.source);
                  const event = { ...(pool[item.line] as { event: LogEvent }).event, timeMs: item.timeMs };
                  const line = formatLogLine(event);
                  raws.push(
                    file !== null
                      ? raw(line, { origin: `${file}.log:${all.length + 1}` })
                      : raw(line, { peer: source, transport: 'udp', trusted: source !== 'c' }),
                  );
                  results.push({ ok: true, event });
                  all.push({ id: all.length + 1, event, trusted: source !== 'c', line, source });
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
              for (const includeUntrusted of [false, true]) {
                const selected = all
                  .filter((m) => includeUntrusted || m.trusted)
                  .sort((x, y) => x.event.timeMs - y.event.timeMs || x.id - y.id);
                assert.deepEqual(
                  [...s.queryEvents({ includeUntrusted })].map((e) => e.id),
                  naiveKeepCopies(selected).map((m) => m.id),
                );
              }
            } finally {
              s.close();
            }
          },
        ),
        { numRuns: 200 },
      );
    });
    it('should stream: stopping early releases the store for writing', () => {
      const s = open();
      s.appendRaw([raw(lines[0]![0]), raw(lines[1]![0])], UTC);
      for (const _e of s.queryEvents()) break;
      assert.deepEqual(s.appendRaw([raw(lines[0]![0])], UTC), { stored: 1, rejected: 0 });
      assert.equal([...s.queryEvents()].length, 3);
    });
    it('should split an append of more than MAX_BATCH_MESSAGES into batch rows with consecutive ids', () => {
      const s = open();
      s.appendRaw([raw(lines[0]![0])], UTC);
      const n = MAX_BATCH_MESSAGES * 2 + 5;
      const big = Array.from({ length: n }, (_, i) =>
        raw(
          `Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.${(i >> 8) & 255}.${i & 255} to 52:54:00:12:34:56 (h${i}) via 10.1.0.1`,
        ),
      );
      assert.deepEqual(s.appendRaw(big, UTC), { stored: n, rejected: 0 });
      const db = new Database(join(dir, 'events.db'), { readonly: true });
      try {
        assert.deepEqual(db.prepare('SELECT first_id, count FROM batch ORDER BY first_id').all(), [
          { first_id: 1, count: 1 },
          { first_id: 2, count: MAX_BATCH_MESSAGES },
          { first_id: 2 + MAX_BATCH_MESSAGES, count: MAX_BATCH_MESSAGES },
          { first_id: 2 + 2 * MAX_BATCH_MESSAGES, count: 5 },
        ]);
        assert.deepEqual(db.prepare('SELECT count(*) AS n FROM message').get(), { n: n + 1 });
        const at = MAX_BATCH_MESSAGES + 1;
        assert.deepEqual(db.prepare('SELECT bytes FROM message WHERE id = ?').get(at + 1), {
          bytes: Buffer.from(big[at - 1]!.bytes),
        });
      } finally {
        db.close();
      }
      const picked = [2, 1 + MAX_BATCH_MESSAGES, 2 + MAX_BATCH_MESSAGES, n + 1];
      assert.deepEqual(
        s.evidenceLines(picked).map((l) => l.text),
        picked.map((id) => Buffer.from(big[id - 2]!.bytes).toString()),
      );
      assert.equal(s.stats().byKind.dhcpack, n + 1);
      const ids = [...s.queryEvents({ kinds: ['dhcpack'] })].map((e) => e.id);
      assert.deepEqual(
        ids,
        Array.from({ length: n + 1 }, (_, i) => i + 1),
      );
    });
  });

  describe('evidenceLines', () => {
    it('should return the raw text of each id in the order asked, invalid UTF-8 replaced', () => {
      const s = open();
      s.appendRaw([raw('first'), raw(new Uint8Array([0x61, 0xff, 0x62])), raw('third')], UTC);
      assert.deepEqual(s.evidenceLines([3, 2, 3, 99]), [
        { rawId: 3, text: 'third' },
        { rawId: 2, text: 'a\uFFFDb' },
      ]);
    });
  });

  describe('recordChannelStats and channelStatsHistory', () => {
    it('should sum the latest snapshot of each listener in stats', () => {
      const s = open();
      const snap = (atMs: number, listener: string, received: number, kernelDrops: number) => ({
        atMs,
        listener,
        received,
        stored: received,
        rejected: 0,
        untrusted: 0,
        kernelDrops,
        appDrops: 1,
        connections: 0,
      });
      s.recordChannelStats([snap(T0, 'udp://0.0.0.0:514', 10, 0), snap(T0, 'tcp://0.0.0.0:514', 5, 0)]);
      s.recordChannelStats([snap(T0 + 1000, 'udp://0.0.0.0:514', 20, 3)]);
      const st = s.stats();
      assert.equal(st.listeners.length, 2);
      assert.equal(st.channel.received, 25);
      assert.equal(st.channel.kernelDrops, 3);
      assert.equal(st.channel.appDrops, 2);
      // A restarted collector starts its counters from 0: each run's latest snapshot adds up.
      s.recordChannelStats([{ ...snap(T0 + 2000, 'udp://0.0.0.0:514', 4, 0), runStartedMs: T0 + 1500 }]);
      assert.equal(s.stats().channel.received, 29);
      assert.equal(s.stats().listeners.length, 3);
      assert.deepEqual(
        s
          .channelStatsHistory()
          .slice(0, 3)
          .map((c) => [c.atMs - T0, c.listener, c.received]),
        [
          [0, 'udp://0.0.0.0:514', 10],
          [0, 'tcp://0.0.0.0:514', 5],
          [1000, 'udp://0.0.0.0:514', 20],
        ],
      );
    });
  });

  describe('reparse', () => {
    it('should re-derive times with new zones, keep ids, and record the zones', () => {
      // Arrange
      const s = open();
      s.appendRaw(
        [
          raw(
            'Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1',
          ),
          raw('junk'),
        ],
        UTC,
      );
      const before = [...s.queryEvents()][0] as LogEvent & { id: number };
      // Act
      const r = s.reparse({ zoneByHost: { dhcp1: 'Europe/Stockholm' }, defaultZone: 'UTC', referenceMs: 0 });
      // Assert
      assert.deepEqual(r, { events: 1, rejected: 1 });
      const after = [...s.queryEvents()][0] as LogEvent & { id: number };
      assert.equal(after.id, before.id);
      assert.equal(after.timeMs, before.timeMs - 3_600_000, 'Stockholm is UTC+1 in November');
      assert.deepEqual(s.storedZones(), { zoneByHost: { dhcp1: 'Europe/Stockholm' }, defaultZone: 'UTC' });
    });
    it('should keep the year reference each batch was ingested with', () => {
      const s = open();
      const line = raw('Dec 31 23:59:59 dhcp1 dhcpd[1]: DHCPACK on 10.1.0.1 to 52:54:00:00:00:01 via eth0');
      s.appendRaw([line], { ...UTC, referenceMs: Date.UTC(2020, 11, 31) });
      s.appendRaw([line], { ...UTC, referenceMs: Date.UTC(2026, 11, 31) });
      const years = (): number[] => [...s.queryEvents()].map((e) => new Date(e.timeMs).getUTCFullYear());
      assert.deepEqual(years(), [2020, 2026]);
      s.reparse({ ...UTC, referenceMs: Date.UTC(2010, 0, 1) });
      assert.deepEqual(years(), [2020, 2026]);
    });
    it('should keep a frame the transport cut as a rejection, not parse the fragment', () => {
      // Arrange: the collector cut this TCP frame at --max-message-bytes; its prefix is a well-formed line.
      const s = open();
      const cut = raw('<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56', {
        transport: 'tcp',
        peer: '127.0.0.1',
      });
      const rejection: ParseResult = {
        ok: false,
        rejection: { reason: 'oversized', detail: 'frame cut at 64 bytes' },
      };
      s.appendParsed([cut], [rejection], UTC);
      // Act
      const r = s.reparse(UTC);
      // Assert
      assert.deepEqual(r, { events: 0, rejected: 1 });
      assert.deepEqual([...s.queryEvents()], []);
      assert.deepEqual(s.stats().rejectionsByReason, { oversized: 1 });
    });
  });

  describe('properties', () => {
    const arbLogEvent = fc
      .record({
        body: arbEventBody,
        timeMs: arbTimeSec,
        host: fc.constantFrom('dhcp1', 'dhcp2', 'permuter'),
        pid: fc.option(fc.integer({ min: 0, max: 99999 }), { nil: null }),
      })
      .map(
        ({ body, timeMs, host, pid }) =>
          ({ ...body, timeMs, host, pid: body.kind === 'memsample' ? body.pid : pid }) as LogEvent,
      );
    const arbItem = fc.oneof(
      { weight: 4, arbitrary: fc.record({ event: arbLogEvent, trusted: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ junk: fc.uint8Array({ maxLength: 40 }), trusted: fc.boolean() }) },
    );

    it('should return appended events unchanged, in time order, with stats matching the counts', () => {
      fc.assert(
        fc.property(fc.array(fc.array(arbItem, { maxLength: 80 }), { maxLength: 4 }), (batches) => {
          const s = EventStore.open(':memory:');
          try {
            const want: LogEvent[] = [];
            let rejected = 0;
            let untrusted = 0;
            for (const batch of batches) {
              const raws: RawMessage[] = [];
              const results: ParseResult[] = [];
              for (const item of batch) {
                if ('event' in item) {
                  raws.push(raw(formatLogLine(item.event), { trusted: item.trusted }));
                  results.push({ ok: true, event: item.event });
                  if (item.trusted) want.push(item.event);
                } else {
                  raws.push(raw(item.junk, { trusted: item.trusted }));
                  results.push({ ok: false, rejection: { reason: 'bad-header', detail: 'generated' } });
                  if (item.trusted) rejected++;
                }
                if (!item.trusted) untrusted++;
              }
              s.appendParsed(raws, results, UTC);
            }
            const got = [...s.queryEvents()];
            // Time order, then id.
            for (let i = 1; i < got.length; i++) {
              const a = got[i - 1] as LogEvent & { id: number };
              const b = got[i] as LogEvent & { id: number };
              assert.ok(a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.id < b.id));
            }
            // Same events (a stable sort of what was appended by time gives the same order).
            const sorted = want
              .map((e, i) => ({ e, i }))
              .sort((x, y) => x.e.timeMs - y.e.timeMs || x.i - y.i)
              .map((x) => x.e);
            assert.deepEqual(got.map(plain), sorted);
            const st = s.stats();
            assert.equal(st.events, want.length);
            assert.equal(st.rejected, rejected);
            assert.equal(st.untrusted, untrusted);
            assert.equal(st.messages, batches.flat().length);
            const byKind: Record<string, number> = {};
            for (const e of want) byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
            assert.deepEqual(st.byKind, byKind);
          } finally {
            s.close();
          }
        }),
        { numRuns: 60 },
      );
    });
  });
});

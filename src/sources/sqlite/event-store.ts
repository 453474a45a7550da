/**
 * The event store: a SQLite file (WAL) holding every raw message exactly as received and the event
 * parsed from it, side by side in one row, so a parser fix can be replayed over history (`reparse`).
 *
 * Invariants:
 * - Every message passed to appendRaw is stored, parsed or not, trusted or not. Nothing is dropped.
 * - One appendRaw call is one transaction: after a crash a batch is either all there or absent.
 * - Untrusted messages (RawMessage.trusted = false) never come out of queryEvents unless asked.
 * - Event id = raw id: the id a finding cites stays valid across `reparse`.
 *
 * This edge module calls the parser (parse/ is pure): the store, not its callers, decides how a raw
 * row becomes an event, which is what makes `reparse` mean the same thing as the first ingest.
 */
import Database from 'better-sqlite3';
import { AuditError, InternalError } from '../../model/errors.js';
import type {
  ChannelStats,
  EventKind,
  ParseContext,
  ParseResult,
  RawMessage,
  RejectionReason,
  StoredEvent,
  Transport,
} from '../../model/events.js';
import { EVENT_KINDS } from '../../model/events.js';
import type { EvidenceLine } from '../../model/lease.js';
import type { EpochMs } from '../../model/time.js';
import { parseMessage } from '../../parse/parse-message.js';
import {
  decodeBody,
  encodeBody,
  EncodedBatchBuilder,
  type EncodedBatch,
  type EncodedBody,
} from './row-codec.js';
import { MIGRATIONS, SCHEMA_VERSION, STORE_APPLICATION_ID } from './schema.js';

/** Every rejection reason the model names; new ones the parser invents are added to the dictionary on first use. */
const REJECTION_REASONS: readonly RejectionReason[] = [
  'empty',
  'not-utf8',
  'binary',
  'oversized',
  'bad-pri',
  'bad-timestamp',
  'bad-header',
  'bad-structured-data',
  'bad-field',
  'truncated',
];

/** Rows per multi-row INSERT. 16..64 measured within 5% of each other; 64 x 12 = 768 parameters. */
const ROWS_PER_INSERT = 64;
const COLUMNS = 'received_ms, source, line, bytes, kind, time_ms, host, pid, ip, mac, via, body';
const COLUMN_COUNT = 12;
/** Rows re-derived per SELECT/UPDATE round in reparse. */
const REPARSE_CHUNK = 5000;

/** What `gluff-verify stats` shows. Counts partition the stored messages: messages = events + rejected + untrusted. */
export interface StoreStats {
  /** Every stored raw message. */
  messages: number;
  /** Trusted messages that parsed to an event. */
  events: number;
  /** Trusted messages the parser rejected. */
  rejected: number;
  /** Messages from peers outside `--allow`, whatever their parse outcome. */
  untrusted: number;
  /** Trusted events per kind (kinds with no event are absent). */
  byKind: Partial<Record<EventKind, number>>;
  /** Trusted rejections per reason (reasons with none are absent). */
  rejectionsByReason: Partial<Record<RejectionReason, number>>;
  /** Earliest and latest sender time over every parsed message; null when there is none. */
  firstTimeMs: EpochMs | null;
  lastTimeMs: EpochMs | null;
  /** The latest ChannelStats snapshot of each listener and collector run (ChannelStats.runStartedMs). */
  listeners: ChannelStats[];
  /** `listeners` summed (so several runs of one listener add up). All zero when no collector ever recorded stats (file ingest only). */
  channel: {
    received: number;
    stored: number;
    rejected: number;
    untrusted: number;
    kernelDrops: number;
    appDrops: number;
    connections: number;
  };
}

export interface QueryFilter {
  /** Only these kinds; all event kinds when absent. */
  kinds?: readonly EventKind[];
  /** Inclusive lower bound on the sender time. */
  fromMs?: EpochMs;
  /** Exclusive upper bound on the sender time (half-open, STYLE.md §5). */
  toMs?: EpochMs;
  /** Include messages from untrusted peers. Default false. */
  includeUntrusted?: boolean;
}

/** The zone settings of a ParseContext (its referenceMs is kept per batch, not here). */
export type ZoneSettings = Pick<ParseContext, 'zoneByHost' | 'defaultZone'>;

interface SourceRow {
  id: number;
  transport: Transport;
  peer: string | null;
  origin: string | null;
  trusted: number;
}

interface MessageRow {
  id: number;
  received_ms: number;
  kind: number;
  time_ms: number;
  host: number | null;
  pid: number | null;
  ip: number | null;
  mac: number | null;
  via: number | null;
  body: string | null;
}

type Row = (string | number | Buffer | null)[];

function sqliteCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : '';
}

export class EventStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly readonly: boolean;
  private kindNames = new Map<number, { name: string; rejection: boolean }>();
  private nameIds = new Map<string, number>();
  private nameTexts = new Map<number, string>();
  private sourceIds = new Map<string, number>();
  private sources = new Map<number, SourceRow>();
  private lastReferenceMs: number | null = null;
  private readonly bodyScratch: EncodedBody = { ip: null, mac: null, via: null, rest: null };
  /** Kind ids by name: event kinds and rejection reasons apart (a name could in principle be both). */
  private eventKindIds = new Map<string, number>();
  private rejectionIds = new Map<string, number>();
  private zonesJson: string | null = null;
  private insertMany: Database.Statement | null = null;
  private insertOne: Database.Statement | null = null;

  private constructor(path: string, db: Database.Database, readonly: boolean) {
    this.path = path;
    this.db = db;
    this.readonly = readonly;
  }

  /**
   * Opens (creating and migrating when writable) the store at `path`.
   * Throws GV_STORE_OPEN when the file cannot be opened or is not an event store, GV_STORE_SCHEMA when
   * a newer gluff-verify wrote it (or, read-only, when it still needs a migration).
   */
  static open(path: string, opts: { readonly?: boolean } = {}): EventStore {
    const readonly = opts.readonly === true;
    let db: Database.Database;
    try {
      db = new Database(path, { readonly, fileMustExist: readonly });
    } catch (err) {
      throw new AuditError(
        'GV_STORE_OPEN',
        `cannot open event store '${path}'${readonly ? ' (read-only: the file must exist)' : ''}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    try {
      const store = new EventStore(path, db, readonly);
      store.prepareSchema();
      return store;
    } catch (err) {
      db.close();
      if (err instanceof AuditError) throw err;
      throw new AuditError(
        'GV_STORE_OPEN',
        `cannot use '${path}' as an event store: ${(err as Error).message}; expected a SQLite file written by gluff-verify or a new path`,
        { cause: err },
      );
    }
  }

  private prepareSchema(): void {
    // Throws SQLITE_NOTADB here for a file that is not SQLite; open() turns it into GV_STORE_OPEN.
    const version = this.db.pragma('user_version', { simple: true }) as number;
    const appId = this.db.pragma('application_id', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new AuditError(
        'GV_STORE_SCHEMA',
        `event store '${this.path}' has schema version ${version}; this gluff-verify knows up to ${SCHEMA_VERSION}. Use a newer gluff-verify or a new store`,
      );
    }
    if (version === 0) {
      const tables = this.db
        .prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'")
        .get() as { n: number };
      if (tables.n > 0 || appId !== 0) {
        throw new AuditError(
          'GV_STORE_OPEN',
          `'${this.path}' is a SQLite file with ${tables.n} table(s) but no event store schema; expected a store written by gluff-verify or a new path`,
        );
      }
    } else if (appId !== STORE_APPLICATION_ID) {
      throw new AuditError(
        'GV_STORE_OPEN',
        `'${this.path}' is not a gluff-verify event store (application_id ${appId}, expected ${STORE_APPLICATION_ID})`,
      );
    }
    if (version < SCHEMA_VERSION) {
      if (this.readonly) {
        throw new AuditError(
          'GV_STORE_SCHEMA',
          `event store '${this.path}' has schema version ${version} and needs migrating to ${SCHEMA_VERSION}; open it once with a writing command (ingest, reparse)`,
        );
      }
      this.migrate(version);
    }
    if (!this.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    }
    // 64 MiB page cache: the time index and the tail of the table stay in memory during bulk ingest.
    this.db.pragma('cache_size = -65536');
    this.loadDictionaries();
  }

  private migrate(from: number): void {
    for (let v = from; v < SCHEMA_VERSION; v++) {
      const sql = MIGRATIONS[v] as string;
      this.db.transaction(() => {
        this.db.exec(sql);
        if (v === 0) {
          this.db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
          const addKind = this.db.prepare('INSERT INTO kind (name, rejection) VALUES (?, ?)');
          for (const k of EVENT_KINDS) addKind.run(k, 0);
          for (const r of REJECTION_REASONS) addKind.run(r, 1);
        }
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private loadDictionaries(): void {
    this.eventKindIds.clear();
    this.rejectionIds.clear();
    this.kindNames.clear();
    for (const r of this.db.prepare('SELECT id, name, rejection FROM kind').all() as {
      id: number;
      name: string;
      rejection: number;
    }[]) {
      (r.rejection === 1 ? this.rejectionIds : this.eventKindIds).set(r.name, r.id);
      this.kindNames.set(r.id, { name: r.name, rejection: r.rejection === 1 });
    }
    this.nameIds.clear();
    this.nameTexts.clear();
    for (const r of this.db.prepare('SELECT id, text FROM name').all() as { id: number; text: string }[]) {
      this.nameIds.set(r.text, r.id);
      this.nameTexts.set(r.id, r.text);
    }
    this.sourceIds.clear();
    this.sources.clear();
    for (const r of this.db
      .prepare('SELECT id, transport, peer, origin, trusted FROM source')
      .all() as SourceRow[]) {
      this.sourceIds.set(sourceKey(r.transport, r.peer, r.origin, r.trusted === 1), r.id);
      this.sources.set(r.id, r);
    }
    const zones = this.db.prepare("SELECT value FROM meta WHERE key = 'zones'").get() as
      { value: string } | undefined;
    this.zonesJson = zones?.value ?? null;
    const ref = this.db
      .prepare('SELECT reference_ms FROM parse_batch ORDER BY first_id DESC LIMIT 1')
      .get() as { reference_ms: number } | undefined;
    this.lastReferenceMs = ref?.reference_ms ?? null;
  }

  private kindId(name: string, rejection: boolean): number {
    const ids = rejection ? this.rejectionIds : this.eventKindIds;
    const id = ids.get(name);
    if (id !== undefined) return id;
    this.db
      .prepare('INSERT INTO kind (name, rejection) VALUES (?, ?) ON CONFLICT (name) DO NOTHING')
      .run(name, rejection ? 1 : 0);
    const row = this.db.prepare('SELECT id, rejection FROM kind WHERE name = ?').get(name) as {
      id: number;
      rejection: number;
    };
    if ((row.rejection === 1) !== rejection) {
      throw new InternalError(`label '${name}' is both an event kind and a rejection reason`);
    }
    ids.set(name, row.id);
    this.kindNames.set(row.id, { name, rejection });
    return row.id;
  }

  private nameId(text: string): number {
    const id = this.nameIds.get(text);
    if (id !== undefined) return id;
    this.db.prepare('INSERT INTO name (text) VALUES (?) ON CONFLICT (text) DO NOTHING').run(text);
    const row = this.db.prepare('SELECT id FROM name WHERE text = ?').get(text) as { id: number };
    this.nameIds.set(text, row.id);
    this.nameTexts.set(row.id, text);
    return row.id;
  }

  private nameText(id: number): string {
    let text = this.nameTexts.get(id);
    if (text === undefined) {
      this.loadDictionaries(); // another process (the collector) may have added it since we opened
      text = this.nameTexts.get(id);
      if (text === undefined)
        throw new InternalError(`name id ${id} missing from the name table of '${this.path}'`);
    }
    return text;
  }

  private kindName(id: number): { name: string; rejection: boolean } {
    let k = this.kindNames.get(id);
    if (k === undefined) {
      this.loadDictionaries();
      k = this.kindNames.get(id);
      if (k === undefined)
        throw new InternalError(`kind id ${id} missing from the kind table of '${this.path}'`);
    }
    return k;
  }

  private sourceId(
    transport: Transport,
    peer: string | null,
    originBase: string | null,
    trusted: boolean,
  ): number {
    const key = sourceKey(transport, peer, originBase, trusted);
    const id = this.sourceIds.get(key);
    if (id !== undefined) return id;
    const info = this.db
      .prepare('INSERT INTO source (transport, peer, origin, trusted) VALUES (?, ?, ?, ?)')
      .run(transport, peer, originBase, trusted ? 1 : 0);
    const newId = Number(info.lastInsertRowid);
    this.sourceIds.set(key, newId);
    this.sources.set(newId, { id: newId, transport, peer, origin: originBase, trusted: trusted ? 1 : 0 });
    return newId;
  }

  private requireWritable(what: string): void {
    if (this.readonly)
      throw new InternalError(`${what} called on event store '${this.path}' opened read-only`);
  }

  private recordContext(ctx: ParseContext): void {
    const zones = JSON.stringify({ zoneByHost: ctx.zoneByHost, defaultZone: ctx.defaultZone });
    if (zones !== this.zonesJson) {
      this.db
        .prepare(
          "INSERT INTO meta (key, value) VALUES ('zones', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .run(zones);
      this.zonesJson = zones;
    }
    if (ctx.referenceMs !== this.lastReferenceMs) {
      const { next } = this.db.prepare('SELECT coalesce(max(id), 0) + 1 AS next FROM message').get() as {
        next: number;
      };
      this.db
        .prepare(
          'INSERT INTO parse_batch (first_id, reference_ms) VALUES (?, ?) ON CONFLICT (first_id) DO UPDATE SET reference_ms = excluded.reference_ms',
        )
        .run(next, ctx.referenceMs);
      this.lastReferenceMs = ctx.referenceMs;
    }
  }

  /**
   * Parses and stores a batch in ONE transaction: all of it is committed or none (GV_STORE_WRITE).
   * `ctx.referenceMs` and the zones are recorded so `reparse` can re-derive with the same settings.
   */
  appendRaw(batch: readonly RawMessage[], ctx: ParseContext): { stored: number; rejected: number } {
    const results = new Array<ParseResult>(batch.length);
    for (let i = 0; i < batch.length; i++) results[i] = parseMessage((batch[i] as RawMessage).bytes, ctx);
    return this.appendParsed(batch, results, ctx);
  }

  /**
   * Stores a batch whose messages were already parsed with `ctx` (results[i] belongs to batch[i]), in one
   * transaction. appendRaw is this plus the parse.
   */
  appendParsed(
    batch: readonly RawMessage[],
    results: readonly ParseResult[],
    ctx: ParseContext,
  ): { stored: number; rejected: number } {
    if (results.length !== batch.length) {
      throw new InternalError(`appendParsed: ${batch.length} messages but ${results.length} parse results`);
    }
    const builder = new EncodedBatchBuilder();
    for (let i = 0; i < batch.length; i++) builder.add(batch[i] as RawMessage, results[i] as ParseResult);
    return this.appendEncoded(builder.finish(), ctx);
  }

  /**
   * Stores an encoded batch (row-codec.ts: what a parsing worker thread hands over) in one transaction:
   * all of it is committed or none (GV_STORE_WRITE). The fast path of `ingest`.
   */
  appendEncoded(batch: EncodedBatch, ctx: ParseContext): { stored: number; rejected: number } {
    this.requireWritable('appendEncoded');
    const n = batch.count;
    let rejected = 0;
    for (let i = 0; i < n; i++) rejected += batch.rejected[i] as number;
    if (n === 0) return { stored: 0, rejected: 0 };
    try {
      this.db.transaction(() => {
        this.recordContext(ctx);
        const kindIds = batch.kinds.map((k) => this.kindId(k.name, k.rejection));
        // nameIds[0] is null: index 0 in batch.host / batch.via means "no value".
        const nameIds: (number | null)[] = [null, ...batch.names.map((text) => this.nameId(text))];
        const sourceIds = batch.sources.map((src) =>
          this.sourceId(src.transport, src.peer, src.originBase, src.trusted),
        );
        const many = (this.insertMany ??= this.db.prepare(
          `INSERT INTO message (${COLUMNS}) VALUES ${Array(ROWS_PER_INSERT)
            .fill(`(${Array(COLUMN_COUNT).fill('?').join(',')})`)
            .join(',')}`,
        ));
        const one = (this.insertOne ??= this.db.prepare(
          `INSERT INTO message (${COLUMNS}) VALUES (${Array(COLUMN_COUNT).fill('?').join(',')})`,
        ));
        const data = batch.data;
        const dataBuffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        const args: Row = new Array(ROWS_PER_INSERT * COLUMN_COUNT);
        const single: Row = new Array(COLUMN_COUNT);
        // Rows go ROWS_PER_INSERT at a time while that many remain, then one by one.
        const bulkEnd = n - (n % ROWS_PER_INSERT);
        let j = 0;
        let start = 0;
        for (let i = 0; i < n; i++) {
          const bulk = i < bulkEnd;
          const out = bulk ? args : single;
          const at = bulk ? j * COLUMN_COUNT : 0;
          const end = batch.ends[i] as number;
          const k = i * 4;
          const line = batch.line[i] as number;
          const time = batch.nums[k] as number;
          const pid = batch.nums[k + 1] as number;
          const ip = batch.nums[k + 2] as number;
          const mac = batch.nums[k + 3] as number;
          out[at] = batch.receivedMs[i] as number;
          out[at + 1] = sourceIds[batch.source[i] as number] as number;
          out[at + 2] = Number.isNaN(line) ? null : line;
          out[at + 3] = dataBuffer.subarray(start, end);
          out[at + 4] = kindIds[batch.kind[i] as number] as number;
          out[at + 5] = Number.isNaN(time) ? null : time;
          out[at + 6] = nameIds[batch.host[i] as number] as number | null;
          out[at + 7] = Number.isNaN(pid) ? null : pid;
          out[at + 8] = Number.isNaN(ip) ? null : ip;
          out[at + 9] = Number.isNaN(mac) ? null : mac;
          out[at + 10] = nameIds[batch.via[i] as number] as number | null;
          out[at + 11] = batch.rest[i] as string | null;
          start = end;
          if (!bulk) {
            one.run(single);
          } else if (++j === ROWS_PER_INSERT) {
            many.run(args);
            j = 0;
          }
        }
      })();
    } catch (err) {
      // The dictionaries may hold ids the rollback just removed.
      this.loadDictionaries();
      if (err instanceof AuditError) throw err;
      throw new AuditError(
        'GV_STORE_WRITE',
        `writing ${n} messages to event store '${this.path}' failed (${sqliteCode(err) || 'error'}): ${(err as Error).message}; earlier batches stay committed`,
        { cause: err },
      );
    }
    return { stored: n, rejected };
  }

  /** Appends collector snapshots (one row each); `stats()` shows the latest per listener. */
  recordChannelStats(stats: readonly ChannelStats[]): void {
    this.requireWritable('recordChannelStats');
    const insert = this.db.prepare(
      'INSERT INTO channel_stats (at_ms, listener, received, stored, rejected, untrusted, kernel_drops, app_drops, connections, run_started_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    try {
      this.db.transaction(() => {
        for (const s of stats) {
          insert.run(
            s.atMs,
            s.listener,
            s.received,
            s.stored,
            s.rejected,
            s.untrusted,
            s.kernelDrops,
            s.appDrops,
            s.connections,
            s.runStartedMs ?? null,
          );
        }
      })();
    } catch (err) {
      throw new AuditError(
        'GV_STORE_WRITE',
        `writing channel stats to event store '${this.path}' failed: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  private untrustedSourceIds(): number[] {
    this.loadSources();
    return [...this.sources.values()].filter((s) => s.trusted === 0).map((s) => s.id);
  }

  private loadSources(): void {
    for (const r of this.db
      .prepare('SELECT id, transport, peer, origin, trusted FROM source')
      .all() as SourceRow[]) {
      if (!this.sources.has(r.id)) {
        this.sourceIds.set(sourceKey(r.transport, r.peer, r.origin, r.trusted === 1), r.id);
        this.sources.set(r.id, r);
      }
    }
  }

  /**
   * Stored events in sender-time order, then id, streamed (the caller must not write to this store
   * while iterating). Rejections never appear; untrusted messages only with `includeUntrusted`.
   */
  *queryEvents(filter: QueryFilter = {}): IterableIterator<StoredEvent> {
    const where: string[] = [];
    const params: number[] = [];
    const eventKindIds = [...this.kindNames.entries()].filter(([, k]) => !k.rejection).map(([id]) => id);
    if (filter.kinds !== undefined) {
      const ids = filter.kinds
        .map((k) => this.eventKindIds.get(k))
        .filter((id): id is number => id !== undefined);
      if (ids.length === 0) return;
      where.push(`kind IN (${ids.join(',')})`);
    } else {
      where.push(`kind IN (${eventKindIds.join(',')})`);
    }
    if (filter.fromMs !== undefined) {
      where.push('time_ms >= ?');
      params.push(filter.fromMs);
    }
    if (filter.toMs !== undefined) {
      where.push('time_ms < ?');
      params.push(filter.toMs);
    }
    if (filter.includeUntrusted !== true) {
      const untrusted = this.untrustedSourceIds();
      if (untrusted.length > 0) where.push(`source NOT IN (${untrusted.join(',')})`);
    }
    const stmt = this.db.prepare(
      `SELECT id, received_ms, kind, time_ms, host, pid, ip, mac, via, body FROM message WHERE ${where.join(' AND ')} ORDER BY time_ms, id`,
    );
    for (const row of stmt.iterate(...params) as IterableIterator<MessageRow>) {
      yield this.decodeEvent(row);
    }
  }

  private decodeEvent(row: MessageRow): StoredEvent {
    const body = decodeBody(row.ip, row.mac, row.via === null ? null : this.nameText(row.via), row.body);
    body.kind = this.kindName(row.kind).name;
    body.timeMs = row.time_ms;
    body.host = row.host === null ? '' : this.nameText(row.host);
    body.pid = row.pid;
    body.id = row.id;
    body.rawId = row.id;
    body.receivedMs = row.received_ms;
    return body as unknown as StoredEvent;
  }

  /**
   * The raw line behind each event id, in the order given (duplicates and unknown ids skipped).
   * Bytes are decoded as UTF-8 with invalid sequences replaced (U+FFFD).
   */
  evidenceLines(eventIds: readonly number[]): EvidenceLine[] {
    const unique = [...new Set(eventIds)];
    const byId = new Map<number, string>();
    const decoder = new TextDecoder('utf-8');
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT id, bytes FROM message WHERE id IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk) as { id: number; bytes: Buffer }[];
      for (const r of rows) byId.set(r.id, decoder.decode(r.bytes));
    }
    const out: EvidenceLine[] = [];
    for (const id of unique) {
      const text = byId.get(id);
      if (text !== undefined) out.push({ rawId: id, text });
    }
    return out;
  }

  /** Counts per kind and reason, untrusted, time span and the latest channel figures. */
  stats(): StoreStats {
    this.loadDictionaries();
    const out: StoreStats = {
      messages: 0,
      events: 0,
      rejected: 0,
      untrusted: 0,
      byKind: {},
      rejectionsByReason: {},
      firstTimeMs: null,
      lastTimeMs: null,
      listeners: [],
      channel: {
        received: 0,
        stored: 0,
        rejected: 0,
        untrusted: 0,
        kernelDrops: 0,
        appDrops: 0,
        connections: 0,
      },
    };
    const groups = this.db
      .prepare('SELECT kind, source, count(*) AS n FROM message GROUP BY kind, source')
      .all() as {
      kind: number;
      source: number;
      n: number;
    }[];
    for (const g of groups) {
      out.messages += g.n;
      if (this.sources.get(g.source)?.trusted === 0) {
        out.untrusted += g.n;
        continue;
      }
      const k = this.kindName(g.kind);
      if (k.rejection) {
        out.rejected += g.n;
        const reason = k.name as RejectionReason;
        out.rejectionsByReason[reason] = (out.rejectionsByReason[reason] ?? 0) + g.n;
      } else {
        out.events += g.n;
        const kind = k.name as EventKind;
        out.byKind[kind] = (out.byKind[kind] ?? 0) + g.n;
      }
    }
    const span = this.db.prepare('SELECT min(time_ms) AS first, max(time_ms) AS last FROM message').get() as {
      first: number | null;
      last: number | null;
    };
    out.firstTimeMs = span.first;
    out.lastTimeMs = span.last;
    // SQLite takes the bare columns from the row holding max(at_ms): the latest snapshot per listener
    // and collector run (counters restart from 0 with each run, so each run's latest figures add up).
    const latest = this.db
      .prepare(
        'SELECT max(at_ms) AS at_ms, listener, received, stored, rejected, untrusted, kernel_drops, app_drops, connections, run_started_ms FROM channel_stats GROUP BY listener, run_started_ms ORDER BY listener, run_started_ms',
      )
      .all() as ChannelStatsRow[];
    for (const l of latest) {
      const s = channelStatsFromRow(l);
      out.listeners.push(s);
      out.channel.received += s.received;
      out.channel.stored += s.stored;
      out.channel.rejected += s.rejected;
      out.channel.untrusted += s.untrusted;
      out.channel.kernelDrops += s.kernelDrops;
      out.channel.appDrops += s.appDrops;
      out.channel.connections += s.connections;
    }
    return out;
  }

  /** Every ChannelStats snapshot recorded, oldest first (by atMs, then insertion), for loss intervals. */
  channelStatsHistory(): ChannelStats[] {
    const rows = this.db
      .prepare(
        'SELECT at_ms, listener, received, stored, rejected, untrusted, kernel_drops, app_drops, connections, run_started_ms FROM channel_stats ORDER BY at_ms, id',
      )
      .all() as ChannelStatsRow[];
    return rows.map(channelStatsFromRow);
  }

  /** The zone settings the last append (or reparse) used; null for an empty store. */
  storedZones(): ZoneSettings | null {
    return this.zonesJson === null ? null : (JSON.parse(this.zonesJson) as ZoneSettings);
  }

  /**
   * Re-derives every event from its raw row with `ctx`'s zones, in one transaction (all rows change or
   * none). Each row keeps the year reference it was first parsed with (parse_batch); `ctx.referenceMs`
   * only applies to rows stored before any reference was recorded. Returns the new totals.
   */
  reparse(
    ctx: ParseContext,
    onProgress?: (done: number, total: number) => void,
  ): { events: number; rejected: number } {
    this.requireWritable('reparse');
    let events = 0;
    let rejected = 0;
    try {
      this.db.transaction(() => {
        const refs = this.db
          .prepare('SELECT first_id, reference_ms FROM parse_batch ORDER BY first_id')
          .all() as {
          first_id: number;
          reference_ms: number;
        }[];
        const { total } = this.db.prepare('SELECT count(*) AS total FROM message').get() as { total: number };
        const select = this.db.prepare(
          'SELECT id, kind, bytes FROM message WHERE id > ? ORDER BY id LIMIT ?',
        );
        // A frame the transport already cut (over --max-message-bytes) or left partial (connection closed
        // mid-frame) holds only part of a message: parsing its bytes again could make an event out of a
        // fragment, so such rejections are kept as they are.
        const keep = new Set(
          ['oversized', 'truncated'].map((r) => this.rejectionIds.get(r)).filter((id) => id !== undefined),
        );
        const update = this.db.prepare(
          'UPDATE message SET kind = ?, time_ms = ?, host = ?, pid = ?, ip = ?, mac = ?, via = ?, body = ? WHERE id = ?',
        );
        let refIndex = -1;
        let rowCtx: ParseContext = { ...ctx };
        let lastId = 0;
        let done = 0;
        const row: Row = new Array(COLUMN_COUNT);
        for (;;) {
          const rows = select.all(lastId, REPARSE_CHUNK) as { id: number; kind: number; bytes: Buffer }[];
          if (rows.length === 0) break;
          for (const r of rows) {
            if (keep.has(r.kind)) {
              rejected++;
              continue;
            }
            while (
              refIndex + 1 < refs.length &&
              (refs[refIndex + 1] as { first_id: number }).first_id <= r.id
            ) {
              refIndex++;
              rowCtx = { ...ctx, referenceMs: (refs[refIndex] as { reference_ms: number }).reference_ms };
            }
            const result = parseMessage(r.bytes, rowCtx);
            if (result.ok) events++;
            else rejected++;
            this.encodeParsed(result, row, 0);
            update.run(row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11], r.id);
          }
          lastId = (rows[rows.length - 1] as { id: number }).id;
          done += rows.length;
          onProgress?.(done, total);
        }
        const zones = JSON.stringify({ zoneByHost: ctx.zoneByHost, defaultZone: ctx.defaultZone });
        this.db
          .prepare(
            "INSERT INTO meta (key, value) VALUES ('zones', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          )
          .run(zones);
        this.zonesJson = zones;
      })();
    } catch (err) {
      this.loadDictionaries();
      if (err instanceof AuditError) throw err;
      throw new AuditError(
        'GV_STORE_WRITE',
        `reparse of event store '${this.path}' failed, nothing changed: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    return { events, rejected };
  }

  /** Writes the parsed columns (kind .. body) of a row at `at` + 4 .. `at` + 11. */
  private encodeParsed(result: ParseResult, out: Row, at: number): void {
    if (result.ok) {
      const e = result.event;
      const enc = encodeBody(e, this.bodyScratch);
      out[at + 4] = this.kindId(e.kind, false);
      out[at + 5] = e.timeMs;
      out[at + 6] = this.nameId(e.host);
      out[at + 7] = e.pid;
      out[at + 8] = enc.ip;
      out[at + 9] = enc.mac;
      out[at + 10] = enc.via === null ? null : this.nameId(enc.via);
      out[at + 11] = enc.rest;
    } else {
      out[at + 4] = this.kindId(result.rejection.reason, true);
      out[at + 5] = null;
      out[at + 6] = null;
      out[at + 7] = null;
      out[at + 8] = null;
      out[at + 9] = null;
      out[at + 10] = null;
      out[at + 11] = result.rejection.detail;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface ChannelStatsRow {
  at_ms: number;
  listener: string;
  received: number;
  stored: number;
  rejected: number;
  untrusted: number;
  kernel_drops: number;
  app_drops: number;
  connections: number;
  run_started_ms: number | null;
}

function channelStatsFromRow(l: ChannelStatsRow): ChannelStats {
  return {
    ...(l.run_started_ms === null ? {} : { runStartedMs: l.run_started_ms }),
    atMs: l.at_ms,
    listener: l.listener,
    received: l.received,
    stored: l.stored,
    rejected: l.rejected,
    untrusted: l.untrusted,
    kernelDrops: l.kernel_drops,
    appDrops: l.app_drops,
    connections: l.connections,
  };
}

function sourceKey(transport: string, peer: string | null, origin: string | null, trusted: boolean): string {
  return JSON.stringify([transport, peer, origin, trusted]);
}

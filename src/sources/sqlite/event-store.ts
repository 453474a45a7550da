/**
 * The event store: a SQLite file (WAL, 64 KiB pages) holding every raw message exactly as received and
 * the event parsed from it, side by side, so a parser fix can be replayed over history (`reparse`).
 * Each append is one row of `batch` holding its messages column-wise (schema.ts BATCH_LAYOUT); ids are
 * dense within a batch (first_id + index).
 *
 * Invariants:
 * - Every message passed to appendRaw is stored, parsed or not, trusted or not. Nothing is dropped.
 * - One append call is one (IMMEDIATE) transaction: after a crash a batch is either all there or absent.
 * - Untrusted messages (RawMessage.trusted = false) never come out of queryEvents unless asked.
 * - Event id = raw id: the id a finding cites stays valid across `reparse`.
 * - An ingest append and its input's checkpoint (ingest_input) commit in the same transaction, so after a
 *   crash the checkpoint is exactly where the stored lines end.
 * - A line that reached the store by two channels comes out of queryEvents once (see queryEvents); both
 *   raw copies stay stored.
 *
 * This edge module calls the parser (parse/ is pure): the store, not its callers, decides how a raw
 * row becomes an event, which is what makes `reparse` mean the same thing as the first ingest.
 */
import { endianness } from 'node:os';
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
import { keepOfSecond } from './dedupe-copies.js';
import { hourOf, KIND_KEY_BASE, LOOKUP_KINDS, lookupEntries, MAC_KEY_BASE } from './lookup-keys.js';
import {
  allocColumns,
  decodeBody,
  decodeColumns,
  decodeEnds,
  encodeColumns,
  encodeEnds,
  encodeIpv4,
  encodeMac,
  EncodedBatchBuilder,
  RestWriter,
  type BatchColumns,
  type EncodedBatch,
  type EncodedBody,
} from './row-codec.js';
import {
  MAX_BATCH_MESSAGES,
  MIGRATION_3_FINISH,
  MIGRATIONS,
  SCHEMA_VERSION,
  STORE_APPLICATION_ID,
} from './schema.js';

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

/** The oldest schema a read-only handle reads without migrating (4 only added ingest checkpoints). */
const READABLE_FROM_VERSION = 3;

/** SQLite page size of the store files (see prepareSchema). */
const PAGE_BYTES = 65536;
/**
 * SQLite page cache per connection: 64 MiB keeps the time index and the tail of the table in memory
 * during bulk ingest and queries. The collector, which only appends, asks for far less (see
 * COLLECTOR_CACHE_KIB in collect/store-worker.ts): there a large cache only fills up as the store
 * grows, hours of RSS growth that look like a leak in a soak.
 */
const DEFAULT_CACHE_KIB = 65_536;
/** Messages per batch row when migration 3 converts a version-2 store. */
const MIGRATION_BATCH = 4096;
/**
 * Most raw bytes in one batch row: SQLite refuses BLOBs over 1 GB, and a query holds a whole batch in
 * memory. An append over this (only a direct appendRaw of huge messages gets there) is several rows.
 */
const MAX_BATCH_RAW_BYTES = 64 << 20;
/** Decoded batches a selection keeps (each ~0.5 MB for 4096 messages). */
const SELECTION_BATCHES = 16;
/** Far outside any sender time: the open ends of a query window. */
const TIME_MIN = -8.64e15;
const TIME_MAX = 8.64e15;
/** ParseContext.referenceMs in force from first_id on (parse_batch). */
interface ReferenceRow {
  first_id: number;
  reference_ms: number;
}
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
  /**
   * Every stored copy of a line, also when it came by several channels (a collector and a file of the
   * same host, or one file ingested as two inputs). Default false: such copies count once (queryEvents).
   */
  allCopies?: boolean;
  /** Inclusive lower bound on the sender time. */
  fromMs?: EpochMs;
  /** Exclusive upper bound on the sender time (half-open, STYLE.md §5). */
  toMs?: EpochMs;
  /** Include messages from untrusted peers. Default false. */
  includeUntrusted?: boolean;
}

/**
 * Where an `ingest` append leaves its input (an ingest_input row, schema.ts migration 4), written in the
 * append's own transaction. The file messages of the batch become messages of that input.
 */
export interface InputAppend {
  /** The input's ingest_input id; null for the first append of an input not seen before (the row is created). */
  id: number | null;
  /** The name it is read under now (`stdin` for standard input). */
  path: string;
  /** Fingerprint of the decompressed head (cli/ingest-checkpoint.ts); both null for stdin, never resumed. */
  headBytes: number | null;
  headHash: string | null;
  /** Input offset where the last line of this append ends (after its newline). */
  offset: number;
  /** Lines of the input stored, this append included. */
  lines: number;
}

/** An input ingest can continue (ingest_input with a fingerprint): what cli/ingest-checkpoint.ts decides on. */
export interface StoredInput {
  id: number;
  headBytes: number;
  headHash: string;
  offset: number;
  lines: number;
  path: string;
}

/** What an append stored; `inputId` only for an append with an InputAppend. */
export interface AppendResult {
  stored: number;
  rejected: number;
  inputId?: number;
}

/** What a lookup key names (EventStore.lookupKey). */
export type LookupKeyOf = { ip: string } | { mac: string } | { kind: EventKind };

/** A batch holding events of one lookup key in one hour, and the span of those events' sender times. */
export interface LookupSpan {
  firstId: number;
  minMs: number;
  maxMs: number;
}

/** Events picked through the lookup index (EventStore.newSelection); opaque to callers. */
export interface EventSelection {
  /** Selected events by id, with what the copy rule needs. */
  byId: Map<number, { event: StoredEvent; channel: number; host: number; copyKey: string }>;
  /** Batches decoded lately (SELECTION_BATCHES at most), oldest first. */
  batches: Map<number, OpenBatch>;
  /** More than one trusted channel: copies of a line are possible, so keys are built. */
  copies: boolean;
}

/** The zone settings of a ParseContext (its referenceMs is kept per batch, not here). */
export type ZoneSettings = Pick<ParseContext, 'zoneByHost' | 'defaultZone'>;

interface SourceRow {
  id: number;
  transport: Transport;
  peer: string | null;
  origin: string | null;
  trusted: number;
  /** ingest_input id of a file source's input; null for the collector's sources and files from before version 4. */
  input: number | null;
}

interface BatchRow {
  first_id: number;
  count: number;
  cols: Buffer;
  rest: Buffer;
}

/** A stored batch opened for reading: its columns and rest bytes. */
interface OpenBatch {
  firstId: number;
  cols: BatchColumns;
  /** Byte offset of message i's rest in `rest`. */
  restStart: Int32Array;
  rest: Buffer;
}

/** One stored batch opened by queryEvents: its selected messages in (time, id) order. */
interface QueryCursor extends OpenBatch {
  /** Indices of the selected messages, sorted by (timeMs, index). */
  order: Uint32Array;
  at: number;
  /** timeMs and id of order[at]. */
  timeMs: number;
  id: number;
}

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
  private readonly restScratch = new RestWriter();
  /** Kind ids by name: event kinds and rejection reasons apart (a name could in principle be both). */
  private eventKindIds = new Map<string, number>();
  private rejectionIds = new Map<string, number>();
  private zonesJson: string | null = null;
  private readonly statements = new Map<string, Database.Statement>();
  /** channelOf per source id. */
  private readonly channels: number[] = [];
  /** The schema this handle reads: SCHEMA_VERSION, or an older readable one opened read-only. */
  private schemaVersion = SCHEMA_VERSION;
  /** Appends write lookup entries (a writable store once migration 5 has run; see writeLookup). */
  private indexing = false;
  /** Per kind id, what the lookup index gets of its events (lookup-keys.ts lookupEntries). */
  private readonly lookupClass: (0 | 1 | 2)[] = [];

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
  static open(path: string, opts: { readonly?: boolean; cacheKiB?: number } = {}): EventStore {
    const readonly = opts.readonly === true;
    if (endianness() !== 'LE') {
      throw new AuditError(
        'GV_STORE_OPEN',
        `cannot open event store '${path}': its column BLOBs are little-endian and this machine is big-endian`,
      );
    }
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
      store.prepareSchema(opts.cacheKiB ?? DEFAULT_CACHE_KIB);
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

  /** The page cache this connection may use, in KiB (as `cacheKiB` asked, 64 MiB by default). */
  get pageCacheKiB(): number {
    return -(this.db.pragma('cache_size', { simple: true }) as number);
  }

  private prepareSchema(cacheKiB: number): void {
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
    // Read-only, a version-3 store is read as it is (version 4 only added ingest checkpoints): reading
    // commands (stats, events, verify) keep working on a store no new ingest has migrated yet.
    this.schemaVersion = this.readonly && version >= READABLE_FROM_VERSION ? version : SCHEMA_VERSION;
    if (version < SCHEMA_VERSION && !(this.readonly && version >= READABLE_FROM_VERSION)) {
      if (this.readonly) {
        throw new AuditError(
          'GV_STORE_SCHEMA',
          `event store '${this.path}' has schema version ${version} and needs migrating to ${SCHEMA_VERSION}; open it once with a writing command (ingest, reparse)`,
        );
      }
      // 64 KiB pages: a batch row is a few hundred KiB of BLOBs, and with 4 KiB pages SQLite spent twice
      // as long walking overflow chains (measured: 1.0 s vs 0.43 s to commit 1M messages' worth).
      // page_size only takes effect on a file with no tables yet; older stores get it by VACUUM below.
      if (version === 0) this.db.pragma(`page_size = ${PAGE_BYTES}`);
      this.migrate(version);
      if (version > 0 && version < 3) this.enlargePages();
    }
    this.indexing = !this.readonly && this.schemaVersion >= 5;
    if (!this.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    }
    this.db.pragma(`cache_size = -${Math.max(64, Math.round(cacheKiB))}`);
    this.loadDictionaries();
  }

  /**
   * Rewrites a migrated store with PAGE_BYTES pages (VACUUM; the file must leave WAL mode for that).
   * Only speed depends on it: when another process holds the store (SQLITE_BUSY), it stays as it is.
   */
  private enlargePages(): void {
    if ((this.db.pragma('page_size', { simple: true }) as number) >= PAGE_BYTES) return;
    try {
      // Another connection holding the file keeps it in WAL mode; then leave the pages as they are.
      if (this.db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') return;
      this.db.pragma(`page_size = ${PAGE_BYTES}`);
      this.db.exec('VACUUM');
    } catch {
      // Busy or out of space: VACUUM is atomic, the store is unchanged and still valid.
    }
  }

  private migrate(from: number): void {
    for (let v = from; v < SCHEMA_VERSION; v++) {
      const sql = MIGRATIONS[v] as string;
      this.db.transaction(() => {
        this.db.exec(sql);
        if (v === 2) {
          this.convertMessageRows();
          this.db.exec(MIGRATION_3_FINISH);
        }
        if (v === 4) this.indexAllBatches();
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
    this.channels.length = 0;
    for (const r of this.db.prepare(this.sourceSql()).all() as SourceRow[]) {
      this.sourceIds.set(sourceKey(r.transport, r.peer, r.origin, r.trusted === 1, r.input), r.id);
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

  /**
   * A dictionary entry by id; on a miss the dictionary is reloaded once (another process, the collector,
   * may have added it since we opened), and a second miss is a bug.
   */
  private lookup<T>(map: ReadonlyMap<number, T>, id: number, reload: () => void, table: string): T {
    let v = map.get(id);
    if (v === undefined) {
      reload();
      v = map.get(id);
      if (v === undefined)
        throw new InternalError(`${table} id ${id} missing from the ${table} table of '${this.path}'`);
    }
    return v;
  }

  private nameText(id: number): string {
    return this.lookup(this.nameTexts, id, () => this.loadDictionaries(), 'name');
  }

  private kindName(id: number): { name: string; rejection: boolean } {
    return this.lookup(this.kindNames, id, () => this.loadDictionaries(), 'kind');
  }

  private sourceId(
    transport: Transport,
    peer: string | null,
    originBase: string | null,
    trusted: boolean,
    input: number | null,
  ): number {
    const key = sourceKey(transport, peer, originBase, trusted, input);
    const id = this.sourceIds.get(key);
    if (id !== undefined) return id;
    const info = this.db
      .prepare('INSERT INTO source (transport, peer, origin, trusted, input) VALUES (?, ?, ?, ?, ?)')
      .run(transport, peer, originBase, trusted ? 1 : 0, input);
    const newId = Number(info.lastInsertRowid);
    this.sourceIds.set(key, newId);
    this.sources.set(newId, {
      id: newId,
      transport,
      peer,
      origin: originBase,
      trusted: trusted ? 1 : 0,
      input,
    });
    return newId;
  }

  private requireWritable(what: string): void {
    if (this.readonly)
      throw new InternalError(`${what} called on event store '${this.path}' opened read-only`);
  }

  /**
   * Records the zones and year reference of an append (inside its write transaction). Compared with
   * what the file holds, not with what this process last wrote: a collector and an ingest may share a
   * store, and each batch must be reparsed with its own reference.
   */
  private recordContext(ctx: ParseContext): void {
    const zones = JSON.stringify({ zoneByHost: ctx.zoneByHost, defaultZone: ctx.defaultZone });
    const stored = this.statement("SELECT value FROM meta WHERE key = 'zones'").get() as
      { value: string } | undefined;
    this.zonesJson = stored?.value ?? null;
    const ref = this.statement(
      'SELECT reference_ms FROM parse_batch ORDER BY first_id DESC LIMIT 1',
    ).get() as { reference_ms: number } | undefined;
    this.lastReferenceMs = ref?.reference_ms ?? null;
    if (zones !== this.zonesJson) {
      this.statement(
        "INSERT INTO meta (key, value) VALUES ('zones', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).run(zones);
      this.zonesJson = zones;
    }
    if (ctx.referenceMs !== this.lastReferenceMs) {
      const next = this.nextId();
      this.statement(
        'INSERT INTO parse_batch (first_id, reference_ms) VALUES (?, ?) ON CONFLICT (first_id) DO UPDATE SET reference_ms = excluded.reference_ms',
      ).run(next, ctx.referenceMs);
      this.lastReferenceMs = ctx.referenceMs;
    }
  }

  /**
   * Parses and stores a batch in ONE transaction: all of it is committed or none (GV_STORE_WRITE).
   * `ctx.referenceMs` and the zones are recorded so `reparse` can re-derive with the same settings.
   */
  appendRaw(batch: readonly RawMessage[], ctx: ParseContext, input?: InputAppend): AppendResult {
    const results = new Array<ParseResult>(batch.length);
    for (let i = 0; i < batch.length; i++) results[i] = parseMessage((batch[i] as RawMessage).bytes, ctx);
    return this.appendParsed(batch, results, ctx, input);
  }

  /**
   * Stores a batch whose messages were already parsed with `ctx` (results[i] belongs to batch[i]), in one
   * transaction. appendRaw is this plus the parse.
   */
  appendParsed(
    batch: readonly RawMessage[],
    results: readonly ParseResult[],
    ctx: ParseContext,
    input?: InputAppend,
  ): AppendResult {
    if (results.length !== batch.length) {
      throw new InternalError(`appendParsed: ${batch.length} messages but ${results.length} parse results`);
    }
    const builder = new EncodedBatchBuilder();
    for (let i = 0; i < batch.length; i++) builder.add(batch[i] as RawMessage, results[i] as ParseResult);
    return this.appendEncoded(builder.finish(), ctx, input);
  }

  /**
   * Stores an encoded batch (row-codec.ts: what a parsing worker thread hands over) in one transaction:
   * all of it is committed or none (GV_STORE_WRITE). The fast path of `ingest`. The batch becomes one
   * `batch` row; its messages get the ids next .. next + count - 1. With `input` (ingest), the input's
   * checkpoint moves in the same transaction and the batch's file messages become that input's.
   */
  appendEncoded(batch: EncodedBatch, ctx: ParseContext, input?: InputAppend): AppendResult {
    this.requireWritable('appendEncoded');
    if (batch.unparsed === true) return this.appendEncoded(parseEncoded(batch, ctx), ctx, input);
    const n = batch.count;
    let rejected = 0;
    for (let i = 0; i < n; i++) rejected += batch.rejected[i] as number;
    if (n === 0)
      return input === undefined || input.id === null
        ? { stored: 0, rejected: 0 }
        : { stored: 0, rejected: 0, inputId: input.id };
    checkEncodedBatch(batch);
    let inputId: number | null = null;
    try {
      this.db
        .transaction(() => {
          this.recordContext(ctx);
          if (input !== undefined) inputId = this.recordInput(input, batch.receivedMs[n - 1] as number);
          const kindIds = batch.kinds.map((k) => this.kindId(k.name, k.rejection));
          // nameIds[0] is 0 (null): index 0 in batch.host / batch.via means "no value".
          const nameIds = [0, ...batch.names.map((text) => this.nameId(text))];
          const sourceIds = batch.sources.map((src) =>
            this.sourceId(
              src.transport,
              src.peer,
              src.originBase,
              src.trusted,
              src.transport === 'file' ? inputId : null,
            ),
          );
          const cols: BatchColumns = {
            count: n,
            receivedMs: batch.receivedMs,
            line: batch.line,
            timeMs: batch.timeMs,
            pid: batch.pid,
            ip: batch.ip,
            mac: batch.mac,
            source: new Uint32Array(n),
            host: new Uint32Array(n),
            via: new Uint32Array(n),
            restLen: batch.restLen,
            kind: new Uint16Array(n),
          };
          for (let i = 0; i < n; i++) {
            cols.source[i] = sourceIds[batch.source[i] as number] as number;
            cols.kind[i] = kindIds[batch.kind[i] as number] as number;
            cols.host[i] = nameIds[batch.host[i] as number] as number;
            cols.via[i] = nameIds[batch.via[i] as number] as number;
          }
          const data = batch.data;
          this.writeBatch(
            this.nextId(),
            cols,
            Buffer.from(data.buffer, data.byteOffset, data.byteLength),
            batch.ends,
            Buffer.from(batch.rest.buffer, batch.rest.byteOffset, batch.rest.byteLength),
          );
        })
        .immediate();
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
    return inputId === null ? { stored: n, rejected } : { stored: n, rejected, inputId };
  }

  /** Creates or moves an input's checkpoint (inside the append's transaction); returns its id. */
  private recordInput(input: InputAppend, atMs: number): number {
    if (input.id === null) {
      const info = this.statement(
        'INSERT INTO ingest_input (head_bytes, head_hash, offset, lines, path, updated_ms) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(input.headBytes, input.headHash, input.offset, input.lines, input.path, atMs);
      return Number(info.lastInsertRowid);
    }
    const info = this.statement(
      'UPDATE ingest_input SET head_bytes = ?, head_hash = ?, offset = ?, lines = ?, path = ?, updated_ms = ? WHERE id = ?',
    ).run(input.headBytes, input.headHash, input.offset, input.lines, input.path, atMs, input.id);
    if (info.changes !== 1) {
      throw new InternalError(
        `ingest input ${input.id} is missing from the ingest_input table of '${this.path}'`,
      );
    }
    return input.id;
  }

  /** The source table's rows (`input` NULL in a version-3 store read as it is). */
  private sourceSql(): string {
    return `SELECT id, transport, peer, origin, trusted, ${this.schemaVersion >= 4 ? 'input' : 'NULL AS input'} FROM source`;
  }

  /** The inputs ingest can continue (those with a fingerprint), oldest first. */
  inputCheckpoints(): StoredInput[] {
    if (this.schemaVersion < 4) return [];
    return (
      this.statement(
        'SELECT id, head_bytes, head_hash, offset, lines, path FROM ingest_input WHERE head_hash IS NOT NULL ORDER BY id',
      ).all() as {
        id: number;
        head_bytes: number;
        head_hash: string;
        offset: number;
        lines: number;
        path: string;
      }[]
    ).map((r) => ({
      id: r.id,
      headBytes: r.head_bytes,
      headHash: r.head_hash,
      offset: r.offset,
      lines: r.lines,
      path: r.path,
    }));
  }

  /** The id the next appended message gets (inside the writing transaction: another process may have appended). */
  private nextId(): number {
    const row = this.statement(
      'SELECT first_id + count AS next FROM batch ORDER BY first_id DESC LIMIT 1',
    ).get() as { next: number } | undefined;
    return row?.next ?? 1;
  }

  /** A prepared statement, prepared once per store handle (every per-batch query goes through here). */
  private statement(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /**
   * Inserts a batch as rows of at most MAX_BATCH_MESSAGES messages (ids firstId ..), with their counts.
   * `cols` holds store ids; `rest` is the concatenated rest bytes (cols.restLen).
   */
  private writeBatch(
    firstId: number,
    cols: BatchColumns,
    raw: Buffer,
    ends: Uint32Array,
    rest: Buffer,
  ): void {
    if (cols.count <= MAX_BATCH_MESSAGES && raw.length <= MAX_BATCH_RAW_BYTES) {
      this.writeBatchRow(firstId, cols, raw, ends, rest);
      return;
    }
    let rawAt = 0;
    let restAt = 0;
    for (let from = 0, to = 0; from < cols.count; from = to) {
      // Up to MAX_BATCH_MESSAGES messages and MAX_BATCH_RAW_BYTES bytes (at least one message).
      to = from + 1;
      const limit = Math.min(cols.count, from + MAX_BATCH_MESSAGES);
      while (to < limit && (ends[to] as number) - rawAt <= MAX_BATCH_RAW_BYTES) to++;
      const part = sliceColumns(cols, from, to);
      const partEnds = new Uint32Array(to - from);
      for (let i = from; i < to; i++) partEnds[i - from] = (ends[i] as number) - rawAt;
      let restBytes = 0;
      for (let i = 0; i < part.count; i++) restBytes += Math.max(0, part.restLen[i] as number);
      const rawEnd = ends[to - 1] as number;
      this.writeBatchRow(
        firstId + from,
        part,
        raw.subarray(rawAt, rawEnd),
        partEnds,
        rest.subarray(restAt, restAt + restBytes),
      );
      rawAt = rawEnd;
      restAt += restBytes;
    }
  }

  private writeBatchRow(
    firstId: number,
    cols: BatchColumns,
    raw: Buffer,
    ends: Uint32Array,
    rest: Buffer,
  ): void {
    const span = timeSpan(cols);
    const e = encodeEnds(ends);
    const insert = this.statement(
      'INSERT INTO batch (first_id, count, min_time_ms, max_time_ms, ends_width, ends, raw, cols, rest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run(firstId, cols.count, span.min, span.max, e.width, e.text, raw, encodeColumns(cols), rest);
    this.writeCounts(firstId, cols);
    if (this.indexing) this.writeLookup(firstId, cols);
  }

  /** What the lookup index gets of a kind's events: 0 nothing (a rejection), 1 the kind, 2 also address and MAC. */
  private lookupClassOf(kindId: number): 0 | 1 | 2 {
    let c = this.lookupClass[kindId];
    if (c === undefined) {
      const k = this.kindName(kindId);
      c = k.rejection ? 0 : (LOOKUP_KINDS as readonly string[]).includes(k.name) ? 2 : 1;
      this.lookupClass[kindId] = c;
    }
    return c;
  }

  /**
   * The lookup entries of one batch row (`cols` with store ids), inside the writing transaction.
   *
   * Why two tables: an append's entries (one per client action and key) have keys spread over the whole
   * address space, so in the hour-first `lookup` they would land in the middle of the current hour's pages:
   * with 64 KiB pages each insert moves half a page and each commit rewrites every page of the hour
   * (measured: the store's append rate halved). So the open hours' entries go to `lookup_recent`, keyed by
   * batch (an append adds to its end), and once the appends reach a later hour, the hours before the
   * previous one move to `lookup` sorted by key: then they too are added at its end, each page written once.
   * Entries for hours already moved (a late file) go straight to `lookup`.
   */
  private writeLookup(firstId: number, cols: BatchColumns): void {
    const entries = lookupEntries(
      cols,
      (k) => this.lookupClassOf(k),
      (s) => this.source(s).trusted === 1,
    );
    if (entries.length === 0) return;
    const openRow = this.statement("SELECT value FROM meta WHERE key = 'lookup_open_hour'").get() as
      { value: string } | undefined;
    let open = openRow === undefined ? Number.NEGATIVE_INFINITY : Number(openRow.value);
    const recent = this.statement(
      'INSERT INTO lookup_recent (first_id, hour, key, min_ms, max_ms) VALUES (?, ?, ?, ?, ?)',
    );
    const closed = this.statement(
      'INSERT INTO lookup (hour, key, first_id, min_ms, max_ms) VALUES (?, ?, ?, ?, ?)',
    );
    for (const e of entries) {
      if (e.hour >= open) recent.run(firstId, e.hour, e.key, e.minMs, e.maxMs);
      else closed.run(e.hour, e.key, firstId, e.minMs, e.maxMs);
    }
    // The batch's middle hour (not its last: one line with a wrong clock must not close the hours).
    const hours = entries.map((e) => e.hour).sort((x, y) => x - y);
    const now = hours[hours.length >> 1] as number;
    // Entries of the hours from `open` on are in lookup_recent, earlier ones in lookup (lookupHour reads so).
    if (!Number.isFinite(open)) open = hours[0] as number;
    if (now - 1 > open) {
      this.statement(
        'INSERT INTO lookup (hour, key, first_id, min_ms, max_ms) SELECT hour, key, first_id, min_ms, max_ms FROM lookup_recent WHERE hour < ? ORDER BY hour, key, first_id',
      ).run(now - 1);
      this.statement('DELETE FROM lookup_recent WHERE hour < ?').run(now - 1);
      open = now - 1;
    }
    if (openRow === undefined || Number(openRow.value) !== open) {
      this.statement(
        "INSERT INTO meta (key, value) VALUES ('lookup_open_hour', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).run(String(open));
    }
  }

  /**
   * Migration 5: the lookup entries of every batch already stored, oldest first (so, like appends, they land
   * in the current hours' pages). Pages through the batches: a statement cannot run while another iterates.
   */
  private indexAllBatches(): void {
    this.loadDictionaries();
    const select = this.db.prepare(
      'SELECT first_id, count, cols FROM batch WHERE first_id > ? ORDER BY first_id LIMIT 64',
    );
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = select.all(after) as { first_id: number; count: number; cols: Buffer }[];
      if (rows.length === 0) break;
      for (const r of rows) {
        const cols = decodeColumns(r.cols);
        if (cols === null || cols.count !== r.count) {
          throw new InternalError(`batch ${r.first_id} of event store '${this.path}' has unreadable columns`);
        }
        this.writeLookup(r.first_id, cols);
      }
      after = (rows[rows.length - 1] as { first_id: number }).first_id;
    }
  }

  /** The batch_count rows of one batch: messages per (kind, source). */
  private writeCounts(firstId: number, cols: BatchColumns): void {
    const counts = new Map<number, number>();
    let lastKey = -1;
    let run = 0;
    for (let i = 0; i < cols.count; i++) {
      const key = (cols.kind[i] as number) * 4294967296 + (cols.source[i] as number);
      if (key === lastKey) {
        run++;
        continue;
      }
      if (run > 0) counts.set(lastKey, (counts.get(lastKey) ?? 0) + run);
      lastKey = key;
      run = 1;
    }
    if (run > 0) counts.set(lastKey, (counts.get(lastKey) ?? 0) + run);
    const insert = this.statement('INSERT INTO batch_count (first_id, kind, source, n) VALUES (?, ?, ?, ?)');
    for (const [key, n] of counts) {
      insert.run(firstId, Math.floor(key / 4294967296), key % 4294967296, n);
    }
  }

  /**
   * Migration 3: turns the version-2 `message` rows into batches of up to MIGRATION_BATCH messages with
   * consecutive ids (a gap in the ids, or a new year reference in parse_batch, starts a new batch), so
   * every id and every parsed column stays as it was.
   */
  private convertMessageRows(): void {
    const refStarts = new Set(
      (this.db.prepare('SELECT first_id FROM parse_batch').all() as { first_id: number }[]).map(
        (r) => r.first_id,
      ),
    );
    const select = this.db.prepare(
      'SELECT id, received_ms, source, line, bytes, kind, time_ms, host, pid, ip, mac, via, body FROM message WHERE id > ? ORDER BY id LIMIT ?',
    );
    let lastId = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = select.all(lastId, MIGRATION_BATCH) as V2MessageRow[];
      if (rows.length === 0) break;
      let start = 0;
      for (let i = 1; i <= rows.length; i++) {
        const id = i < rows.length ? (rows[i] as V2MessageRow).id : Number.NaN;
        if (i < rows.length && id === (rows[i - 1] as V2MessageRow).id + 1 && !refStarts.has(id)) continue;
        this.writeV2Rows(rows.slice(start, i));
        start = i;
      }
      lastId = (rows[rows.length - 1] as V2MessageRow).id;
    }
  }

  private writeV2Rows(rows: V2MessageRow[]): void {
    const n = rows.length;
    const cols = allocColumns(n);
    const ends = new Uint32Array(n);
    const bytes: Buffer[] = [];
    const rest = new RestWriter();
    let at = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i] as V2MessageRow;
      bytes.push(r.bytes);
      at += r.bytes.length;
      ends[i] = at;
      cols.receivedMs[i] = r.received_ms;
      cols.line[i] = r.line ?? Number.NaN;
      cols.timeMs[i] = r.time_ms ?? Number.NaN;
      cols.pid[i] = r.pid ?? Number.NaN;
      cols.ip[i] = r.ip ?? Number.NaN;
      cols.mac[i] = r.mac ?? Number.NaN;
      cols.source[i] = r.source;
      cols.host[i] = r.host ?? 0;
      cols.via[i] = r.via ?? 0;
      cols.kind[i] = r.kind;
      cols.restLen[i] = rest.writeText(r.body);
    }
    this.writeBatch(
      (rows[0] as V2MessageRow).id,
      cols,
      Buffer.concat(bytes),
      ends,
      Buffer.from(rest.finish()),
    );
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

  /** Adds the sources another process (the collector) created since they were loaded. */
  private loadSources(): void {
    for (const r of this.db.prepare(this.sourceSql()).all() as SourceRow[]) {
      if (!this.sources.has(r.id)) {
        this.sourceIds.set(sourceKey(r.transport, r.peer, r.origin, r.trusted === 1, r.input), r.id);
        this.sources.set(r.id, r);
      }
    }
  }

  private source(id: number): SourceRow {
    return this.lookup(this.sources, id, () => this.loadSources(), 'source');
  }

  /**
   * Stored events in sender-time order, then id, streamed (the caller must not write to this store
   * while iterating). Rejections never appear; untrusted messages only with `includeUntrusted`.
   *
   * Reads the batches whose time span meets the window in (min_time_ms, first_id) order and merges
   * them (a heap of open batches): batches from two collectors, or a file ingested late, overlap in
   * time. A batch is opened only once the merge reaches its min_time_ms, so memory holds the batches
   * overlapping the current time, not the store.
   *
   * Copies (#12): the same line can reach the store by several channels: the collector live and later
   * the host's log file through `ingest`, two listeners, or one file ingested as two inputs (before
   * checkpoints). A channel is a source (transport, peer, listener or path), except that every name of
   * one ingest input (dhcpd.log, dhcpd.log.1.gz) is one channel. Within each second of sender time, two
   * events are the same line when host, pid, kind and every body field are equal (the parsed form of
   * host, program, pid and message: RFC 5424 and file lines of one message agree). Each such line comes
   * out as many times as the channel that brought it most often (dedupe-copies.ts keepCopies), so dhcpd
   * repeating a line within one second is kept, and a copy from a second channel is not counted again.
   * Only the selected events count (window, kinds); untrusted messages are never copies of trusted
   * ones (they come out as stored, when asked for). `allCopies` returns every copy.
   */
  *queryEvents(filter: QueryFilter = {}): IterableIterator<StoredEvent> {
    const fromMs = filter.fromMs ?? TIME_MIN;
    const toMs = filter.toMs ?? TIME_MAX;
    if (!(fromMs < toMs)) return;
    let wanted: Set<string> | null = null;
    if (filter.kinds !== undefined) {
      wanted = new Set(filter.kinds);
      if (wanted.size === 0) return;
    }
    const includeUntrusted = filter.includeUntrusted === true;
    // Per kind id and source id: 1 = selected, 2 = not, 0 = not looked up yet.
    const kindState: number[] = [];
    const sourceState: number[] = [];
    const select = (cols: BatchColumns, i: number): boolean => {
      const k = cols.kind[i] as number;
      let ks = kindState[k];
      if (ks === undefined) {
        const info = this.kindName(k);
        ks = !info.rejection && (wanted === null || wanted.has(info.name)) ? 1 : 2;
        kindState[k] = ks;
      }
      if (ks !== 1) return false;
      if (includeUntrusted) return true;
      const s = cols.source[i] as number;
      let ss = sourceState[s];
      if (ss === undefined) {
        ss = this.source(s).trusted === 1 ? 1 : 2;
        sourceState[s] = ss;
      }
      return ss === 1;
    };
    const rows = this.db
      .prepare(
        'SELECT first_id, count, min_time_ms, cols, rest FROM batch WHERE min_time_ms < ? AND max_time_ms >= ? ORDER BY min_time_ms, first_id',
      )
      .iterate(toMs, fromMs) as IterableIterator<BatchRow & { min_time_ms: number }>;
    const heap: QueryCursor[] = [];
    // With a single channel among the trusted sources there cannot be copies: skip the rule's buffering.
    const copies = filter.allCopies !== true && this.trustedChannelCount() > 1;
    // The selected events of the current second, waiting for the copy rule.
    const pendingCursor: QueryCursor[] = [];
    const pendingIndex: number[] = [];
    let pendingSecond = Number.NaN;
    try {
      let next = rows.next();
      for (;;) {
        // Open every batch that may hold an event at or before the earliest pending one.
        while (
          next.done !== true &&
          (heap.length === 0 || next.value.min_time_ms <= (heap[0] as QueryCursor).timeMs)
        ) {
          const cursor = this.openCursor(next.value, fromMs, toMs, select);
          if (cursor !== null) heapPush(heap, cursor);
          next = rows.next();
        }
        const top = heap[0];
        if (top === undefined) break;
        if (copies) {
          const second = Math.floor(top.timeMs / 1000);
          if (second !== pendingSecond) {
            if (pendingCursor.length > 0) yield* this.oneOfEachCopy(pendingCursor, pendingIndex);
            pendingCursor.length = 0;
            pendingIndex.length = 0;
            pendingSecond = second;
          }
          pendingCursor.push(top);
          pendingIndex.push(top.order[top.at] as number);
        } else {
          yield this.eventAt(top, top.order[top.at] as number);
        }
        if (++top.at < top.order.length) {
          const i = top.order[top.at] as number;
          top.timeMs = top.cols.timeMs[i] as number;
          top.id = top.firstId + i;
          heapSiftDown(heap, 0);
        } else {
          heapPop(heap);
        }
      }
      if (pendingCursor.length > 0) yield* this.oneOfEachCopy(pendingCursor, pendingIndex);
    } finally {
      rows.return?.();
    }
  }

  /** How many channels the trusted sources form (sources reloaded: another process may have added some). */
  private trustedChannelCount(): number {
    this.loadSources();
    const seen = new Set<number>();
    for (const id of this.sources.keys()) {
      const c = this.channelOf(id);
      if (!Number.isNaN(c)) seen.add(c);
    }
    return seen.size;
  }

  /**
   * The channel of a source: its ingest input when it has one, else the source itself. NaN for an
   * untrusted source: its messages are never taken for copies of evidence (nor the other way round).
   */
  private channelOf(sourceId: number): number {
    let c = this.channels[sourceId];
    if (c === undefined) {
      const src = this.source(sourceId);
      c = src.trusted !== 1 ? Number.NaN : src.input === null ? sourceId : -src.input;
      this.channels[sourceId] = c;
    }
    return c;
  }

  /**
   * One second's selected events, in (time, id) order, with the copy rule of queryEvents applied. Cheap
   * when it has nothing to do: keys are built only for hosts that sent by more than one channel this second.
   */
  private *oneOfEachCopy(cursors: readonly QueryCursor[], index: readonly number[]): Generator<StoredEvent> {
    const n = cursors.length;
    const channel = new Array<number>(n);
    const host = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      const c = cursors[k] as QueryCursor;
      const i = index[k] as number;
      channel[k] = this.channelOf(c.cols.source[i] as number);
      host[k] = c.cols.host[i] as number;
    }
    const keep = keepOfSecond(channel, host, (k) => copyKey(cursors[k] as QueryCursor, index[k] as number));
    for (let k = 0; k < n; k++) {
      if (keep === null || keep[k] === true)
        yield this.eventAt(cursors[k] as QueryCursor, index[k] as number);
    }
  }

  /** The selected messages of one batch in (time, id) order; null when none is selected. */
  private openCursor(
    row: BatchRow,
    fromMs: number,
    toMs: number,
    select: (cols: BatchColumns, i: number) => boolean,
  ): QueryCursor | null {
    const cols = decodeColumns(row.cols);
    if (cols === null || cols.count !== row.count) {
      throw new InternalError(`batch ${row.first_id} of event store '${this.path}' has unreadable columns`);
    }
    const n = cols.count;
    const order = new Uint32Array(n);
    let m = 0;
    let sorted = true;
    let last = -Infinity;
    for (let i = 0; i < n; i++) {
      const t = cols.timeMs[i] as number;
      if (!(t >= fromMs && t < toMs) || !select(cols, i)) continue;
      if (t < last) sorted = false;
      last = t;
      order[m++] = i;
    }
    if (m === 0) return null;
    const picked = order.subarray(0, m);
    if (!sorted) picked.sort((a, b) => (cols.timeMs[a] as number) - (cols.timeMs[b] as number) || a - b);
    const restStart = new Int32Array(n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      restStart[i] = at;
      const len = cols.restLen[i] as number;
      if (len > 0) at += len;
    }
    const first = picked[0] as number;
    return {
      firstId: row.first_id,
      cols,
      restStart,
      rest: row.rest,
      order: picked,
      at: 0,
      timeMs: cols.timeMs[first] as number,
      id: row.first_id + first,
    };
  }

  private eventAt(c: OpenBatch, i: number): StoredEvent {
    const cols = c.cols;
    const ip = cols.ip[i] as number;
    const mac = cols.mac[i] as number;
    const via = cols.via[i] as number;
    const host = cols.host[i] as number;
    const pid = cols.pid[i] as number;
    const len = cols.restLen[i] as number;
    const start = c.restStart[i] as number;
    const body = decodeBody(
      Number.isNaN(ip) ? null : ip,
      Number.isNaN(mac) ? null : mac,
      via === 0 ? null : this.nameText(via),
      len < 0 ? null : c.rest.toString('utf8', start, start + len),
    );
    body.kind = this.kindName(cols.kind[i] as number).name;
    body.timeMs = cols.timeMs[i] as number;
    body.host = host === 0 ? '' : this.nameText(host);
    body.pid = Number.isNaN(pid) ? null : pid;
    body.id = c.firstId + i;
    body.rawId = c.firstId + i;
    body.receivedMs = cols.receivedMs[i] as number;
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
    const find = this.db.prepare(
      'SELECT first_id, count, ends_width, ends, raw FROM batch WHERE first_id <= ? ORDER BY first_id DESC LIMIT 1',
    );
    let batch: { firstId: number; count: number; ends: Uint32Array; raw: Buffer } | null = null;
    for (const id of unique.filter((i) => Number.isSafeInteger(i)).sort((a, b) => a - b)) {
      if (batch === null || id < batch.firstId || id >= batch.firstId + batch.count) {
        const row = find.get(id) as
          { first_id: number; count: number; ends_width: number; ends: Buffer; raw: Buffer } | undefined;
        if (row === undefined || id >= row.first_id + row.count) continue;
        batch = {
          firstId: row.first_id,
          count: row.count,
          ends: decodeEnds(row.ends, row.ends_width, row.count),
          raw: row.raw,
        };
      }
      const i = id - batch.firstId;
      const start = i === 0 ? 0 : (batch.ends[i - 1] as number);
      byId.set(id, decoder.decode(batch.raw.subarray(start, batch.ends[i] as number)));
    }
    const out: EvidenceLine[] = [];
    for (const id of unique) {
      const text = byId.get(id);
      if (text !== undefined) out.push({ rawId: id, text });
    }
    return out;
  }

  /**
   * True when the store has the lookup index `where` and `who` read (schema 5). A version-3 or -4 store opened
   * read-only has none until a writing command (ingest, reparse, collect) migrates it.
   */
  get hasLookupIndex(): boolean {
    return this.schemaVersion >= 5;
  }

  /**
   * The lookup key (lookup-keys.ts) of an address, a MAC or a kind; null when the store cannot hold it (a
   * kind never stored, an address or MAC not in canonical form).
   */
  lookupKey(of: LookupKeyOf): number | null {
    if ('ip' in of) return encodeIpv4(of.ip);
    if ('mac' in of) {
      const mac = encodeMac(of.mac);
      return mac === null ? null : MAC_KEY_BASE + mac;
    }
    let id = this.eventKindIds.get(of.kind);
    if (id === undefined) {
      this.loadDictionaries();
      id = this.eventKindIds.get(of.kind);
    }
    return id === undefined ? null : KIND_KEY_BASE + id;
  }

  /** The first and last epoch hour holding lookup entries; null when the index is empty (or absent). */
  lookupHours(): { first: number; last: number } | null {
    if (!this.hasLookupIndex) return null;
    // One query each: SQLite answers a lone min() or max() from the key, both in one query by a full scan.
    // lookup_recent holds the last hours only (a scan of it is short).
    const one = (sql: string) => (this.statement(sql).get() as { h: number | null }).h;
    const hs = [
      one('SELECT min(hour) AS h FROM lookup'),
      one('SELECT max(hour) AS h FROM lookup'),
      one('SELECT min(hour) AS h FROM lookup_recent'),
      one('SELECT max(hour) AS h FROM lookup_recent'),
    ].filter((h): h is number => h !== null);
    return hs.length === 0 ? null : { first: Math.min(...hs), last: Math.max(...hs) };
  }

  /** The batches holding events of `key` in epoch hour `hour`, each with the span of those events' times. */
  lookupHour(key: number, hour: number): LookupSpan[] {
    if (!this.hasLookupIndex) return [];
    // The open hours are in lookup_recent (a short scan); one statement reads both tables, so entries a
    // writer moves meanwhile are seen once.
    const openRow = this.statement("SELECT value FROM meta WHERE key = 'lookup_open_hour'").get() as
      { value: string } | undefined;
    const sql =
      openRow !== undefined && hour >= Number(openRow.value)
        ? 'SELECT first_id, min_ms, max_ms FROM lookup WHERE hour = @hour AND key = @key UNION ALL SELECT first_id, min_ms, max_ms FROM lookup_recent WHERE hour = @hour AND key = @key'
        : 'SELECT first_id, min_ms, max_ms FROM lookup WHERE hour = @hour AND key = @key';
    return (
      this.statement(sql).all({ hour, key }) as { first_id: number; min_ms: number; max_ms: number }[]
    ).map((r) => ({ firstId: r.first_id, minMs: r.min_ms, maxMs: r.max_ms }));
  }

  /** How many messages the store holds (ids are dense: the next id less one), without counting rows. */
  messageCount(): number {
    return this.nextId() - 1;
  }

  /** An empty selection of events read through the lookup index (select, selectWindow, selectedEvents). */
  newSelection(): EventSelection {
    return { byId: new Map(), batches: new Map(), copies: this.trustedChannelCount() > 1 };
  }

  /**
   * Adds to `sel` the trusted events of `kinds` with sender time in [fromMs, toMs) that carry `key` (an
   * address, a MAC or a kind: lookupKey), from the batches of `spans` (lookupHour). An event already selected
   * is not added twice. Give whole seconds: the copy rule (selectedEvents) needs every copy of a line.
   */
  select(
    sel: EventSelection,
    key: number,
    spans: readonly LookupSpan[],
    fromMs: number,
    toMs: number,
    kinds: readonly EventKind[],
  ): void {
    const field = key < MAC_KEY_BASE ? 'ip' : key < KIND_KEY_BASE ? 'mac' : 'kind';
    // An address or MAC key holds the lease lines only (LOOKUP_KINDS): other lines of the address in the
    // same batch are not taken, so what is selected never depends on how lines fell into batches.
    const kindIds = new Set<number>();
    for (const k of kinds) {
      const id = this.eventKindIds.get(k);
      if (id !== undefined && (field === 'kind' || this.lookupClassOf(id) === 2)) kindIds.add(id);
    }
    if (kindIds.size === 0) return;
    const batchIds = [
      ...new Set(spans.filter((s) => s.maxMs >= fromMs && s.minMs < toMs).map((s) => s.firstId)),
    ].sort((a, b) => a - b);
    const want = field === 'ip' ? key : field === 'mac' ? key - MAC_KEY_BASE : key - KIND_KEY_BASE;
    for (const firstId of batchIds) {
      const b = this.openBatch(sel, firstId);
      if (b === null) continue;
      const cols = b.cols;
      const column = cols[field];
      for (let i = 0; i < cols.count; i++) {
        if (column[i] !== want) continue;
        const t = cols.timeMs[i] as number;
        if (!(t >= fromMs && t < toMs) || !kindIds.has(cols.kind[i] as number)) continue;
        const source = cols.source[i] as number;
        if (this.source(source).trusted !== 1) continue;
        const id = firstId + i;
        if (sel.byId.has(id)) continue;
        sel.byId.set(id, {
          event: this.eventAt(b, i),
          channel: this.channelOf(source),
          host: cols.host[i] as number,
          copyKey: sel.copies ? copyKey(b, i) : '',
        });
      }
    }
  }

  /**
   * Adds to `sel` every trusted event of `kinds` with sender time in [fromMs, toMs), read through the kinds'
   * lookup entries hour by hour (not the batch time index, which walks every older batch).
   */
  selectWindow(sel: EventSelection, fromMs: number, toMs: number, kinds: readonly EventKind[]): void {
    const hours = this.lookupHours();
    if (!(fromMs < toMs) || hours === null) return;
    const first = Math.max(hourOf(fromMs), hours.first);
    const last = Math.min(hourOf(toMs - 1), hours.last);
    for (const kind of kinds) {
      const key = this.lookupKey({ kind });
      if (key === null) continue;
      for (let h = first; h <= last; h++) {
        const spans = this.lookupHour(key, h);
        if (spans.length > 0) this.select(sel, key, spans, fromMs, toMs, [kind]);
      }
    }
  }

  /**
   * The selected events in (time, id) order, with queryEvents' copy rule: a line that came by two channels
   * comes out once (as often as the channel that brought it most often).
   */
  selectedEvents(sel: EventSelection): StoredEvent[] {
    const all = [...sel.byId.values()].sort(
      (a, b) => a.event.timeMs - b.event.timeMs || a.event.id - b.event.id,
    );
    if (!sel.copies) return all.map((s) => s.event);
    const out: StoredEvent[] = [];
    for (let i = 0; i < all.length;) {
      const second = Math.floor(all[i]!.event.timeMs / 1000);
      let j = i;
      while (j < all.length && Math.floor(all[j]!.event.timeMs / 1000) === second) j++;
      const group = all.slice(i, j);
      const keep = keepOfSecond(
        group.map((s) => s.channel),
        group.map((s) => s.host),
        (k) => group[k]!.copyKey,
      );
      for (let k = 0; k < group.length; k++) if (keep === null || keep[k] === true) out.push(group[k]!.event);
      i = j;
    }
    return out;
  }

  /** A batch decoded for a selection (the last few are kept: lookups by address, MAC and kind share batches). */
  private openBatch(sel: EventSelection, firstId: number): OpenBatch | null {
    const cached = sel.batches.get(firstId);
    if (cached !== undefined) return cached;
    const row = this.statement('SELECT first_id, count, cols, rest FROM batch WHERE first_id = ?').get(
      firstId,
    ) as BatchRow | undefined;
    if (row === undefined) return null;
    const cols = decodeColumns(row.cols);
    if (cols === null || cols.count !== row.count) {
      throw new InternalError(`batch ${row.first_id} of event store '${this.path}' has unreadable columns`);
    }
    const restStart = new Int32Array(cols.count);
    let at = 0;
    for (let i = 0; i < cols.count; i++) {
      restStart[i] = at;
      const len = cols.restLen[i] as number;
      if (len > 0) at += len;
    }
    const b: OpenBatch = { firstId, cols, restStart, rest: row.rest };
    if (sel.batches.size >= SELECTION_BATCHES) {
      const oldest = sel.batches.keys().next().value as number;
      sel.batches.delete(oldest);
    }
    sel.batches.set(firstId, b);
    return b;
  }

  /**
   * The ChannelStats snapshots that decide every loss interval (lossIntervals) meeting [fromMs, toMs]: per
   * listener the snapshots in the range, and outward from it for as long as the drop counters kept rising
   * between consecutive snapshots (or no time passed between them: touching intervals are merged), so a loss
   * that began before the range keeps its true start and end. A
   * collector records one every 5 s, so a year holds millions: `where` reads these instead of the history.
   */
  channelStatsAround(fromMs: number, toMs: number): ChannelStats[] {
    const cols =
      'id, at_ms, listener, received, stored, rejected, untrusted, kernel_drops, app_drops, connections, run_started_ms';
    type Row = ChannelStatsRow & { id: number };
    const next = this.statement('SELECT min(listener) AS l FROM channel_stats WHERE listener > ?');
    const inRange = this.statement(
      `SELECT ${cols} FROM channel_stats WHERE listener = ? AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms, id`,
    );
    const lastBefore = this.statement(
      `SELECT ${cols} FROM channel_stats WHERE listener = ? AND at_ms < ? ORDER BY at_ms DESC, id DESC LIMIT 1`,
    );
    const firstAfter = this.statement(
      `SELECT ${cols} FROM channel_stats WHERE listener = ? AND at_ms > ? ORDER BY at_ms, id LIMIT 1`,
    );
    const rowBefore = this.statement(
      `SELECT ${cols} FROM channel_stats WHERE listener = ? AND (at_ms < ? OR (at_ms = ? AND id < ?)) ORDER BY at_ms DESC, id DESC LIMIT 1`,
    );
    const rowAfter = this.statement(
      `SELECT ${cols} FROM channel_stats WHERE listener = ? AND (at_ms > ? OR (at_ms = ? AND id > ?)) ORDER BY at_ms, id LIMIT 1`,
    );
    const rises = (a: Row, b: Row): boolean =>
      riseOf(a.kernel_drops, b.kernel_drops) + riseOf(a.app_drops, b.app_drops) > 0;
    const out: ChannelStats[] = [];
    let l = (next.get('') as { l: string | null }).l;
    for (; l !== null; l = (next.get(l) as { l: string | null }).l) {
      const mid = inRange.all(l, fromMs, toMs) as Row[];
      // Backward: each earlier snapshot while the pair it forms with the next one rose.
      const head: Row[] = [];
      let p: Row | null = mid[0] ?? null;
      let r = (p === null ? lastBefore.get(l, fromMs) : rowBefore.get(l, p.at_ms, p.at_ms, p.id)) as
        Row | undefined;
      while (r !== undefined) {
        head.unshift(r);
        // lossIntervals merges intervals that touch, so a pair that did not rise but took no time goes on.
        if (p !== null && !rises(r, p) && r.at_ms < p.at_ms) break;
        p = r;
        r = rowBefore.get(l, p.at_ms, p.at_ms, p.id) as Row | undefined;
      }
      // Forward likewise.
      const tail: Row[] = [];
      let q: Row | null = mid[mid.length - 1] ?? head[head.length - 1] ?? null;
      let s = (
        mid.length > 0 && q !== null ? rowAfter.get(l, q.at_ms, q.at_ms, q.id) : firstAfter.get(l, toMs)
      ) as Row | undefined;
      while (s !== undefined) {
        tail.push(s);
        if (q !== null && !rises(q, s) && s.at_ms > q.at_ms) break;
        q = s;
        s = rowAfter.get(l, q.at_ms, q.at_ms, q.id) as Row | undefined;
      }
      for (const row of [...head, ...mid, ...tail]) out.push(channelStatsFromRow(row));
    }
    return out.sort((a, b) => a.atMs - b.atMs);
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
      .prepare('SELECT kind, source, sum(n) AS n FROM batch_count GROUP BY kind, source')
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
    const span = this.db
      .prepare('SELECT min(min_time_ms) AS first, max(max_time_ms) AS last FROM batch')
      .get() as {
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
   * Re-derives every event from its raw bytes with `ctx`'s zones, in one transaction (all batches change
   * or none), batch by batch. Each message keeps the year reference it was first parsed with
   * (parse_batch); `ctx.referenceMs` only applies to messages stored before any reference was recorded.
   * Ids do not change. Returns the new totals.
   */
  reparse(
    ctx: ParseContext,
    onProgress?: (done: number, total: number) => void,
  ): { events: number; rejected: number } {
    this.requireWritable('reparse');
    let events = 0;
    let rejected = 0;
    try {
      this.db
        .transaction(() => {
          const refs = this.db
            .prepare('SELECT first_id, reference_ms FROM parse_batch ORDER BY first_id')
            .all() as ReferenceRow[];
          const batches = this.db.prepare('SELECT first_id, count FROM batch ORDER BY first_id').all() as {
            first_id: number;
            count: number;
          }[];
          let total = 0;
          for (const b of batches) total += b.count;
          const select = this.db.prepare(
            'SELECT ends_width, ends, raw, cols, rest FROM batch WHERE first_id = ?',
          );
          const update = this.db.prepare(
            'UPDATE batch SET min_time_ms = ?, max_time_ms = ?, cols = ?, rest = ? WHERE first_id = ?',
          );
          const dropCounts = this.db.prepare('DELETE FROM batch_count WHERE first_id = ?');
          // The lookup entries follow the new parse (an event's time, address or kind may change).
          if (this.indexing) {
            this.db.exec(
              "DELETE FROM lookup; DELETE FROM lookup_recent; DELETE FROM meta WHERE key = 'lookup_open_hour'",
            );
          }
          // A frame the transport already cut (over --max-message-bytes) or left partial (connection closed
          // mid-frame) holds only part of a message: parsing its bytes again could make an event out of a
          // fragment, so such rejections are kept as they are.
          const keep = new Set(
            ['oversized', 'truncated'].map((r) => this.rejectionIds.get(r)).filter((id) => id !== undefined),
          );
          let refIndex = -1;
          let rowCtx: ParseContext = { ...ctx };
          let done = 0;
          for (const b of batches) {
            const row = select.get(b.first_id) as {
              ends_width: number;
              ends: Buffer;
              raw: Buffer;
              cols: Buffer;
              rest: Buffer;
            };
            const cols = decodeColumns(row.cols);
            if (cols === null || cols.count !== b.count) {
              throw new InternalError(
                `batch ${b.first_id} of event store '${this.path}' has unreadable columns`,
              );
            }
            const ends = decodeEnds(row.ends, row.ends_width, b.count);
            let oldAt = 0;
            const rest = this.restScratch;
            rest.reset();
            let start = 0;
            for (let i = 0; i < b.count; i++) {
              const end = ends[i] as number;
              const oldLen = cols.restLen[i] as number;
              if (keep.has(cols.kind[i] as number)) {
                rejected++;
                if (oldLen >= 0) rest.writeBytes(row.rest.subarray(oldAt, oldAt + oldLen));
              } else {
                const id = b.first_id + i;
                while (refIndex + 1 < refs.length && (refs[refIndex + 1] as ReferenceRow).first_id <= id) {
                  refIndex++;
                  rowCtx = { ...ctx, referenceMs: (refs[refIndex] as ReferenceRow).reference_ms };
                }
                const result = parseMessage(row.raw.subarray(start, end), rowCtx);
                if (result.ok) events++;
                else rejected++;
                cols.restLen[i] = this.setParsed(cols, i, result);
              }
              if (oldLen > 0) oldAt += oldLen;
              start = end;
            }
            const span = timeSpan(cols);
            update.run(span.min, span.max, encodeColumns(cols), Buffer.from(rest.finish()), b.first_id);
            dropCounts.run(b.first_id);
            this.writeCounts(b.first_id, cols);
            if (this.indexing) this.writeLookup(b.first_id, cols);
            done += b.count;
            onProgress?.(done, total);
          }
          const zones = JSON.stringify({ zoneByHost: ctx.zoneByHost, defaultZone: ctx.defaultZone });
          this.db
            .prepare(
              "INSERT INTO meta (key, value) VALUES ('zones', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .run(zones);
          this.zonesJson = zones;
        })
        .immediate();
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

  /** Writes the parse result of message i into `cols` (store ids) and its rest into restScratch; returns the rest's byte length (-1 for none). */
  private setParsed(cols: BatchColumns, i: number, result: ParseResult): number {
    if (result.ok) {
      const e = result.event;
      const enc = this.bodyScratch;
      const len = this.restScratch.writeBody(e, enc);
      cols.kind[i] = this.kindId(e.kind, false);
      cols.timeMs[i] = e.timeMs;
      cols.host[i] = this.nameId(e.host);
      cols.pid[i] = e.pid ?? Number.NaN;
      cols.ip[i] = enc.ip ?? Number.NaN;
      cols.mac[i] = enc.mac ?? Number.NaN;
      cols.via[i] = enc.via === null ? 0 : this.nameId(enc.via);
      return len;
    }
    cols.kind[i] = this.kindId(result.rejection.reason, true);
    cols.timeMs[i] = Number.NaN;
    cols.host[i] = 0;
    cols.pid[i] = Number.NaN;
    cols.ip[i] = Number.NaN;
    cols.mac[i] = Number.NaN;
    cols.via[i] = 0;
    return this.restScratch.writeText(result.rejection.detail);
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

/** How much a cumulative drop counter rose between two snapshots (loss-intervals.ts rise: a reset counts whole). */
function riseOf(before: number, after: number): number {
  return after >= before ? after - before : after;
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

function sourceKey(
  transport: string,
  peer: string | null,
  origin: string | null,
  trusted: boolean,
  input: number | null,
): string {
  return JSON.stringify([transport, peer, origin, trusted, input]);
}

/** Parses an `unparsed` batch with `ctx`: the batch a parsing thread would have built. */
function parseEncoded(b: EncodedBatch, ctx: ParseContext): EncodedBatch {
  const builder = new EncodedBatchBuilder();
  const data = Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  let start = 0;
  for (let i = 0; i < b.count; i++) {
    const end = b.ends[i] as number;
    const bytes = data.subarray(start, end);
    const src = b.sources[b.source[i] as number];
    if (src === undefined) throw new InternalError(`appendEncoded: message ${i} names no source`);
    const line = b.line[i] as number;
    builder.addParts(
      bytes,
      b.receivedMs[i] as number,
      src.transport,
      src.peer,
      src.originBase,
      Number.isNaN(line) ? null : line,
      src.trusted,
      parseMessage(bytes, ctx),
    );
    start = end;
  }
  return builder.finish();
}

/** Messages from .. to - 1 of `cols` (views, no copy). */
function sliceColumns(c: BatchColumns, from: number, to: number): BatchColumns {
  return {
    count: to - from,
    receivedMs: c.receivedMs.subarray(from, to),
    line: c.line.subarray(from, to),
    timeMs: c.timeMs.subarray(from, to),
    pid: c.pid.subarray(from, to),
    ip: c.ip.subarray(from, to),
    mac: c.mac.subarray(from, to),
    source: c.source.subarray(from, to),
    host: c.host.subarray(from, to),
    via: c.via.subarray(from, to),
    restLen: c.restLen.subarray(from, to),
    kind: c.kind.subarray(from, to),
  };
}

/** A version-2 `message` row, read once by migration 3. */
interface V2MessageRow {
  id: number;
  received_ms: number;
  source: number;
  line: number | null;
  bytes: Buffer;
  kind: number;
  time_ms: number | null;
  host: number | null;
  pid: number | null;
  ip: number | null;
  mac: number | null;
  via: number | null;
  body: string | null;
}

/** A batch from a worker thread must be self-consistent; anything else is a bug in the builder. */
function checkEncodedBatch(b: EncodedBatch): void {
  const n = b.count;
  const arrays = [b.ends, b.receivedMs, b.source, b.line, b.rejected, b.kind, b.timeMs, b.pid, b.ip, b.mac];
  let restTotal = 0;
  for (let i = 0; i < n; i++) {
    const len = b.restLen[i] as number;
    if (len > 0) restTotal += len;
  }
  if (
    arrays.some((a) => a.length !== n) ||
    b.host.length !== n ||
    b.via.length !== n ||
    b.restLen.length !== n ||
    (b.ends[n - 1] as number) !== b.data.byteLength ||
    restTotal !== b.rest.byteLength
  ) {
    throw new InternalError(`appendEncoded: an encoded batch of ${n} messages has columns of other lengths`);
  }
}

/** Earliest and latest time of the parsed messages (floor, ceil: the batch row's INTEGER span); null when none. */
function timeSpan(cols: BatchColumns): { min: number | null; max: number | null } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < cols.count; i++) {
    const t = cols.timeMs[i] as number;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return min > max ? { min: null, max: null } : { min: Math.floor(min), max: Math.ceil(max) };
}

/**
 * What makes two events of one second the same line: every stored column but time, received time and
 * source, and the rest's bytes (the body fields no column holds).
 */
function copyKey(c: OpenBatch, i: number): string {
  const cols = c.cols;
  const len = cols.restLen[i] as number;
  const start = c.restStart[i] as number;
  const rest = len < 0 ? '' : c.rest.toString('latin1', start, start + len);
  return `${cols.kind[i]} ${cols.host[i]} ${cols.pid[i]} ${cols.ip[i]} ${cols.mac[i]} ${cols.via[i]} ${len} ${rest}`;
}

function cursorBefore(a: QueryCursor, b: QueryCursor): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.id < b.id);
}

function heapPush(heap: QueryCursor[], c: QueryCursor): void {
  heap.push(c);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!cursorBefore(heap[i] as QueryCursor, heap[parent] as QueryCursor)) break;
    [heap[i], heap[parent]] = [heap[parent] as QueryCursor, heap[i] as QueryCursor];
    i = parent;
  }
}

function heapSiftDown(heap: QueryCursor[], from: number): void {
  let i = from;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let best = i;
    if (l < heap.length && cursorBefore(heap[l] as QueryCursor, heap[best] as QueryCursor)) best = l;
    if (r < heap.length && cursorBefore(heap[r] as QueryCursor, heap[best] as QueryCursor)) best = r;
    if (best === i) return;
    [heap[i], heap[best]] = [heap[best] as QueryCursor, heap[i] as QueryCursor];
    i = best;
  }
}

function heapPop(heap: QueryCursor[]): void {
  const last = heap.pop() as QueryCursor;
  if (heap.length === 0) return;
  heap[0] = last;
  heapSiftDown(heap, 0);
}

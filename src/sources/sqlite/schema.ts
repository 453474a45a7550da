/**
 * Event store schema and its migrations. `PRAGMA user_version` holds the schema version; migration
 * N (index N-1) takes a store from version N-1 to N inside one transaction. Never edit a shipped
 * migration: append a new one.
 */

/** Marks our files (`PRAGMA application_id`), so a Gluff snapshot or a random SQLite file is refused. 'GVes'. */
export const STORE_APPLICATION_ID = 0x47566573;

/**
 * One table holds each raw message and the event parsed from it (id = raw id = event id), because a
 * second table doubled the insert cost (measured: bench/ingest.bench.ts, see ARCHITECTURE.md).
 *
 * message.kind  -> kind.id: an event kind (kind.rejection = 0) or a rejection reason (= 1).
 * message.source -> source.id: (transport, peer, origin without its `:line`, trusted), a dictionary.
 * message.host / message.via -> name.id: dictionary of host names and via values.
 * message.ip / message.mac: IPv4 and 48-bit MAC as integers when canonical (row-codec.ts), else in body.
 * message.body: JSON of the remaining body fields (null when none); for a rejection, its detail text.
 * parse_batch: the ParseContext.referenceMs in force from message first_id on (year inference), so
 * `reparse` can re-derive every row with the reference it was first parsed with.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  CREATE TABLE kind (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, rejection INTEGER NOT NULL) STRICT;
  CREATE TABLE name (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE) STRICT;
  CREATE TABLE source (
    id INTEGER PRIMARY KEY,
    transport TEXT NOT NULL,
    peer TEXT,
    origin TEXT,
    trusted INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE message (
    id INTEGER PRIMARY KEY,
    received_ms INTEGER NOT NULL,
    source INTEGER NOT NULL,
    line INTEGER,
    bytes BLOB NOT NULL,
    kind INTEGER NOT NULL,
    time_ms INTEGER,
    host INTEGER,
    pid INTEGER,
    ip INTEGER,
    mac INTEGER,
    via INTEGER,
    body TEXT
  ) STRICT;
  CREATE INDEX message_time ON message (time_ms);
  CREATE TABLE parse_batch (first_id INTEGER PRIMARY KEY, reference_ms INTEGER NOT NULL) STRICT;
  CREATE TABLE channel_stats (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    listener TEXT NOT NULL,
    received INTEGER NOT NULL,
    stored INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    untrusted INTEGER NOT NULL,
    kernel_drops INTEGER NOT NULL,
    app_drops INTEGER NOT NULL,
    connections INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX channel_stats_listener ON channel_stats (listener, at_ms);
  -- For people with the sqlite3 shell: the messages with their dictionaries resolved.
  CREATE VIEW message_v AS
    SELECT m.id, m.received_ms, s.transport, s.peer,
           CASE WHEN m.line IS NULL THEN s.origin ELSE s.origin || ':' || m.line END AS origin,
           s.trusted, CAST(m.bytes AS TEXT) AS text, k.name AS kind, k.rejection,
           m.time_ms, h.text AS host, m.pid,
           CASE WHEN m.ip IS NULL THEN NULL ELSE (m.ip >> 24) || '.' || ((m.ip >> 16) & 255) || '.' || ((m.ip >> 8) & 255) || '.' || (m.ip & 255) END AS ip,
           CASE WHEN m.mac IS NULL THEN NULL ELSE printf('%012x', m.mac) END AS mac,
           v.text AS via, m.body
    FROM message m
    JOIN source s ON s.id = m.source
    JOIN kind k ON k.id = m.kind
    LEFT JOIN name h ON h.id = m.host
    LEFT JOIN name v ON v.id = m.via;
  `,
  // 2: ChannelStats.runStartedMs. Counters restart from 0 with each collector run, so the latest
  // snapshot is taken per (listener, run); NULL for snapshots from before the field existed.
  `
  ALTER TABLE channel_stats ADD COLUMN run_started_ms INTEGER;
  `,
];

/** The version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

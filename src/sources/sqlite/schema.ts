/**
 * Event store schema and its migrations. `PRAGMA user_version` holds the schema version; migration
 * N (index N-1) takes a store from version N-1 to N inside one transaction. Never edit a shipped
 * migration: append a new one.
 */

/** Marks our files (`PRAGMA application_id`), so a Gluff snapshot or a random SQLite file is refused. 'GVes'. */
export const STORE_APPLICATION_ID = 0x47566573;

/**
 * BATCH_LAYOUT (version 3). Each append is one row of `batch`: its messages get the dense ids
 * first_id .. first_id + count - 1 (event id = raw id), and their data is held column-wise in BLOBs
 * (row-codec.ts): `raw` = every message's bytes concatenated, `ends` = their end offsets as fixed-width
 * decimals (`ends_width` digits each), `cols` = typed arrays (received_ms, origin line, time_ms, pid, ip,
 * mac, source, host, via, rest length, kind), `rest` = UTF-8 of the concatenated body JSON / rejection
 * details. min/max_time_ms span the batch's parsed messages (NULL when it has none): queries read only
 * the batches whose span meets their window. `batch_count` holds per-batch counts by (kind, source), so
 * stats() reads no BLOB. One row per batch instead of one per message stores ~3x as many messages per
 * CPU-second and reads them back ~2.3x as fast (bench/ingest.bench.ts; ARCHITECTURE.md "Event store").
 *
 * Versions 1-2 had one row per message in `message` (the columns below, now per batch in cols):
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
  // 3: one row per appended batch instead of one per message (see BATCH_LAYOUT above). event-store.ts
  // runs this, converts the message rows into batches (convertMessageRows), then MIGRATION_3_FINISH.
  `
  CREATE TABLE batch (
    first_id INTEGER PRIMARY KEY,
    count INTEGER NOT NULL,
    min_time_ms INTEGER,
    max_time_ms INTEGER,
    ends_width INTEGER NOT NULL,
    ends BLOB NOT NULL,
    raw BLOB NOT NULL,
    cols BLOB NOT NULL,
    rest BLOB NOT NULL
  ) STRICT;
  CREATE INDEX batch_time ON batch (min_time_ms, first_id);
  CREATE TABLE batch_count (
    first_id INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    source INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (first_id, kind, source)
  ) STRICT, WITHOUT ROWID;
  -- 0 .. MAX_BATCH_MESSAGES - 1: expands batches into messages for the message view.
  CREATE TABLE seq (i INTEGER PRIMARY KEY) STRICT;
  WITH RECURSIVE s (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < 16384)
  INSERT INTO seq (i) SELECT i FROM s;
  `,
  // 4 (#12): ingest checkpoints, so ingesting a file again stores only what it gained. One row per input
  // ingest has read (a file's content, whatever its name: rotated and gzipped copies are the same input;
  // or one stdin run). head_bytes / head_hash fingerprint the (decompressed) first bytes, at most 1 KiB
  // (cli/ingest-checkpoint.ts), NULL for stdin, which is never resumed; offset is where the last stored
  // line ends, lines how many lines were stored up to it; path the name it was last read under.
  // AUTOINCREMENT: an id is never reused, because it also names the input's messages in source.input.
  // source.input: the ingest_input row whose lines the source's messages are (NULL for the collector's,
  // and for file lines stored before version 4). queryEvents counts a line that came by two channels
  // (sources, or one input under several names) once: see event-store.ts queryEvents.
  `
  CREATE TABLE ingest_input (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    head_bytes INTEGER,
    head_hash TEXT,
    offset INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    path TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX ingest_input_head ON ingest_input (head_hash);
  ALTER TABLE source ADD COLUMN input INTEGER;
  `,
  // 5 (#13): the lookup index of `where` and `who` (lookup-keys.ts): per (hour, key, batch) the span of the
  // key's event times in that batch, the key an address, a MAC or a kind. Written with each batch row in its
  // append's transaction (and again by `reparse`); event-store.ts fills it for the batches already stored
  // when it runs this (indexAllBatches), in the same transaction. Entries of the hours from
  // meta 'lookup_open_hour' on are in `lookup_recent`, in append order (an append adds to its end); when the
  // appends reach a later hour, the hours before the previous one move to `lookup` in key order, where they
  // go to the end too (event-store.ts writeLookup: why).
  `
  CREATE TABLE lookup (
    hour INTEGER NOT NULL,
    key INTEGER NOT NULL,
    first_id INTEGER NOT NULL,
    min_ms INTEGER NOT NULL,
    max_ms INTEGER NOT NULL,
    PRIMARY KEY (hour, key, first_id)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE lookup_recent (
    first_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    key INTEGER NOT NULL,
    min_ms INTEGER NOT NULL,
    max_ms INTEGER NOT NULL,
    PRIMARY KEY (first_id, hour, key)
  ) STRICT, WITHOUT ROWID;
  `,
];

/** Most messages in one batch row (a longer append is several rows in one transaction); = rows of `seq`. */
export const MAX_BATCH_MESSAGES = 16384;

/**
 * The end of migration 3, once the message rows are batches: the old table goes and a view of the same
 * name gives each message's id and bytes to the sqlite3 shell and to tools that counted rows
 * (`SELECT count(*) FROM message`: ~40 ms per million messages). Selecting `bytes` reads the batch's
 * raw BLOB once per message: for inspection, not for the program (which counts with
 * `SELECT sum(count) FROM batch`).
 */
export const MIGRATION_3_FINISH = `
  DROP VIEW message_v;
  DROP TABLE message;
  CREATE VIEW message AS
    SELECT b.first_id + s.i AS id,
           b.first_id AS batch,
           substr(b.raw,
                  1 + CASE WHEN s.i = 0 THEN 0 ELSE CAST(substr(b.ends, (s.i - 1) * b.ends_width + 1, b.ends_width) AS INTEGER) END,
                  CAST(substr(b.ends, s.i * b.ends_width + 1, b.ends_width) AS INTEGER)
                    - CASE WHEN s.i = 0 THEN 0 ELSE CAST(substr(b.ends, (s.i - 1) * b.ends_width + 1, b.ends_width) AS INTEGER) END
           ) AS bytes
    FROM batch b JOIN seq s ON s.i < b.count;
`;

/** The version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

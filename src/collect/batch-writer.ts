/**
 * Where the collector's batches go: parse + one store transaction per batch. Two implementations:
 * - InlineWriter: on the collector's own thread (simple; the socket waits while a batch is written).
 * - WorkerWriter: on a worker thread that owns the store (default). Measured here (bench/collector.bench.ts):
 *   parse (~10 us) + store (~8 us) per 110-byte line on the event loop held it ~18 us per message, so a
 *   main-thread collector topped out near 60k msg/s with kernel drops; with the worker the event loop only
 *   receives. Batches cross threads packed into one transferable buffer, not as objects.
 */
import { Worker } from 'node:worker_threads';
import { AuditError } from '../model/errors.js';
import type {
  ChannelStats,
  ParseContext,
  ParseResult,
  RawMessage,
  Rejection,
  Transport,
} from '../model/events.js';
import { parseMessage } from '../parse/parse-message.js';
import type { NativeChunk } from './udp-native.js';

export interface WriteResult {
  stored: number;
  rejected: number;
}

/** What the collector needs of the event store (EventStore has this shape). */
export interface RawSink {
  /** Stores the batch and its parse results (results[i] belongs to batch[i]) in one transaction. */
  appendParsed(batch: readonly RawMessage[], results: readonly ParseResult[], ctx: ParseContext): WriteResult;
  recordChannelStats(stats: readonly ChannelStats[]): void;
}

export interface BatchWriter {
  /** Parses and stores one batch in one transaction; rejects with GV_STORE_WRITE. Calls complete in order. */
  write(batch: RawMessage[], ctx: ParseContext): Promise<WriteResult>;
  /** As write(), for a batch already packed (the recvmmsg UDP reader drains them that way). */
  writePacked(batch: PackedBatch, ctx: ParseContext): Promise<WriteResult>;
  recordChannelStats(stats: readonly ChannelStats[]): Promise<void>;
  /** Waits for every write issued so far, then releases the store. */
  close(): Promise<void>;
}

/**
 * Parses one batch. A message whose framing already failed (cut at --max-message-bytes, partial frame
 * at close) is a rejection with that reason and is not parsed: its bytes are only part of a message.
 */
export function parseBatch(batch: readonly RawMessage[], ctx: ParseContext): ParseResult[] {
  const results = new Array<ParseResult>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const m = batch[i] as RawMessage;
    results[i] =
      m.framingRejection !== undefined
        ? { ok: false, rejection: m.framingRejection }
        : parseMessage(m.bytes, ctx);
  }
  return results;
}

/** Writes on the calling thread. `close` does not close the sink: its owner does. */
export class InlineWriter implements BatchWriter {
  constructor(private readonly sink: RawSink) {}

  async write(batch: RawMessage[], ctx: ParseContext): Promise<WriteResult> {
    return this.sink.appendParsed(batch, parseBatch(batch, ctx), ctx);
  }

  async writePacked(packed: PackedBatch, ctx: ParseContext): Promise<WriteResult> {
    return this.write(unpackBatch(packed), ctx);
  }

  async recordChannelStats(stats: readonly ChannelStats[]): Promise<void> {
    this.sink.recordChannelStats(stats);
  }

  async close(): Promise<void> {}
}

/** A batch as it crosses to the worker: one buffer of message bytes plus columns. */
export interface PackedBatch {
  data: ArrayBuffer;
  /** End offset of message i in `data`. */
  ends: Uint32Array;
  receivedMs: Float64Array;
  peers: (string | null)[];
  /** Index into `peers` of message i. */
  peerIdx: Uint32Array;
  trusted: Uint8Array;
  transport: Transport[];
  origin: (string | null)[];
  /** Sparse: [index, rejection] of messages whose framing failed. */
  rejections: [number, Rejection][];
}

/** Packs a batch into one transferable buffer (a memcpy per message instead of a structured clone). */
export function packBatch(batch: readonly RawMessage[]): PackedBatch {
  let size = 0;
  for (const m of batch) size += m.bytes.length;
  const data = new Uint8Array(size);
  const n = batch.length;
  const packed: PackedBatch = {
    data: data.buffer,
    ends: new Uint32Array(n),
    receivedMs: new Float64Array(n),
    peers: [],
    peerIdx: new Uint32Array(n),
    trusted: new Uint8Array(n),
    transport: new Array<Transport>(n),
    origin: new Array<string | null>(n),
    rejections: [],
  };
  const peerIndex = new Map<string | null, number>();
  let at = 0;
  for (let i = 0; i < n; i++) {
    const m = batch[i] as RawMessage;
    data.set(m.bytes, at);
    at += m.bytes.length;
    packed.ends[i] = at;
    packed.receivedMs[i] = m.receivedMs;
    let p = peerIndex.get(m.peer);
    if (p === undefined) {
      p = packed.peers.length;
      packed.peers.push(m.peer);
      peerIndex.set(m.peer, p);
    }
    packed.peerIdx[i] = p;
    packed.trusted[i] = m.trusted ? 1 : 0;
    packed.transport[i] = m.transport;
    packed.origin[i] = m.origin;
    if (m.framingRejection !== undefined) packed.rejections.push([i, m.framingRejection]);
  }
  return packed;
}

/** The rejection of a datagram longer than --max-message-bytes (its first maxMessageBytes bytes are kept). */
export function oversizedDatagram(length: number, maxMessageBytes: number): Rejection {
  return {
    reason: 'oversized',
    detail: `a datagram of ${length} bytes is longer than --max-message-bytes ${maxMessageBytes}; kept its first ${maxMessageBytes} bytes`,
  };
}

/** Where a drained chunk came from, and how to judge its senders. */
export interface ChunkSource {
  transport: Transport;
  /** The listener's URL. */
  origin: string | null;
  maxMessageBytes: number;
  /** The peer as stored (normalised) and whether --allow trusts it, for a raw source address. */
  trustOf: (rawPeer: string) => { peer: string; trusted: boolean };
}

/**
 * A chunk drained from the recvmmsg reader (already packed by the addon) as the writer takes it:
 * trust decided once per distinct peer, datagrams the addon cut made 'oversized' rejections. The same
 * messages the dgram path builds one by one (test/unit/collect/batch-writer.spec.ts checks that).
 */
export function packNativeChunk(
  chunk: NativeChunk,
  source: ChunkSource,
): { packed: PackedBatch; untrusted: number } {
  const n = chunk.ends.length;
  const peers = new Array<string | null>(chunk.peers.length);
  const trustedPeer = new Uint8Array(chunk.peers.length);
  for (let p = 0; p < chunk.peers.length; p++) {
    const who = source.trustOf(chunk.peers[p] as string);
    peers[p] = who.peer;
    trustedPeer[p] = who.trusted ? 1 : 0;
  }
  const trusted = new Uint8Array(n);
  let untrusted = 0;
  for (let i = 0; i < n; i++) {
    const t = trustedPeer[chunk.peerIdx[i] as number] as number;
    trusted[i] = t;
    untrusted += 1 - t;
  }
  const rejections: [number, Rejection][] = [];
  for (let k = 0; k + 1 < chunk.cut.length; k += 2) {
    rejections.push([
      chunk.cut[k] as number,
      oversizedDatagram(chunk.cut[k + 1] as number, source.maxMessageBytes),
    ]);
  }
  const packed: PackedBatch = {
    data: chunk.data,
    ends: chunk.ends,
    receivedMs: chunk.receivedMs,
    peers,
    peerIdx: chunk.peerIdx,
    trusted,
    transport: new Array<Transport>(n).fill(source.transport),
    origin: new Array<string | null>(n).fill(source.origin),
    rejections,
  };
  return { packed, untrusted };
}

/** Inverse of packBatch; the messages' bytes are views into the packed buffer. */
export function unpackBatch(p: PackedBatch): RawMessage[] {
  const out = new Array<RawMessage>(p.ends.length);
  let start = 0;
  for (let i = 0; i < p.ends.length; i++) {
    const end = p.ends[i] as number;
    out[i] = {
      bytes: Buffer.from(p.data, start, end - start),
      receivedMs: p.receivedMs[i] as number,
      peer: p.peers[p.peerIdx[i] as number] ?? null,
      transport: p.transport[i] as Transport,
      origin: p.origin[i] ?? null,
      trusted: p.trusted[i] === 1,
    };
    start = end;
  }
  for (const [i, rejection] of p.rejections) (out[i] as RawMessage).framingRejection = rejection;
  return out;
}

/** Requests to the store worker, and its replies. */
export type WorkerRequest =
  | { type: 'write'; id: number; batch: PackedBatch; ctx: ParseContext }
  | { type: 'stats'; id: number; stats: readonly ChannelStats[] }
  | { type: 'close'; id: number };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done'; id: number; result?: WriteResult }
  | { type: 'error'; id: number; code: string; message: string };

/**
 * Starts store-worker in a thread. In dist it is plain .js; under tsx (development, tests) this module
 * is .ts and Node 20 does not carry tsx's loader hooks into worker threads, so the worker first
 * registers tsx itself.
 */
function startStoreWorker(storePath: string): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./store-worker.js', import.meta.url), { workerData: { storePath } });
  }
  const url = new URL('./store-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { eval: true, workerData: { storePath } });
}

/** Parses and stores on a worker thread that opens the event store itself. */
export class WorkerWriter implements BatchWriter {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (r: WriteResult | undefined) => void; reject: (e: AuditError) => void }
  >();
  private exited: AuditError | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') return;
      const w = this.waiting.get(reply.id);
      if (w === undefined) return;
      this.waiting.delete(reply.id);
      if (reply.type === 'done') w.resolve(reply.result);
      else
        // Whatever the store threw while writing (I/O error, disk full), for the collector it is GV_STORE_WRITE.
        w.reject(new AuditError('GV_STORE_WRITE', reply.message));
    });
    const onGone = (err: Error | number): void => {
      if (this.exited !== null) return;
      this.exited = new AuditError(
        'GV_STORE_WRITE',
        `the store writer thread stopped (${typeof err === 'number' ? `exit code ${err}` : err.message}); batches committed before stay in the store`,
        typeof err === 'number' ? undefined : { cause: err },
      );
      for (const w of this.waiting.values()) w.reject(this.exited);
      this.waiting.clear();
    };
    worker.on('error', onGone);
    worker.on('exit', onGone);
  }

  /** Starts the worker and opens the store there; rejects with the store's GV_STORE_OPEN / GV_STORE_SCHEMA. */
  static async open(storePath: string): Promise<WorkerWriter> {
    const worker = startStoreWorker(storePath);
    const first = await new Promise<WorkerReply | Error>((resolve) => {
      worker.once('message', resolve);
      worker.once('error', resolve);
    });
    if (first instanceof Error || first.type !== 'ready') {
      await worker.terminate();
      const code =
        first instanceof Error ? 'GV_STORE_OPEN' : first.type === 'error' ? first.code : 'GV_STORE_OPEN';
      const message =
        first instanceof Error ? first.message : first.type === 'error' ? first.message : 'unexpected reply';
      throw new AuditError(code === 'GV_STORE_SCHEMA' ? 'GV_STORE_SCHEMA' : 'GV_STORE_OPEN', message);
    }
    return new WorkerWriter(worker);
  }

  private request(req: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WriteResult | undefined> {
    if (this.exited !== null) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.waiting.set(req.id, { resolve, reject });
      this.worker.postMessage(req, transfer);
    });
  }

  async write(batch: RawMessage[], ctx: ParseContext): Promise<WriteResult> {
    return this.writePacked(packBatch(batch), ctx);
  }

  async writePacked(packed: PackedBatch, ctx: ParseContext): Promise<WriteResult> {
    const r = await this.request({ type: 'write', id: this.nextId++, batch: packed, ctx }, [packed.data]);
    return r ?? { stored: 0, rejected: 0 };
  }

  async recordChannelStats(stats: readonly ChannelStats[]): Promise<void> {
    await this.request({ type: 'stats', id: this.nextId++, stats });
  }

  async close(): Promise<void> {
    if (this.exited === null) {
      await this.request({ type: 'close', id: this.nextId++ }).catch(() => undefined);
    }
    await this.worker.terminate();
  }
}

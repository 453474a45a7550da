/**
 * The collector: listeners in, batches of raw messages out to the event store.
 *
 * The receive path is kept cheap on purpose (a UDP sender cannot be slowed down, so anything slow
 * there turns into kernel drops). UDP read by recvmmsg: the addon's own thread reads the socket and
 * holds the datagrams packed; every `flushIntervalMs` the collector drains them in chunks of `batchMax`
 * straight to the BatchWriter, deciding trust once per distinct peer. TCP, and UDP read by node:dgram:
 * a socket handler only pushes `{bytes, receivedMs, peer, trusted}` onto its listener's array; a timer
 * (every `flushIntervalMs`) or, when an array reaches `batchMax`, setImmediate hands at most `batchMax`
 * messages per listener to the BatchWriter. The writer parses a batch and commits it in one transaction
 * (on a worker thread in the CLI, so the event loop stays free for the sockets). A crash loses what
 * was received but not yet committed: normally the last ~100 ms.
 */
import { AuditError } from '../model/errors.js';
import type { ChannelStats, ParseContext, RawMessage, Rejection } from '../model/events.js';
import { oversizedDatagram, packNativeChunk, type BatchWriter, type PackedBatch } from './batch-writer.js';
import type { AllowList } from './allow-list.js';
import { normalizePeerAddress } from './allow-list.js';
import type { ListenAddress } from './listen-address.js';
import { TcpListener, type TlsFiles } from './tcp-listener.js';
import { readOwnSocketInodes } from './udp-drops.js';
import { defaultUdpReader, UdpListener, type UdpReader } from './udp-listener.js';
import type { NativeChunk } from './udp-native.js';

export interface CollectorOptions {
  listen: readonly ListenAddress[];
  /**
   * Parses and stores batches (WorkerWriter in the CLI). The collector does not close it. A function is
   * called by start() once every listener is bound, so a collector that cannot bind creates no store
   * (#12); what it returns is then `writer`.
   */
  writer: BatchWriter | (() => Promise<BatchWriter>);
  /** Parse context without the reference time; each batch uses its own receive time. */
  parseContext: Omit<ParseContext, 'referenceMs'>;
  allow: AllowList;
  maxMessageBytes: number;
  /** SO_RCVBUF request for UDP sockets; null asks for net.core.rmem_max. */
  udpRcvbufBytes: number | null;
  /** How UDP sockets are read; default recvmmsg where the addon is built, else dgram. */
  udpReader?: UdpReader;
  tls?: TlsFiles;
  idleTimeoutMs: number;
  maxConnections: number;
  nowMs: () => number;
  /** Default 100. */
  flushIntervalMs?: number;
  /** Default 1000. */
  batchMax?: number;
  /**
   * UDP messages held in memory before new ones are dropped (and counted); TCP pauses instead. Default
   * 500000. With the recvmmsg reader up to this many wait in the addon too, so at most twice as many.
   */
  maxPending?: number;
  /** How often stats are stored and `onStats` called; default 5000. */
  statsIntervalMs?: number;
  /** Receives each periodic one-line summary (the CLI writes it to stderr). */
  onStats?: (line: string, stats: readonly ChannelStats[]) => void;
  /** Called after each committed batch (tests await this instead of sleeping). */
  onWritten?: (totals: CollectorTotals) => void;
  /** A socket error after start (the collector keeps running). */
  onListenerError?: (url: string, err: Error) => void;
}

/** Counters of one listener; cumulative since this collector run started. */
interface ListenerState {
  listener: UdpListener | TcpListener;
  pending: RawMessage[];
  received: number;
  stored: number;
  rejected: number;
  untrusted: number;
  appDrops: number;
  kernelDrops: number;
  /** recvmmsg listeners: the receive thread's counts (datagrams read, and dropped while it held too many). */
  nativeReceived: number;
  nativeDropped: number;
  nativeErrors: number;
}

export interface CollectorTotals {
  received: number;
  stored: number;
  rejected: number;
  untrusted: number;
  kernelDrops: number;
  appDrops: number;
}

export class Collector {
  private readonly opts: CollectorOptions;
  private readonly states: ListenerState[] = [];
  private readonly flushIntervalMs: number;
  private readonly batchMax: number;
  private readonly maxPending: number;
  private readonly statsIntervalMs: number;
  private readonly udpReader: UdpReader;
  private flushTimer: NodeJS.Timeout | null = null;
  private statsTimer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private pendingTotal = 0;
  private tcpPaused = false;
  private started = false;
  private stopped = false;
  private failure: AuditError | null = null;
  private failListeners: ((err: AuditError) => void)[] = [];
  private lastStats: { atMs: number; received: number } | null = null;
  /** ChannelStats.runStartedMs of this run. */
  private runStartedMs = 0;
  /** Settles after every write issued so far (writes complete in order). */
  private lastWrite: Promise<void> = Promise.resolve();
  /** The writer once start() has it (opened there when CollectorOptions.writer is a function). */
  private writerNow: BatchWriter | null = null;
  /** Per-peer trust decisions: a few peers send all the traffic, so cache the allowlist lookup. */
  private readonly peerCache = new Map<string, { peer: string; trusted: boolean }>();

  constructor(opts: CollectorOptions) {
    this.opts = opts;
    this.flushIntervalMs = opts.flushIntervalMs ?? 100;
    this.batchMax = opts.batchMax ?? 1000;
    this.maxPending = opts.maxPending ?? 500_000;
    this.statsIntervalMs = opts.statsIntervalMs ?? 5000;
    this.udpReader = opts.udpReader ?? defaultUdpReader().reader;
  }

  /** Where batches go; set by start(). */
  get writer(): BatchWriter {
    if (this.writerNow === null)
      throw new AuditError('GV_INTERNAL', 'the collector has no writer before start()');
    return this.writerNow;
  }

  /** Bound listener URLs (with the real port when 0 was asked), in --listen order. */
  get urls(): string[] {
    return this.states.map((s) => s.listener.url);
  }

  /** The listeners, for their bound ports and UDP buffer sizes. */
  get listeners(): readonly (UdpListener | TcpListener)[] {
    return this.states.map((s) => s.listener);
  }

  /**
   * Binds every listener, or none: on a bind failure the ones already bound are closed, nothing is
   * stored, and GV_BIND_FAILED is thrown. Then opens the writer when it is given as a function (its
   * error closes the listeners and is thrown); what arrives meanwhile waits in memory.
   */
  async start(): Promise<void> {
    if (this.started) throw new AuditError('GV_INTERNAL', 'Collector.start() called twice');
    this.started = true;
    for (const address of this.opts.listen) {
      const state: ListenerState = {
        listener: null as unknown as UdpListener,
        pending: [],
        received: 0,
        stored: 0,
        rejected: 0,
        untrusted: 0,
        appDrops: 0,
        kernelDrops: 0,
        nativeReceived: 0,
        nativeDropped: 0,
        nativeErrors: 0,
      };
      state.listener = this.createListener(address, state);
      this.states.push(state);
      try {
        await state.listener.start();
      } catch (err) {
        this.stopped = true;
        await Promise.all(this.states.map((s) => s.listener.close()));
        throw err;
      }
    }
    const writer = this.opts.writer;
    if (typeof writer === 'function') {
      try {
        this.writerNow = await writer();
      } catch (err) {
        this.stopped = true;
        await Promise.all(this.states.map((s) => s.listener.close()));
        throw err;
      }
    } else {
      this.writerNow = writer;
    }
    this.flushTimer = setInterval(() => this.flush(), this.flushIntervalMs);
    this.statsTimer = setInterval(() => void this.emitStats(), this.statsIntervalMs);
    this.runStartedMs = this.opts.nowMs();
    this.lastStats = { atMs: this.runStartedMs, received: 0 };
  }

  /** Calls `fn` once if the store fails (GV_STORE_WRITE); the collector has then stopped receiving. */
  onFailure(fn: (err: AuditError) => void): void {
    if (this.failure !== null) fn(this.failure);
    else this.failListeners.push(fn);
  }

  private createListener(address: ListenAddress, state: ListenerState): UdpListener | TcpListener {
    const onError = (err: Error): void => this.opts.onListenerError?.(state.listener.url, err);
    if (address.transport === 'udp') {
      return new UdpListener({
        address,
        rcvbufBytes: this.opts.udpRcvbufBytes,
        reader: this.udpReader,
        maxHeld: this.maxPending,
        maxMessageBytes: this.opts.maxMessageBytes,
        onError,
        onMessage: (bytes, peer) => this.receive(state, bytes, peer, undefined),
      });
    }
    return new TcpListener({
      address,
      maxMessageBytes: this.opts.maxMessageBytes,
      idleTimeoutMs: this.opts.idleTimeoutMs,
      maxConnections: this.opts.maxConnections,
      ...(this.opts.tls !== undefined ? { tls: this.opts.tls } : {}),
      onError,
      onMessage: (bytes, peer, rejection) => this.receive(state, bytes, peer, rejection),
    });
  }

  /** The receive path: push and return. */
  private receive(
    state: ListenerState,
    bytes: Buffer,
    rawPeer: string,
    rejection: Rejection | undefined,
  ): void {
    state.received++;
    if (this.failure !== null) {
      state.appDrops++;
      return;
    }
    if (this.pendingTotal >= this.maxPending && state.listener.transport === 'udp') {
      state.appDrops++;
      return;
    }
    const who = this.trustOf(rawPeer);
    if (!who.trusted) state.untrusted++;
    let message = bytes;
    if (rejection === undefined && bytes.length > this.opts.maxMessageBytes) {
      message = bytes.subarray(0, this.opts.maxMessageBytes);
      rejection = oversizedDatagram(bytes.length, this.opts.maxMessageBytes);
    }
    // Always the same seven fields in the same order: one object shape keeps this path monomorphic.
    state.pending.push({
      bytes: message,
      receivedMs: this.opts.nowMs(),
      peer: who.peer,
      transport: state.listener.transport,
      origin: state.listener.url,
      trusted: who.trusted,
      framingRejection: rejection,
    });
    this.pendingTotal++;
    if (state.pending.length >= this.batchMax && this.immediate === null) {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.flush();
      });
    }
    if (!this.tcpPaused && this.pendingTotal >= this.maxPending / 2) this.setTcpPaused(true);
  }

  private setTcpPaused(paused: boolean): void {
    this.tcpPaused = paused;
    for (const s of this.states) {
      if (s.listener instanceof TcpListener) {
        if (paused) s.listener.pause();
        else s.listener.resume();
      }
    }
  }

  /**
   * Writes at most `batchMax` pending messages per listener, one transaction each. When more remain,
   * continues on setImmediate so socket reads interleave with writes.
   */
  private flush(): void {
    if (this.failure !== null) return;
    let more = false;
    for (const s of this.states) {
      if (isNative(s.listener)) {
        if (!this.drainNative(s)) return;
        continue;
      }
      if (s.pending.length === 0) continue;
      let batch: RawMessage[];
      if (s.pending.length <= this.batchMax) {
        batch = s.pending;
        s.pending = [];
      } else {
        batch = s.pending.splice(0, this.batchMax);
      }
      if (!this.write(s, batch)) return;
      if (s.pending.length > 0) more = true;
    }
    if (more && this.immediate === null) {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.flush();
      });
    }
  }

  /**
   * recvmmsg listener: writes what its receive thread holds, `batchMax` at a time, while fewer than
   * `maxPending` messages wait for the writer (beyond that they wait in the addon, which drops and
   * counts once it holds `maxPending` itself). False when the collector has failed.
   */
  private drainNative(s: ListenerState): boolean {
    const listener = s.listener as UdpListener;
    while (this.pendingTotal < this.maxPending) {
      const chunk = listener.drain(this.batchMax);
      if (chunk === null) break;
      if (!this.writePacked(s, this.packChunk(s, chunk))) return false;
    }
    this.syncNative(s);
    return true;
  }

  /** A drained chunk as the writer takes it; counts its untrusted messages. */
  private packChunk(s: ListenerState, chunk: NativeChunk): PackedBatch {
    const { packed, untrusted } = packNativeChunk(chunk, {
      transport: s.listener.transport,
      origin: s.listener.url,
      maxMessageBytes: this.opts.maxMessageBytes,
      trustOf: (raw) => this.trustOf(raw),
    });
    s.untrusted += untrusted;
    return packed;
  }

  /** Copies a recvmmsg listener's counters from its receive thread. */
  private syncNative(s: ListenerState): void {
    const st = isNative(s.listener) ? (s.listener as UdpListener).nativeStats() : null;
    if (st === null) return;
    s.nativeReceived = st.received;
    s.nativeDropped = st.dropped;
    if (st.errors > s.nativeErrors) {
      const more = st.errors - s.nativeErrors;
      s.nativeErrors = st.errors;
      this.opts.onListenerError?.(
        s.listener.url,
        new Error(
          `the receive thread's recvmmsg() failed ${more} more time(s): ${st.lastError ?? 'unknown error'}`,
        ),
      );
    }
  }

  private trustOf(rawPeer: string): { peer: string; trusted: boolean } {
    let who = this.peerCache.get(rawPeer);
    if (who === undefined) {
      if (this.peerCache.size > 10_000) this.peerCache.clear();
      who = { peer: normalizePeerAddress(rawPeer), trusted: this.opts.allow.isAllowed(rawPeer) };
      this.peerCache.set(rawPeer, who);
    }
    return who;
  }

  /** Issues one batch write; false when the collector has already failed. Completion is counted later. */
  private write(s: ListenerState, batch: RawMessage[]): boolean {
    const referenceMs = batch[batch.length - 1]?.receivedMs ?? this.opts.nowMs();
    return this.issue(s, batch.length, referenceMs, (ctx) => this.writer.write(batch, ctx));
  }

  /** As write(), for a batch already packed (recvmmsg listeners): its messages count as pending from here. */
  private writePacked(s: ListenerState, packed: PackedBatch): boolean {
    const n = packed.ends.length;
    this.pendingTotal += n;
    const referenceMs = n > 0 ? (packed.receivedMs[n - 1] as number) : this.opts.nowMs();
    return this.issue(s, n, referenceMs, (ctx) => this.writer.writePacked(packed, ctx));
  }

  private issue(
    s: ListenerState,
    count: number,
    referenceMs: number,
    start: (ctx: ParseContext) => Promise<{ stored: number; rejected: number }>,
  ): boolean {
    if (this.failure !== null) {
      s.appDrops += count;
      this.pendingTotal -= count;
      return false;
    }
    const ctx: ParseContext = { ...this.opts.parseContext, referenceMs };
    let done: Promise<void>;
    try {
      done = start(ctx).then(
        (r) => {
          s.stored += r.stored;
          s.rejected += r.rejected;
          this.pendingTotal -= count;
          if (this.opts.onWritten !== undefined) this.opts.onWritten(this.countersTotals());
          if (this.tcpPaused && this.pendingTotal < this.maxPending / 4) this.setTcpPaused(false);
        },
        (err: unknown) => {
          this.pendingTotal -= count;
          this.fail(s, count, err);
        },
      );
    } catch (err) {
      this.pendingTotal -= count;
      this.fail(s, count, err);
      return false;
    }
    this.lastWrite = this.lastWrite.then(() => done);
    return true;
  }

  /** The store failed: stop receiving, count what is lost, tell the owner. Committed batches stay. */
  private fail(s: ListenerState, lost: number, err: unknown): void {
    s.appDrops += lost;
    if (this.failure !== null) return;
    for (const st of this.states) {
      st.appDrops += st.pending.length;
      this.pendingTotal -= st.pending.length;
      st.pending = [];
    }
    const failure =
      err instanceof AuditError && err.code === 'GV_STORE_WRITE'
        ? err
        : new AuditError(
            'GV_STORE_WRITE',
            `writing a batch of ${lost} messages from ${s.listener.url} to the event store failed: ${(err as Error).message ?? String(err)}; earlier batches are committed`,
            { cause: err },
          );
    this.failure = failure;
    this.clearTimers();
    void Promise.all(this.states.map((st) => st.listener.close())).finally(() => {
      // What recvmmsg listeners had read but not handed over is lost with the store: taken out and
      // counted here, once (stop() then finds nothing to write).
      for (const st of this.states) {
        if (!isNative(st.listener)) continue;
        let chunk: NativeChunk | null;
        while ((chunk = (st.listener as UdpListener).drain(this.batchMax)) !== null) {
          st.appDrops += chunk.ends.length;
        }
        this.syncNative(st);
      }
      for (const fn of this.failListeners) fn(failure);
      this.failListeners = [];
    });
  }

  private clearTimers(): void {
    if (this.flushTimer !== null) clearInterval(this.flushTimer);
    if (this.statsTimer !== null) clearInterval(this.statsTimer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.flushTimer = this.statsTimer = this.immediate = null;
  }

  /** Current counters per listener, as stored by recordChannelStats. Reads the kernel drop counters. */
  snapshot(): ChannelStats[] {
    return this.counters(true);
  }

  /** Counters per listener; kernel drops read from /proc when `readKernel`, else as last read. */
  private counters(readKernel: boolean): ChannelStats[] {
    const atMs = this.opts.nowMs();
    const inodes =
      readKernel && this.states.some((s) => s.listener instanceof UdpListener)
        ? readOwnSocketInodes()
        : undefined;
    return this.states.map((s) => {
      if (readKernel && s.listener instanceof UdpListener) {
        s.kernelDrops = s.listener.kernelDrops(inodes) ?? s.kernelDrops;
      }
      this.syncNative(s);
      return {
        atMs,
        listener: s.listener.url,
        received: s.received + s.nativeReceived,
        stored: s.stored,
        rejected: s.rejected,
        untrusted: s.untrusted,
        kernelDrops: s.kernelDrops,
        appDrops: s.appDrops + s.nativeDropped,
        connections: s.listener instanceof TcpListener ? s.listener.connections : 0,
        runStartedMs: this.runStartedMs,
      };
    });
  }

  /** Sums of the in-memory counters (kernel drops as last read). */
  private countersTotals(): CollectorTotals {
    return this.totals(this.counters(false));
  }

  /** Sums over listeners. */
  totals(stats: readonly ChannelStats[] = this.snapshot()): CollectorTotals {
    const t: CollectorTotals = {
      received: 0,
      stored: 0,
      rejected: 0,
      untrusted: 0,
      kernelDrops: 0,
      appDrops: 0,
    };
    for (const s of stats) {
      t.received += s.received;
      t.stored += s.stored;
      t.rejected += s.rejected;
      t.untrusted += s.untrusted;
      t.kernelDrops += s.kernelDrops;
      t.appDrops += s.appDrops;
    }
    return t;
  }

  /** Stores a snapshot (through the writer, after the writes issued before it) and prints the line. */
  private emitStats(): Promise<void> {
    const stats = this.snapshot();
    const recorded = this.writer.recordChannelStats(stats).catch((err: unknown) => {
      this.fail(this.states[0] as ListenerState, 0, err);
    });
    const t = this.totals(stats);
    const now = stats[0]?.atMs ?? this.opts.nowMs();
    const last = this.lastStats ?? { atMs: now, received: 0 };
    const perSec =
      now > last.atMs ? Math.round(((t.received - last.received) * 1000) / (now - last.atMs)) : 0;
    this.lastStats = { atMs: now, received: t.received };
    const connections = stats.reduce((n, s) => n + s.connections, 0);
    this.opts.onStats?.(
      `collect: received ${perSec}/s (total ${t.received}) stored ${t.stored} rejected ${t.rejected} untrusted ${t.untrusted} dropped ${t.kernelDrops + t.appDrops} (kernel ${t.kernelDrops}, collector ${t.appDrops}) connections ${connections}`,
      stats,
    );
    return recorded;
  }

  /**
   * Stops: closes the listeners (TCP connections hand over what they already received), writes every
   * pending message, stores the final stats. Throws GV_STORE_WRITE if the store failed meanwhile.
   */
  async stop(): Promise<CollectorTotals> {
    if (this.stopped) return this.totals();
    this.stopped = true;
    // Read the kernel's drop counters while the sockets still exist.
    this.snapshot();
    await Promise.all(this.states.map((s) => s.listener.close()));
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    for (const s of this.states) {
      if (isNative(s.listener)) {
        // Everything the receive thread read, whatever maxPending says: the store catches up before exit.
        let chunk: NativeChunk | null;
        while ((chunk = (s.listener as UdpListener).drain(this.batchMax)) !== null) {
          if (!this.writePacked(s, this.packChunk(s, chunk))) break;
        }
        this.syncNative(s);
        continue;
      }
      while (s.pending.length > 0 && this.write(s, s.pending.splice(0, this.batchMax)));
    }
    await this.lastWrite;
    this.clearTimers();
    if (this.failure !== null) throw this.failure;
    await this.emitStats();
    if (this.failure !== null) throw this.failure;
    return this.totals();
  }
}

/** A UDP listener read by recvmmsg: the collector drains it instead of being called per datagram. */
function isNative(l: UdpListener | TcpListener): boolean {
  return l instanceof UdpListener && l.reader === 'recvmmsg';
}

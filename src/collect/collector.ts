/**
 * The collector: listeners in, batches of raw messages out to the event store.
 *
 * The receive path is kept cheap on purpose (a UDP sender cannot be slowed down, so anything slow
 * there turns into kernel drops): a socket handler only pushes `{bytes, receivedMs, peer, trusted}`
 * onto its listener's array. A timer (every `flushIntervalMs`) or, when an array reaches `batchMax`,
 * setImmediate hands at most `batchMax` messages per listener to the BatchWriter, which parses them and
 * commits them in one transaction (on a worker thread in the CLI, so the event loop stays free for the
 * sockets). A crash loses what was received but not yet committed: normally the last ~100 ms.
 */
import { AuditError } from '../model/errors.js';
import type { ChannelStats, ParseContext, RawMessage, Rejection } from '../model/events.js';
import type { BatchWriter } from './batch-writer.js';
import type { AllowList } from './allow-list.js';
import { normalizePeerAddress } from './allow-list.js';
import type { ListenAddress } from './listen-address.js';
import { TcpListener, type TlsFiles } from './tcp-listener.js';
import { readOwnSocketInodes } from './udp-drops.js';
import { UdpListener } from './udp-listener.js';

export interface CollectorOptions {
  listen: readonly ListenAddress[];
  /** Parses and stores batches (WorkerWriter in the CLI). The collector does not close it. */
  writer: BatchWriter;
  /** Parse context without the reference time; each batch uses its own receive time. */
  parseContext: Omit<ParseContext, 'referenceMs'>;
  allow: AllowList;
  maxMessageBytes: number;
  /** SO_RCVBUF request for UDP sockets; null asks for net.core.rmem_max. */
  udpRcvbufBytes: number | null;
  tls?: TlsFiles;
  idleTimeoutMs: number;
  maxConnections: number;
  nowMs: () => number;
  /** Default 100. */
  flushIntervalMs?: number;
  /** Default 1000. */
  batchMax?: number;
  /** UDP messages held in memory before new ones are dropped (and counted); TCP pauses instead. Default 500000. */
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
  /** Per-peer trust decisions: a few peers send all the traffic, so cache the allowlist lookup. */
  private readonly peerCache = new Map<string, { peer: string; trusted: boolean }>();

  constructor(opts: CollectorOptions) {
    this.opts = opts;
    this.flushIntervalMs = opts.flushIntervalMs ?? 100;
    this.batchMax = opts.batchMax ?? 1000;
    this.maxPending = opts.maxPending ?? 500_000;
    this.statsIntervalMs = opts.statsIntervalMs ?? 5000;
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
   * stored, and GV_BIND_FAILED is thrown.
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
    let who = this.peerCache.get(rawPeer);
    if (who === undefined) {
      if (this.peerCache.size > 10_000) this.peerCache.clear();
      who = { peer: normalizePeerAddress(rawPeer), trusted: this.opts.allow.isAllowed(rawPeer) };
      this.peerCache.set(rawPeer, who);
    }
    if (!who.trusted) state.untrusted++;
    let message = bytes;
    if (rejection === undefined && bytes.length > this.opts.maxMessageBytes) {
      message = bytes.subarray(0, this.opts.maxMessageBytes);
      rejection = {
        reason: 'oversized',
        detail: `a datagram of ${bytes.length} bytes is longer than --max-message-bytes ${this.opts.maxMessageBytes}; kept its first ${message.length} bytes`,
      };
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

  /** Issues one batch write; false when the collector has already failed. Completion is counted later. */
  private write(s: ListenerState, batch: RawMessage[]): boolean {
    if (this.failure !== null) {
      s.appDrops += batch.length;
      this.pendingTotal -= batch.length;
      return false;
    }
    const referenceMs = batch[batch.length - 1]?.receivedMs ?? this.opts.nowMs();
    const ctx: ParseContext = { ...this.opts.parseContext, referenceMs };
    let done: Promise<void>;
    try {
      done = this.opts.writer.write(batch, ctx).then(
        (r) => {
          s.stored += r.stored;
          s.rejected += r.rejected;
          this.pendingTotal -= batch.length;
          if (this.opts.onWritten !== undefined) this.opts.onWritten(this.countersTotals());
          if (this.tcpPaused && this.pendingTotal < this.maxPending / 4) this.setTcpPaused(false);
        },
        (err: unknown) => {
          this.pendingTotal -= batch.length;
          this.fail(s, batch.length, err);
        },
      );
    } catch (err) {
      this.pendingTotal -= batch.length;
      this.fail(s, batch.length, err);
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
    const atMs = this.opts.nowMs();
    const inodes = this.states.some((s) => s.listener instanceof UdpListener)
      ? readOwnSocketInodes()
      : undefined;
    return this.states.map((s) => {
      if (s.listener instanceof UdpListener) s.kernelDrops = s.listener.kernelDrops(inodes) ?? s.kernelDrops;
      return {
        atMs,
        listener: s.listener.url,
        received: s.received,
        stored: s.stored,
        rejected: s.rejected,
        untrusted: s.untrusted,
        kernelDrops: s.kernelDrops,
        appDrops: s.appDrops,
        connections: s.listener instanceof TcpListener ? s.listener.connections : 0,
        runStartedMs: this.runStartedMs,
      };
    });
  }

  /** Sums of the in-memory counters (kernel drops as last read). */
  private countersTotals(): CollectorTotals {
    const t: CollectorTotals = {
      received: 0,
      stored: 0,
      rejected: 0,
      untrusted: 0,
      kernelDrops: 0,
      appDrops: 0,
    };
    for (const s of this.states) {
      t.received += s.received;
      t.stored += s.stored;
      t.rejected += s.rejected;
      t.untrusted += s.untrusted;
      t.kernelDrops += s.kernelDrops;
      t.appDrops += s.appDrops;
    }
    return t;
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
    const recorded = this.opts.writer.recordChannelStats(stats).catch((err: unknown) => {
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

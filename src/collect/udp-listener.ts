/**
 * One UDP listener with a large receive buffer, read one of two ways:
 * - 'recvmmsg' (default where the addon is built): the native receive thread of udp-native.ts reads
 *   the socket in batches and keeps the datagrams packed until the collector calls drain(); the event
 *   loop does no per-datagram work.
 * - 'dgram': a plain node:dgram socket whose message handler only hands the datagram to `onMessage`
 *   (the collector pushes a reference, the time and the peer onto an array); ~6 us of the event loop
 *   per datagram, so it drops sooner under load (bench/collector.bench.ts), but needs nothing built.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { AuditError } from '../model/errors.js';
import { formatListenAddress, type ListenAddress } from './listen-address.js';
import { loadNativeUdp, type NativeChunk, type NativeStats, type NativeUdpAddon } from './udp-native.js';
import { readOwnUdpRow, readUdpDrops } from './udp-drops.js';

/** net.core.rmem_max, the largest receive buffer an unprivileged setsockopt gets; null when unreadable. */
export function readRmemMax(): number | null {
  try {
    const n = Number(readFileSync('/proc/sys/net/core/rmem_max', 'latin1').trim());
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** How datagrams are read off the socket (see the file comment). */
export type UdpReader = 'recvmmsg' | 'dgram';

/** 'recvmmsg' when the addon loads here, else 'dgram'; `why` says why the addon is not used. */
export function defaultUdpReader(): { reader: UdpReader; why?: string } {
  const native = loadNativeUdp();
  return 'addon' in native ? { reader: 'recvmmsg' } : { reader: 'dgram', why: native.reason };
}

export interface UdpListenerOptions {
  address: ListenAddress;
  /** Requested SO_RCVBUF in bytes; null asks for net.core.rmem_max. */
  rcvbufBytes: number | null;
  reader: UdpReader;
  /** recvmmsg: datagrams held for drain() before new ones are dropped (and counted). */
  maxHeld: number;
  /** recvmmsg: longer datagrams are cut to this many bytes (drain() reports their original length). */
  maxMessageBytes: number;
  /** dgram: every datagram as it arrives. */
  onMessage: (bytes: Buffer, peer: string) => void;
  /** A socket error after start (rare for UDP); the listener keeps running. */
  onError: (err: Error) => void;
}

export class UdpListener {
  readonly transport = 'udp' as const;
  private readonly opts: UdpListenerOptions;
  private socket: Socket | null = null;
  private native: { addon: NativeUdpAddon; handle: unknown; port: number } | null = null;
  private nativeClosed = false;
  private boundUrl: string;
  /** Receive buffer the kernel granted (what getsockopt reports: twice the accounted size). */
  rcvbufGrantedBytes = 0;
  rcvbufRequestedBytes = 0;

  constructor(opts: UdpListenerOptions) {
    this.opts = opts;
    this.boundUrl = formatListenAddress(opts.address);
  }

  get url(): string {
    return this.boundUrl;
  }

  get port(): number {
    return this.native?.port ?? this.socket?.address().port ?? this.opts.address.port;
  }

  get reader(): UdpReader {
    return this.opts.reader;
  }

  /** Binds; throws GV_BIND_FAILED (port in use, no permission, address not local). */
  async start(): Promise<void> {
    if (this.opts.reader === 'recvmmsg') return this.startNative();
    const { address, onMessage } = this.opts;
    const socket = createSocket({ type: address.family === 6 ? 'udp6' : 'udp4' });
    this.socket = socket;
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => onMessage(msg, rinfo.address));
    await new Promise<void>((resolve, reject) => {
      const onBindError = (err: Error): void => reject(err);
      socket.once('error', onBindError);
      socket.bind({ address: address.host, port: address.port, exclusive: true }, () => {
        socket.off('error', onBindError);
        resolve();
      });
    }).catch((err: unknown) => {
      this.socket = null;
      socket.close();
      throw new AuditError(
        'GV_BIND_FAILED',
        `cannot bind ${this.boundUrl}: ${(err as Error).message}; expected a free local address (ports below 1024 need root or CAP_NET_BIND_SERVICE)`,
        { cause: err },
      );
    });
    socket.on('error', (err) => this.opts.onError(err));
    this.boundUrl = formatListenAddress({ ...address, port: socket.address().port });
    // The kernel silently caps the request at net.core.rmem_max (and reports double what it accounts).
    this.rcvbufRequestedBytes = this.opts.rcvbufBytes ?? readRmemMax() ?? 4 * 1024 * 1024;
    try {
      socket.setRecvBufferSize(this.rcvbufRequestedBytes);
    } catch {
      // Keep the default buffer; the granted size below tells the operator.
    }
    this.rcvbufGrantedBytes = socket.getRecvBufferSize();
  }

  private startNative(): void {
    const found = loadNativeUdp();
    if (!('addon' in found)) {
      throw new AuditError('GV_USAGE', `the recvmmsg UDP reader is not available: ${found.reason}`);
    }
    const { address } = this.opts;
    this.rcvbufRequestedBytes = this.opts.rcvbufBytes ?? readRmemMax() ?? 4 * 1024 * 1024;
    let handle: unknown;
    try {
      handle = found.addon.open(
        address.family,
        address.host,
        address.port,
        this.rcvbufRequestedBytes,
        this.opts.maxHeld,
        this.opts.maxMessageBytes,
      );
    } catch (err) {
      throw new AuditError(
        'GV_BIND_FAILED',
        `cannot bind ${this.boundUrl}: ${(err as Error).message}; expected a free local address (ports below 1024 need root or CAP_NET_BIND_SERVICE)`,
        { cause: err },
      );
    }
    const info = found.addon.info(handle);
    this.native = { addon: found.addon, handle, port: info.port };
    this.rcvbufGrantedBytes = info.rcvbuf;
    this.boundUrl = formatListenAddress({ ...address, port: info.port });
  }

  /**
   * recvmmsg: takes at most `max` datagrams the receive thread has read (oldest first), or null when
   * none wait. Still works after close() for what was read before it.
   */
  drain(max: number): NativeChunk | null {
    return this.native === null ? null : this.native.addon.drain(this.native.handle, max);
  }

  /** recvmmsg: the receive thread's counters; null for a dgram listener. */
  nativeStats(): NativeStats | null {
    return this.native === null ? null : this.native.addon.stats(this.native.handle);
  }

  /** Datagrams the kernel dropped on this socket since it was created; null when /proc cannot tell. */
  kernelDrops(ownInodes?: Set<number>): number | null {
    if (this.socket === null && (this.native === null || this.nativeClosed)) return null;
    return readUdpDrops(this.opts.address.family, this.port, ownInodes);
  }

  /**
   * Closes the socket after reading what the kernel already queued for it (bounded by `drainMs`):
   * a datagram that reached the socket before SIGTERM is stored, not discarded with the socket.
   */
  async close(drainMs = 1000): Promise<void> {
    if (this.native !== null) {
      // The receive thread reads what the kernel queued (for at most drainMs), then the socket closes.
      if (!this.nativeClosed) this.native.addon.close(this.native.handle, drainMs);
      this.nativeClosed = true;
      return;
    }
    const until = Date.now() + drainMs;
    while (this.socket !== null && Date.now() < until) {
      const row = readOwnUdpRow(this.opts.address.family, this.port);
      if (row === null || row.rxQueueBytes === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const socket = this.socket;
    this.socket = null;
    if (socket === null) return;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/**
 * One UDP listener: a plain node:dgram socket with a large receive buffer. The message handler only
 * hands the datagram to `onMessage` (which copies a reference, the time and the peer into an array);
 * everything else happens later, off the receive path.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { AuditError } from '../model/errors.js';
import { formatListenAddress, type ListenAddress } from './listen-address.js';
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

export interface UdpListenerOptions {
  address: ListenAddress;
  /** Requested SO_RCVBUF in bytes; null asks for net.core.rmem_max. */
  rcvbufBytes: number | null;
  onMessage: (bytes: Buffer, peer: string) => void;
  /** A socket error after start (rare for UDP); the listener keeps running. */
  onError: (err: Error) => void;
}

export class UdpListener {
  readonly transport = 'udp' as const;
  private readonly opts: UdpListenerOptions;
  private socket: Socket | null = null;
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
    return this.socket?.address().port ?? this.opts.address.port;
  }

  /** Binds; throws GV_BIND_FAILED (port in use, no permission, address not local). */
  async start(): Promise<void> {
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

  /** Datagrams the kernel dropped on this socket since it was created; null when /proc cannot tell. */
  kernelDrops(ownInodes?: Set<number>): number | null {
    if (this.socket === null) return null;
    return readUdpDrops(this.opts.address.family, this.port, ownInodes);
  }

  /**
   * Closes the socket after reading what the kernel already queued for it (bounded by `drainMs`):
   * a datagram that reached the socket before SIGTERM is stored, not discarded with the socket.
   */
  async close(drainMs = 1000): Promise<void> {
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

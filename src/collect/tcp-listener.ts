/**
 * One TCP or TLS (RFC 5425) listener with RFC 6587 framing per connection (frame-decoder.ts),
 * an idle timeout, a connection limit, and pause/resume so a slow store pushes back on senders
 * instead of growing memory.
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { AuditError } from '../model/errors.js';
import type { Rejection } from '../model/events.js';
import { FrameDecoder } from './frame-decoder.js';
import { formatListenAddress, type ListenAddress } from './listen-address.js';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

export interface TcpListenerOptions {
  address: ListenAddress;
  maxMessageBytes: number;
  idleTimeoutMs: number;
  maxConnections: number;
  /** Required when address.transport is 'tls'. */
  tls?: TlsFiles;
  onMessage: (bytes: Buffer, peer: string, rejection: Rejection | undefined) => void;
  onError: (err: Error) => void;
}

export class TcpListener {
  readonly transport: 'tcp' | 'tls';
  private readonly opts: TcpListenerOptions;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private paused = false;
  private boundUrl: string;
  /** Connections accepted since start (cumulative). */
  accepted = 0;
  /** Connections closed by the idle timeout (cumulative). */
  idleClosed = 0;

  constructor(opts: TcpListenerOptions) {
    this.opts = opts;
    this.transport = opts.address.transport === 'tls' ? 'tls' : 'tcp';
    this.boundUrl = formatListenAddress(opts.address);
  }

  get url(): string {
    return this.boundUrl;
  }

  get port(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a !== null ? a.port : this.opts.address.port;
  }

  /** Open connections now. */
  get connections(): number {
    return this.sockets.size;
  }

  async start(): Promise<void> {
    const { address } = this.opts;
    let server: Server;
    if (this.transport === 'tls') {
      if (this.opts.tls === undefined)
        throw new AuditError('GV_TLS_CONFIG', `${this.boundUrl} needs --tls-cert and --tls-key`);
      try {
        server = createTlsServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, (s: TLSSocket) =>
          this.accept(s),
        );
      } catch (err) {
        throw new AuditError(
          'GV_TLS_CONFIG',
          `${this.boundUrl}: ${(err as Error).message}; expected a PEM certificate and its private key`,
          {
            cause: err,
          },
        );
      }
      // Failed handshakes (a plain-TCP client, a bad client hello) close that connection only.
      server.on('tlsClientError', () => undefined);
    } else {
      server = createNetServer((s) => this.accept(s));
    }
    server.maxConnections = this.opts.maxConnections;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address.host, port: address.port, exclusive: true, ipv6Only: false }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      this.server = null;
      server.close();
      throw new AuditError(
        'GV_BIND_FAILED',
        `cannot listen on ${this.boundUrl}: ${(err as Error).message}; expected a free local address (ports below 1024 need root or CAP_NET_BIND_SERVICE)`,
        { cause: err },
      );
    });
    server.on('error', (err) => this.opts.onError(err));
    this.boundUrl = formatListenAddress({ ...address, port: this.port });
  }

  /** Stop reading from every connection (the store is behind); TCP flow control slows the senders. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const s of this.sockets) s.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const s of this.sockets) s.resume();
  }

  private accept(socket: Socket): void {
    this.accepted++;
    this.sockets.add(socket);
    const peer = socket.remoteAddress ?? '';
    const decoder = new FrameDecoder(this.opts.maxMessageBytes);
    const emit = (frames: ReturnType<FrameDecoder['push']>): void => {
      for (const f of frames) this.opts.onMessage(f.bytes, peer, f.rejection);
    };
    socket.setTimeout(this.opts.idleTimeoutMs, () => {
      this.idleClosed++;
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => emit(decoder.push(chunk)));
    // A reset or a TLS error ends this connection only; its decoded frames are already queued.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.sockets.delete(socket);
      emit(decoder.end());
    });
    if (this.paused) socket.pause();
  }

  /** Stops accepting, lets every connection hand over what it already received, then closes them. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const waits = [...this.sockets].map(
      (s) =>
        new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.resume();
          s.end();
          // A peer that never answers our FIN must not hold the shutdown.
          setTimeout(() => s.destroy(), 1000).unref();
        }),
    );
    await Promise.all(waits);
    await closed;
  }
}

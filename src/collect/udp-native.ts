/**
 * The native UDP receive path (native/udp-recv.c, built by `make` into build/gv_udp.node): a thread
 * of the addon's reads the socket with recvmmsg() and keeps the datagrams packed in memory until
 * drain() takes them. See the C file for why; ARCHITECTURE.md has the measurements.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Datagrams taken out of the addon, oldest first, packed column-wise. */
export interface NativeChunk {
  /** The datagrams back to back (each cut to maxMessageBytes). */
  data: ArrayBuffer;
  /** End offset in `data` of datagram i. */
  ends: Uint32Array;
  /** Wall-clock ms when the receive thread read datagram i. */
  receivedMs: Float64Array;
  /** Source addresses this chunk uses (no port), as node:dgram would print them. */
  peers: string[];
  /** Index into `peers` of datagram i. */
  peerIdx: Uint32Array;
  /** Flat pairs (index, original length) of datagrams longer than maxMessageBytes. */
  cut: number[];
}

export interface NativeStats {
  /** Datagrams read from the socket, including dropped ones. */
  received: number;
  /** Datagrams read but discarded because maxHeld (or 256 MiB) were already waiting for drain(). */
  dropped: number;
  /** recvmmsg() failures other than timeouts. */
  errors: number;
  /** Datagrams waiting for drain(). */
  held: number;
  /** Memory the two batches (being filled, being drained) hold; a drained one over 8 MiB is freed. */
  allocatedBytes: number;
  lastError: string | null;
}

/** The addon's exports; `handle` is an opaque external. */
export interface NativeUdpAddon {
  open(
    family: 4 | 6,
    host: string,
    port: number,
    rcvbufBytes: number,
    maxHeld: number,
    maxMessageBytes: number,
  ): unknown;
  info(handle: unknown): { port: number; rcvbuf: number };
  drain(handle: unknown, max: number): NativeChunk | null;
  stats(handle: unknown): NativeStats;
  close(handle: unknown, drainMs: number): void;
}

/** Where `make` puts the addon: build/ at the project root (this file is src/collect or dist/collect). */
export const NATIVE_UDP_PATH = fileURLToPath(new URL('../../build/gv_udp.node', import.meta.url));

let loaded: { addon: NativeUdpAddon } | { reason: string } | undefined;

/** The addon, or why it cannot be used (not built, not Linux, built for another Node). Loaded once. */
export function loadNativeUdp(): { addon: NativeUdpAddon } | { reason: string } {
  if (loaded !== undefined) return loaded;
  if (process.platform !== 'linux') {
    loaded = { reason: `recvmmsg() is Linux-only (this is ${process.platform})` };
  } else if (!existsSync(NATIVE_UDP_PATH)) {
    loaded = { reason: `${NATIVE_UDP_PATH} is not built (run make; it needs cc and Node's headers)` };
  } else {
    try {
      loaded = { addon: createRequire(import.meta.url)(NATIVE_UDP_PATH) as NativeUdpAddon };
    } catch (err) {
      loaded = { reason: `cannot load ${NATIVE_UDP_PATH}: ${(err as Error).message}` };
    }
  }
  return loaded;
}

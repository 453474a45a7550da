/**
 * The kernel's per-socket UDP drop counter: the `drops` column of /proc/net/udp and /proc/net/udp6
 * (datagrams that arrived while the socket's receive buffer was full). This is loss the collector
 * cannot see any other way, so it is read regularly and stored with the channel stats.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One socket row of /proc/net/udp{,6}. */
export interface ProcUdpRow {
  localPort: number;
  inode: number;
  drops: number;
  /** Bytes waiting in the socket's receive queue (not yet read by us). */
  rxQueueBytes: number;
}

/**
 * Parses /proc/net/udp or /proc/net/udp6. A real row (IPv4):
 * `  97: 00000000:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 23372 2 0000000000000000 0`
 * Columns: sl, local addr:port (hex), remote, st, tx:rx queue, tr:when, retrnsmt, uid, timeout, inode, ref, pointer, drops.
 */
export function parseProcNetUdp(text: string): ProcUdpRow[] {
  const rows: ProcUdpRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const local = f[1] as string;
    const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    const inode = Number(f[9]);
    const drops = Number(f[12]);
    const queues = f[4] as string;
    const rxQueueBytes = parseInt(queues.slice(queues.indexOf(':') + 1), 16);
    if (Number.isFinite(port) && Number.isFinite(inode) && Number.isFinite(drops)) {
      rows.push({
        localPort: port,
        inode,
        drops,
        rxQueueBytes: Number.isFinite(rxQueueBytes) ? rxQueueBytes : 0,
      });
    }
  }
  return rows;
}

/** Inodes of the sockets this process holds open (`/proc/self/fd/N -> socket:[INODE]`). */
export function readOwnSocketInodes(): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m !== null) inodes.add(Number(m[1]));
    } catch {
      // The fd closed between readdir and readlink.
    }
  }
  return inodes;
}

/**
 * The kernel drop count of our UDP socket bound to `port`, or null when /proc cannot tell
 * (no /proc, socket not found). Matches the local port AND an inode this process owns, so another
 * process's socket on the same port (SO_REUSEPORT) is never counted.
 */
export function readUdpDrops(
  family: 4 | 6,
  port: number,
  ownInodes: Set<number> = readOwnSocketInodes(),
): number | null {
  return readOwnUdpRow(family, port, ownInodes)?.drops ?? null;
}

/** Our socket's row of /proc/net/udp{,6} (see readUdpDrops), or null. */
export function readOwnUdpRow(
  family: 4 | 6,
  port: number,
  ownInodes: Set<number> = readOwnSocketInodes(),
): ProcUdpRow | null {
  let text: string;
  try {
    text = readFileSync(family === 6 ? '/proc/net/udp6' : '/proc/net/udp', 'latin1');
  } catch {
    return null;
  }
  for (const row of parseProcNetUdp(text)) {
    if (row.localPort === port && ownInodes.has(row.inode)) return row;
  }
  return null;
}

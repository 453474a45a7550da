/**
 * Benchmark helper, its own process: a bare UDP receiver that only counts datagrams, built on the
 * `syslog-server` npm package, on plain node:dgram, or on our recvmmsg addon (drained every 10 ms),
 * each with the largest receive buffer it can set, so collector.bench.ts can compare the receive paths
 * alone (no parse, no store).
 * Usage: node --import tsx bench/collector-receiver.ts syslog-server|dgram|recvmmsg
 * Prints `port N` when bound; on the IPC message 'count' replies with the count so far and resets it.
 */
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { readRmemMax } from '../src/collect/udp-listener.js';
import { loadNativeUdp } from '../src/collect/udp-native.js';

const mode = process.argv[2];
let count = 0;

interface SyslogServerLike {
  on(event: 'message', fn: (m: unknown) => void): void;
  start(opts: { port: number; address: string; exclusive: boolean }): Promise<void>;
}

async function main(): Promise<number> {
  if (mode === 'syslog-server') {
    const SyslogServer = createRequire(import.meta.url)('syslog-server') as new () => SyslogServerLike;
    // The package takes no port 0 report back, so find a free port first.
    const probe = createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const server = new SyslogServer();
    server.on('message', () => count++);
    await server.start({ port, address: '127.0.0.1', exclusive: true });
    return port;
  }
  if (mode === 'recvmmsg') {
    const native = loadNativeUdp();
    if (!('addon' in native)) throw new Error(native.reason);
    const { addon } = native;
    const handle = addon.open(4, '127.0.0.1', 0, readRmemMax() ?? 4 << 20, 1_000_000, 8192);
    setInterval(() => {
      for (let c = addon.drain(handle, 10_000); c !== null; c = addon.drain(handle, 10_000)) {
        count += c.ends.length;
      }
    }, 10);
    return addon.info(handle).port;
  }
  const socket = createSocket('udp4');
  socket.on('message', () => count++);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  socket.setRecvBufferSize(readRmemMax() ?? 4 << 20);
  return socket.address().port;
}

const port = await main();
process.stdout.write(`port ${port}\n`);
process.on('message', () => {
  process.send?.(count);
  count = 0;
});
process.on('disconnect', () => process.exit(0));

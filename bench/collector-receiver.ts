/**
 * Benchmark helper, its own process: a bare UDP receiver that only counts datagrams, built either on
 * the `syslog-server` npm package or on plain node:dgram with the largest receive buffer, so
 * collector.bench.ts can compare the two libraries alone (no parse, no store).
 * Usage: node --import tsx bench/collector-receiver.ts syslog-server|dgram
 * Prints `port N` when bound; on the IPC message 'count' replies with the count so far and resets it.
 */
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { readRmemMax } from '../src/collect/udp-listener.js';

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

/**
 * Shared by the collector integration specs: an in-process Collector on loopback (port 0) over a real
 * EventStore in a temp dir, cleanups registered right after each resource is created, and waits that
 * resolve on the collector's own "batch committed" callback instead of sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllowList } from '../../src/collect/allow-list.js';
import { InlineWriter, WorkerWriter, type BatchWriter } from '../../src/collect/batch-writer.js';
import { Collector, type CollectorOptions, type CollectorTotals } from '../../src/collect/collector.js';
import { parseListenAddress } from '../../src/collect/listen-address.js';
import type { UdpReader } from '../../src/collect/udp-listener.js';
import { loadNativeUdp } from '../../src/collect/udp-native.js';
import { EventStore } from '../../src/sources/sqlite/event-store.js';

const cleanups: (() => unknown)[] = [];

/** Registers `fn` to run after the current test (last registered runs first). */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** Call from `afterEach` in every spec using this harness. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop() as () => unknown;
    try {
      await fn();
    } catch {
      // Cleanup of a resource the test already closed.
    }
  }
}

/** Both UDP readers are tested; see requireUdpReader. */
export const UDP_READERS: readonly UdpReader[] = ['recvmmsg', 'dgram'];

/**
 * In a before() hook: skips a recvmmsg suite where the addon is not built (saying why), except in CI,
 * where it must be (.ci/run builds it) and its absence fails the suite.
 */
export function requireUdpReader(ctx: Mocha.Context, reader: UdpReader): void {
  if (reader !== 'recvmmsg') return;
  const native = loadNativeUdp();
  if ('addon' in native) return;
  if (process.env['CI'] !== undefined)
    throw new Error(`the recvmmsg UDP reader must load in CI: ${native.reason}`);
  console.log(`      skipped: ${native.reason}`);
  ctx.skip();
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gv-collect-test-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Harness {
  collector: Collector;
  storePath: string;
  /** Opened lazily after stop(), read-only use. */
  openStore(): EventStore;
  /** Resolves once `n` messages are committed (stored, rejections included). */
  waitStored(n: number, timeoutMs?: number): Promise<CollectorTotals>;
  port(i?: number): number;
}

export interface HarnessOptions extends Partial<Omit<CollectorOptions, 'listen' | 'writer' | 'allow'>> {
  allow?: string[];
  worker?: boolean;
}

/** Options for a test Collector on `listen` writing to `writer`: every sender trusted, UTC, 8192-byte cut. */
export function collectorOptions(
  listen: string[],
  writer: BatchWriter,
  extra: Partial<Omit<CollectorOptions, 'listen' | 'writer'>> = {},
): CollectorOptions {
  return {
    parseContext: { zoneByHost: {}, defaultZone: 'UTC' },
    allow: parseAllowList([]),
    maxMessageBytes: 8192,
    udpRcvbufBytes: null,
    idleTimeoutMs: 5000,
    maxConnections: 4,
    nowMs: () => Date.now(),
    statsIntervalMs: 60_000,
    ...extra,
    listen: listen.map(parseListenAddress),
    writer,
  };
}

export async function startCollector(listen: string[], opts: HarnessOptions = {}): Promise<Harness> {
  const dir = tempDir();
  const storePath = join(dir, 'events.db');
  let writer: BatchWriter;
  let store: EventStore | null = null;
  if (opts.worker === true) {
    writer = await WorkerWriter.open(storePath);
    onCleanup(() => writer.close());
  } else {
    store = EventStore.open(storePath);
    const s = store;
    onCleanup(() => s.close());
    writer = new InlineWriter(store);
  }
  let totals: CollectorTotals = {
    received: 0,
    stored: 0,
    rejected: 0,
    untrusted: 0,
    kernelDrops: 0,
    appDrops: 0,
  };
  const waiters: { n: number; resolve: (t: CollectorTotals) => void }[] = [];
  const collector = new Collector({
    ...collectorOptions(listen, writer, {
      maxConnections: 64,
      flushIntervalMs: 20,
      ...opts,
      allow: parseAllowList(opts.allow ?? []),
    }),
    onWritten: (t) => {
      totals = t;
      for (const w of [...waiters]) {
        if (t.stored >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(t);
        }
      }
    },
  });
  await collector.start();
  onCleanup(() => collector.stop());
  return {
    collector,
    storePath,
    openStore(): EventStore {
      const s = EventStore.open(storePath, { readonly: true });
      onCleanup(() => s.close());
      return s;
    },
    waitStored(n: number, timeoutMs = 10_000): Promise<CollectorTotals> {
      if (totals.stored >= n) return Promise.resolve(totals);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${totals.stored} of ${n} messages committed after ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: (t) => {
            clearTimeout(timer);
            resolve(t);
          },
        });
      });
    },
    port(i = 0): number {
      return (collector.listeners[i] as { port: number }).port;
    },
  };
}

/** A child `gluff-verify collect` process (the real CLI); resolves once it printed its listeners. */
export interface ChildCollector {
  child: ChildProcess;
  ports: number[];
  stderr(): string;
  exited: Promise<number | null>;
}

/** `prefix` runs the collector under another command that execs it, e.g. `ip netns exec NS`. */
export async function spawnCollector(args: string[], prefix: string[] = []): Promise<ChildCollector> {
  const root = new URL('../..', import.meta.url).pathname;
  const argv = [
    ...prefix,
    process.execPath,
    '--import',
    'tsx',
    join(root, 'src/cli/run.ts'),
    'collect',
    ...args,
  ];
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  onCleanup(() => child.kill('SIGKILL'));
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const want = args.filter((a) => a.includes('://')).length;
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const found = [...err.matchAll(/listening on \w+:\/\/[^ \n]*:(\d+)/g)].map((m) => Number(m[1]));
      if (found.length >= want && err.includes('collect: storing into')) resolve(found);
    });
    void exited.then((code) => reject(new Error(`collector exited ${code} before listening: ${err}`)));
  });
  return { child, ports, stderr: () => err, exited };
}

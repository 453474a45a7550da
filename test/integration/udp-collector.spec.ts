import { strict as assert } from 'node:assert';
import { createSocket, type Socket } from 'node:dgram';
import Database from 'better-sqlite3';
import { Collector } from '../../src/collect/collector.js';
import { InlineWriter } from '../../src/collect/batch-writer.js';
import { AuditError } from '../../src/model/errors.js';
import { EventStore } from '../../src/sources/sqlite/event-store.js';
import {
  collectorOptions,
  onCleanup,
  requireUdpReader,
  runCleanups,
  spawnCollector,
  startCollector,
  tempDir,
  UDP_READERS,
} from './collector-harness.js';
import { join } from 'node:path';

const ACK =
  '<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1';

async function udpClient(type: 'udp4' | 'udp6', bindTo?: string): Promise<Socket> {
  const s = createSocket(type);
  onCleanup(() => s.close());
  if (bindTo !== undefined) await new Promise<void>((r) => s.bind(0, bindTo, () => r()));
  return s;
}

function send(s: Socket, msg: string | Buffer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => s.send(msg, port, host, (err) => (err ? reject(err) : resolve())));
}

for (const udpReader of UDP_READERS) {
  describe(`Collector (UDP, read by ${udpReader})`, () => {
    before(function () {
      requireUdpReader(this, udpReader);
    });
    /** `collect` arguments: this reader, one loopback UDP listener, the store `db`. */
    const udpArgs = (db: string): string[] => [
      '--udp-reader',
      udpReader,
      '--listen',
      'udp://127.0.0.1:0',
      '--store',
      db,
    ];
    afterEach(runCleanups);

    it('should store a datagram over IPv4 as a parsed, trusted event', async () => {
      // Arrange
      const h = await startCollector(['udp://127.0.0.1:0'], { udpReader });
      const c = await udpClient('udp4');
      // Act
      await send(c, ACK, h.port(), '127.0.0.1');
      const t = await h.waitStored(1);
      await h.collector.stop();
      // Assert
      assert.equal(t.received, 1);
      const store = h.openStore();
      const events = [...store.queryEvents()];
      assert.equal(events.length, 1);
      assert.equal(events[0]?.kind, 'dhcpack');
      assert.equal(events[0]?.host, 'dhcp1');
      assert.deepEqual(store.evidenceLines([events[0]?.id as number]), [{ rawId: events[0]?.id, text: ACK }]);
    });

    it('should receive over IPv6 on [::1] and report the granted receive buffer', async () => {
      const h = await startCollector(['udp://[::1]:0'], { udpReader, udpRcvbufBytes: 1 << 20 });
      const c = await udpClient('udp6');
      await send(c, ACK, h.port(), '::1');
      await h.waitStored(1);
      const udp = h.collector.listeners[0] as {
        rcvbufGrantedBytes: number;
        rcvbufRequestedBytes: number;
        url: string;
      };
      assert.equal(udp.rcvbufRequestedBytes, 1 << 20);
      // Linux reports twice the size it accounts.
      assert.equal(udp.rcvbufGrantedBytes, 2 << 20);
      assert.match(udp.url, /^udp:\/\/\[::1\]:\d+$/);
      const stats = h.collector.snapshot();
      assert.equal(stats[0]?.kernelDrops, 0);
    });

    it('should mark senders outside --allow untrusted, IPv4-mapped senders on a dual-stack socket included', async () => {
      // Arrange: [::] receives 127.0.0.1 as ::ffff:127.0.0.1; only 127.0.0.0/8 is allowed.
      const h = await startCollector(['udp://[::]:0'], { udpReader, allow: ['127.0.0.0/8'] });
      const v4 = await udpClient('udp4');
      const v6 = await udpClient('udp6');
      // Act
      await send(v4, ACK, h.port(), '127.0.0.1');
      await send(v6, ACK.replace('10.1.0.50', '10.1.0.51'), h.port(), '::1');
      const t = await h.waitStored(2);
      await h.collector.stop();
      // Assert
      assert.equal(t.untrusted, 1);
      const store = h.openStore();
      const s = store.stats();
      assert.equal(s.messages, 2);
      assert.equal(s.untrusted, 1);
      const trusted = [...store.queryEvents()];
      assert.deepEqual(
        trusted.map((e) => (e as { ip?: string }).ip),
        ['10.1.0.50'],
      );
      assert.equal([...store.queryEvents({ includeUntrusted: true })].length, 2);
    });

    it('should store hostile datagrams as rejections with reasons and keep receiving', async () => {
      // Arrange
      const h = await startCollector(['udp://127.0.0.1:0'], { udpReader, maxMessageBytes: 300 });
      const c = await udpClient('udp4');
      const hostile: Buffer[] = [
        Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe]), // binary
        Buffer.concat([Buffer.from('<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: caf'), Buffer.from([0xc3, 0x28])]), // bad UTF-8
        Buffer.from(`<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: ${'x'.repeat(5000)}`), // oversized
        Buffer.alloc(0), // empty datagram
      ];
      // Act
      for (const b of hostile) await send(c, b, h.port(), '127.0.0.1');
      await send(c, ACK, h.port(), '127.0.0.1');
      const t = await h.waitStored(5);
      await h.collector.stop();
      // Assert
      assert.equal(t.received, 5);
      assert.equal(t.rejected, 4);
      const s = h.openStore().stats();
      assert.equal(s.messages, 5);
      assert.equal(s.events, 1);
      assert.deepEqual(s.rejectionsByReason, { binary: 1, 'not-utf8': 1, oversized: 1, empty: 1 });
    });

    it('should store through the worker thread the CLI uses', async () => {
      const h = await startCollector(['udp://127.0.0.1:0'], { udpReader, worker: true, batchMax: 50 });
      const c = await udpClient('udp4');
      for (let i = 0; i < 500; i++)
        await send(c, ACK.replace('10.1.0.50', `10.1.${i >> 8}.${i & 255}`), h.port(), '127.0.0.1');
      const t = await h.waitStored(500);
      assert.equal(t.stored, 500);
      await h.collector.stop();
      assert.equal(h.openStore().stats().events, 500);
    });

    it('should refuse to start with GV_BIND_FAILED and leave no listener bound when a port is taken', async () => {
      // Arrange
      const busy = await udpClient('udp4', '127.0.0.1');
      const dir = tempDir();
      const store = EventStore.open(join(dir, 'e.db'));
      onCleanup(() => store.close());
      const collector = new Collector(
        collectorOptions(
          ['tcp://127.0.0.1:0', `udp://127.0.0.1:${busy.address().port}`],
          new InlineWriter(store),
          { udpReader },
        ),
      );
      onCleanup(() => collector.stop());
      // Act / Assert
      await assert.rejects(
        collector.start(),
        (e: unknown) =>
          e instanceof AuditError && e.code === 'GV_BIND_FAILED' && /udp:\/\/127\.0\.0\.1/.test(e.message),
      );
      assert.equal(store.stats().messages, 0);
    });

    it('should stop with GV_STORE_WRITE when the store fails, keeping committed batches', async () => {
      // Arrange
      const dir = tempDir();
      const path = join(dir, 'e.db');
      const store = EventStore.open(path);
      const collector = new Collector(
        collectorOptions(['udp://127.0.0.1:0'], new InlineWriter(store), { udpReader, flushIntervalMs: 10 }),
      );
      await collector.start();
      onCleanup(() => collector.stop());
      const failed = new Promise<AuditError>((r) => collector.onFailure(r));
      const c = await udpClient('udp4');
      const port = (collector.listeners[0] as { port: number }).port;
      await send(c, ACK, port, '127.0.0.1');
      while (collector.totals().stored < 1) await new Promise((r) => setTimeout(r, 10));
      // Act: the store goes away under the collector (as a full disk or I/O error would).
      store.close();
      await send(c, ACK, port, '127.0.0.1');
      const err = await failed;
      // Assert
      assert.equal(err.code, 'GV_STORE_WRITE');
      await assert.rejects(
        collector.stop(),
        (e: unknown) => e instanceof AuditError && e.code === 'GV_STORE_WRITE',
      );
      const t = collector.totals();
      assert.deepEqual([t.received, t.stored, t.appDrops], [2, 1, 1]);
      const reopened = EventStore.open(path, { readonly: true });
      onCleanup(() => reopened.close());
      assert.equal(reopened.stats().messages, 1);
    });

    it('should store everything sent before SIGTERM, then exit 0 (child process)', async () => {
      const dir = tempDir();
      const db = join(dir, 'events.db');
      const col = await spawnCollector(udpArgs(db));
      const c = await udpClient('udp4');
      const N = 3000;
      for (let i = 0; i < N; i++)
        await send(c, ACK.replace('(host1)', `(h${i})`), col.ports[0] as number, '127.0.0.1');
      col.child.kill('SIGTERM');
      assert.equal(await col.exited, 0, col.stderr());
      const store = EventStore.open(db, { readonly: true });
      onCleanup(() => store.close());
      assert.equal(store.stats().messages, N);
      assert.match(col.stderr(), new RegExp(`received ${N} stored ${N} rejected 0 untrusted 0 dropped 0`));
    });

    it('should keep every committed batch after kill -9 under load and continue the same store on restart', async () => {
      // Arrange
      const dir = tempDir();
      const db = join(dir, 'events.db');
      const line = (run: number, i: number): string =>
        `<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.${run}.${(i >> 8) & 255}.${i & 255} to 52:54:00:12:34:56 (seq${i}) via 10.1.0.1`;
      const first = await spawnCollector(udpArgs(db));
      const c = await udpClient('udp4');
      const port1 = first.ports[0] as number;
      const reader = new Database(db, { readonly: true });
      onCleanup(() => reader.close());
      const rows = (): number =>
        (reader.prepare('SELECT coalesce(sum(count), 0) AS n FROM batch').get() as { n: number }).n;
      // Act: send continuously; SIGKILL once some batches are committed and more are in flight.
      let sent1 = 0;
      let killed = false;
      while (!killed) {
        // About 20k msg/s: load the collector without flooding a machine other tests share.
        for (let k = 0; k < 100; k++) await send(c, line(1, sent1++), port1, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 5));
        if (rows() > 2000) {
          first.child.kill('SIGKILL');
          killed = true;
        }
      }
      await first.exited;
      // Assert: the store opens cleanly, passes SQLite's own check, and holds an exact prefix of what was sent
      // (committed batches complete, nothing from the middle missing, nothing twice).
      const store1 = EventStore.open(db);
      const stored1 = store1.stats().messages;
      store1.close();
      assert.equal(
        (reader.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
        'ok',
      );
      const seqs = (reader.prepare('SELECT bytes FROM message ORDER BY id').all() as { bytes: Buffer }[]).map(
        (r) => Number(/\(seq(\d+)\)/.exec(r.bytes.toString())?.[1]),
      );
      assert.deepEqual(
        seqs,
        Array.from({ length: stored1 }, (_, i) => i),
      );
      assert.ok(stored1 <= sent1);
      // Restart on the same store, send a second run, stop cleanly: sent = stored + counted drops.
      const second = await spawnCollector([...udpArgs(db), '--stats-every', '1']);
      const N2 = 2000;
      for (let i = 0; i < N2; i++) await send(c, line(2, i), second.ports[0] as number, '127.0.0.1');
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, second.stderr());
      const m = /stopped; received (\d+) stored (\d+) rejected \d+ untrusted \d+ dropped (\d+)/.exec(
        second.stderr(),
      );
      assert.ok(m, second.stderr());
      assert.equal(Number(m[2]) + Number(m[3]), N2);
      assert.equal(rows(), stored1 + Number(m[2]));
      console.log(
        `      kill -9: sent ${sent1}, committed ${stored1}, lost in flight ${sent1 - stored1}; after restart sent ${N2}, stored ${m[2]}, dropped ${m[3]}`,
      );
    });
  });
}

describe('setupbridge.sh -> collect (network namespace)', () => {
  afterEach(runCleanups);

  it('should rebuild real bridges and have its down/map lines stored as port events', async () => {
    // Arrange: a namespace of our own with six veth interfaces named as on the permuter.
    const ns = `gv-autobridge-${process.pid}`;
    const { execFileSync } = await import('node:child_process');
    const ip = (...args: string[]): string => execFileSync('ip', ['-n', ns, ...args]).toString();
    execFileSync('ip', ['netns', 'add', ns]);
    onCleanup(() => execFileSync('ip', ['netns', 'del', ns]));
    ip('link', 'set', 'lo', 'up');
    for (let i = 0; i < 6; i++) ip('link', 'add', `eth${i}`, 'type', 'veth', 'peer', 'name', `peer${i}`);
    const dir = tempDir();
    const db = join(dir, 'events.db');
    const col = await spawnCollector(
      ['--listen', 'udp://127.0.0.1:0', '--store', db],
      ['ip', 'netns', 'exec', ns],
    );
    const script = new URL('../../specs/setupbridge.sh', import.meta.url).pathname;
    const env = {
      ...process.env,
      STATE_FILE: join(dir, 'seq'),
      LOG_TARGET: '127.0.0.1',
      LOG_PORT: String(col.ports[0]),
    };
    // Act: two runs, the second tearing down what the first built.
    for (let run = 0; run < 2; run++)
      execFileSync('ip', ['netns', 'exec', ns, 'bash', script], { env, stdio: 'pipe' });
    // Assert: each switch-side interface sits in its bridge with the client-side one the last map names.
    const masters = new Map<string, string>();
    for (const l of JSON.parse(ip('-j', 'link', 'show')) as { ifname: string; master?: string }[]) {
      if (l.master !== undefined) masters.set(l.ifname, l.master);
    }
    col.child.kill('SIGTERM');
    assert.equal(await col.exited, 0, col.stderr());
    const store = EventStore.open(db, { readonly: true });
    onCleanup(() => store.close());
    const events = [...store.queryEvents({ kinds: ['port-down', 'port-map'] })];
    assert.deepEqual(
      events.map((e) => `${e.kind} ${(e as { seq: number }).seq}`),
      ['port-down 1', 'port-map 1', 'port-down 2', 'port-map 2'],
    );
    const last = events[3] as unknown as {
      bridges: { bridge: string; switchIf: string; clientIfs: string[] }[];
    };
    for (const b of last.bridges) {
      assert.equal(masters.get(b.switchIf), b.bridge);
      for (const c of b.clientIfs) assert.equal(masters.get(c), b.bridge);
    }
    assert.equal(masters.size, 6);
  });
});

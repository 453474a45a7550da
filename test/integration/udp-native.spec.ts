/**
 * The recvmmsg addon (native/udp-recv.c) over real loopback sockets: what drain() returns is exactly
 * what was sent (bytes, cut lengths, source addresses, order), whatever the chunk size; the held limit
 * drops and counts; close() first reads what the kernel queued; bind failures carry errno.
 */
import { strict as assert } from 'node:assert';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { loadNativeUdp, type NativeChunk, type NativeUdpAddon } from '../../src/collect/udp-native.js';
import { readRmemMax } from '../../src/collect/udp-listener.js';
import { onCleanup, requireUdpReader, runCleanups } from './collector-harness.js';

function send(s: Socket, msg: Uint8Array, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => s.send(msg, port, host, (err) => (err ? reject(err) : resolve())));
}

async function client(type: 'udp4' | 'udp6'): Promise<Socket> {
  const s = createSocket(type);
  onCleanup(() => s.close());
  await new Promise<void>((r) => s.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', () => r()));
  return s;
}

/** Every datagram drain() gives, `max` at a time, as [bytes, peer, receivedMs] plus the cut list. */
function drainAll(
  addon: NativeUdpAddon,
  handle: unknown,
  max: number,
): { got: { bytes: Buffer; peer: string; receivedMs: number }[]; cut: [number, number][] } {
  const got: { bytes: Buffer; peer: string; receivedMs: number }[] = [];
  const cut: [number, number][] = [];
  let chunk: NativeChunk | null;
  while ((chunk = addon.drain(handle, max)) !== null) {
    assert.ok(chunk.ends.length >= 1 && chunk.ends.length <= max, `a chunk of ${chunk.ends.length}`);
    for (let k = 0; k < chunk.cut.length; k += 2) {
      cut.push([got.length + (chunk.cut[k] as number), chunk.cut[k + 1] as number]);
    }
    let start = 0;
    for (let i = 0; i < chunk.ends.length; i++) {
      const end = chunk.ends[i] as number;
      got.push({
        bytes: Buffer.from(chunk.data, start, end - start),
        peer: chunk.peers[chunk.peerIdx[i] as number] as string,
        receivedMs: chunk.receivedMs[i] as number,
      });
      start = end;
    }
  }
  return { got, cut };
}

/** `detail`, when given, says on timeout what was seen instead. */
async function until(
  cond: () => boolean,
  what: string,
  timeoutMs = 5000,
  detail?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${detail === undefined ? '' : ` (${detail()})`}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Datagrams the kernel dropped for the loopback socket on `port` because its receive buffer was full. */
function kernelDrops(port: number): number | null {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      return null;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(local) === true && f[12] !== undefined) return Number(f[12]);
    }
  }
  return null;
}

describe('recvmmsg addon (native/udp-recv.c)', () => {
  let addon: NativeUdpAddon;
  before(function () {
    requireUdpReader(this, 'recvmmsg');
    const found = loadNativeUdp();
    if ('addon' in found) addon = found.addon;
  });
  afterEach(runCleanups);

  function open(opts: { family?: 4 | 6; host?: string; maxHeld?: number; maxBytes?: number } = {}): {
    handle: unknown;
    port: number;
  } {
    const handle = addon.open(
      opts.family ?? 6,
      opts.host ?? '::',
      0,
      1 << 20,
      opts.maxHeld ?? 100_000,
      opts.maxBytes ?? 8192,
    );
    onCleanup(() => addon.close(handle, 0));
    return { handle, port: addon.info(handle).port };
  }

  it('should hand over exactly what was sent, in order, cut where too long, from IPv4 and IPv6 senders', async () => {
    const v4 = await client('udp4');
    const v6 = await client('udp6');
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            size: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 300, max: 9000 })),
            fill: fc.integer({ min: 0, max: 255 }),
            fromV6: fc.boolean(),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 16, max: 4096 }),
        fc.integer({ min: 1, max: 50 }),
        async (datagrams, maxBytes, max) => {
          // Arrange: a dual-stack [::] socket (IPv4 senders show as ::ffff:127.0.0.1).
          const { handle, port } = open({ maxBytes });
          const sent = datagrams.map((d, i) => {
            const b = Buffer.alloc(d.size, d.fill);
            if (d.size >= 4) b.writeUInt32BE(i, 0);
            return b;
          });
          const t0 = Date.now();
          // Act
          for (const [i, d] of datagrams.entries()) {
            await send(d.fromV6 ? v6 : v4, sent[i] as Buffer, port, d.fromV6 ? '::1' : '127.0.0.1');
          }
          await until(() => addon.stats(handle).received === datagrams.length, 'every datagram read');
          const { got, cut } = drainAll(addon, handle, max);
          // Assert
          assert.equal(got.length, datagrams.length);
          got.forEach((g, i) => {
            const want = sent[i] as Buffer;
            assert.deepEqual(g.bytes, want.subarray(0, maxBytes), `datagram ${i}`);
            assert.equal(g.peer, datagrams[i]?.fromV6 ? '::1' : '::ffff:127.0.0.1');
            assert.ok(g.receivedMs >= t0 - 1 && g.receivedMs <= Date.now() + 1, `receivedMs ${g.receivedMs}`);
          });
          assert.deepEqual(
            cut,
            sent.flatMap((b, i) => (b.length > maxBytes ? [[i, b.length]] : [])),
          );
          const st = addon.stats(handle);
          assert.deepEqual([st.dropped, st.errors, st.held], [0, 0, 0]);
          addon.close(handle, 0);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('should drop and count datagrams beyond maxHeld while nothing drains, and keep the first ones', async () => {
    const { handle, port } = open({ family: 4, host: '127.0.0.1', maxHeld: 10 });
    const c = await client('udp4');
    for (let i = 0; i < 30; i++) await send(c, Buffer.from(`m${i}`), port, '127.0.0.1');
    await until(() => addon.stats(handle).received === 30, '30 datagrams read');
    const st = addon.stats(handle);
    assert.deepEqual([st.received, st.dropped, st.held], [30, 20, 10]);
    const { got } = drainAll(addon, handle, 1000);
    assert.deepEqual(
      got.map((g) => g.bytes.toString()),
      Array.from({ length: 10 }, (_, i) => `m${i}`),
    );
    assert.equal(got[0]?.peer, '127.0.0.1');
  });

  it('should give back the memory a burst took once it is drained', async () => {
    // Arrange: 10,000 datagrams of 1200 bytes wait in the addon (12 MB).
    const { handle, port } = open({ family: 4, host: '127.0.0.1' });
    const c = await client('udp4');
    const N = 10_000;
    const payload = Buffer.alloc(1200, 0x61);
    // Paced: the kernel charges each of these ~2.3 KB of the socket's receive buffer (the skb's truesize on
    // loopback), so the 2 MiB that open() gets holds ~900, ~15 ms of unpaced send() calls. A receive thread
    // off the CPU that long (a loaded 2-core machine does that) made the kernel drop the rest (RcvbufErrors,
    // not the addon's `dropped`) and `received` never reached N. At most `inFlight` datagrams sent and not yet
    // read (8 KB of buffer each, over 3x the charge) cannot overflow it; nothing drains, so all N still pile up.
    const inFlight = Math.max(16, Math.floor(addon.info(handle).rcvbuf / 8192));
    const seen = (): string => `${JSON.stringify(addon.stats(handle))}, kernel drops ${kernelDrops(port)}`;
    for (let i = 0; i < N; i++) {
      if (i - addon.stats(handle).received >= inFlight) {
        await until(
          () => i - addon.stats(handle).received <= inFlight / 2,
          'the reader to catch up',
          5000,
          seen,
        );
      }
      await send(c, payload, port, '127.0.0.1');
    }
    await until(() => addon.stats(handle).received === N, 'every datagram read', 5000, seen);
    const held = addon.stats(handle);
    assert.deepEqual([held.held, held.dropped, held.errors, kernelDrops(port) ?? 0], [N, 0, 0, 0]);
    const during = held.allocatedBytes;
    // Act
    const { got } = drainAll(addon, handle, 1000);
    // Assert
    assert.equal(got.length, N);
    assert.ok(during >= N * 1200, `allocated ${during} bytes while holding ${N * 1200}`);
    const after = addon.stats(handle).allocatedBytes;
    assert.ok(after < 1 << 20, `still allocated ${after} bytes after draining`);
  });

  it('should read what the kernel already queued before closing, and keep it for drain()', async () => {
    const { handle, port } = open({ family: 4, host: '127.0.0.1' });
    const c = await client('udp4');
    const N = 2000;
    // Loopback delivers during send(): once these resolve, all N are in the socket's queue or read.
    for (let i = 0; i < N; i++) await send(c, Buffer.from(`q${i}`), port, '127.0.0.1');
    addon.close(handle, 2000);
    assert.equal(addon.stats(handle).received, N);
    assert.equal(drainAll(addon, handle, 500).got.length, N);
    assert.equal(addon.drain(handle, 500), null);
  });

  it('should refuse a port already bound, and an address that is not one, with errno', async () => {
    const busy = await client('udp4');
    assert.throws(
      () => addon.open(4, '127.0.0.1', busy.address().port, 1 << 20, 10, 8192),
      (e: unknown) =>
        e instanceof Error && /^bind: /.test(e.message) && (e as { errno?: number }).errno === 98,
    );
    assert.throws(() => addon.open(4, 'localhost', 0, 1 << 20, 10, 8192), /not an IPv4 address/);
  });

  it('should set the receive buffer asked for, past net.core.rmem_max when running as root', function () {
    const rmemMax = readRmemMax();
    if (rmemMax === null) this.skip();
    const want = (rmemMax as number) * 2;
    const handle = addon.open(4, '127.0.0.1', 0, want, 10, 8192);
    onCleanup(() => addon.close(handle, 0));
    // Linux reports twice what it accounts; SO_RCVBUFFORCE needs CAP_NET_ADMIN, else the cap applies.
    const granted = addon.info(handle).rcvbuf;
    if (process.getuid?.() === 0) assert.equal(granted, want * 2);
    else assert.equal(granted, (rmemMax as number) * 2);
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseAllowList, normalizePeerAddress } from '../../../src/collect/allow-list.js';
import {
  oversizedDatagram,
  packBatch,
  packNativeChunk,
  parseBatch,
  unpackBatch,
} from '../../../src/collect/batch-writer.js';
import type { NativeChunk } from '../../../src/collect/udp-native.js';
import type { RawMessage } from '../../../src/model/events.js';

const CTX = { referenceMs: Date.UTC(2026, 10, 28), zoneByHost: {}, defaultZone: 'UTC' };

const rawMessage: fc.Arbitrary<RawMessage> = fc
  .record({
    bytes: fc.uint8Array({ maxLength: 300 }),
    receivedMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    peer: fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: null }),
    transport: fc.constantFrom('udp' as const, 'tcp' as const, 'tls' as const),
    origin: fc.option(fc.constantFrom('udp://0.0.0.0:514', 'tcp://[::]:6514'), { nil: null }),
    trusted: fc.boolean(),
    cut: fc.boolean(),
  })
  .map(({ cut, ...m }) =>
    cut ? { ...m, framingRejection: { reason: 'oversized' as const, detail: 'cut' } } : m,
  );

describe('packBatch', () => {
  it('should round-trip through unpackBatch', () => {
    fc.assert(
      fc.property(fc.array(rawMessage, { maxLength: 50 }), (batch) => {
        const back = unpackBatch(packBatch(batch));
        assert.equal(back.length, batch.length);
        back.forEach((m, i) => {
          const want = batch[i] as RawMessage;
          assert.deepEqual(Buffer.from(m.bytes), Buffer.from(want.bytes));
          assert.deepEqual({ ...m, bytes: null }, { ...want, bytes: null });
        });
      }),
    );
  });
});

/** One datagram as the socket saw it. */
interface Datagram {
  bytes: Uint8Array;
  peer: string;
  receivedMs: number;
}

/** The chunk native/udp-recv.c builds from these datagrams: cut bytes back to back, peers in order of first use. */
function chunkOf(datagrams: readonly Datagram[], maxMessageBytes: number): NativeChunk {
  const kept = datagrams.map((d) => d.bytes.subarray(0, maxMessageBytes));
  const peers: string[] = [];
  const ends = new Uint32Array(datagrams.length);
  const peerIdx = new Uint32Array(datagrams.length);
  const cut: number[] = [];
  let at = 0;
  datagrams.forEach((d, i) => {
    at += (kept[i] as Uint8Array).length;
    ends[i] = at;
    if (!peers.includes(d.peer)) peers.push(d.peer);
    peerIdx[i] = peers.indexOf(d.peer);
    if (d.bytes.length > maxMessageBytes) cut.push(i, d.bytes.length);
  });
  const data = Buffer.concat(kept);
  return {
    data: data.buffer.slice(data.byteOffset, data.byteOffset + data.length),
    ends,
    receivedMs: Float64Array.from(datagrams.map((d) => d.receivedMs)),
    peers,
    peerIdx,
    cut,
  };
}

describe('packNativeChunk', () => {
  const datagram: fc.Arbitrary<Datagram> = fc.record({
    bytes: fc.uint8Array({ maxLength: 200 }),
    peer: fc.constantFrom(
      '127.0.0.1',
      '::ffff:127.0.0.1',
      '::1',
      '10.1.0.5',
      '::ffff:192.0.2.7',
      '2001:db8::1',
    ),
    receivedMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  });

  it('should give, after unpacking, the messages the dgram path builds one by one', () => {
    const allow = parseAllowList(['127.0.0.0/8', '2001:db8::/32']);
    fc.assert(
      fc.property(
        fc.array(datagram, { maxLength: 60 }),
        fc.integer({ min: 1, max: 250 }),
        (datagrams, max) => {
          // Act
          const { packed, untrusted } = packNativeChunk(chunkOf(datagrams, max), {
            transport: 'udp',
            origin: 'udp://[::]:514',
            maxMessageBytes: max,
            trustOf: (raw) => ({ peer: normalizePeerAddress(raw), trusted: allow.isAllowed(raw) }),
          });
          const got = unpackBatch(packed);
          // Assert: what Collector.receive pushes for each datagram on the dgram path.
          const want: RawMessage[] = datagrams.map((d) => ({
            bytes: Buffer.from(d.bytes.subarray(0, max)),
            receivedMs: d.receivedMs,
            peer: normalizePeerAddress(d.peer),
            transport: 'udp',
            origin: 'udp://[::]:514',
            trusted: allow.isAllowed(d.peer),
            ...(d.bytes.length > max ? { framingRejection: oversizedDatagram(d.bytes.length, max) } : {}),
          }));
          assert.equal(got.length, want.length);
          got.forEach((m, i) => {
            const w = want[i] as RawMessage;
            assert.deepEqual(Buffer.from(m.bytes), w.bytes);
            assert.deepEqual({ ...m, bytes: null }, { ...w, bytes: null });
          });
          assert.equal(untrusted, want.filter((w) => !w.trusted).length);
        },
      ),
    );
  });
});

describe('parseBatch', () => {
  it('should keep a framing rejection instead of parsing the cut bytes', () => {
    const line = Buffer.from(
      '<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1',
    );
    const base = { receivedMs: 0, peer: '127.0.0.1', transport: 'tcp' as const, origin: null, trusted: true };
    const [whole, cut] = parseBatch(
      [
        { ...base, bytes: line },
        { ...base, bytes: line, framingRejection: { reason: 'oversized', detail: 'a frame of 9000 bytes' } },
      ],
      CTX,
    );
    assert.equal(whole?.ok, true);
    assert.deepEqual(cut, { ok: false, rejection: { reason: 'oversized', detail: 'a frame of 9000 bytes' } });
  });
});

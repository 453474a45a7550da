import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { packBatch, parseBatch, unpackBatch } from '../../../src/collect/batch-writer.js';
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

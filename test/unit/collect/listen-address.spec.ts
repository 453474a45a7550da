import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { formatListenAddress, parseListenAddress } from '../../../src/collect/listen-address.js';
import { AuditError } from '../../../src/model/errors.js';

describe('parseListenAddress', () => {
  it('should parse the documented forms', () => {
    assert.deepEqual(parseListenAddress('udp://0.0.0.0:514'), {
      transport: 'udp',
      host: '0.0.0.0',
      port: 514,
      family: 4,
    });
    assert.deepEqual(parseListenAddress('tcp://[::]:6514'), {
      transport: 'tcp',
      host: '::',
      port: 6514,
      family: 6,
    });
    assert.deepEqual(parseListenAddress('tls://[::1]:0'), {
      transport: 'tls',
      host: '::1',
      port: 0,
      family: 6,
    });
  });

  it('should refuse malformed values with GV_LISTEN_INVALID', () => {
    for (const bad of [
      'udp://localhost:514',
      'http://0.0.0.0:80',
      'udp://::1:514',
      'tcp://[10.0.0.1]:1',
      'udp://0.0.0.0:70000',
      'udp://0.0.0.0',
      '0.0.0.0:514',
    ]) {
      assert.throws(
        () => parseListenAddress(bad),
        (e: unknown) => e instanceof AuditError && e.code === 'GV_LISTEN_INVALID' && e.message.includes(bad),
        bad,
      );
    }
  });

  it('should round-trip with formatListenAddress', () => {
    const addr = fc.oneof(fc.ipV4(), fc.ipV6());
    fc.assert(
      fc.property(
        fc.constantFrom('udp', 'tcp', 'tls' as const),
        addr,
        fc.integer({ min: 0, max: 65535 }),
        (t, host, port) => {
          const text = formatListenAddress({ transport: t as 'udp', host, port });
          const back = parseListenAddress(text);
          assert.equal(formatListenAddress(back), text);
          assert.equal(back.port, port);
        },
      ),
    );
  });
});

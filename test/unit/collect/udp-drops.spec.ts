import { strict as assert } from 'node:assert';
import { createSocket } from 'node:dgram';
import { parseProcNetUdp, readOwnSocketInodes, readUdpDrops } from '../../../src/collect/udp-drops.js';

describe('parseProcNetUdp', () => {
  it('should read port, inode and drops from real /proc/net/udp and udp6 rows', () => {
    const text = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  97: 00000000:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 23372 2 0000000000000000 17',
      ' 1234: 00000000000000000000000000000000:8452 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 0',
    ].join('\n');
    assert.deepEqual(parseProcNetUdp(text), [
      { localPort: 514, inode: 23372, drops: 17, rxQueueBytes: 0 },
      { localPort: 0x8452, inode: 99, drops: 0, rxQueueBytes: 0 },
    ]);
  });
});

describe('readUdpDrops', () => {
  it('should find our own socket by port and inode', async () => {
    const s = createSocket('udp4');
    after(() => s.close());
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const inodes = readOwnSocketInodes();
    assert.ok(inodes.size > 0);
    assert.equal(readUdpDrops(4, s.address().port, inodes), 0);
    assert.equal(readUdpDrops(4, s.address().port, new Set()), null);
  });
});

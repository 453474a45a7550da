import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { EventBody } from '../../../src/model/index.js';
import {
  formatDhcpdMessage,
  normaliseHexBytes,
  parseDhcpdMessage,
  unpadHexBytes,
} from '../../../src/parse/dhcpd-line.js';
import { arbEventBodyByKind, arbText } from '../../helpers/arbitraries.js';

/** Real dhcpd 4.4 messages (shapes from /work/shared/reference/dhcpd-observed.md and server/*.c), anonymised. */
const EXAMPLES: readonly (readonly [string, EventBody])[] = [
  [
    'DHCPDISCOVER from 52:54:00:12:34:56 via 10.1.0.1',
    { kind: 'dhcpdiscover', mac: '52:54:00:12:34:56', name: null, via: '10.1.0.1', reason: null },
  ],
  [
    'DHCPDISCOVER from 52:54:00:12:34:56 (client1) via 10.1.0.1: load balance to peer dhcp-failover',
    {
      kind: 'dhcpdiscover',
      mac: '52:54:00:12:34:56',
      name: 'client1',
      via: '10.1.0.1',
      reason: 'load balance to peer dhcp-failover',
    },
  ],
  [
    'DHCPDISCOVER from 52:54:00:12:34:56 via eth0: network 10.1.0.0/24: no free leases',
    {
      kind: 'dhcpdiscover',
      mac: '52:54:00:12:34:56',
      name: null,
      via: 'eth0',
      reason: 'network 10.1.0.0/24: no free leases',
    },
  ],
  [
    'DHCPOFFER on 10.1.0.50 to 52:54:00:12:34:56 (client1) via 10.1.0.1',
    { kind: 'dhcpoffer', ip: '10.1.0.50', mac: '52:54:00:12:34:56', name: 'client1', via: '10.1.0.1' },
  ],
  [
    'DHCPREQUEST for 10.1.0.50 (10.2.0.10) from 52:54:00:12:34:56 (client1) via 10.1.0.1',
    {
      kind: 'dhcprequest',
      ip: '10.1.0.50',
      serverId: '10.2.0.10',
      mac: '52:54:00:12:34:56',
      name: 'client1',
      via: '10.1.0.1',
      reason: null,
    },
  ],
  [
    'DHCPREQUEST for 10.1.0.50 from 52:54:00:12:34:56 (client1) via eth0',
    {
      kind: 'dhcprequest',
      ip: '10.1.0.50',
      serverId: null,
      mac: '52:54:00:12:34:56',
      name: 'client1',
      via: 'eth0',
      reason: null,
    },
  ],
  [
    'DHCPREQUEST for 10.1.0.50 (10.3.0.10) from 52:54:00:12:34:56 via 10.1.0.1: lease owned by peer',
    {
      kind: 'dhcprequest',
      ip: '10.1.0.50',
      serverId: '10.3.0.10',
      mac: '52:54:00:12:34:56',
      name: null,
      via: '10.1.0.1',
      reason: 'lease owned by peer',
    },
  ],
  [
    'DHCPREQUEST for 192.168.7.20 from 52:54:00:12:34:56 via 10.1.0.1: wrong network.',
    {
      kind: 'dhcprequest',
      ip: '192.168.7.20',
      serverId: null,
      mac: '52:54:00:12:34:56',
      name: null,
      via: '10.1.0.1',
      reason: 'wrong network.',
    },
  ],
  [
    'DHCPREQUEST for 10.1.0.50 (10.2.0.10) from 52:54:00:12:34:56 via 10.1.0.1: lease 10.1.0.50 unavailable.',
    {
      kind: 'dhcprequest',
      ip: '10.1.0.50',
      serverId: '10.2.0.10',
      mac: '52:54:00:12:34:56',
      name: null,
      via: '10.1.0.1',
      reason: 'lease 10.1.0.50 unavailable.',
    },
  ],
  [
    'DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (client1) via 10.1.0.1',
    { kind: 'dhcpack', ip: '10.1.0.50', mac: '52:54:00:12:34:56', name: 'client1', via: '10.1.0.1' },
  ],
  [
    'DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 via eth0',
    { kind: 'dhcpack', ip: '10.1.0.50', mac: '52:54:00:12:34:56', name: null, via: 'eth0' },
  ],
  [
    'DHCPACK to 10.1.0.50 (52:54:00:12:34:56) via eth0',
    { kind: 'dhcpack-inform', ip: '10.1.0.50', mac: '52:54:00:12:34:56', via: 'eth0' },
  ],
  [
    'DHCPACK to 10.1.0.50 (<no client hardware address>) via 10.1.0.1',
    { kind: 'dhcpack-inform', ip: '10.1.0.50', mac: null, via: '10.1.0.1' },
  ],
  [
    'DHCPNAK on 10.1.0.50 to 52:54:00:12:34:56 via 10.1.0.1',
    { kind: 'dhcpnak', ip: '10.1.0.50', mac: '52:54:00:12:34:56', via: '10.1.0.1' },
  ],
  [
    'DHCPRELEASE of 10.1.0.50 from 52:54:00:12:34:56 (client1) via eth0 (found)',
    {
      kind: 'dhcprelease',
      ip: '10.1.0.50',
      mac: '52:54:00:12:34:56',
      name: 'client1',
      via: 'eth0',
      found: true,
    },
  ],
  [
    'DHCPRELEASE of 10.1.0.50 from 52:54:00:12:34:56 via 10.1.0.1 (not found)',
    {
      kind: 'dhcprelease',
      ip: '10.1.0.50',
      mac: '52:54:00:12:34:56',
      name: null,
      via: '10.1.0.1',
      found: false,
    },
  ],
  [
    'DHCPDECLINE of 10.1.0.50 from 52:54:00:12:34:56 (client1) via 10.1.0.1: abandoned',
    {
      kind: 'dhcpdecline',
      ip: '10.1.0.50',
      mac: '52:54:00:12:34:56',
      name: 'client1',
      via: '10.1.0.1',
      reason: 'abandoned',
    },
  ],
  ['DHCPINFORM from 10.1.0.50 via eth0', { kind: 'dhcpinform', ip: '10.1.0.50', via: 'eth0', reason: null }],
  [
    'DHCPINFORM from 10.1.0.50 via 10.1.0.1: not authoritative for subnet 10.1.0.0',
    { kind: 'dhcpinform', ip: '10.1.0.50', via: '10.1.0.1', reason: 'not authoritative for subnet 10.1.0.0' },
  ],
  [
    'BOOTREQUEST from 52:54:00:12:34:56 via eth0: BOOTP from dynamic client and no dynamic leases',
    {
      kind: 'bootrequest',
      mac: '52:54:00:12:34:56',
      via: 'eth0',
      reason: 'BOOTP from dynamic client and no dynamic leases',
    },
  ],
  [
    'BOOTREPLY for 10.1.0.60 to printer1 (52:54:00:12:34:56) via eth0',
    { kind: 'bootreply', ip: '10.1.0.60', mac: '52:54:00:12:34:56', name: 'printer1', via: 'eth0' },
  ],
  [
    'BOOTREPLY on 10.1.0.61 to 52:54:00:12:34:56 via 10.1.0.1',
    {
      kind: 'bootreply',
      ip: '10.1.0.61',
      mac: '52:54:00:12:34:56',
      name: null,
      via: '10.1.0.1',
      lease: true,
    },
  ],
  [
    'uid lease 10.1.0.50 for client 52:54:00:12:34:56 is duplicate on 10.1.0.0/24',
    { kind: 'uid-duplicate', ip: '10.1.0.50', mac: '52:54:00:12:34:56', network: '10.1.0.0/24' },
  ],
  ['Abandoning IP address 10.1.0.50: declined.', { kind: 'abandon', ip: '10.1.0.50', reason: 'declined.' }],
  // A real line (dhcpd 4.4.3 failover capture, test/golden/failover-relay/input.log).
  [
    'reuse_lease: lease age 0 (secs) under 25% threshold, reply with unaltered, existing lease for 10.99.1.69',
    { kind: 'reuse-lease', ip: '10.99.1.69', ageSec: 0, thresholdPct: 25 },
  ],
  [
    'failover peer dhcp-failover: I move from recover to startup',
    { kind: 'failover-state', peer: 'dhcp-failover', who: 'self', from: 'recover', to: 'startup' },
  ],
  [
    'failover peer dhcp-failover: peer moves from normal to communications-interrupted',
    {
      kind: 'failover-state',
      peer: 'dhcp-failover',
      who: 'peer',
      from: 'normal',
      to: 'communications-interrupted',
    },
  ],
  [
    'failover peer dhcp-failover: Both servers normal',
    {
      kind: 'failover-note',
      note: 'normal',
      peer: 'dhcp-failover',
      text: 'failover peer dhcp-failover: Both servers normal',
    },
  ],
  [
    'Both servers have entered recover-done!',
    {
      kind: 'failover-note',
      note: 'recover-done',
      peer: null,
      text: 'Both servers have entered recover-done!',
    },
  ],
  [
    'peer dhcp-failover: disconnected',
    {
      kind: 'failover-note',
      note: 'disconnected',
      peer: 'dhcp-failover',
      text: 'peer dhcp-failover: disconnected',
    },
  ],
  [
    'balancing pool 55d1c2a0 10.1.0.0/24  total 101  free 50  backup 51  lts -0  max-own (+/-)10',
    {
      kind: 'failover-note',
      note: 'pool-balancing',
      peer: null,
      text: 'balancing pool 55d1c2a0 10.1.0.0/24  total 101  free 50  backup 51  lts -0  max-own (+/-)10',
    },
  ],
  [
    'balanced pool 55d1c2a0 10.1.0.0/24  total 101  free 50  backup 51  lts -0  max-misbal 15',
    {
      kind: 'failover-note',
      note: 'pool-balanced',
      peer: null,
      text: 'balanced pool 55d1c2a0 10.1.0.0/24  total 101  free 50  backup 51  lts -0  max-misbal 15',
    },
  ],
  [
    'bind update on 10.1.0.50 from dhcp-failover rejected: incoming update is less critical than outgoing update',
    {
      kind: 'failover-note',
      note: 'bind-update-rejected',
      peer: 'dhcp-failover',
      text: 'bind update on 10.1.0.50 from dhcp-failover rejected: incoming update is less critical than outgoing update',
    },
  ],
  [
    'gv-commit ip=10.1.0.50 hw=52:54:0:12:34:56 lease=600 giaddr=10.1.0.1 cid=65:74:68:31 rid=',
    {
      kind: 'commit',
      ip: '10.1.0.50',
      mac: '52:54:00:12:34:56',
      leaseSec: 600,
      giaddr: '10.1.0.1',
      circuitIdHex: '65:74:68:31',
      remoteIdHex: null,
    },
  ],
  [
    'gv-commit ip=10.1.0.51 hw= lease=300 giaddr=0.0.0.0 cid=0:4:0:a:1:5 rid=a:b',
    {
      kind: 'commit',
      ip: '10.1.0.51',
      mac: null,
      leaseSec: 300,
      giaddr: '0.0.0.0',
      circuitIdHex: '00:04:00:0a:01:05',
      remoteIdHex: '0a:0b',
    },
  ],
  [
    'Wrote 12 leases to leases file.',
    { kind: 'unknown', app: 'dhcpd', text: 'Wrote 12 leases to leases file.' },
  ],
  [
    'reuse_lease: lease age 29 (secs) under 25% threshold, reply with unaltered, existing lease for 10.1.0.50',
    { kind: 'reuse-lease', ip: '10.1.0.50', ageSec: 29, thresholdPct: 25 },
  ],
  [
    'reuse_lease: lease age 29 (secs) under 25% threshold, reply with unaltered, existing lease for 10.1.0',
    {
      kind: 'unknown',
      app: 'dhcpd',
      text: 'reuse_lease: lease age 29 (secs) under 25% threshold, reply with unaltered, existing lease for 10.1.0',
    },
  ],
];

/** Hostile shapes dhcpd can really print: names with parentheses and ` via `, odd identifiers. */
const HOSTILE: readonly (readonly [string, EventBody])[] = [
  [
    'DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (evil) via (x) via eth9) via eth0',
    {
      kind: 'dhcpack',
      ip: '10.1.0.50',
      mac: '52:54:00:12:34:56',
      name: 'evil) via (x) via eth9',
      via: 'eth0',
    },
  ],
  [
    'DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 () via eth0',
    { kind: 'dhcpack', ip: '10.1.0.50', mac: '52:54:00:12:34:56', name: '', via: 'eth0' },
  ],
  ['DHCPDISCOVER from  via eth0', { kind: 'dhcpdiscover', mac: '', name: null, via: 'eth0', reason: null }],
  [
    'DHCPDISCOVER from <no identifier> via eth0:1: unknown network segment',
    {
      kind: 'dhcpdiscover',
      mac: '<no identifier>',
      name: null,
      via: 'eth0:1',
      reason: 'unknown network segment',
    },
  ],
  [
    'DHCPACK on 10.1.0.50 to "id (x) via y" (n) via eth0',
    { kind: 'dhcpack', ip: '10.1.0.50', mac: '"id (x) via y"', name: 'n', via: 'eth0' },
  ],
  [
    'DHCPOFFER on 10.1.0.50 to 52:54:00:12:34:56 (Hostname Unsuitable for Printing) via 10.1.0.1',
    {
      kind: 'dhcpoffer',
      ip: '10.1.0.50',
      mac: '52:54:00:12:34:56',
      name: 'Hostname Unsuitable for Printing',
      via: '10.1.0.1',
    },
  ],
  [
    'DHCPACK on 10.1.0.500 to 52:54:00:12:34:56 via eth0',
    { kind: 'unknown', app: 'dhcpd', text: 'DHCPACK on 10.1.0.500 to 52:54:00:12:34:56 via eth0' },
  ],
  ['DHCPACK on', { kind: 'unknown', app: 'dhcpd', text: 'DHCPACK on' }],
  ['', { kind: 'unknown', app: 'dhcpd', text: '' }],
];

describe('parseDhcpdMessage', () => {
  for (const [line, expected] of EXAMPLES) {
    it(`should parse ${line.slice(0, 70)}`, () => {
      assert.deepEqual(parseDhcpdMessage(line), expected);
    });
  }
  for (const [line, expected] of HOSTILE) {
    it(`should read the hostile line ${JSON.stringify(line.slice(0, 60))}`, () => {
      assert.deepEqual(parseDhcpdMessage(line), expected);
    });
  }

  it('should normalise an upper-case, unpadded MAC in a packet line', () => {
    const body = parseDhcpdMessage('DHCPACK on 10.1.0.50 to 52:54:0:A:b:5 via eth0');
    assert.equal(body.kind === 'dhcpack' ? body.mac : '', '52:54:00:0a:0b:05');
  });

  it('should never throw and always return an event body for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const body = parseDhcpdMessage(s);
        assert.equal(typeof body.kind, 'string');
      }),
      { numRuns: 3000 },
    );
  });

  it('should never throw on mutations of real lines (prefix kept, tail garbled)', () => {
    const prefixes = EXAMPLES.map(([l]) => l);
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.nat(120), arbText, (line, cut, tail) => {
        const body = parseDhcpdMessage(line.slice(0, cut) + tail);
        assert.equal(typeof body.kind, 'string');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('formatDhcpdMessage', () => {
  for (const [line, expected] of EXAMPLES) {
    if (expected.kind === 'commit') continue;
    it(`should write back ${line.slice(0, 70)}`, () => {
      assert.equal(formatDhcpdMessage(expected), line);
    });
  }

  it('should write the commit line unpadded, as binary-to-ascii prints it', () => {
    const [line, body] = EXAMPLES.find(([, b]) => b.kind === 'commit') as readonly [string, EventBody];
    assert.equal(formatDhcpdMessage(body), line);
  });

  const dhcpdKinds = [
    'dhcpdiscover',
    'dhcpoffer',
    'dhcprequest',
    'dhcpack',
    'dhcpack-inform',
    'dhcpnak',
    'dhcprelease',
    'dhcpdecline',
    'dhcpinform',
    'bootrequest',
    'bootreply',
    'uid-duplicate',
    'abandon',
    'reuse-lease',
    'failover-state',
    'failover-note',
    'commit',
    'queue-error',
    'unknown',
  ] as const;
  for (const kind of dhcpdKinds) {
    it(`should round-trip every ${kind} body: parse(format(b)) deep-equals b`, () => {
      fc.assert(
        fc.property(arbEventBodyByKind[kind] as fc.Arbitrary<EventBody>, (body) => {
          assert.deepEqual(parseDhcpdMessage(formatDhcpdMessage(body)), body);
        }),
        { numRuns: 500 },
      );
    });
  }
});

describe('normaliseHexBytes', () => {
  it('should pad, lower-case, and refuse non-hex', () => {
    assert.equal(normaliseHexBytes('0:4:A:ff'), '00:04:0a:ff');
    assert.equal(normaliseHexBytes('525400123456'), null);
    assert.equal(normaliseHexBytes('0:'), null);
    assert.equal(normaliseHexBytes(''), null);
    assert.equal(normaliseHexBytes('g1'), null);
  });

  it('should invert unpadHexBytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 20 }), (bytes) => {
        const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
        assert.equal(normaliseHexBytes(unpadHexBytes(hex)), hex);
      }),
    );
  });
});

/**
 * One line per DHCPv4 log_info/log_error/log_debug format of dhcpd 4.4.3 that names a packet,
 * a lease or the failover peer (server/dhcp.c, bootp.c, failover.c, mdb.c), with the kind it parses to.
 */
const SOURCE_FORMATS: readonly (readonly [string, string, string | null])[] = [
  // dhcp.c dhcpdiscover
  [
    'DHCPDISCOVER from 52:54:00:12:34:56 via 10.1.0.1: peer holds all free leases',
    'dhcpdiscover',
    'peer holds all free leases',
  ],
  [
    'DHCPDISCOVER from 52:54:00:12:34:56 (c1) via eth0: not responding (recover wait)',
    'dhcpdiscover',
    'not responding (recover wait)',
  ],
  [
    'DHCPDISCOVER from 52:54:00:12:34:56 via eth0: cancel load balance to peer fo - no free leases',
    'dhcpdiscover',
    'cancel load balance to peer fo - no free leases',
  ],
  ['DHCPDISCOVER from 52:54:00:12:34:56 via eth0: unknown client', 'dhcpdiscover', 'unknown client'],
  // dhcp.c dhcprequest
  [
    'DHCPREQUEST for 10.1.0.50 from 52:54:00:12:34:56 via eth0: not responding',
    'dhcprequest',
    'not responding',
  ],
  [
    'DHCPREQUEST for 10.1.0.50 from 52:54:00:12:34:56 via eth0: lease in transition state released',
    'dhcprequest',
    'lease in transition state released',
  ],
  [
    'DHCPREQUEST for 10.1.0.50 from 52:54:00:12:34:56 via eth0: lease reset by administrator',
    'dhcprequest',
    'lease reset by administrator',
  ],
  [
    'DHCPREQUEST for 10.1.0.50 (10.3.0.10) from 52:54:00:12:34:56 via eth0: not our server id',
    'dhcprequest',
    'not our server id',
  ],
  [
    'DHCPREQUEST for 10.9.0.5 from 52:54:00:12:34:56 via 10.1.0.1: ignored (not authoritative).',
    'dhcprequest',
    'ignored (not authoritative).',
  ],
  [
    'DHCPREQUEST for 10.9.0.5 from 52:54:00:12:34:56 via 10.1.0.1: ignored (unknown subnet).',
    'dhcprequest',
    'ignored (unknown subnet).',
  ],
  [
    'DHCPREQUEST for 10.1.0.50 from 52:54:00:12:34:56 via eth0: unknown lease 10.1.0.50.',
    'dhcprequest',
    'unknown lease 10.1.0.50.',
  ],
  [
    'DHCPREQUEST for 10.1.0.50 from 52:54:00:12:34:56 via eth0: database update failed',
    'dhcprequest',
    'database update failed',
  ],
  // dhcp.c dhcpdecline
  ['DHCPDECLINE of 10.1.0.50 from 52:54:00:12:34:56 via eth0: not found', 'dhcpdecline', 'not found'],
  ['DHCPDECLINE of 10.1.0.50 from 52:54:00:12:34:56 via eth0: ignored', 'dhcpdecline', 'ignored'],
  // dhcp.c dhcpinform
  [
    'DHCPINFORM from 0.0.0.0 via eth0: ignored (null source address).',
    'dhcpinform',
    'ignored (null source address).',
  ],
  [
    'DHCPINFORM from 10.1.0.50 via 10.1.0.1: unknown subnet for relay address 10.1.0.1',
    'dhcpinform',
    'unknown subnet for relay address 10.1.0.1',
  ],
  [
    'DHCPINFORM from 10.1.0.50 via eth0: ignored (invalid subnet selection option).',
    'dhcpinform',
    'ignored (invalid subnet selection option).',
  ],
  // bootp.c
  ['BOOTREQUEST from 52:54:00:12:34:56 via eth0: network unknown', 'bootrequest', 'network unknown'],
  [
    'BOOTREQUEST from 52:54:00:12:34:56 via eth0: load balance to peer fo',
    'bootrequest',
    'load balance to peer fo',
  ],
  ['BOOTREQUEST from 52:54:00:12:34:56 via eth0: bootp disallowed', 'bootrequest', 'bootp disallowed'],
  ['BOOTREQUEST from 52:54:00:12:34:56 via eth0', 'bootrequest', null],
  // failover.c
  ['failover peer fo: requesting full update from peer', 'failover-note', 'update-requested'],
  ['failover peer fo: peer update completed.', 'failover-note', 'update-completed'],
  ['failover peer fo: connection refused', 'failover-note', 'other'],
  [
    'IMBALANCED pool 55d1c2a0 net1  total 100  free 90  backup 10  lts 40  max-misbal 15',
    'failover-note',
    'pool-imbalanced',
  ],
  ['bind update on 10.1.0.50 got ack from fo: no such lease.', 'failover-note', 'bind-update-failed'],
  ['Sent update done message to fo', 'failover-note', 'update-sent'],
  ['Update request from fo: nothing pending', 'failover-note', 'update-received'],
  ['Failover CONNECT from fo: unknown server', 'failover-note', 'connect-error'],
  ['Failover DISCONNECT from fo: connection refused', 'failover-note', 'connect-error'],
  ['timeout waiting for failover peer fo', 'failover-note', 'timeout'],
  [
    'peer fo: Got POOLREQ, answering negatively!  Peer may be out of leases or database inconsistent.',
    'failover-note',
    'poolreq-refused',
  ],
  // kept as unknown (counted): not about one lease's state, or not DHCPv4 traffic
  ['DHCPRELEASE from 52:54:00:12:34:56 specified requested-address.', 'unknown', null],
  ['DHCPRELEASE from 52:54:00:12:34:56 via 10.1.0.1: unknown network segment', 'unknown', null],
  ['client 52:54:00:12:34:56 has duplicate leases on net1', 'unknown', null],
  ['Reclaiming abandoned lease 10.1.0.50.', 'unknown', null],
  ['Server starting service.', 'unknown', null],
  // the Gluff queue patch (hl_ldb.c): `Line %d: sqlite3 error: %s`, `ldb error: %s`
  ['Line 812: sqlite3 error: database is locked', 'queue-error', 'database is locked'],
  ['ldb error: database is locked', 'queue-error', 'database is locked'],
];

describe('parseDhcpdMessage (dhcpd 4.4.3 source formats)', () => {
  for (const [line, kind, detail] of SOURCE_FORMATS) {
    it(`should read ${line.slice(0, 60)} as ${kind}`, () => {
      const body = parseDhcpdMessage(line);
      assert.equal(body.kind, kind);
      if (body.kind === 'failover-note') assert.equal(body.note, detail);
      else if (body.kind === 'queue-error') assert.equal(body.detail, detail);
      else if ('reason' in body) assert.equal(body.reason, detail);
    });
  }
});

describe('parseDhcpdMessage (Gluff queue patch errors)', () => {
  // Real lines: test/golden/real-gluff/run1/syslog.log (a release's insert collided; dhcpd 4.4.3 + patch),
  // and the same patch's line for an ACK's insert.
  const REAL: readonly (readonly [string, EventBody])[] = [
    [
      'Line 115: sqlite3 error: SQL logic error',
      { kind: 'queue-error', stage: 'sqlite3', line: 115, detail: 'SQL logic error' },
    ],
    [
      'ldb error: SQL logic error',
      { kind: 'queue-error', stage: 'ldb', line: null, detail: 'SQL logic error' },
    ],
    [
      'Line 241: sqlite3 error: SQL logic error',
      { kind: 'queue-error', stage: 'sqlite3', line: 241, detail: 'SQL logic error' },
    ],
    [
      'Line 7: sqlite3 error: UNIQUE constraint failed: lease_queue.start, lease_queue.idx',
      {
        kind: 'queue-error',
        stage: 'sqlite3',
        line: 7,
        detail: 'UNIQUE constraint failed: lease_queue.start, lease_queue.idx',
      },
    ],
    ['Line 0: sqlite3 error: ', { kind: 'queue-error', stage: 'sqlite3', line: 0, detail: '' }],
    ['ldb error: ', { kind: 'queue-error', stage: 'ldb', line: null, detail: '' }],
  ];
  for (const [line, expected] of REAL) {
    it(`should parse ${JSON.stringify(line)} and write it back`, () => {
      assert.deepEqual(parseDhcpdMessage(line), expected);
      assert.equal(formatDhcpdMessage(expected), line);
    });
  }

  // Not what `%d` writes, or not the patch's shape: kept as unknown, never a throw.
  const NOT_QUEUE_ERRORS = [
    'Line : sqlite3 error: SQL logic error',
    'Line 0241: sqlite3 error: SQL logic error',
    'Line -1: sqlite3 error: SQL logic error',
    'Line 1234567890: sqlite3 error: SQL logic error',
    'Line 241: sqlite3 error:',
    'Line 241: sqlite3 error',
    'Line 241',
    'Line ',
    'Line 241: mysql error: x',
    'Line 241 : sqlite3 error: x',
    'ldb error:',
    'ldb errors: x',
    'Ldb error: x',
  ];
  for (const line of NOT_QUEUE_ERRORS) {
    it(`should keep ${JSON.stringify(line)} as unknown`, () => {
      assert.deepEqual(parseDhcpdMessage(line), { kind: 'unknown', app: 'dhcpd', text: line });
    });
  }

  it('should never throw on mutations of the patch lines', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Line 241: sqlite3 error: SQL logic error', 'ldb error: SQL logic error'),
        fc.nat(45),
        fc.string({ unit: 'binary', maxLength: 30 }),
        (line, cut, tail) => {
          const body = parseDhcpdMessage(line.slice(0, cut) + tail);
          assert.ok(body.kind === 'queue-error' || body.kind === 'unknown');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { EventBody } from '../../../src/model/index.js';
import {
  formatAutobridgeMessage,
  formatGluffMessage,
  formatMemsampleMessage,
  parseAutobridgeMessage,
  parseGluffMessage,
  parseMemsampleMessage,
} from '../../../src/parse/other-lines.js';
import { arbGluffNote, arbMemSample, arbPortDown, arbPortMap } from '../../helpers/arbitraries.js';

describe('parseAutobridgeMessage', () => {
  const examples: readonly (readonly [string, EventBody])[] = [
    ['down seq=17', { kind: 'port-down', seq: 17 }],
    [
      'map seq=17 bridge01=eth0+eth4 bridge02=eth1+eth3,eth5 bridge03=eth2+none',
      {
        kind: 'port-map',
        seq: 17,
        bridges: [
          { bridge: 'bridge01', switchIf: 'eth0', clientIfs: ['eth4'] },
          { bridge: 'bridge02', switchIf: 'eth1', clientIfs: ['eth3', 'eth5'] },
          { bridge: 'bridge03', switchIf: 'eth2', clientIfs: [] },
        ],
      },
    ],
    [
      'map seq=x bridge01=eth0+eth4',
      { kind: 'unknown', app: 'autobridge', text: 'map seq=x bridge01=eth0+eth4' },
    ],
    ['map seq=1 bridge01=eth0', { kind: 'unknown', app: 'autobridge', text: 'map seq=1 bridge01=eth0' }],
    [
      'map seq=1 bridge01=eth0+a,,b',
      { kind: 'unknown', app: 'autobridge', text: 'map seq=1 bridge01=eth0+a,,b' },
    ],
    ['down seq=01', { kind: 'unknown', app: 'autobridge', text: 'down seq=01' }],
    ['starting', { kind: 'unknown', app: 'autobridge', text: 'starting' }],
  ];
  for (const [line, expected] of examples) {
    it(`should parse ${line}`, () => assert.deepEqual(parseAutobridgeMessage(line), expected));
  }
  it('should round-trip port-down and port-map bodies', () => {
    fc.assert(
      fc.property(fc.oneof(arbPortDown, arbPortMap) as fc.Arbitrary<EventBody>, (body) => {
        assert.deepEqual(parseAutobridgeMessage(formatAutobridgeMessage(body)), body);
      }),
    );
  });
  it('should never throw on any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => void parseAutobridgeMessage(s)));
  });
});

describe('parseMemsampleMessage', () => {
  const examples: readonly (readonly [string, EventBody])[] = [
    [
      'proc=dhcpd pid=1234 rss=12345678 data=2345678',
      { kind: 'memsample', proc: 'dhcpd', pid: 1234, rssBytes: 12345678, dataBytes: 2345678, gone: false },
    ],
    [
      'proc=dhcpd gone',
      { kind: 'memsample', proc: 'dhcpd', pid: null, rssBytes: null, dataBytes: null, gone: true },
    ],
    [
      'proc=gluff pid=9 rss=100 data=50 vsz=1000',
      { kind: 'memsample', proc: 'gluff', pid: 9, rssBytes: 100, dataBytes: 50, gone: false },
    ],
    ['proc=dhcpd pid=x', { kind: 'unknown', app: 'memsample', text: 'proc=dhcpd pid=x' }],
    ['hello', { kind: 'unknown', app: 'memsample', text: 'hello' }],
  ];
  for (const [line, expected] of examples) {
    it(`should parse ${line}`, () => assert.deepEqual(parseMemsampleMessage(line), expected));
  }
  it('should round-trip memsample bodies', () => {
    fc.assert(
      fc.property(arbMemSample, (body) =>
        assert.deepEqual(parseMemsampleMessage(formatMemsampleMessage(body)), body),
      ),
    );
  });
  it('should never throw on any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => void parseMemsampleMessage(s)));
  });
});

describe('parseGluffMessage', () => {
  // gluff.c (hansliss/gluff v1.12) syslog calls.
  const examples: readonly (readonly [string, string])[] = [
    [
      'gluff v1.12 starting, using Sqlite3 database /var/db/dhcpd_queue.db3 and MySQL database mysql://dhcpd@db1/dhcpd_leases',
      'start',
    ],
    ['MySQL server unreachable', 'mysql-unreachable'],
    ['Re-connected to MySQL server', 'reconnected'],
    ["mysql_real_connect(): Can't connect to MySQL server on 'db1' (111)", 'error'],
    ['Failed to claim queue entries: database is locked', 'error'],
    ['do_update_lease(): No rows were updated!', 'error'],
    [
      'ACK on ip: 10.1.0.50, hw: 52:54:00:12:34:56, cid: "port1", rid: (null), start: Sat Nov 28 01:23:45 2026, end: Sat Nov 28 01:33:45 2026',
      'other',
    ],
    ['Creating sqlite3 database /var/db/dhcpd_queue.db3', 'other'],
  ];
  for (const [line, what] of examples) {
    it(`should classify ${line.slice(0, 50)} as ${what}`, () => {
      assert.deepEqual(parseGluffMessage(line), { kind: 'gluff', what, text: line });
    });
  }
  it('should round-trip gluff bodies', () => {
    fc.assert(
      fc.property(arbGluffNote, (body) =>
        assert.deepEqual(parseGluffMessage(formatGluffMessage(body)), body),
      ),
    );
  });
});

import { strict as assert } from 'node:assert';
import { TimelineMarkCollector } from '../../../src/cli/timeline-marks.js';
import type { EventBody, StoredEvent } from '../../../src/model/events.js';
import type { RigSpec } from '../../../src/model/spec.js';

const T0 = Date.UTC(2026, 10, 28, 1, 0, 0);
const SPEC: Pick<RigSpec, 'switch' | 'clientSegments' | 'permuterHost'> = {
  switch: {
    name: 'sw',
    ports: [
      { name: 'Fa0/2', switchIf: 'eth0', circuitIdHex: '00:02', remoteIdHex: null },
      { name: 'Fa0/3', switchIf: 'eth1', circuitIdHex: '00:03', remoteIdHex: null },
    ],
  },
  clientSegments: [
    { iface: 'eth3', macs: ['00:0c:29:00:00:01', '00:0c:29:00:00:02'] },
    { iface: 'eth4', macs: ['00:0c:29:00:00:03'] },
  ],
  permuterHost: 'autobridge',
};

let nextId = 1;
function event(atSec: number, host: string, pid: number | null, body: EventBody): StoredEvent {
  const id = nextId++;
  return { ...body, timeMs: T0 + atSec * 1000, host, pid, id, rawId: id, receivedMs: T0 } as StoredEvent;
}

const map = (atSec: number, seq: number, eth0: string[], eth1: string[]) =>
  event(atSec, 'autobridge', 50, {
    kind: 'port-map',
    seq,
    bridges: [
      { bridge: 'bridge01', switchIf: 'eth0', clientIfs: eth0 },
      { bridge: 'bridge02', switchIf: 'eth1', clientIfs: eth1 },
    ],
  });

describe('TimelineMarkCollector', () => {
  it('should name the clients each map moved, with the ports before and after', () => {
    const marks = new TimelineMarkCollector(SPEC);
    for (const e of [
      map(0, 0, ['eth3'], ['eth4']),
      map(60, 1, ['eth4'], ['eth3']),
      // The same map again moves nobody; a map from another host is not the permuter's.
      map(120, 2, ['eth4'], ['eth3']),
      { ...map(130, 3, ['eth3'], ['eth4']), host: 'intruder' },
    ])
      marks.observe(e);
    const moves = marks.result().portMoves;
    assert.equal(moves.length, 1);
    assert.deepEqual(
      [moves[0]!.seq, moves[0]!.atMs, moves[0]!.moved],
      [
        1,
        T0 + 60_000,
        [
          { hw: '00:0c:29:00:00:01', fromPort: 'Fa0/2', toPort: 'Fa0/3' },
          { hw: '00:0c:29:00:00:02', fromPort: 'Fa0/2', toPort: 'Fa0/3' },
          { hw: '00:0c:29:00:00:03', fromPort: 'Fa0/3', toPort: 'Fa0/2' },
        ],
      ],
    );
  });

  it('should keep releases, and one queue failure for its sqlite3 and ldb lines', () => {
    const marks = new TimelineMarkCollector(SPEC);
    const release = event(10, 'dhcp1', 812, {
      kind: 'dhcprelease',
      ip: '10.1.0.50',
      mac: '00:0c:29:00:00:01',
      name: null,
      via: 'eth0',
      found: true,
    });
    for (const e of [
      release,
      event(20, 'dhcp2', 900, {
        kind: 'queue-error',
        stage: 'sqlite3',
        line: 241,
        detail: 'SQL logic error',
      }),
      event(20, 'dhcp2', 900, { kind: 'queue-error', stage: 'ldb', line: null, detail: 'SQL logic error' }),
      event(30, 'dhcp2', 900, { kind: 'queue-error', stage: 'ldb', line: null, detail: 'SQL logic error' }),
    ])
      marks.observe(e);
    const r = marks.result();
    assert.deepEqual(r.releases, [
      {
        atMs: T0 + 10_000,
        ip: '10.1.0.50',
        hw: '00:0c:29:00:00:01',
        host: 'dhcp1',
        found: true,
        rawId: release.rawId,
      },
    ]);
    assert.deepEqual(
      r.queueFailures.map((q) => [q.atMs - T0, q.line]),
      [
        [20_000, 241],
        [30_000, null],
      ],
    );
  });

  it('should see dhcpd and gluff come back with another pid, per host', () => {
    const marks = new TimelineMarkCollector(SPEC);
    const ack = (atSec: number, host: string, pid: number) =>
      event(atSec, host, pid, {
        kind: 'dhcpack',
        ip: '10.1.0.50',
        mac: '00:0c:29:00:00:01',
        name: null,
        via: 'eth0',
      });
    const note = (atSec: number, pid: number) =>
      event(atSec, 'dhcp1', pid, { kind: 'gluff', what: 'start', text: 'gluff v1.12 starting' });
    for (const e of [
      ack(0, 'dhcp1', 10),
      ack(5, 'dhcp2', 20),
      note(6, 30),
      ack(100, 'dhcp1', 10),
      ack(300, 'dhcp1', 11),
      note(310, 31),
    ])
      marks.observe(e);
    assert.deepEqual(
      marks
        .result()
        .restarts.map((r) => [r.program, r.host, r.oldPid, r.newPid, r.lastSeenMs - T0, r.atMs - T0]),
      [
        ['dhcpd', 'dhcp1', 10, 11, 100_000, 300_000],
        ['gluff', 'dhcp1', 30, 31, 6_000, 310_000],
      ],
    );
  });
});

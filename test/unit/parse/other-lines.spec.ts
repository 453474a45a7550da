import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { EventBody, GluffRecord } from '../../../src/model/index.js';
import { textToHex } from '../../../src/parse/option82.js';
import {
  formatAutobridgeMessage,
  formatCtime,
  formatGluffMessage,
  formatMemsampleMessage,
  formatRigMessage,
  parseAutobridgeMessage,
  parseCtime,
  parseGluffMessage,
  parseMemsampleMessage,
  parseRigMessage,
} from '../../../src/parse/other-lines.js';
import {
  arbGluffNote,
  arbGluffRecord,
  arbGluffZone,
  arbMemSample,
  arbPortDown,
  arbPortMap,
  arbRigEvent,
  arbRigValue,
  arbRigWord,
} from '../../helpers/arbitraries.js';

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

describe('parseRigMessage', () => {
  // The rig driver's lines (`logger -t gv-rig`), one per fault or scenario step.
  const examples: readonly (readonly [string, string, Record<string, string>])[] = [
    ['event=gluff-stop server=gvrg-dhcp2', 'gluff-stop', { server: 'gvrg-dhcp2' }],
    ['event=gluff-start server=gvrg-dhcp2', 'gluff-start', { server: 'gvrg-dhcp2' }],
    [
      'event=dhcpd-restart server=gvrg-dhcp1 phase=stop',
      'dhcpd-restart',
      { server: 'gvrg-dhcp1', phase: 'stop' },
    ],
    [
      'event=partner-down server=gvrg-dhcp2 phase=begin',
      'partner-down',
      { server: 'gvrg-dhcp2', phase: 'begin' },
    ],
    [
      'event=release-after-restart client=c3 server=gvrg-dhcp1',
      'release-after-restart',
      { client: 'c3', server: 'gvrg-dhcp1' },
    ],
    ['event=client-release client=c2', 'client-release', { client: 'c2' }],
    ['event=client-vanish client=c4', 'client-vanish', { client: 'c4' }],
    ['event=client-reboot client=c5', 'client-reboot', { client: 'c5' }],
    [
      'event=rig-start minutes=8 clients=6 reshuffle=120',
      'rig-start',
      { minutes: '8', clients: '6', reshuffle: '120' },
    ],
    ['event=clients-stop', 'clients-stop', {}],
    ['event=rig-end', 'rig-end', {}],
    // The first `=` ends the key; an empty value is kept; any non-space printable text is a value.
    [
      'event=note url=http://x/?a=b empty= who=<b>&"\'',
      'note',
      { url: 'http://x/?a=b', empty: '', who: '<b>&"\'' },
    ],
  ];
  for (const [line, name, fields] of examples) {
    it(`should parse ${line}`, () => {
      assert.deepEqual(parseRigMessage(line), { kind: 'rig-event', name, fields });
      assert.equal(formatRigMessage({ kind: 'rig-event', name, fields }), line);
    });
  }

  const refused: readonly (readonly [string, RegExp])[] = [
    ['', /expected event=NAME first/],
    ['gluff-stop server=gvrg-dhcp2', /expected event=NAME first/],
    ['server=gvrg-dhcp2 event=gluff-stop', /expected event=NAME first/],
    ['event=', /event name is not \[a-z0-9-\]\+/],
    ['event=Gluff-Stop', /event name is not/],
    ['event=gluff_stop', /event name is not/],
    ['event=gluff-stop server', /field 1 is not key=value/],
    ['event=gluff-stop =x', /field 1 is not key=value/],
    ['event=gluff-stop  server=a', /field 1 is not key=value/],
    ['event=gluff-stop server=a ', /field 2 is not key=value/],
    ['event=gluff-stop Server=a', /field 1: the key is not/],
    ['event=gluff-stop server=a server=b', /field 2: key 'server' comes twice/],
    ['event=gluff-stop event=b', /field 1: key 'event' comes twice/],
    [
      'event=gluff-stop server=a\tb',
      /field 1: the value of 'server' holds white space or a control character/,
    ],
    ['event=gluff-stop server=a\u001b[2Jb', /holds white space or a control character/],
    ['event=gluff-stop server=a\u00a0b', /holds white space or a control character/],
  ];
  for (const [line, reason] of refused) {
    it(`should keep ${JSON.stringify(line)} as an unknown gv-rig line with its reason`, () => {
      const body = parseRigMessage(line);
      assert.equal(body.kind, 'unknown');
      assert.equal(body.app, 'gv-rig');
      assert.equal(body.text, line);
      assert.match(body.reason ?? '', reason);
    });
  }

  it('should round-trip rig-event bodies: parse(format(b)) deep-equals b', () => {
    fc.assert(
      fc.property(arbRigEvent as fc.Arbitrary<EventBody>, (body) =>
        assert.deepEqual(parseRigMessage(formatRigMessage(body)), body),
      ),
      { numRuns: 2000 },
    );
  });

  it('should write back exactly the text it read, unless a key is all digits (object order)', () => {
    const arbLine = fc
      .tuple(
        arbRigWord,
        fc.uniqueArray(fc.tuple(arbRigWord, arbRigValue), { selector: ([k]) => k, maxLength: 6 }),
      )
      .map(([name, pairs]) =>
        [`event=${name}`, ...pairs.filter(([k]) => k !== 'event').map(([k, v]) => `${k}=${v}`)].join(' '),
      );
    fc.assert(
      fc.property(arbLine, (line) => {
        const body = parseRigMessage(line);
        assert.equal(body.kind, 'rig-event', line);
        if (Object.keys(body.fields).every((k) => !/^[0-9]+$/.test(k)))
          assert.equal(formatRigMessage(body), line);
      }),
      { numRuns: 2000 },
    );
  });

  it('should never throw on hostile text, and read back whatever it accepts', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc
        .tuple(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }))
        .map(([a, b]) => `event=${a} ${b}=${a}`),
      arbRigEvent.chain((e) =>
        fc.tuple(fc.nat(200), fc.string({ unit: 'binary', maxLength: 20 })).map(([cut, tail]) => {
          const line = formatRigMessage(e);
          return line.slice(0, cut % (line.length + 1)) + tail;
        }),
      ),
    );
    fc.assert(
      fc.property(hostile, (text) => {
        const body = parseRigMessage(text);
        if (body.kind === 'unknown') {
          assert.equal(body.text, text);
          assert.ok((body.reason ?? '').length > 0);
        } else {
          assert.deepEqual(parseRigMessage(formatRigMessage(body)), body);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseGluffMessage', () => {
  // gluff.c (hansliss/gluff v1.12) syslog calls; the decision lines are real, from test/golden/real-gluff.
  const examples: readonly (readonly [string, string])[] = [
    [
      'gluff v1.12 starting, using Sqlite3 database /var/db/dhcpd_queue.db3 and MySQL database mysql://dhcpd@db1/dhcpd_leases',
      'start',
    ],
    ['MySQL server unreachable', 'mysql-unreachable'],
    ['Re-connected to MySQL server', 'reconnected'],
    ["mysql_real_connect(): Can't connect to MySQL server on 'db1' (111)", 'error'],
    ['Failed to claim queue entries: database is locked', 'error'],
    ['Failed to create table lease_queue: not an error', 'error'],
    ['do_update_lease(): Lost connection to MySQL server during query', 'error'],
    [
      'Found lease in rdb. hw(2,2), cid(3,2), rid(0,0) [Sat Nov 28 04:17:48 2026#012..Sat Nov 28 04:24:58 2026#012]',
      'found',
    ],
    ['Prolonging identical lease', 'prolong'],
    ['Different hw, cid or rid. Cutting off and making a new one', 'cutoff'],
    ['Making new lease entry', 'make'],
    ['Release. Cutting off the lease I found', 'release-cut'],
    ['Multiple rows exist. Compacting...', 'multiple-rows'],
    // A warning after every prolong that moved nothing (gluff without -D logs it too), not an error.
    ['do_update_lease(): No rows were updated!', 'no-rows-updated'],
    ['Creating sqlite3 database /var/db/dhcpd_queue.db3', 'other'],
    ['Prolonging identical lease.', 'other'],
    // Per-row lines that do not read stay notes: `(null)` is no dhcpd rendering, and a line cut short.
    [
      'ACK on ip: 10.1.0.50, hw: 52:54:00:12:34:56, cid: "port1", rid: (null), start: Sat Nov 28 01:23:45 2026, end: Sat Nov 28 01:33:45 2026',
      'other',
    ],
    ['ACK on ip: 10.1.0.50, hw: 52:54:00:12:34:56', 'other'],
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

describe('parseGluffMessage (per-row lines)', () => {
  const STOCKHOLM = 'Europe/Stockholm';
  // Real lines, test/golden/real-gluff/run2 and run1 (gluff hosts in Europe/Stockholm, UTC+1 in November).
  const ACK =
    'ACK on ip: 10.77.2.59, hw: 02:0a:00:77:01:01, cid: "gvrgrp2", rid: <NULL>, start: Sat Nov 28 04:22:05 2026, end: Sat Nov 28 04:24:05 2026';
  const RELEASE =
    'RELEASE on ip: 10.77.1.60, hw: 02:0a:00:77:02:02, cid: "gvrgrp1", rid: <NULL>, start: Sat Nov 28 03:42:53 2026, end: Sat Nov 28 03:43:22 2026';
  const RELEASE_NO_CID =
    'RELEASE on ip: 10.77.1.58, hw: 02:0a:00:77:05:05, cid: <NULL>, rid: <NULL>, start: Sat Nov 28 03:59:01 2026, end: Sat Nov 28 03:59:04 2026';
  const GVRGRP = (n: number): string => textToHex(`gvrgrp${n}`);

  const REAL: readonly (readonly [string, GluffRecord])[] = [
    [
      ACK,
      {
        kind: 'gluff-record',
        record: 'ack',
        ip: '10.77.2.59',
        mac: '02:0a:00:77:01:01',
        cidHex: '67:76:72:67:72:70:32',
        remoteIdHex: null,
        cidText: '"gvrgrp2"',
        ridText: null,
        startMs: Date.parse('2026-11-28T03:22:05Z'),
        endMs: Date.parse('2026-11-28T03:24:05Z'),
        zone: STOCKHOLM,
      },
    ],
    [
      RELEASE,
      {
        kind: 'gluff-record',
        record: 'release',
        ip: '10.77.1.60',
        mac: '02:0a:00:77:02:02',
        cidHex: GVRGRP(1),
        remoteIdHex: null,
        cidText: '"gvrgrp1"',
        ridText: null,
        startMs: Date.parse('2026-11-28T02:42:53Z'),
        endMs: Date.parse('2026-11-28T02:43:22Z'),
        zone: STOCKHOLM,
      },
    ],
    [
      // The failover peer queued this release without Option 82 (binding updates carry none).
      RELEASE_NO_CID,
      {
        kind: 'gluff-record',
        record: 'release',
        ip: '10.77.1.58',
        mac: '02:0a:00:77:05:05',
        cidHex: null,
        remoteIdHex: null,
        cidText: null,
        ridText: null,
        startMs: Date.parse('2026-11-28T02:59:01Z'),
        endMs: Date.parse('2026-11-28T02:59:04Z'),
        zone: STOCKHOLM,
      },
    ],
  ];
  for (const [line, expected] of REAL) {
    it(`should parse the real line ${line.slice(0, 44)}… in the host's zone and write it back`, () => {
      assert.deepEqual(parseGluffMessage(line, STOCKHOLM), expected);
      assert.equal(formatGluffMessage(expected), line);
    });
  }

  it('should read the ctimes in the zone it is given (UTC by default)', () => {
    const body = parseGluffMessage(ACK);
    assert.ok(body.kind === 'gluff-record');
    assert.equal(body.startMs, Date.parse('2026-11-28T04:22:05Z'));
    assert.equal(body.zone, 'UTC');
  });

  it('should read both renderings dhcpd gives a circuit-id, and a remote-id', () => {
    const line =
      'ACK on ip: 10.1.0.50, hw: 52:54:00:12:34:56, cid: "Gi1/0/5 \\"x\\" \\$1", rid: 0:4:0:a:1:5, start: Sun Nov  1 09:05:00 2026, end: Sun Nov  1 09:15:00 2026';
    const body = parseGluffMessage(line, 'UTC');
    assert.ok(body.kind === 'gluff-record', JSON.stringify(body));
    assert.equal(body.cidHex, textToHex('Gi1/0/5 "x" $1'));
    assert.equal(body.cidText, '"Gi1/0/5 \\"x\\" \\$1"');
    assert.equal(body.remoteIdHex, '00:04:00:0a:01:05');
    assert.equal(body.ridText, '0:4:0:a:1:5');
    assert.equal(body.startMs, Date.parse('2026-11-01T09:05:00Z'));
    assert.equal(formatGluffMessage(body), line);
  });

  it('should keep a circuit-id whose escaped text holds the line separators as one value', () => {
    const cid = '"x\\", rid: <NULL>, start: Sat Nov 28 04:22:05 2026, end: Sat Nov 28 04:24:05 2026"';
    const line = ACK.replace('"gvrgrp2"', cid);
    const body = parseGluffMessage(line, STOCKHOLM);
    assert.ok(body.kind === 'gluff-record', JSON.stringify(body));
    assert.equal(body.cidText, cid);
    assert.equal(
      body.cidHex,
      textToHex('x", rid: <NULL>, start: Sat Nov 28 04:22:05 2026, end: Sat Nov 28 04:24:05 2026'),
    );
    assert.equal(body.ridText, null);
    assert.equal(body.startMs, Date.parse('2026-11-28T03:22:05Z'));
  });

  it('should normalise the hw like other kinds', () => {
    const body = parseGluffMessage(ACK.replace('02:0a:00:77:01:01', '2:A:0:77:1:1'), STOCKHOLM);
    assert.equal(body.kind === 'gluff-record' ? body.mac : '', '02:0a:00:77:01:01');
  });

  it('should read the repeated hour of a DST change as the earlier instant, like syslog headers', () => {
    const line = ACK.replace('Sat Nov 28 04:22:05 2026', 'Sun Oct 25 02:30:00 2026').replace(
      'Sat Nov 28 04:24:05 2026',
      'Sun Oct 25 03:30:00 2026',
    );
    const body = parseGluffMessage(line, STOCKHOLM);
    assert.ok(body.kind === 'gluff-record');
    assert.equal(body.startMs, Date.parse('2026-10-25T00:30:00Z'));
    assert.equal(body.endMs, Date.parse('2026-10-25T02:30:00Z'));
    assert.equal(formatGluffMessage(body), line);
  });

  // Hostile or damaged per-row lines: a `gluff` note `other` with the text, never a throw.
  const BAD: readonly (readonly [string, string])[] = [
    ['a ctime with the wrong weekday', ACK.replace('Sat Nov 28 04:22:05', 'Fri Nov 28 04:22:05')],
    ['a day that does not exist', ACK.replace('Sat Nov 28 04:22:05', 'Tue Nov 31 04:22:05')],
    ['a zero-padded day (ctime pads with a space)', ACK.replace('Sat Nov 28', 'Sun Nov 01')],
    ['hour 24', ACK.replace('04:22:05', '24:22:05')],
    ['a one-digit hour', ACK.replace('04:22:05 2026, end', '4:22:05 2026, end')],
    ['a lower-case month', ACK.replace('Sat Nov 28 04:22:05', 'Sat nov 28 04:22:05')],
    ['a two-digit year', ACK.replace('04:24:05 2026', '04:24:05 26')],
    ['a wall time skipped by DST', ACK.replace('Sat Nov 28 04:22:05 2026', 'Sun Mar 29 02:30:00 2026')],
    ['an ISO time', ACK.replace('Sat Nov 28 04:22:05 2026', '2026-11-28T04:22:05Z')],
    ['a non-IPv4 address', ACK.replace('10.77.2.59', '10.77.2.590')],
    ['cid `(null)`', ACK.replace('"gvrgrp2"', '(null)')],
    ['cid text without quotes', ACK.replace('"gvrgrp2"', 'gvrgrp2')],
    ['an unterminated quoted cid', ACK.replace('"gvrgrp2"', '"gvrgrp2')],
    ['an unescaped quote inside the cid', ACK.replace('"gvrgrp2"', '"gvr"grp2"')],
    ['a backslash ending the cid', ACK.replace('"gvrgrp2"', '"gvrgrp2\\"')],
    ['non-ASCII cid text', ACK.replace('"gvrgrp2"', '"gvrgröp2"')],
    ['an empty cid', ACK.replace('"gvrgrp2"', '')],
    ['text after the end ctime', `${ACK} `],
    ['a lower-case record type', ACK.replace('ACK on', 'ack on')],
  ];
  for (const [what, line] of BAD) {
    it(`should keep a per-row line with ${what} as a note`, () => {
      assert.deepEqual(parseGluffMessage(line, STOCKHOLM), { kind: 'gluff', what: 'other', text: line });
    });
  }

  it('should keep an unknown zone as a note rather than guess', () => {
    assert.deepEqual(parseGluffMessage(ACK, 'Mars/Olympus_Mons'), {
      kind: 'gluff',
      what: 'other',
      text: ACK,
    });
  });

  it('should keep every truncation of a real line as a note', () => {
    for (const line of [ACK, RELEASE, RELEASE_NO_CID]) {
      for (let cut = 0; cut < line.length; cut++) {
        const body = parseGluffMessage(line.slice(0, cut), STOCKHOLM);
        assert.equal(body.kind, 'gluff', line.slice(0, cut));
      }
    }
  });

  it('should never throw on mutations of real lines, nor on any string, in any zone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(ACK, RELEASE, RELEASE_NO_CID),
        fc.nat(200),
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.constantFrom('UTC', STOCKHOLM, 'Mars/Olympus_Mons', ''),
        (line, cut, tail, zone) => {
          const body = parseGluffMessage(line.slice(0, cut) + tail, zone);
          assert.ok(body.kind === 'gluff' || body.kind === 'gluff-record');
        },
      ),
      { numRuns: 3000 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => void parseGluffMessage(s, STOCKHOLM)));
  });

  it('should round-trip gluff-record bodies: parse(format(b), b.zone) deep-equals b', () => {
    fc.assert(
      fc.property(arbGluffRecord, (body) =>
        assert.deepEqual(parseGluffMessage(formatGluffMessage(body), body.zone), body),
      ),
      { numRuns: 2000 },
    );
  });
});

describe('formatCtime / parseCtime', () => {
  it("should write ctime's form, the day padded with a space", () => {
    assert.equal(
      formatCtime(Date.parse('2026-11-28T03:22:05Z'), 'Europe/Stockholm'),
      'Sat Nov 28 04:22:05 2026',
    );
    assert.equal(formatCtime(Date.parse('2026-11-01T00:00:00Z'), 'UTC'), 'Sun Nov  1 00:00:00 2026');
    assert.equal(formatCtime(Date.parse('2000-02-29T23:59:59.999Z'), 'UTC'), 'Tue Feb 29 23:59:59 2000');
  });

  it('should read back what it writes, to the same instant except the second pass of a repeated hour', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 946_684_800, max: 2_145_916_800 }).map((s) => s * 1000),
        arbGluffZone,
        (t, zone) => {
          const text = formatCtime(t, zone);
          const back = parseCtime(text, zone);
          assert.ok(back !== null, text);
          assert.equal(formatCtime(back, zone), text);
          assert.ok(back === t || back === t - 3_600_000, `${text}: ${back} vs ${t}`);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('should refuse text ctime does not write', () => {
    for (const text of [
      '',
      'Sat Nov 28 04:22:05 2026 ',
      'Sat Nov 28 04:22:05 0999',
      'Sat Nov 28 04:22:60 2026',
    ]) {
      assert.equal(parseCtime(text, 'UTC'), null, text);
    }
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { LogEvent, ParseContext } from '../../../src/model/index.js';
import { formatLogLine, parseAppMessage, parseMessage } from '../../../src/parse/parse-message.js';
import { arbEventBody, arbTimeSec } from '../../helpers/arbitraries.js';

const enc = new TextEncoder();
const CTX: ParseContext = { referenceMs: Date.UTC(2026, 10, 28, 2), zoneByHost: {}, defaultZone: 'UTC' };

/** Lines copied verbatim from the real capture test/golden/failover-relay/input.log (dhcpd 4.4.3-P1 via rsyslog). */
const CAPTURED: readonly (readonly [string, Record<string, unknown>])[] = [
  [
    'Nov 28 02:39:01 dhcp2 dhcpd[751]: DHCPDECLINE of 10.99.1.67 from 02:00:5e:0b:00:04 (c4) via 10.99.2.1: abandoned',
    {
      kind: 'dhcpdecline',
      ip: '10.99.1.67',
      mac: '02:00:5e:0b:00:04',
      name: 'c4',
      via: '10.99.2.1',
      reason: 'abandoned',
    },
  ],
  [
    'Nov 28 02:39:01 dhcp2 dhcpd[751]: bind update on 10.99.1.67 got ack from gv-failover: xid mismatch.',
    {
      kind: 'failover-note',
      note: 'bind-update-failed',
      peer: 'gv-failover',
      text: 'bind update on 10.99.1.67 got ack from gv-failover: xid mismatch.',
    },
  ],
  [
    'Nov 28 02:39:12 dhcp2 dhcpd[751]: gv-commit ip=10.99.1.65 hw=2:0:5e:b:0:4 lease=60 giaddr=10.99.2.1 cid=65:74:68:32 rid=',
    {
      kind: 'commit',
      ip: '10.99.1.65',
      mac: '02:00:5e:0b:00:04',
      leaseSec: 60,
      giaddr: '10.99.2.1',
      circuitIdHex: '65:74:68:32',
      remoteIdHex: null,
    },
  ],
  [
    'Nov 28 02:41:10 dhcp1 dhcpd[748]: DHCPREQUEST for 10.99.1.65 from 02:00:5e:0b:00:04 (c4) via eth0',
    {
      kind: 'dhcprequest',
      ip: '10.99.1.65',
      serverId: null,
      mac: '02:00:5e:0b:00:04',
      name: 'c4',
      via: 'eth0',
      reason: null,
    },
  ],
  [
    'Nov 28 02:41:12 dhcp2 dhcpd[751]: DHCPREQUEST for 10.99.2.50 from 02:00:5e:0a:01:03 (c3) via 10.99.3.1: wrong network.',
    {
      kind: 'dhcprequest',
      ip: '10.99.2.50',
      serverId: null,
      mac: '02:00:5e:0a:01:03',
      name: 'c3',
      via: '10.99.3.1',
      reason: 'wrong network.',
    },
  ],
];

describe('parseMessage', () => {
  for (const [line, body] of CAPTURED) {
    it(`should parse the captured line ${line.slice(16, 80)}`, () => {
      // Arrange
      const m = /^Nov 28 (\d\d):(\d\d):(\d\d) (\S+) dhcpd\[(\d+)\]/.exec(line) as RegExpExecArray;
      const header = {
        timeMs: Date.UTC(2026, 10, 28, Number(m[1]), Number(m[2]), Number(m[3])),
        host: m[4],
        pid: Number(m[5]),
      };
      // Act
      const r = parseMessage(enc.encode(line), CTX);
      // Assert
      assert.deepEqual(r, { ok: true, event: { ...body, ...header } });
    });
  }

  it('should dispatch a dhcpd line on its tag and keep the header facts', () => {
    const r = parseMessage(
      enc.encode(
        '<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1',
      ),
      CTX,
    );
    assert.deepEqual(r, {
      ok: true,
      event: {
        kind: 'dhcpack',
        ip: '10.1.0.50',
        mac: '52:54:00:12:34:56',
        name: 'host1',
        via: '10.1.0.1',
        timeMs: Date.UTC(2026, 10, 28, 1, 23, 45),
        host: 'dhcp1',
        pid: 812,
      },
    });
  });

  it('should keep lines of programs we do not follow as kind other', () => {
    const r = parseMessage(enc.encode('Nov 28 01:23:45 gw CRON[99]: (root) CMD (true)'), CTX);
    assert.ok(r.ok);
    assert.deepEqual(r.event, {
      kind: 'other',
      app: 'CRON',
      text: '(root) CMD (true)',
      timeMs: Date.UTC(2026, 10, 28, 1, 23, 45),
      host: 'gw',
      pid: 99,
    });
  });

  it("should read the rig driver's gv-rig lines from any host, rsyslog's RFC 5424 leading space included", () => {
    const r = parseMessage(
      enc.encode(
        '<13>1 2026-11-28T02:40:00.123Z gvrg-sw gv-rig 4242 - -  event=dhcpd-restart server=gvrg-dhcp1 phase=stop',
      ),
      CTX,
    );
    assert.ok(r.ok);
    assert.deepEqual(r.event, {
      kind: 'rig-event',
      name: 'dhcpd-restart',
      fields: { server: 'gvrg-dhcp1', phase: 'stop' },
      timeMs: Date.UTC(2026, 10, 28, 2, 40, 0, 123),
      host: 'gvrg-sw',
      pid: 4242,
    });
    const bad = parseMessage(enc.encode('Nov 28 02:40:00 anyhost gv-rig: event=Gluff-Stop'), CTX);
    assert.ok(bad.ok && bad.event.kind === 'unknown');
    assert.equal(bad.event.app, 'gv-rig');
    assert.match(bad.event.reason ?? '', /event name/);
  });

  it('should keep the sampled pid of a memsample line', () => {
    const r = parseMessage(
      enc.encode('Nov 28 01:23:45 dhcp1 memsample[5]: proc=dhcpd pid=1234 rss=10 data=20'),
      CTX,
    );
    assert.ok(r.ok && r.event.kind === 'memsample');
    assert.equal(r.event.pid, 1234);
  });

  it('should pass a framing rejection through', () => {
    const r = parseMessage(new Uint8Array([0x3c, 0x33, 0x30, 0x3e, 0x00, 0x41]), CTX);
    assert.deepEqual(r.ok ? null : r.rejection.reason, 'binary');
  });

  it('should round-trip every event through a syslog line, in every framing', () => {
    fc.assert(
      fc.property(
        arbEventBody,
        arbTimeSec,
        fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
        fc.option(fc.integer({ min: 1, max: 99999 }), { nil: null }),
        fc.constantFrom('rfc3164' as const, 'rfc5424' as const, 'rfc3339-file' as const),
        (body, timeMs, host, pid, format) => {
          // Arrange
          const event = {
            ...body,
            timeMs,
            host,
            pid: body.kind === 'memsample' ? body.pid : pid,
          } as LogEvent;
          // A gluff-record's ctimes are in its host's zone: the host gets that zone for the whole line.
          const zone = body.kind === 'gluff-record' ? body.zone : 'Europe/Stockholm';
          const line = formatLogLine(event, { format, zone });
          const ctx: ParseContext = {
            referenceMs: timeMs,
            zoneByHost: { [host]: zone },
            defaultZone: 'UTC',
          };
          // Act
          const r = parseMessage(enc.encode(line), ctx);
          // Assert
          assert.ok(r.ok, line);
          if (format === 'rfc3164' && r.event.timeMs === timeMs - 3_600_000) r.event.timeMs = timeMs; // repeated DST hour
          assert.deepEqual(r.event, event);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('should be total on arbitrary byte arrays', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = parseMessage(bytes, CTX);
        assert.ok(r.ok || r.rejection.reason.length > 0);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseMessage (Gluff witnesses)', () => {
  const STOCKHOLM_CTX: ParseContext = {
    referenceMs: Date.UTC(2026, 10, 28, 3),
    zoneByHost: { 'gvrg-dhcp1': 'Europe/Stockholm', 'gvrg-dhcp2': 'Europe/Stockholm' },
    defaultZone: 'UTC',
  };
  // Verbatim from test/golden/real-gluff/run2/syslog.log and run1/syslog.log.
  const ACK_LINE =
    'Nov 28 04:22:06 gvrg-dhcp1 gluff[10524]: ACK on ip: 10.77.2.59, hw: 02:0a:00:77:01:01, cid: "gvrgrp2", rid: <NULL>, start: Sat Nov 28 04:22:05 2026, end: Sat Nov 28 04:24:05 2026';

  it("should read a gluff-record's ctimes in the zone of its host, as the header", () => {
    const r = parseMessage(enc.encode(ACK_LINE), STOCKHOLM_CTX);
    assert.deepEqual(r, {
      ok: true,
      event: {
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
        zone: 'Europe/Stockholm',
        timeMs: Date.parse('2026-11-28T03:22:06Z'),
        host: 'gvrg-dhcp1',
        pid: 10524,
      },
    });
  });

  it('should use the default zone for a host the context does not list', () => {
    const ctx: ParseContext = { ...STOCKHOLM_CTX, zoneByHost: {}, defaultZone: 'America/New_York' };
    const r = parseMessage(enc.encode(ACK_LINE), ctx);
    assert.ok(r.ok && r.event.kind === 'gluff-record');
    assert.equal(r.event.startMs, Date.parse('2026-11-28T09:22:05Z'));
    assert.equal(r.event.zone, 'America/New_York');
  });

  it("should use the host's zone for the ctimes even when an RFC 5424 header carries its own offset", () => {
    const line =
      '<191>1 2026-11-28T04:22:06+01:00 gvrg-dhcp1 gluff 10524 - - ACK on ip: 10.77.2.59, hw: 02:0a:00:77:01:01, cid: "gvrgrp2", rid: <NULL>, start: Sat Nov 28 04:22:05 2026, end: Sat Nov 28 04:24:05 2026';
    const r = parseMessage(enc.encode(line), STOCKHOLM_CTX);
    assert.ok(r.ok && r.event.kind === 'gluff-record');
    assert.equal(r.event.timeMs, Date.parse('2026-11-28T03:22:06Z'));
    assert.equal(r.event.startMs, Date.parse('2026-11-28T03:22:05Z'));
  });

  it("should parse the patch's queue errors and gluff's decision lines", () => {
    const lines: readonly (readonly [string, Record<string, unknown>])[] = [
      [
        'Nov 28 03:59:04 gvrg-dhcp1 dhcpd[29899]: Line 115: sqlite3 error: SQL logic error',
        { kind: 'queue-error', stage: 'sqlite3', line: 115, detail: 'SQL logic error' },
      ],
      [
        'Nov 28 03:59:04 gvrg-dhcp1 dhcpd[29899]: ldb error: SQL logic error',
        { kind: 'queue-error', stage: 'ldb', line: null, detail: 'SQL logic error' },
      ],
      [
        'Nov 28 04:22:06 gvrg-dhcp1 gluff[10524]: do_update_lease(): No rows were updated!',
        { kind: 'gluff', what: 'no-rows-updated', text: 'do_update_lease(): No rows were updated!' },
      ],
    ];
    for (const [line, body] of lines) {
      const r = parseMessage(enc.encode(line), STOCKHOLM_CTX);
      assert.ok(r.ok, line);
      const { timeMs: _t, host: _h, pid: _p, ...got } = r.event;
      assert.deepEqual(got, body);
    }
  });
});

describe('parseAppMessage', () => {
  it('should drop the space rsyslog keeps before a followed program message in RFC 5424 output', () => {
    const r = parseMessage(
      enc.encode(
        '<30>1 2026-11-28T01:23:45.123456+00:00 dhcp1 dhcpd 812 - -  DHCPINFORM from 10.1.0.50 via eth0',
      ),
      CTX,
    );
    assert.ok(r.ok);
    assert.equal(r.event.kind, 'dhcpinform');
  });

  it('should keep the text of programs we do not follow as it came', () => {
    assert.deepEqual(parseAppMessage('cron', ' x'), { kind: 'other', app: 'cron', text: ' x' });
  });
});

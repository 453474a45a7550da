import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { ParseContext, SyslogFrame } from '../../../src/model/index.js';
import { formatSyslogFrame, parseSyslogFrame } from '../../../src/parse/syslog-frame.js';
import { arbSyslogFrame, arbTimeSec } from '../../helpers/arbitraries.js';

const enc = new TextEncoder();
const REF = Date.UTC(2026, 10, 28, 2, 0, 0);
const CTX: ParseContext = {
  referenceMs: REF,
  zoneByHost: { dhcp2: 'Europe/Stockholm' },
  defaultZone: 'UTC',
};

function frameOf(line: string | Uint8Array, ctx: ParseContext = CTX): SyslogFrame {
  const r = parseSyslogFrame(typeof line === 'string' ? enc.encode(line) : line, ctx);
  if (!r.ok) assert.fail(`rejected: ${r.rejection.reason} ${r.rejection.detail}`);
  return r.frame;
}

function base(over: Partial<SyslogFrame>): SyslogFrame {
  return {
    format: 'rfc3164',
    facility: null,
    severity: null,
    timeMs: 0,
    host: 'dhcp1',
    app: 'dhcpd',
    pid: 812,
    msgId: null,
    structuredData: null,
    msg: '',
    ...over,
  };
}

describe('parseSyslogFrame', () => {
  const examples: readonly (readonly [string, SyslogFrame])[] = [
    [
      '<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 via eth0',
      base({
        facility: 3,
        severity: 6,
        timeMs: Date.UTC(2026, 10, 28, 1, 23, 45),
        msg: 'DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 via eth0',
      }),
    ],
    [
      'Nov  3 01:23:45 dhcp1 dhcpd[812]: DHCPINFORM from 10.1.0.50 via eth0',
      base({ timeMs: Date.UTC(2026, 10, 3, 1, 23, 45), msg: 'DHCPINFORM from 10.1.0.50 via eth0' }),
    ],
    [
      // Stockholm is UTC+1 in November.
      'Nov 28 02:23:45 dhcp2 dhcpd[812]: msg',
      base({ host: 'dhcp2', timeMs: Date.UTC(2026, 10, 28, 1, 23, 45), msg: 'msg' }),
    ],
    [
      '<31>Nov 28 01:23:45 dhcpd[812]: no hostname, as syslog(3) writes to /dev/log',
      base({
        facility: 3,
        severity: 7,
        host: '',
        timeMs: Date.UTC(2026, 10, 28, 1, 23, 45),
        msg: 'no hostname, as syslog(3) writes to /dev/log',
      }),
    ],
    [
      '<150>Nov 28 01:23:45 dhcp1 gluff: Re-connected to MySQL server',
      base({
        facility: 18,
        severity: 6,
        app: 'gluff',
        pid: null,
        timeMs: Date.UTC(2026, 10, 28, 1, 23, 45),
        msg: 'Re-connected to MySQL server',
      }),
    ],
    [
      '2026-11-28T01:23:45.123456+01:00 dhcp1 dhcpd[812]: failover peer dhcp-failover: Both servers normal',
      base({
        format: 'rfc3339-file',
        timeMs: Date.UTC(2026, 10, 28, 0, 23, 45, 123),
        msg: 'failover peer dhcp-failover: Both servers normal',
      }),
    ],
    [
      '<165>1 2026-11-28T01:23:45.123456Z dhcp1 dhcpd 812 ID47 [exampleSDID@32473 iut="3" note="a\\]b\\"c"][x@1] \uFEFFDHCPACK to 10.1.0.50 (52:54:00:12:34:56) via eth0',
      base({
        format: 'rfc5424',
        facility: 20,
        severity: 5,
        timeMs: Date.UTC(2026, 10, 28, 1, 23, 45, 123),
        msgId: 'ID47',
        structuredData: '[exampleSDID@32473 iut="3" note="a\\]b\\"c"][x@1]',
        msg: 'DHCPACK to 10.1.0.50 (52:54:00:12:34:56) via eth0',
      }),
    ],
    [
      '<14>1 2026-11-28T02:23:45+01:00 - - - - -',
      base({
        format: 'rfc5424',
        facility: 1,
        severity: 6,
        timeMs: Date.UTC(2026, 10, 28, 1, 23, 45),
        host: '',
        app: '',
        pid: null,
      }),
    ],
    [
      '<14>1 - host1 autobridge 77 - - down seq=17',
      base({
        format: 'rfc5424',
        facility: 1,
        severity: 6,
        timeMs: REF,
        host: 'host1',
        app: 'autobridge',
        pid: 77,
        msg: 'down seq=17',
      }),
    ],
  ];
  for (const [line, expected] of examples) {
    it(`should parse ${line.slice(0, 60)}`, () => {
      assert.deepEqual(frameOf(line), expected);
    });
  }

  it('should strip a trailing newline, CR and NUL padding', () => {
    assert.equal(frameOf('Nov 28 01:23:45 h a: x y\r\n\0\0').msg, 'x y');
  });

  it('should put Dec 31 read on Jan 1 into the previous year', () => {
    const ctx = { ...CTX, referenceMs: Date.UTC(2027, 0, 1, 0, 0, 30) };
    assert.equal(frameOf('Dec 31 23:59:59 h dhcpd: x', ctx).timeMs, Date.UTC(2026, 11, 31, 23, 59, 59));
    const ctx2 = { ...CTX, referenceMs: Date.UTC(2026, 11, 31, 23, 59, 50) };
    assert.equal(frameOf('Jan  1 00:00:05 h dhcpd: x', ctx2).timeMs, Date.UTC(2027, 0, 1, 0, 0, 5));
  });

  it('should pick the earlier instant for the repeated hour at the end of DST', () => {
    const ctx = { ...CTX, referenceMs: Date.UTC(2026, 9, 25, 12) };
    // 2026-10-25 02:30 happens twice in Stockholm: 00:30Z (CEST) and 01:30Z (CET).
    assert.equal(frameOf('Oct 25 02:30:00 dhcp2 dhcpd: x', ctx).timeMs, Date.UTC(2026, 9, 25, 0, 30));
    assert.equal(frameOf('Oct 25 03:30:00 dhcp2 dhcpd: x', ctx).timeMs, Date.UTC(2026, 9, 25, 2, 30));
    assert.equal(frameOf('Oct 25 01:59:59 dhcp2 dhcpd: x', ctx).timeMs, Date.UTC(2026, 9, 24, 23, 59, 59));
  });

  it('should read a wall time in the spring-forward gap with the offset before the gap', () => {
    const ctx = { ...CTX, referenceMs: Date.UTC(2026, 2, 29, 12) };
    // 2026-03-29 02:30 does not exist in Stockholm; read as +01:00 -> 01:30Z (= 03:30 CEST).
    assert.equal(frameOf('Mar 29 02:30:00 dhcp2 dhcpd: x', ctx).timeMs, Date.UTC(2026, 2, 29, 1, 30));
    assert.equal(frameOf('Mar 29 03:00:00 dhcp2 dhcpd: x', ctx).timeMs, Date.UTC(2026, 2, 29, 1, 0));
  });

  const rejections: readonly (readonly [string | Uint8Array, string])[] = [
    [new Uint8Array(0), 'empty'],
    ['\n', 'empty'],
    ['Nov 28 01:23:45 h a: x\0y', 'binary'],
    ['Nov 28 01:23:45 h a: x\x1by', 'binary'],
    [new Uint8Array([0x4e, 0x6f, 0x76, 0x20, 0xc3, 0x28]), 'not-utf8'],
    [new Uint8Array([0xff, 0xfe]), 'not-utf8'],
    [new Uint8Array(70_000).fill(0x41), 'oversized'],
    ['<999>Nov 28 01:23:45 h a: x', 'bad-pri'],
    ['<30Nov 28 01:23:45 h a: x', 'bad-pri'],
    ['<030>Nov 28 01:23:45 h a: x', 'bad-pri'],
    ['<30>Foo 28 01:23:45 h a: x', 'bad-timestamp'],
    ['Nov 31 01:23:45 h a: x', 'bad-timestamp'],
    ['Nov 28 25:23:45 h a: x', 'bad-timestamp'],
    ['Nov 28 01:23:45', 'bad-header'],
    ['Nov 28 01:23:45 h', 'truncated'],
    ['hello world', 'bad-timestamp'],
    ['<14>1 2026-13-28T01:23:45Z h a - - - x', 'bad-timestamp'],
    ['<14>1 2026-11-28T01:23:45Z h a - -', 'truncated'],
    ['<14>1 2026-11-28T01:23:45Z h a - - [x@1 a="b] m', 'bad-structured-data'],
    ['<14>1 2026-11-28T01:23:45Z h a - - [x@1 a=b] m', 'bad-structured-data'],
    ['<14>1 2026-11-28T01:23:45Z h a - - [x@1]m', 'bad-structured-data'],
  ];
  for (const [input, reason] of rejections) {
    const label = typeof input === 'string' ? JSON.stringify(input.slice(0, 50)) : `${input.length} bytes`;
    it(`should reject ${label} as ${reason}`, () => {
      const r = parseSyslogFrame(typeof input === 'string' ? enc.encode(input) : input, CTX);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.rejection.reason, reason);
    });
  }

  it('should find a control byte at any position and any buffer alignment', () => {
    fc.assert(
      fc.property(
        fc.nat(3),
        fc.integer({ min: 1, max: 80 }),
        fc.nat(200),
        fc.constantFrom(0x01, 0x08, 0x0b, 0x1b, 0x1f, 0x7f),
        (offset, len, posSeed, control) => {
          // Arrange: a valid line, inside a bigger buffer at `offset`, with one control byte in it.
          const line = enc.encode(`Nov 28 01:23:45 h a: ${'x'.repeat(len)}`);
          const pos = posSeed % line.length;
          const buf = new Uint8Array(line.length + 8);
          buf.set(line, offset);
          buf[offset + pos] = control;
          // Act
          const r = parseSyslogFrame(buf.subarray(offset, offset + line.length), CTX);
          // Assert
          assert.equal(r.ok ? 'ok' : r.rejection.reason, 'binary');
          assert.ok(!r.ok && r.rejection.detail.includes(`offset ${pos}`));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('should let tabs and multi-byte UTF-8 through at any alignment', () => {
    fc.assert(
      fc.property(fc.nat(3), fc.string({ unit: 'grapheme', maxLength: 40 }), (offset, text) => {
        const clean = text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '\t');
        const line = enc.encode(`Nov 28 01:23:45 h a: ${clean}`);
        const buf = new Uint8Array(line.length + 4);
        buf.set(line, offset);
        assert.equal(frameOf(buf.subarray(offset, offset + line.length)).msg, clean);
      }),
      { numRuns: 1000 },
    );
  });

  it('should use the default zone for hosts named like Object.prototype members', () => {
    for (const host of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      assert.equal(frameOf(`Nov 28 01:23:45 ${host} a: x`).timeMs, Date.UTC(2026, 10, 28, 1, 23, 45), host);
    }
  });

  it('should reject a host whose configured zone is unknown, not throw', () => {
    const ctx = { ...CTX, zoneByHost: { h: 'Mars/Olympus' } };
    const r = parseSyslogFrame(enc.encode('Nov 28 01:23:45 h a: x'), ctx);
    assert.equal(r.ok ? 'ok' : r.rejection.reason, 'bad-timestamp');
  });

  it('should be total on arbitrary byte arrays', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = parseSyslogFrame(bytes, CTX);
        assert.ok(r.ok ? typeof r.frame.msg === 'string' : typeof r.rejection.reason === 'string');
      }),
      { numRuns: 5000 },
    );
  });

  it('should be total on arbitrary strings, including header-shaped prefixes', () => {
    const prefixes = [
      '',
      '<30>',
      '<14>1 ',
      'Nov 28 01:23:45 ',
      '2026-11-28T01:23:45Z ',
      '<14>1 2026-11-28T01:23:45Z h a - - ',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.string({ unit: 'binary', maxLength: 120 }), (p, s) => {
        const r = parseSyslogFrame(enc.encode(p + s), CTX);
        assert.ok(r.ok || typeof r.rejection.detail === 'string');
      }),
      { numRuns: 5000 },
    );
  });

  it('should give back any RFC 3164 instant within ±5 months of the reference, in any zone, to the second', () => {
    const zones = [
      'UTC',
      'Europe/Stockholm',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'America/St_Johns',
    ];
    fc.assert(
      fc.property(
        arbTimeSec,
        fc.integer({ min: -150 * 86_400_000, max: 150 * 86_400_000 }),
        fc.constantFrom(...zones),
        (t, delta, zone) => {
          // Arrange
          const frame = base({ timeMs: t, host: 'h1', msg: 'x' });
          const line = formatSyslogFrame(frame, { zone });
          const ctx: ParseContext = { referenceMs: t + delta, zoneByHost: { h1: zone }, defaultZone: 'UTC' };
          // Act
          const back = frameOf(line, ctx);
          // Assert: identical, except inside a repeated DST hour, where the earlier instant is chosen.
          if (back.timeMs !== t) {
            assert.equal(formatSyslogFrame(back, { zone }), line, `${line} in ${zone}`);
            assert.ok(back.timeMs < t, `${line} in ${zone}: chose the later instant`);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('formatSyslogFrame', () => {
  it('should pad a one-digit day with a space and write the PRI', () => {
    const frame = base({ facility: 3, severity: 6, timeMs: Date.UTC(2026, 10, 3, 1, 2, 3), msg: 'x' });
    assert.equal(formatSyslogFrame(frame), '<30>Nov  3 01:02:03 dhcp1 dhcpd[812]: x');
    assert.equal(
      formatSyslogFrame(frame, { zone: 'Europe/Stockholm' }),
      '<30>Nov  3 02:02:03 dhcp1 dhcpd[812]: x',
    );
  });

  it('should write rsyslog RFC 3339 timestamps with microseconds and the zone offset', () => {
    const frame = base({ format: 'rfc3339-file', timeMs: Date.UTC(2026, 6, 1, 12, 0, 0, 5), msg: 'x' });
    assert.equal(
      formatSyslogFrame(frame, { zone: 'Europe/Stockholm' }),
      '2026-07-01T14:00:00.005000+02:00 dhcp1 dhcpd[812]: x',
    );
  });

  it('should round-trip every frame: parse(format(f)) deep-equals f', () => {
    fc.assert(
      fc.property(
        arbSyslogFrame,
        fc.constantFrom('UTC', 'Europe/Stockholm'),
        fc.boolean(),
        (frame, zone, bom) => {
          const line = formatSyslogFrame(frame, { zone, bom });
          const ctx: ParseContext = {
            referenceMs: frame.timeMs + 3_600_000,
            zoneByHost: {},
            defaultZone: zone,
          };
          const back = frameOf(line, ctx);
          if (frame.format === 'rfc3164' && back.timeMs !== frame.timeMs) {
            // Only a repeated DST hour may move, and only to the earlier pass.
            assert.ok(back.timeMs === frame.timeMs - 3_600_000);
            back.timeMs = frame.timeMs;
          }
          assert.deepEqual(back, frame);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

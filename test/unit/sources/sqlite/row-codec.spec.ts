import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  decodeBody,
  decodeIpv4,
  decodeMac,
  encodeBody,
  encodeIpv4,
  encodeMac,
  joinOrigin,
  splitOrigin,
  type EncodedBody,
} from '../../../../src/sources/sqlite/row-codec.js';
import { arbEventBody, arbIp, arbMac } from '../../../helpers/arbitraries.js';

describe('encodeIpv4', () => {
  const cases: [string, number | null][] = [
    ['10.1.0.50', 167837746],
    ['0.0.0.0', 0],
    ['255.255.255.255', 4294967295],
    ['10.01.0.1', null],
    ['10.1.0', null],
    ['10.1.0.1.', null],
    ['10.1.0.256', null],
    ['eth0', null],
    ['', null],
  ];
  for (const [text, value] of cases) {
    it(`should encode '${text}' as ${value}`, () => {
      assert.equal(encodeIpv4(text), value);
    });
  }
  it('should round-trip every dotted quad through decodeIpv4', () => {
    fc.assert(fc.property(arbIp, (ip) => decodeIpv4(encodeIpv4(ip) as number) === ip));
  });
});

describe('encodeMac', () => {
  it('should encode a normalised MAC and refuse other forms', () => {
    assert.equal(encodeMac('52:54:00:12:34:56'), 0x525400123456);
    assert.equal(encodeMac('ff:ff:ff:ff:ff:ff'), 0xffffffffffff);
    assert.equal(encodeMac('52:54:0:12:34:56'), null);
    assert.equal(encodeMac('52:54:00:12:34:5G'), null);
    assert.equal(encodeMac('52-54-00-12-34-56'), null);
    assert.equal(encodeMac('52:54:00:12:34:56:78'), null);
    assert.equal(encodeMac('52:54:00:12:34:AB'), null);
  });
  it('should round-trip every normalised MAC through decodeMac', () => {
    fc.assert(fc.property(arbMac, (mac) => decodeMac(encodeMac(mac) as number) === mac));
  });
});

describe('encodeBody', () => {
  it('should move canonical ip/mac/via to columns and keep the rest as JSON', () => {
    // Arrange
    const out: EncodedBody = { ip: null, mac: null, via: null, rest: null };
    // Act
    encodeBody(
      { kind: 'dhcpack', ip: '10.1.0.50', mac: '52:54:00:12:34:56', name: 'host1', via: '10.1.0.1' },
      out,
    );
    // Assert
    assert.deepEqual(out, { ip: 167837746, mac: 0x525400123456, via: '10.1.0.1', rest: '{"name":"host1"}' });
  });
  it("should put a gluff-record's ip and mac in their columns like any other kind's", () => {
    const out: EncodedBody = { ip: null, mac: null, via: null, rest: null };
    encodeBody(
      {
        kind: 'gluff-record',
        record: 'ack',
        ip: '10.77.2.59',
        mac: '02:0a:00:77:01:01',
        cidHex: '67:76:72:67:72:70:32',
        remoteIdHex: null,
        cidText: '"gvrgrp2"',
        ridText: null,
        startMs: 1_795_835_325_000,
        endMs: 1_795_835_445_000,
        zone: 'Europe/Stockholm',
      },
      out,
    );
    assert.equal(out.ip, encodeIpv4('10.77.2.59'));
    assert.equal(out.mac, 0x020a00770101);
    assert.deepEqual(JSON.parse(out.rest as string), {
      record: 'ack',
      cidHex: '67:76:72:67:72:70:32',
      remoteIdHex: null,
      cidText: '"gvrgrp2"',
      ridText: null,
      startMs: 1_795_835_325_000,
      endMs: 1_795_835_445_000,
      zone: 'Europe/Stockholm',
    });
  });
  it('should keep nulls and non-canonical values in the JSON', () => {
    const out: EncodedBody = { ip: null, mac: null, via: null, rest: null };
    encodeBody(
      {
        kind: 'commit',
        ip: '10.1.0.50',
        mac: null,
        leaseSec: 600,
        giaddr: '0.0.0.0',
        circuitIdHex: null,
        remoteIdHex: null,
      },
      out,
    );
    assert.equal(out.mac, null);
    assert.deepEqual(JSON.parse(out.rest as string), {
      mac: null,
      leaseSec: 600,
      giaddr: '0.0.0.0',
      circuitIdHex: null,
      remoteIdHex: null,
    });
  });
  it('should be undone by decodeBody for every event body (kind and pid live in their own columns)', () => {
    fc.assert(
      fc.property(arbEventBody, (body) => {
        const enc = encodeBody(body, { ip: null, mac: null, via: null, rest: null });
        const fields: Record<string, unknown> = { ...body };
        delete fields.kind;
        delete fields.pid;
        assert.deepEqual(decodeBody(enc.ip, enc.mac, enc.via, enc.rest), fields);
      }),
    );
  });
});

describe('splitOrigin', () => {
  const cases: [string | null, string | null, number | null][] = [
    ['/var/log/dhcpd.log:12', '/var/log/dhcpd.log', 12],
    ['stdin:1', 'stdin', 1],
    ['udp://0.0.0.0:514', 'udp://0.0.0.0', 514],
    ['x:012', 'x:012', null],
    ['x:', 'x:', null],
    ['plain', 'plain', null],
    [null, null, null],
  ];
  for (const [origin, base, line] of cases) {
    it(`should split ${JSON.stringify(origin)} into ${JSON.stringify(base)} and ${line}`, () => {
      assert.deepEqual(splitOrigin(origin, { base: null, line: null }), { base, line });
    });
  }
  it('should be undone by joinOrigin for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.tuple(fc.string(), fc.nat()).map(([p, n]) => `${p}:${n}`),
        ),
        (origin) => {
          const s = splitOrigin(origin, { base: null, line: null });
          return joinOrigin(s.base, s.line) === origin;
        },
      ),
    );
  });
});

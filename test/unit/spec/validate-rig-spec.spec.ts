import { strict as assert } from 'node:assert';
import { AuditError } from '../../../src/model/errors.js';
import { parseRigSpecText } from '../../../src/spec/load-rig-spec.js';
import {
  normaliseMac,
  parseByteSize,
  parseSpecOptionValue,
  RIG_SPEC_DEFAULTS,
  validateRigSpec,
} from '../../../src/spec/validate-rig-spec.js';

const MINIMAL = `
servers:
  - { host: dhcp1, role: primary, zone: Europe/Stockholm }
switch:
  ports:
    - { name: Fa0/2, switchIf: eth0, circuitId: Fa0/2 }
clientSegments:
  - { iface: eth3, macs: [52-54-00-12-34-56] }
`;

function problems(yamlText: string): string {
  try {
    validateRigSpec(parseRigSpecText(yamlText, 'rig.yaml'), 'rig.yaml');
  } catch (err) {
    assert.ok(err instanceof AuditError);
    assert.equal(err.code, 'GV_SPEC_INVALID');
    return err.message;
  }
  assert.fail('expected GV_SPEC_INVALID');
}

describe('validateRigSpec', () => {
  it('should fill every optional field with its documented default', () => {
    const spec = validateRigSpec(parseRigSpecText(MINIMAL, 'specs/minimal.yaml'), 'specs/minimal.yaml');
    assert.equal(spec.name, 'minimal');
    assert.deepEqual(spec.lease, RIG_SPEC_DEFAULTS.lease);
    assert.equal(spec.switch.name, 'switch');
    assert.equal(spec.permuterHost, 'autobridge');
    assert.equal(spec.tolerances.gluffZone, 'Europe/Stockholm');
    assert.equal(spec.tolerances.settleSec, 30);
    assert.deepEqual(spec.portDisagreement, RIG_SPEC_DEFAULTS.portDisagreement);
    assert.deepEqual(spec.memory, RIG_SPEC_DEFAULTS.memory);
    assert.deepEqual(spec.clientSegments, [{ iface: 'eth3', macs: ['52:54:00:12:34:56'] }]);
    assert.equal(spec.switch.ports[0]?.circuitIdHex, '46:61:30:2f:32');
    assert.equal(spec.switch.ports[0]?.remoteIdHex, null);
  });

  it('should accept every writing of a circuit-id and normalise it to canonical hex', () => {
    const spec = validateRigSpec(
      parseRigSpecText(
        `
servers: [{ host: d1, role: primary, zone: UTC }]
switch:
  ports:
    - { name: a, switchIf: eth0, circuitId: "Fa0/1" }
    - { name: b, switchIf: eth1, circuitId: { text: "0:1" } }
    - { name: c, switchIf: eth2, circuitId: { hex: "00:04:00:0a:01:05" } }
    - { name: d, switchIf: eth6, circuitId: '"port1"' }
    - { name: e, switchIf: eth7, circuitId: 0:4:0:a:1:6 }
    - { name: f, switchIf: eth8, circuitId: { hex: "0004000A0107" }, remoteId: null }
    - { name: g, switchIf: eth9, circuitId: null }
clientSegments: [{ iface: eth3, macs: [] }]
`,
        'r.yaml',
      ),
      'r.yaml',
    );
    assert.deepEqual(
      spec.switch.ports.map((p) => p.circuitIdHex),
      [
        '46:61:30:2f:31',
        '30:3a:31',
        '00:04:00:0a:01:05',
        '70:6f:72:74:31',
        '00:04:00:0a:01:06',
        '00:04:00:0a:01:07',
        null,
      ],
    );
  });

  it('should list every problem with file, field path and what was expected', () => {
    const msg = problems(`
servers:
  - { host: dhcp1, role: primry, zone: Europe/Stokholm }
  - { host: dhcp1, role: secondary, zone: UTC }
lease: { defaultSec: 10x, minSec: 20m, maxSec: 5m }
switch:
  ports:
    - { name: Fa0/2, switchIf: eth0, circuitId: Fa0/2 }
    - { name: Fa0/3, switchIf: eth1, circuitId: { hex: zz } }
clientSegments:
  - { iface: eth0, macs: [not-a-mac] }
tolerances: { settelSec: 30 }
portDisagreement: { switch-not-stamping: maybe }
memory: { maxGrowthBytes: lots }
`);
    for (const expected of [
      /1\d* problems/,
      /rig\.yaml: servers\[0\]\.role: expected 'primary' or 'secondary'; found "primry"/,
      /servers\[0\]\.zone: expected an IANA time zone/,
      /servers\[1\]\.host: server host must be unique/,
      /lease\.defaultSec: expected a whole number of seconds or a duration .*found "10x"/,
      /lease: expected minSec <= defaultSec <= maxSec/,
      /switch\.ports\[1\]\.circuitId: hex must be bytes/,
      /clientSegments\[0\]\.iface: a client-side interface cannot also be a switch port's switchIf/,
      /clientSegments\[0\]\.macs\[0\]: expected a MAC/,
      /tolerances\.settelSec: unknown key \(did you mean 'settleSec'\?\)/,
      /portDisagreement\.switch-not-stamping: expected 'warn' or 'fail'/,
      /memory\.maxGrowthBytes: expected a byte count/,
    ]) {
      assert.match(msg, expected);
    }
  });

  it('should reject unknown top-level keys and missing required sections', () => {
    const msg = problems('nmae: x\n');
    assert.match(msg, /nmae: unknown key \(did you mean 'name'\?\)/);
    assert.match(msg, /servers: required: a non-empty list/);
    assert.match(msg, /switch: required: a mapping/);
    assert.match(msg, /clientSegments: required: a non-empty list/);
  });

  it('should require gluffZone when the servers are in different zones', () => {
    const msg = problems(`
servers:
  - { host: a, role: primary, zone: UTC }
  - { host: b, role: secondary, zone: Europe/Stockholm }
switch: { ports: [{ name: p, switchIf: eth0, circuitId: p }] }
clientSegments: [{ iface: eth3 }]
`);
    assert.match(msg, /tolerances\.gluffZone: required when the servers have different zones/);
  });

  it('should reject two primaries and ports that stamp the same circuit-id', () => {
    const msg = problems(`
servers:
  - { host: a, role: primary, zone: UTC }
  - { host: b, role: primary, zone: UTC }
switch:
  ports:
    - { name: p1, switchIf: eth0, circuitId: { text: x } }
    - { name: p2, switchIf: eth1, circuitId: '"x"' }
clientSegments: [{ iface: eth3 }]
`);
    assert.match(msg, /servers: expected at most one primary server/);
    assert.match(msg, /switch\.ports\[1\]\.circuitId: circuitId \(with remoteId\) must be unique/);
  });

  it('should refuse a document that is not a mapping', () => {
    assert.throws(
      () => validateRigSpec([1, 2], 'x.yaml'),
      (e: unknown) =>
        e instanceof AuditError &&
        e.code === 'GV_SPEC_INVALID' &&
        /x\.yaml: expected a mapping/.test(e.message),
    );
  });
});

describe('parseRigSpecText', () => {
  it('should report a syntax error with its line and column as GV_SPEC_UNREADABLE', () => {
    assert.throws(
      () => parseRigSpecText('servers:\n  - { host: a\nlease: [', 'bad.yaml'),
      (e: unknown) =>
        e instanceof AuditError &&
        e.code === 'GV_SPEC_UNREADABLE' &&
        /bad\.yaml: line \d+, column \d+/.test(e.message),
    );
  });

  it('should reject duplicate keys', () => {
    assert.throws(
      () => parseRigSpecText('name: a\nname: b\n', 'dup.yaml'),
      (e: unknown) => e instanceof AuditError && e.code === 'GV_SPEC_UNREADABLE',
    );
  });

  it('should read JSON too', () => {
    assert.deepEqual(parseRigSpecText('{"name": "j", "servers": []}', 'x.json'), { name: 'j', servers: [] });
  });
});

describe('parseByteSize', () => {
  it('should read plain numbers and binary/decimal units', () => {
    assert.equal(parseByteSize(1024), 1024);
    assert.equal(parseByteSize('512KiB'), 524_288);
    assert.equal(parseByteSize('1MiB'), 1_048_576);
    assert.equal(parseByteSize('2MB'), 2_000_000);
    assert.equal(parseByteSize('lots'), null);
  });
});

describe('normaliseMac', () => {
  it('should accept the common writings and give lower-case padded colon hex', () => {
    for (const m of [
      '52:54:00:12:34:56',
      '52-54-00-12-34-56',
      '5254.0012.3456',
      '525400123456',
      '52:54:0:12:34:56',
      '52:54:00:12:34:56'.toUpperCase(),
    ]) {
      assert.equal(normaliseMac(m), '52:54:00:12:34:56', m);
    }
    assert.equal(normaliseMac('52:54:00:12:34'), null);
    assert.equal(normaliseMac('52:54-00:12:34:56'), null);
  });
});

describe('parseSpecOptionValue', () => {
  it('should explain a mapping with the wrong key', () => {
    const r = parseSpecOptionValue({ txt: 'x' });
    assert.ok('problem' in r && /found a mapping with keys txt/.test(r.problem));
  });
});

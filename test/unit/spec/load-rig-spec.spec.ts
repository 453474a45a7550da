import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditError } from '../../../src/model/errors.js';
import { loadRigSpec } from '../../../src/spec/load-rig-spec.js';

describe('loadRigSpec', () => {
  it('should load the seed rig of the paper', () => {
    const spec = loadRigSpec('specs/seed-rig.yaml');
    assert.deepEqual(
      spec.servers.map((s) => [s.host, s.role]),
      [
        ['dhcp1', 'primary'],
        ['dhcp2', 'secondary'],
      ],
    );
    assert.deepEqual(spec.lease, { defaultSec: 600, minSec: 300, maxSec: 1200, mcltSec: 1800 });
    assert.deepEqual(
      spec.switch.ports.map((p) => [p.switchIf, p.circuitIdHex]),
      [
        ['eth0', '00:04:00:01:00:02'],
        ['eth1', '00:04:00:01:00:03'],
        ['eth2', '00:04:00:01:00:04'],
      ],
    );
    assert.deepEqual(
      spec.clientSegments.map((c) => [c.iface, c.macs.length]),
      [
        ['eth3', 2],
        ['eth4', 2],
        ['eth5', 2],
      ],
    );
    assert.equal(spec.tolerances.gluffZone, 'Europe/Stockholm');
  });

  it('should say GV_SPEC_UNREADABLE with the path for a missing file', () => {
    assert.throws(
      () => loadRigSpec('specs/no-such-rig.yaml'),
      (e: unknown) =>
        e instanceof AuditError &&
        e.code === 'GV_SPEC_UNREADABLE' &&
        /no-such-rig\.yaml.*ENOENT/.test(e.message),
    );
  });

  it('should name the file in validation problems', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gv-spec-'));
    try {
      const file = join(dir, 'typo.yaml');
      writeFileSync(file, 'servers: 3\n');
      assert.throws(
        () => loadRigSpec(file),
        (e: unknown) =>
          e instanceof AuditError &&
          e.code === 'GV_SPEC_INVALID' &&
          e.message.includes(`${file}: servers: expected a list`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

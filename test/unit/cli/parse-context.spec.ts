import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditError } from '../../../src/model/errors.js';
import {
  hasZoneOptions,
  parseContextFromArgs,
  zoneSettingsFromArgs,
} from '../../../src/cli/parse-context.js';

describe('zoneSettingsFromArgs', () => {
  it('should read --zone HOST=ZONE pairs and --default-zone', async () => {
    assert.deepEqual(
      await zoneSettingsFromArgs('ingest', {
        zone: ['dhcp1=Europe/Stockholm', 'dhcp2=UTC'],
        'default-zone': 'America/New_York',
      }),
      {
        zoneByHost: { dhcp1: 'Europe/Stockholm', dhcp2: 'UTC' },
        defaultZone: 'America/New_York',
      },
    );
    assert.deepEqual(await zoneSettingsFromArgs('ingest', {}), { zoneByHost: {}, defaultZone: 'UTC' });
  });
  for (const bad of [['dhcp1'], ['=UTC'], ['dhcp1='], ['dhcp1=Mars/Olympus']]) {
    it(`should refuse --zone ${bad[0]} with GV_USAGE`, async () => {
      await assert.rejects(
        zoneSettingsFromArgs('ingest', { zone: bad }),
        (err) => err instanceof AuditError && err.code === 'GV_USAGE',
      );
    });
  }
  it('should refuse an unknown --default-zone with GV_USAGE', async () => {
    await assert.rejects(
      zoneSettingsFromArgs('ingest', { 'default-zone': 'Nowhere/Town' }),
      (err) => err instanceof AuditError && err.code === 'GV_USAGE',
    );
  });
  it('should take server zones from --spec, with --zone winning', async () => {
    const seed = join(import.meta.dirname, '..', '..', '..', 'specs', 'seed-rig.yaml');
    assert.deepEqual(await zoneSettingsFromArgs('ingest', { spec: seed, zone: ['dhcp2=UTC'] }), {
      zoneByHost: { dhcp1: 'Europe/Stockholm', dhcp2: 'UTC', autobridge: 'Europe/Stockholm' },
      defaultZone: 'UTC',
    });
  });
  it("should pass on the spec loader's GV_SPEC_UNREADABLE for a broken spec", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gv-ctx-'));
    try {
      const spec = join(dir, 'spec.yaml');
      writeFileSync(spec, 'not: [valid');
      await assert.rejects(
        zoneSettingsFromArgs('ingest', { spec }),
        (err) => err instanceof AuditError && err.code === 'GV_SPEC_UNREADABLE',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseContextFromArgs', () => {
  it('should add the reference instant', async () => {
    const ctx = await parseContextFromArgs('ingest', { zone: ['dhcp1=UTC'] }, 1234);
    assert.deepEqual(ctx, { zoneByHost: { dhcp1: 'UTC' }, defaultZone: 'UTC', referenceMs: 1234 });
  });
});

describe('hasZoneOptions', () => {
  it('should tell whether any zone option was given', () => {
    assert.equal(hasZoneOptions({}), false);
    assert.equal(hasZoneOptions({ zone: [] }), false);
    assert.equal(hasZoneOptions({ zone: ['a=UTC'] }), true);
    assert.equal(hasZoneOptions({ spec: 'x.yaml' }), true);
  });
});

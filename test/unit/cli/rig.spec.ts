import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rigSettings } from '../../../src/cli/commands/rig.js';
import { main } from '../../../src/cli/main.js';
import { AuditError } from '../../../src/model/errors.js';
import { captureIo } from '../../helpers/capture-io.js';

describe('gluff-verify rig', () => {
  it('should hand every option to the script as its setting, and nothing unset', () => {
    // Arrange / Act
    const env = rigSettings({
      stock: true,
      hours: '0.5',
      clients: '12',
      topology: 'subnet-per-port',
      reshuffle: '20m',
      lease: '10m',
      churn: '0',
      faults: 'dhcpd-restart,partner-down',
      seed: '7',
      'rig-id': 'b',
      tz: 'UTC',
      reports: '/tmp/r',
    });
    // Assert
    assert.deepEqual(env, {
      STOCK: '1',
      HOURS: '0.5',
      CLIENTS: '12',
      TOPOLOGY: 'subnet-per-port',
      RESHUFFLE: '20m',
      LEASE: '10m',
      CHURN: '0',
      FAULTS: 'dhcpd-restart,partner-down',
      SEED: '7',
      RIG_ID: 'b',
      RIG_TZ: 'UTC',
      REPORTS: '/tmp/r',
    });
    assert.deepEqual(rigSettings({ seconds: '150', stock: false }), { SECONDS_RUN: '150' });
  });

  it('should refuse two run times and an unknown fault with GV_USAGE', () => {
    assert.throws(
      () => rigSettings({ hours: '1', minutes: '5' }),
      (e: unknown) => e instanceof AuditError && e.code === 'GV_USAGE' && /one of --hours/.test(e.message),
    );
    assert.throws(
      () => rigSettings({ faults: 'gluff-stop,meteor' }),
      (e: unknown) => e instanceof AuditError && /unknown fault 'meteor'/.test(e.message),
    );
  });

  it("should return the script's exit code: 3 with every missing prerequisite listed, nothing created", async () => {
    // Arrange: a dhcpd that is not there and a run time out of range, into an empty reports folder.
    const reports = mkdtempSync(join(tmpdir(), 'gv-rig-cli-'));
    const { io, err } = captureIo();
    try {
      // Act
      const code = await main(
        ['rig', '--dhcpd', '/nonexistent/dhcpd', '--seconds', '30', '--reports', reports],
        io,
      );
      // Assert
      assert.equal(code, 3);
      assert.match(err(), /GV_RIG_ENV: prerequisites missing/);
      assert.match(err(), /DHCPD=\/nonexistent\/dhcpd: no such executable/);
      assert.match(err(), /SECONDS=30: a run time of 90 s \.\. 24 h/);
      assert.deepEqual(readdirSync(reports), []);
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  });

  it('should list rig in the command list and explain itself with --help', async () => {
    const list = captureIo();
    await main(['--help'], list.io);
    assert.match(list.out(), /^ {2}rig /m);
    const help = captureIo();
    const code = await main(['rig', '--help'], help.io);
    assert.equal(code, 0);
    assert.match(help.out(), /Usage: gluff-verify rig \[options\]/);
    assert.match(help.out(), /gluff-verify rig down/);
  });
});

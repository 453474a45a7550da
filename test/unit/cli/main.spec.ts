import { strict as assert } from 'node:assert';
import { main } from '../../../src/cli/main.js';
import { captureIo } from '../../helpers/capture-io.js';

describe('main', () => {
  it('should list every command with --help and exit 0', async () => {
    const { io, out } = captureIo();
    const code = await main(['--help'], io);
    assert.equal(code, 0);
    for (const name of ['ingest', 'events', 'stats', 'collect', 'verify', 'expected', 'snapshot', 'demo']) {
      assert.match(out(), new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('should reject an unknown command with GV_USAGE and exit 3', async () => {
    const { io, err } = captureIo();
    const code = await main(['frobnicate'], io);
    assert.equal(code, 3);
    assert.match(err(), /GV_USAGE: unknown command 'frobnicate'/);
  });

  it("should turn a command's AuditError into its code and exit 3, in process", async () => {
    const { io, err } = captureIo();
    const code = await main(['verify', '--spec', 'specs/seed-rig.yaml'], io);
    assert.equal(code, 3);
    assert.match(err(), /^gluff-verify: GV_USAGE: verify: --store is required/);
  });
});

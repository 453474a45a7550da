import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/command.js';

function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr, env: {}, nowMs: () => 0 }, out: () => out, err: () => err };
}

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

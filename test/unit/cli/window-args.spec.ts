/**
 * One window parser for every command with --from/--to/--as-of: the same refusals, the same message
 * and exit code whichever command is asked.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { windowFromArgs } from '../../../src/cli/command.js';
import { main } from '../../../src/cli/main.js';
import { AuditError } from '../../../src/model/errors.js';
import { EventStore } from '../../../src/sources/sqlite/event-store.js';
import { captureIo } from '../../helpers/capture-io.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('windowFromArgs', () => {
  it('should give the whole store as of now without options', () => {
    assert.deepEqual(windowFromArgs('verify', {}, NOW), {
      window: { fromMs: null, toMs: null },
      asOfMs: NOW,
    });
  });

  it('should take --to as the as-of instant unless --as-of is given', () => {
    const from = '2026-11-28T01:00:00Z';
    const to = '2026-11-28T02:00:00Z';
    assert.deepEqual(windowFromArgs('verify', { from, to }, NOW), {
      window: { fromMs: Date.UTC(2026, 10, 28, 1), toMs: Date.UTC(2026, 10, 28, 2) },
      asOfMs: Date.UTC(2026, 10, 28, 2),
    });
    assert.equal(
      windowFromArgs('verify', { to, 'as-of': '2026-11-28T03:00:00Z' }, NOW).asOfMs,
      Date.UTC(2026, 10, 28, 3),
    );
  });

  for (const [from, to] of [
    ['2026-11-28T02:00:00Z', '2026-11-28T01:00:00Z'],
    ['2026-11-28T01:00:00Z', '2026-11-28T01:00:00Z'],
  ] as const) {
    it(`should refuse --from ${from} with --to ${to}, naming both`, () => {
      assert.throws(
        () => windowFromArgs('events', { from, to }, NOW),
        (err: unknown) =>
          err instanceof AuditError &&
          err.code === 'GV_USAGE' &&
          err.message ===
            `events: --to '${to}' is not after --from '${from}'; expected --from before --to (the window is [from, to))`,
      );
    });
  }
});

describe('--from after --to, every command', () => {
  let dir = '';
  let store = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gv-window-'));
    store = join(dir, 'events.db');
    EventStore.open(store).close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const window = ['--from', '2026-11-28T02:00:00Z', '--to', '2026-11-28T01:00:00Z'];
  const commands: [string, () => string[]][] = [
    ['events', () => ['events', '--store', store, ...window]],
    ['expected', () => ['expected', '--store', store, '--spec', 'specs/seed-rig.yaml', ...window]],
    [
      'verify',
      () => ['verify', '--store', store, '--spec', 'specs/seed-rig.yaml', '--gluff', 'none', ...window],
    ],
  ];
  for (const [name, argv] of commands) {
    it(`should make ${name} exit 3 with the one message`, async () => {
      const { io, out, err } = captureIo({}, NOW);
      const code = await main(argv(), io);
      assert.equal(code, 3, err());
      assert.equal(
        err(),
        `gluff-verify: GV_USAGE: ${name}: --to '2026-11-28T01:00:00Z' is not after --from '2026-11-28T02:00:00Z'; expected --from before --to (the window is [from, to))\n`,
      );
      assert.equal(out(), '');
    });
  }

  it('should refuse a window before opening anything: a missing store is not the error', async () => {
    for (const name of ['events', 'expected', 'verify']) {
      const { io, err } = captureIo({}, NOW);
      const argv = [name, '--store', join(dir, 'nonexistent.db'), '--spec', 'specs/seed-rig.yaml', ...window];
      if (name === 'events') argv.splice(argv.indexOf('--spec'), 2);
      assert.equal(await main(argv, io), 3);
      assert.match(err(), new RegExp(`^gluff-verify: GV_USAGE: ${name}: --to `), err());
    }
  });

  it('should refuse a time that is not one with the same message in events as in verify', async () => {
    const messages = [];
    for (const name of ['events', 'verify']) {
      const { io, err } = captureIo({}, NOW);
      const argv = [name, '--store', store, '--from', 'yesterday'];
      if (name === 'verify') argv.push('--spec', 'specs/seed-rig.yaml', '--gluff', 'none');
      assert.equal(await main(argv, io), 3);
      messages.push(err().replace(`GV_USAGE: ${name}:`, 'GV_USAGE: CMD:'));
    }
    assert.equal(messages[0], messages[1]);
  });
});

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PortDown, PortMap } from '../../../src/model/events.js';
import { parseMessage } from '../../../src/parse/parse-message.js';

const SCRIPT = new URL('../../../specs/setupbridge.sh', import.meta.url).pathname;
const CTX = { referenceMs: Date.UTC(2026, 10, 28), zoneByHost: {}, defaultZone: 'UTC' };

/** Runs the permuter in DRY_RUN mode; returns the messages it would log with `logger -t autobridge`. */
function dryRun(
  stateFile: string,
  env: Record<string, string> = {},
): { messages: string[]; commands: string[] } {
  const out = execFileSync('bash', [SCRIPT], {
    env: { ...process.env, DRY_RUN: '1', STATE_FILE: stateFile, ...env },
  }).toString();
  const commands = out.split('\n').filter((l) => l.startsWith('+ '));
  const messages = commands.filter((l) => l.includes('logger')).map((l) => l.slice(l.indexOf(' -- ') + 4));
  return { messages, commands };
}

type Parsed = (PortDown | PortMap) & { timeMs: number; host: string; pid: number | null };

function parsed(msg: string): Parsed {
  const r = parseMessage(Buffer.from(`<13>Nov 28 01:20:00 autobridge autobridge[4242]: ${msg}`), CTX);
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(r.event.kind === 'port-down' || r.event.kind === 'port-map', r.event.kind);
  return r.event as Parsed;
}

describe('setupbridge.sh', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gv-setupbridge-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('should log down then a map that parses to a permutation of the client interfaces, seq +1 per run', () => {
    const state = join(dir, 'seq');
    for (const seq of [1, 2, 3]) {
      // Act
      const { messages, commands } = dryRun(state);
      // Assert
      assert.equal(messages.length, 2);
      assert.deepEqual(parsed(messages[0] as string), {
        kind: 'port-down',
        seq,
        timeMs: parsed(messages[0] as string).timeMs,
        host: 'autobridge',
        pid: 4242,
      });
      const map = parsed(messages[1] as string) as PortMap & Parsed;
      assert.equal(map.kind, 'port-map');
      assert.equal(map.seq, seq);
      assert.deepEqual(
        map.bridges.map((b) => [b.bridge, b.switchIf]),
        [
          ['bridge01', 'eth0'],
          ['bridge02', 'eth1'],
          ['bridge03', 'eth2'],
        ],
      );
      assert.deepEqual(map.bridges.flatMap((b) => b.clientIfs).sort(), ['eth3', 'eth4', 'eth5']);
      // The down line comes before any teardown command, the map line after the last bridge is up.
      assert.match(commands[0] as string, /logger .* down seq=/);
      assert.match(commands[commands.length - 2] as string, /ip link set dev bridge03 up/);
      assert.equal(readFileSync(state, 'utf8').trim(), String(seq));
    }
  });

  it('should write +none for a bridge left without a client interface and join extras with commas', () => {
    const few = parsed(dryRun(join(dir, 'a'), { CLIENT_IFS: 'eth3' }).messages[1] as string) as PortMap;
    assert.deepEqual(
      few.bridges.map((b) => b.clientIfs),
      [['eth3'], [], []],
    );
    const many = parsed(
      dryRun(join(dir, 'b'), { CLIENT_IFS: 'eth3 eth4 eth5 eth6' }).messages[1] as string,
    ) as PortMap;
    assert.equal(many.bridges[0]?.clientIfs.length, 2);
    assert.deepEqual(many.bridges.flatMap((b) => b.clientIfs).sort(), ['eth3', 'eth4', 'eth5', 'eth6']);
  });

  it('should send straight to a collector with logger -n when LOG_TARGET is set', () => {
    const { commands } = dryRun(join(dir, 's'), { LOG_TARGET: '192.0.2.10', LOG_PORT: '6514' });
    assert.match(
      commands[0] as string,
      /^\+ logger -n 192\.0\.2\.10 -P 6514 -d -t autobridge -- down seq=1$/,
    );
  });
});

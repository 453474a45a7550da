import assert from 'node:assert/strict';
import { PermuterPorts } from '../../../src/rebuild/permuter-ports.js';
import { EventLog, MAC1, MAC2, S, T0, testSpec } from './fixtures.js';

describe('PermuterPorts', () => {
  it('should follow maps, report moved clients, and trust no port between a down and its map', () => {
    const log = new EventLog();
    const p = new PermuterPorts(testSpec());
    const moved: string[] = [];
    p.onMap(
      log.map(T0, 1, [
        ['eth0', ['eth4']],
        ['eth1', ['eth5']],
      ]) as never,
      (m) => moved.push(m),
    );
    assert.equal(p.portOf(MAC1).port?.name, 'Fa0/1');
    assert.equal(p.portOf(MAC2).port?.name, 'Fa0/2');
    p.onDown(log.down(T0 + 60 * S, 2) as never);
    assert.equal(p.portOf(MAC1).port, null);
    p.onMap(
      log.map(T0 + 61 * S, 3, [
        ['eth0', ['eth5']],
        ['eth1', ['eth4']],
      ]) as never,
      (m) => moved.push(m),
    );
    assert.deepEqual(moved.sort(), [MAC1, MAC2].sort());
    assert.equal(p.portOf(MAC1).port?.name, 'Fa0/2');
    p.finish(T0 + 3600 * S, T0 + 3600 * S);
    assert.deepEqual(p.gaps, []);
  });

  it('should make a gap of a seq jump and of a down whose map never came', () => {
    const log = new EventLog();
    const p = new PermuterPorts(testSpec());
    p.onMap(log.map(T0, 1, [['eth0', ['eth4']]]) as never, () => undefined);
    p.onMap(log.map(T0 + 60 * S, 4, [['eth0', ['eth4']]]) as never, () => undefined);
    p.onDown(log.down(T0 + 120 * S, 5) as never);
    p.finish(T0 + 600 * S, T0 + 900 * S);
    assert.deepEqual(
      p.gaps.map((g) => [g.fromMs - T0, g.toMs - T0, g.reason]),
      [
        [0, 60 * S, 'permuter seq jumped from 1 to 4'],
        [120 * S, 900 * S, "permuter 'down seq=5' had no following map"],
      ],
    );
  });
});

import { strict as assert } from 'node:assert';
import type { ChannelStats } from '../../../src/model/index.js';
import { lossIntervals } from '../../../src/rebuild/loss-intervals.js';

const L = 'udp://0.0.0.0:514';
function snap(atMs: number, kernelDrops: number, appDrops = 0, listener = L): ChannelStats {
  return {
    atMs,
    listener,
    received: 0,
    stored: 0,
    rejected: 0,
    untrusted: 0,
    kernelDrops,
    appDrops,
    connections: 0,
  };
}

describe('lossIntervals', () => {
  it('should give the interval between snapshots in which a drop counter rose, merging touching ones', () => {
    const out = lossIntervals([
      snap(0, 0),
      snap(10, 0),
      snap(20, 5),
      snap(30, 7, 1),
      snap(40, 7, 1),
      snap(50, 9),
    ]);
    assert.deepEqual(out, [
      { listener: L, fromMs: 10, toMs: 30, kernelDrops: 7, appDrops: 1 },
      { listener: L, fromMs: 40, toMs: 50, kernelDrops: 2, appDrops: 0 },
    ]);
  });

  it('should count a counter reset (collector restart) as loss since the previous snapshot', () => {
    assert.deepEqual(lossIntervals([snap(0, 100), snap(10, 3)]), [
      { listener: L, fromMs: 0, toMs: 10, kernelDrops: 3, appDrops: 0 },
    ]);
  });

  it('should keep listeners apart and return nothing without drops', () => {
    assert.deepEqual(lossIntervals([snap(0, 0), snap(10, 0, 0, 'tcp://x'), snap(20, 0)]), []);
  });
});

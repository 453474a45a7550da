import { strict as assert } from 'node:assert';
import { parseDurationMs, sampleTargets } from '../../../src/cli/commands/sample.js';

describe('parseDurationMs', () => {
  it('should read the units the sampler documents', () => {
    assert.equal(parseDurationMs('30s'), 30_000);
    assert.equal(parseDurationMs('500ms'), 500);
    assert.equal(parseDurationMs('2m'), 120_000);
    assert.equal(parseDurationMs('1h'), 3_600_000);
    assert.equal(parseDurationMs('15'), 15_000);
    assert.equal(parseDurationMs('0s'), null);
    assert.equal(parseDurationMs('fast'), null);
  });
});

describe('sampleTargets', () => {
  it('should sample a PID that exists and say gone for a name that does not', () => {
    const [mine, gone] = sampleTargets([
      { proc: 'self', pid: process.pid },
      { proc: 'no-such-daemon', pid: null },
    ]);
    assert.equal(mine?.pid, process.pid);
    assert.ok((mine?.rssBytes ?? 0) > 0);
    assert.deepEqual(gone, {
      kind: 'memsample',
      proc: 'no-such-daemon',
      pid: null,
      rssBytes: null,
      dataBytes: null,
      gone: true,
    });
  });
});

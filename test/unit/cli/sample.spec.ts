import { strict as assert } from 'node:assert';
import { sampleTargets } from '../../../src/cli/commands/sample.js';

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

import assert from 'node:assert/strict';
import { FINDING_KINDS } from '../../../src/model/index.js';
import {
  expectedOutcome,
  FAULT_NAMES,
  FAULTS,
  faultSpec,
  isFaultName,
} from '../../../src/sim/fault-catalogue.js';

describe('FAULTS', () => {
  it('should list every fault name once, with a description and known kinds', () => {
    assert.deepEqual(
      FAULTS.map((f) => f.name),
      [...FAULT_NAMES],
    );
    for (const f of FAULTS) {
      assert.ok(f.description.length > 20, f.name);
      for (const k of [...f.kinds, ...f.oneOfKinds, ...f.allowedKinds])
        assert.ok(FINDING_KINDS.includes(k), `${f.name}: ${k}`);
      if (f.verdict === 'fail')
        assert.ok(f.kinds.length + f.oneOfKinds.length > 0, `${f.name} names no kind`);
    }
  });
});

describe('expectedOutcome', () => {
  it('should pass with no fault and with only passing faults', () => {
    assert.equal(expectedOutcome([]).verdict, 'pass');
    assert.equal(
      expectedOutcome(['clock-skew-within-tolerance', 'partner-down-and-recover']).verdict,
      'pass',
    );
  });

  it('should let a failing fault win over channel loss, and channel loss over passing faults', () => {
    assert.equal(expectedOutcome(['channel-loss', 'gluff-stalled-then-catches-up']).verdict, 'inconclusive');
    const both = expectedOutcome(['channel-loss', 'drop-ack', 'swapped-hw']);
    assert.equal(both.verdict, 'fail');
    assert.deepEqual(both.kinds, ['missing-lease', 'wrong-hw']);
  });
});

describe('faultSpec', () => {
  it('should find a fault by name and refuse an unknown one', () => {
    assert.equal(faultSpec('stale-port').kinds[0], 'wrong-port');
    assert.ok(isFaultName('drop-release'));
    assert.ok(!isFaultName('drop-everything'));
    assert.throws(() => faultSpec('nope' as never));
  });
});

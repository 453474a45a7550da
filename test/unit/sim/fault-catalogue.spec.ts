import assert from 'node:assert/strict';
import { CULPRITS, FINDING_KINDS, type Finding } from '../../../src/model/index.js';
import { outcomeChecks } from '../../../src/sim/check-sim-output.js';
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

  it('should declare a culprit for every fault and a rule for every failing fault about lease rows', () => {
    for (const f of FAULTS) {
      assert.ok(CULPRITS.includes(f.culprit), f.name);
      if (f.rule !== null) {
        assert.match(f.rule, /^(dhcpd|queue|gluff)\.[a-z0-9.-]+$/, f.name);
        assert.equal(f.rule.split('.')[0], f.culprit, `${f.name}: the rule is the culprit's`);
        assert.equal(f.verdict, 'fail', `${f.name}: a rule is checked on fail findings only`);
      } else assert.equal(f.how, null, f.name);
      const rowKinds = [...f.kinds, ...f.oneOfKinds].filter((k) => k !== 'memory-leak' && k !== 'clock-skew');
      if (f.verdict === 'fail' && rowKinds.length > 0)
        assert.notEqual(f.rule, null, `${f.name} declares no rule`);
    }
    // The queue patch's own defects are the queue's.
    for (const f of FAULTS.filter((x) => x.name.startsWith('queue-'))) {
      assert.equal(f.culprit, 'queue', f.name);
      assert.equal(f.rule, `queue.${f.name.slice('queue-'.length)}`);
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

  it('should take the culprits and rules of the failing faults only, how unchecked without gluff lines', () => {
    const e = expectedOutcome(['channel-loss', 'queue-insert-collision', 'drop-ack']);
    assert.deepEqual(e.culprits.sort(), ['gluff', 'queue']);
    assert.deepEqual(e.rules, [
      { rule: 'queue.insert-collision', how: 'witnessed' },
      { rule: 'gluff.told', how: 'witnessed' },
    ]);
    assert.deepEqual(expectedOutcome(['queue-stale-options-on-reuse'], { gluffRecordLines: false }).rules, [
      { rule: 'queue.stale-options-on-reuse', how: null },
    ]);
    assert.deepEqual(expectedOutcome(['channel-loss']).culprits, []);
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

describe('outcomeChecks', () => {
  const fail = (
    kind: Finding['kind'],
    culprit: Finding['culprit'],
    rule?: string,
    how?: 'witnessed' | 'inferred',
  ) =>
    ({
      kind,
      severity: 'fail',
      culprit,
      ...(rule === undefined
        ? {}
        : { attribution: { rule, how: how ?? 'inferred', witness: [], witnessLines: [], explanation: '' } }),
    }) as unknown as Finding;
  const check = (findings: Finding[]) => ({
    verdict: 'fail' as const,
    kinds: [...new Set(findings.map((f) => f.kind))],
    failKinds: [...new Set(findings.map((f) => f.kind))],
    findings,
  });

  it('should hold every fail finding to the declared culprits and each declared rule to a fail finding', () => {
    const expected = expectedOutcome(['queue-insert-collision']);
    assert.deepEqual(
      outcomeChecks(
        check([fail('release-not-applied', 'queue', 'queue.insert-collision', 'witnessed')]),
        expected,
      ),
      { verdict: [], kinds: [], culprit: [], rule: [] },
    );
    const wrong = outcomeChecks(
      check([fail('release-not-applied', 'gluff', 'gluff.told', 'witnessed')]),
      expected,
    );
    assert.equal(wrong.culprit.length, 1);
    assert.match(wrong.culprit[0] ?? '', /blames gluff \(gluff\.told\), expected queue/);
    assert.match(wrong.rule[0] ?? '', /no fail finding attributed by 'queue\.insert-collision'/);
    const inferred = outcomeChecks(
      check([fail('release-not-applied', 'queue', 'queue.insert-collision')]),
      expected,
    );
    assert.deepEqual(inferred.rule, ["'queue.insert-collision' is not always witnessed"]);
  });
});

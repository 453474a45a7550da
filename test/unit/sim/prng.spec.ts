import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createRng } from '../../../src/sim/prng.js';

describe('createRng', () => {
  it('should repeat its stream for a seed and differ for another seed', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xs = Array.from({ length: 20 }, () => a.next());
    assert.deepEqual(
      xs,
      Array.from({ length: 20 }, () => b.next()),
    );
    assert.notDeepEqual(
      xs,
      Array.from({ length: 20 }, () => c.next()),
    );
  });

  it('should fork streams that do not depend on draws made before', () => {
    const a = createRng(1);
    a.next();
    a.next();
    assert.equal(a.fork('x').next(), createRng(1).fork('x').next());
    assert.notEqual(a.fork('x').next(), a.fork('y').next());
  });

  it('should keep int, between and shuffle within their ranges (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const r = createRng(seed);
        const i = r.int(n);
        assert.ok(Number.isInteger(i) && i >= 0 && i < n);
        const x = r.between(-5, 5);
        assert.ok(x >= -5 && x < 5);
        const items = Array.from({ length: n % 17 }, (_, k) => k);
        assert.deepEqual(
          [...r.shuffle(items)].sort((p, q) => p - q),
          items,
        );
      }),
    );
  });
});

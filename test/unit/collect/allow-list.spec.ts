import { strict as assert } from 'node:assert';
import { normalizePeerAddress, parseAllowList } from '../../../src/collect/allow-list.js';
import { AuditError } from '../../../src/model/errors.js';

describe('parseAllowList', () => {
  const cases: [string[], string, boolean][] = [
    [[], '203.0.113.9', true],
    [['10.1.0.0/24'], '10.1.0.77', true],
    [['10.1.0.0/24'], '10.1.1.1', false],
    [['10.1.0.0/24'], '::ffff:10.1.0.77', true],
    [['10.1.0.5'], '::ffff:10.1.0.5', true],
    [['::ffff:10.1.0.5'], '10.1.0.5', true],
    [['::ffff:10.1.0.0/120'], '10.1.0.200', true],
    [['::1'], '::1', true],
    [['::1'], '127.0.0.1', false],
    [['2001:db8::/32'], '2001:db8:1::5', true],
    [['2001:db8::/32'], '2001:db9::5', false],
    [['127.0.0.1', '::1'], 'not-an-ip', false],
  ];
  for (const [entries, peer, want] of cases) {
    it(`should ${want ? 'allow' : 'refuse'} ${peer} with --allow ${entries.join(',') || '(none)'}`, () => {
      assert.equal(parseAllowList(entries).isAllowed(peer), want);
    });
  }

  it('should refuse malformed entries with GV_USAGE', () => {
    for (const bad of ['10.1.0.0/33', 'host.example', '10.1.0.0/x', '::1/129']) {
      assert.throws(
        () => parseAllowList([bad]),
        (e: unknown) => e instanceof AuditError && e.code === 'GV_USAGE',
        bad,
      );
    }
  });
});

describe('normalizePeerAddress', () => {
  it('should turn an IPv4-mapped IPv6 address into IPv4 and leave others alone', () => {
    assert.equal(normalizePeerAddress('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(normalizePeerAddress('::FFFF:192.0.2.1'), '192.0.2.1');
    assert.equal(normalizePeerAddress('::1'), '::1');
    assert.equal(normalizePeerAddress('192.0.2.1'), '192.0.2.1');
  });
});

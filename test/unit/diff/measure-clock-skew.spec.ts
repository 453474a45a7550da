import { strict as assert } from 'node:assert';
import { clockSkewFindings, measureClockSkew } from '../../../src/diff/measure-clock-skew.js';
import { rebuildLeases } from '../../../src/rebuild/rebuild-leases.js';
import { actualFrom, CID1, EventLog, MAC1, S, T0, testSpec } from '../rebuild/fixtures.js';

const spec = testSpec();
const asOf = T0 + 86_400 * S;

/** Six clients, each a fresh lease every hour from dhcp1 or dhcp2; dhcp2's lines logged `skewSec` late. */
function history(skewSec: number) {
  const truth = new EventLog();
  const logged = new EventLog();
  for (let k = 0; k < 6; k++) {
    for (let i = 0; i < 6; i++) {
      const ip = `10.1.0.${50 + i}`;
      const mac = MAC1.replace(/01$/, `1${i}`);
      const host = i % 2 === 0 ? 'dhcp1' : 'dhcp2';
      const t = T0 + (k * 3600 + i * 7) * S;
      truth.grant(t, ip, mac, 600, CID1, { host });
      logged.grant(t + (host === 'dhcp2' ? skewSec * S : 0), ip, mac, 600, CID1, { host });
    }
  }
  const actual = actualFrom(rebuildLeases(truth.sorted(), spec, { asOfMs: asOf }).rows);
  return { logged, actual };
}

describe('measureClockSkew', () => {
  it("should measure one server's constant offset and let the rebuild replay its lines corrected", () => {
    // Arrange: dhcp2's syslog clock runs 32 s ahead of the times dhcpd gives Gluff.
    const { logged, actual } = history(32);
    const skewed = rebuildLeases(logged.sorted(), spec, { asOfMs: asOf });
    // Act
    const skews = measureClockSkew(skewed.rows, actual, spec);
    const corrected = rebuildLeases(logged.sorted(), spec, {
      asOfMs: asOf,
      hostOffsetsMs: { dhcp2: skews[0]?.offsetMs ?? 0 },
    });
    // Assert
    assert.deepEqual(skews, [{ host: 'dhcp2', offsetMs: 32_000, samples: 18, agreeing: 18 }]);
    assert.deepEqual(
      corrected.rows.map((r) => [r.ip, r.startMs, r.endMs]),
      actual.map((a) => [a.ip, a.startMs, a.endMs]).sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
    );
    const [f] = clockSkewFindings(skews, spec);
    assert.deepEqual([f?.kind, f?.severity, f?.details['offsetSec']], ['clock-skew', 'fail', 32]);
  });

  it('should find nothing within the start tolerance or without enough agreeing rows', () => {
    const within = history(2);
    assert.deepEqual(
      measureClockSkew(
        rebuildLeases(within.logged.sorted(), spec, { asOfMs: asOf }).rows,
        within.actual,
        spec,
      ),
      [],
    );
    const clean = history(0);
    const rows = rebuildLeases(clean.logged.sorted(), spec, { asOfMs: asOf }).rows;
    assert.deepEqual(measureClockSkew(rows, clean.actual, spec), []);
    assert.deepEqual(measureClockSkew(rows.slice(0, 4), history(32).actual, spec), []);
  });
});

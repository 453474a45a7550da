import { strict as assert } from 'node:assert';
import { createTtyProgress } from '../../../src/cli/progress.js';

/** A stream that records what was written, and a clock the test moves. */
function fakeTty(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  let now = 1_000_000;
  return {
    writes,
    stream: { isTTY, ...(columns === undefined ? {} : { columns }), write: (s: string) => writes.push(s) },
    nowMs: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('createTtyProgress', () => {
  it('should write nothing when the stream is not a TTY', () => {
    // Arrange
    const t = fakeTty(false);
    const p = createTtyProgress(t.stream, { nowMs: t.nowMs });
    // Act
    p.phase('rebuilding', 'events', 10_000);
    for (let i = 0; i < 5000; i++) {
      p.add();
      t.advance(1);
    }
    p.end();
    // Assert
    assert.deepEqual(t.writes, []);
  });

  it('should show the phase, the count of the total, the share and the rate, on one rewritten line', () => {
    const t = fakeTty(true);
    const p = createTtyProgress(t.stream, { nowMs: t.nowMs });
    p.phase('rebuilding', 'events', 1_000_000);
    t.advance(2000);
    p.add(500_000);
    assert.deepEqual(t.writes, [
      '\r\u001b[Kverify: rebuilding: 500,000 of 1,000,000 events (50%), 250,000 events/s',
    ]);
    p.phase('diffing 6,085 expected and 6,082 Gluff rows', null);
    t.advance(300);
    p.phase('attributing', 'events', null);
    t.advance(500);
    p.add(2048);
    assert.equal(t.writes.at(-1), '\r\u001b[Kverify: attributing: 2,048 events, 4,096 events/s');
    p.end();
    assert.equal(t.writes.at(-1), '\r\u001b[K', 'the line is cleared for the report');
  });

  it('should refresh a few times a second at most, however often it is told', () => {
    // Arrange: 20 s of work, a unit every 0.1 ms.
    const t = fakeTty(true);
    const p = createTtyProgress(t.stream, { nowMs: t.nowMs });
    p.phase('rebuilding', 'events', null);
    // Act
    for (let i = 0; i < 200_000; i++) {
      p.add();
      if (i % 10 === 0) t.advance(1);
    }
    // Assert: at most 4 a second, and it did refresh.
    assert.ok(t.writes.length <= 4 * 20 + 1, `${t.writes.length} refreshes in 20 s`);
    assert.ok(t.writes.length >= 20, `${t.writes.length} refreshes in 20 s`);
  });

  it('should stay quiet for work shorter than one refresh, and then clear nothing', () => {
    const t = fakeTty(true);
    const p = createTtyProgress(t.stream, { nowMs: t.nowMs });
    p.phase('reading Gluff', 'rows', null);
    p.add(10);
    t.advance(100);
    p.end();
    assert.deepEqual(t.writes, []);
  });

  it('should cut the line to the terminal width so it never wraps', () => {
    const t = fakeTty(true, 20);
    const p = createTtyProgress(t.stream, { nowMs: t.nowMs });
    p.phase('rebuilding', 'events', 1_000_000);
    t.advance(1000);
    p.add(5000);
    assert.equal(t.writes.at(-1), '\r\u001b[Kverify: rebuilding:');
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { judgeMemory, splitSegments, thinForChart, type MemPoint } from '../../../src/leak/leak-verdict.js';
import { computeTrend } from '../../../src/leak/trend.js';
import type { MemorySpec } from '../../../src/model/spec.js';

const MB = 1024 * 1024;
const T0 = Date.UTC(2026, 10, 28, 0, 0, 0);
const spec: MemorySpec = {
  warmupSec: 600,
  minSamples: 30,
  minDurationSec: 1800,
  maxSlopeBytesPerHour: 256 * 1024,
  maxGrowthBytes: 4 * MB,
};

/** Deterministic noise: a small LCG so every run sees the same series. */
function noise(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32 - 0.5;
  };
}

/** `hours` of samples every `everySec`, y = f(tHours) + noise of +-noiseBytes/2. */
function series(
  hours: number,
  everySec: number,
  f: (h: number) => number,
  noiseBytes: number,
  pid = 100,
  seed = 1,
): MemPoint[] {
  const rnd = noise(seed);
  const out: MemPoint[] = [];
  for (let t = 0; t <= hours * 3600; t += everySec) {
    const y = Math.round(f(t / 3600) + rnd() * noiseBytes);
    out.push({ timeMs: T0 + t * 1000, pid, rssBytes: y, dataBytes: y - 2 * MB, gone: false });
  }
  return out;
}

describe('judgeMemory chart', () => {
  it('should keep for the chart each segment, its warm-up, a fitted line through its samples and the gone samples', () => {
    // Arrange: 1 MB/h from 40 MB for 4 h (pid 100), gone for 30 min, then again from 40 MB (pid 200).
    const first = series(4, 60, (h) => 40 * MB + h * MB, 0, 100);
    const gone: MemPoint[] = [1, 2].map((i) => ({
      timeMs: T0 + (4 * 3600 + i * 600) * 1000,
      pid: null,
      rssBytes: null,
      dataBytes: null,
      gone: true,
    }));
    const second = series(4, 60, (h) => 40 * MB + h * MB, 0, 200).map((p) => ({
      ...p,
      timeMs: p.timeMs + 4.5 * 3_600_000,
    }));
    // Act
    const { verdict } = judgeMemory('gluff@dhcp1', [...first, ...gone, ...second], spec);
    // Assert
    const chart = verdict.chart!;
    assert.equal(chart.metric, 'rssBytes');
    assert.deepEqual(
      chart.segments.map((seg) => [seg.pid, seg.fromMs, seg.warmupEndMs, seg.points.length]),
      [
        [100, T0, T0 + 600_000, 241],
        [200, T0 + 4.5 * 3_600_000, T0 + 4.5 * 3_600_000 + 600_000, 241],
      ],
    );
    assert.deepEqual(chart.goneMs, [gone[0]!.timeMs, gone[1]!.timeMs]);
    assert.deepEqual(
      [chart.warmupSec, chart.maxSlopeBytesPerHour, chart.maxGrowthBytes],
      [600, 256 * 1024, 4 * MB],
    );
    // An exact line: the anchor lies on it (40 MB + 1 MB/h).
    for (const seg of chart.segments) {
      const h = (seg.anchorMs! - seg.fromMs) / 3_600_000;
      assert.ok(Math.abs(seg.anchorBytes! - (40 * MB + h * MB)) < 1, `${seg.anchorBytes}`);
    }
  });

  it('should keep the samples but no fit when there is too little to judge', () => {
    const { verdict } = judgeMemory(
      'dhcpd',
      series(0.2, 60, () => 40 * MB, 0),
      spec,
    );
    assert.equal(verdict.verdict, 'inconclusive');
    assert.equal(verdict.chart!.segments[0]!.points.length, 13);
    assert.equal(verdict.chart!.segments[0]!.anchorMs, null);
  });
});

describe('thinForChart', () => {
  it('should keep at most maxPoints, each bucket its lowest and highest sample in time order', () => {
    const points: [number, number][] = Array.from({ length: 100 }, (_, i) => [i, i === 37 ? 1000 : i % 7]);
    const thin = thinForChart(points, 20);
    assert.ok(thin.length <= 20);
    // The spike survives, and time still runs forward.
    assert.ok(thin.some(([t, y]) => t === 37 && y === 1000));
    for (let i = 1; i < thin.length; i++) assert.ok(thin[i]![0] > thin[i - 1]![0]);
    assert.deepEqual(thinForChart(points.slice(0, 5), 20), points.slice(0, 5));
  });
});

describe('judgeMemory', () => {
  it('should pass a flat series with noise', () => {
    const { verdict, finding } = judgeMemory(
      'dhcpd',
      series(8, 30, () => 40 * MB, 512 * 1024),
      spec,
    );
    assert.equal(verdict.verdict, 'pass');
    assert.equal(finding, null);
  });

  it('should pass a garbage-collector sawtooth', () => {
    // Rises 3 MB over 10 minutes, then drops back: the shape of an allocator that frees in bursts.
    const saw = (h: number) => 40 * MB + ((h * 60) % 10) * 0.3 * MB;
    const { verdict } = judgeMemory('gluff', series(8, 30, saw, 64 * 1024), spec);
    assert.equal(verdict.verdict, 'pass', verdict.reason);
  });

  it('should pass a single step after warm-up', () => {
    const step = (h: number) => 40 * MB + (h > 3 ? 8 * MB : 0);
    const { verdict } = judgeMemory('dhcpd', series(8, 30, step, 256 * 1024), spec);
    assert.equal(verdict.verdict, 'pass', verdict.reason);
    assert.match(verdict.reason, /not persistent/);
  });

  it('should flag a slow linear leak of 1 MB/h over 8 h with a slope near the true rate', () => {
    const { verdict, finding } = judgeMemory(
      'dhcpd',
      series(8, 30, (h) => 40 * MB + h * MB, 512 * 1024),
      spec,
    );
    assert.equal(verdict.verdict, 'fail');
    assert.ok(Math.abs(verdict.slopeBytesPerHour! - MB) < 0.05 * MB, `slope ${verdict.slopeBytesPerHour}`);
    assert.ok(verdict.slopeLowBytesPerHour! <= MB && MB <= verdict.slopeHighBytesPerHour!);
    assert.equal(finding?.kind, 'memory-leak');
    assert.equal(finding?.culprit, 'dhcpd');
    // Every rate in the message carries its unit, the interval's bounds too.
    assert.match(finding!.message, /slope [\d.]+ \w+\/h \(95% [\d.]+ \w+\/h\.\.[\d.]+ \w+\/h\)/);
  });

  it('should not read a restart in the middle of a flat run as a trend', () => {
    const before = series(4, 30, () => 60 * MB, 256 * 1024, 100, 1);
    const after = series(4, 30, () => 30 * MB, 256 * 1024, 200, 2).map((p) => ({
      ...p,
      timeMs: p.timeMs + 4 * 3600_000 + 30_000,
    }));
    const { verdict } = judgeMemory('gluff', [...before, ...after], spec);
    assert.equal(verdict.verdict, 'pass', verdict.reason);
    assert.equal(verdict.segments, 2);
  });

  it('should find a leak that restarts in the middle (each segment grows)', () => {
    const before = series(4, 30, (h) => 30 * MB + h * MB, 256 * 1024, 100, 1);
    const after = series(4, 30, (h) => 30 * MB + h * MB, 256 * 1024, 200, 2).map((p) => ({
      ...p,
      timeMs: p.timeMs + 4 * 3600_000 + 30_000,
    }));
    const { verdict } = judgeMemory('gluff', [...before, ...after], spec);
    assert.equal(verdict.verdict, 'fail', verdict.reason);
    assert.ok(Math.abs(verdict.slopeBytesPerHour! - MB) < 0.1 * MB);
  });

  it('should be inconclusive with too few samples or too short a run', () => {
    assert.equal(
      judgeMemory(
        'dhcpd',
        series(0.5, 60, (h) => 40 * MB + h * 10 * MB, 0),
        spec,
      ).verdict.verdict,
      'inconclusive',
    );
    assert.equal(judgeMemory('dhcpd', [], spec).verdict.reason, 'no memory samples');
  });
});

describe('splitSegments', () => {
  it('should start a new segment on a new PID and after a gone sample', () => {
    const p = (t: number, pid: number | null, gone = false): MemPoint => ({
      timeMs: t,
      pid,
      rssBytes: 1,
      dataBytes: 1,
      gone,
    });
    const segs = splitSegments([p(1, 5), p(2, 5), p(3, 6), p(4, null, true), p(5, 6)]);
    assert.deepEqual(
      segs.map((s) => s.map((x) => x.timeMs)),
      [[1, 2], [3], [5]],
    );
  });
});

describe('computeTrend', () => {
  it('should recover the slope of any exact line, whatever its offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 3, max: 60 }),
        (slope, offset, n) => {
          const pts = Array.from({ length: n }, (_, i) => ({ xHours: i / 4, y: offset + slope * (i / 4) }));
          const r = computeTrend([pts]);
          assert.ok(Math.abs(r.slope! - slope) <= 1e-6 * Math.max(1, Math.abs(slope)));
        },
      ),
    );
  });

  it('should give the same slope when a constant is added to a segment', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 2, maxLength: 40 }),
        fc.integer({ min: -1e6, max: 1e6 }),
        (ys, c) => {
          const pts = ys.map((y, i) => ({ xHours: i, y }));
          const shifted = pts.map((p) => ({ ...p, y: p.y + c }));
          assert.equal(computeTrend([pts]).slope, computeTrend([shifted]).slope);
          assert.equal(computeTrend([pts]).s, computeTrend([shifted]).s);
        },
      ),
    );
  });

  it('should keep the p-value in [0, 1] and the interval around the slope', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 50 }), (ys) => {
        const r = computeTrend([ys.map((y, i) => ({ xHours: i, y }))]);
        assert.ok(r.pValue >= 0 && r.pValue <= 1);
        if (r.slopeLow !== null) assert.ok(r.slopeLow <= r.slope!);
        if (r.slopeHigh !== null) assert.ok(r.slopeHigh >= r.slope!);
      }),
    );
  });
});

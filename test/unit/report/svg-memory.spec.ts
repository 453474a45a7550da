import { strict as assert } from 'node:assert';
import type { LeakVerdict, MemoryChart } from '../../../src/model/lease.js';
import {
  byteTicks,
  bytesText,
  MEMORY_GEOMETRY as M,
  renderMemoryChart,
  renderMemoryFigure,
  stoppedSpans,
} from '../../../src/report/svg-memory.js';
import { T0 } from '../../helpers/fixtures.js';

const H = 3_600_000;
const MIB = 1024 * 1024;

// Two segments of a leaking gluff: pid 100 for 4 h, stopped for an hour (gone samples), pid 200 for 4 h;
// both grow 2 MiB/h from 20 MiB; warm-up 30 min.
const CHART: MemoryChart = {
  metric: 'rssBytes',
  segments: [
    {
      pid: 100,
      fromMs: T0,
      toMs: T0 + 4 * H,
      points: [0, 1, 2, 3, 4].map((h) => [T0 + h * H, 20 * MIB + 2 * MIB * h]),
      warmupEndMs: T0 + H / 2,
      anchorMs: T0 + 2 * H,
      anchorBytes: 24 * MIB,
    },
    {
      pid: 200,
      fromMs: T0 + 5 * H,
      toMs: T0 + 9 * H,
      points: [5, 6, 7, 8, 9].map((h) => [T0 + h * H, 20 * MIB + 2 * MIB * (h - 5)]),
      warmupEndMs: T0 + 5.5 * H,
      anchorMs: T0 + 7 * H,
      anchorBytes: 24 * MIB,
    },
  ],
  goneMs: [T0 + 4.25 * H, T0 + 4.5 * H, T0 + 4.75 * H],
  warmupSec: 1800,
  maxSlopeBytesPerHour: MIB,
  maxGrowthBytes: 16 * MIB,
};

const LEAK: LeakVerdict = {
  proc: 'gluff@dhcp1',
  verdict: 'fail',
  reason: 'leak: RSS slope 2048.0 KiB/h',
  segments: 2,
  samples: 8,
  slopeBytesPerHour: 2 * MIB,
  slopeLowBytesPerHour: 1.5 * MIB,
  slopeHighBytesPerHour: 2.5 * MIB,
  growthBytes: 16 * MIB,
  pValue: 1e-6,
  chart: CHART,
};

function elements(svg: string, tag: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );
}

/** The chart's own scales, as the renderer builds them (8 % padding, at least 64 KiB). */
function scales() {
  const lo = 20 * MIB - Math.max(8 * MIB * 0.08, 64 * 1024);
  const hi = 28 * MIB + Math.max(8 * MIB * 0.08, 64 * 1024);
  const x = (ms: number) => M.plotLeft + ((ms - T0) / (9 * H)) * (M.plotRight - M.plotLeft);
  const y = (b: number) => M.plotBottom - ((b - lo) / (hi - lo)) * (M.plotBottom - M.plotTop);
  return { x, y };
}

describe('renderMemoryChart', () => {
  const svg = renderMemoryChart(LEAK, CHART, 'mem-1');
  const { x, y } = scales();

  it('should draw each segment as its own line, so a restart breaks it', () => {
    const lines = elements(svg, 'polyline').filter((p) => p['class'] === 'mem');
    assert.equal(lines.length, 2);
    const first = lines[0]!['points']!.split(' ').map((p) => p.split(',').map(Number));
    assert.equal(first.length, 5);
    assert.deepEqual(first[0], [Math.round(x(T0)), Math.round(y(20 * MIB))]);
    assert.deepEqual(first[4], [Math.round(x(T0 + 4 * H)), Math.round(y(28 * MIB))]);
    assert.match(svg, />restart<\/text>/);
  });

  it('should shade each warm-up and the stretch the process was gone', () => {
    const warm = elements(svg, 'rect').filter((r) => r['class'] === 'warm');
    assert.deepEqual(
      warm.map((r) => [Number(r['x']), Number(r['width'])]),
      [
        [Math.round(x(T0)), Math.round(x(T0 + H / 2) - x(T0))],
        [Math.round(x(T0 + 5 * H)), Math.round(x(T0 + 5.5 * H) - x(T0 + 5 * H))],
      ],
    );
    const down = elements(svg, 'rect').filter((r) => r['class'] === 'down');
    assert.equal(down.length, 1);
    assert.equal(Number(down[0]!['x']), Math.round(x(T0 + 4.25 * H)));
    assert.ok(Math.abs(Number(down[0]!['width']) - (x(T0 + 5 * H) - x(T0 + 4.25 * H))) <= 1);
  });

  it('should draw the fitted slope through its anchor over the judged part, with its band and the limit', () => {
    const fits = elements(svg, 'polyline').filter((p) => p['class'] === 'fit');
    assert.equal(fits.length, 2);
    // From the end of the warm-up (21 MiB at 0.5 h on a 2 MiB/h line through 24 MiB at 2 h) to the end.
    assert.equal(
      fits[0]!['points'],
      `${Math.round(x(T0 + H / 2))},${Math.round(y(21 * MIB))} ${Math.round(x(T0 + 4 * H))},${Math.round(y(28 * MIB))}`,
    );
    assert.equal(elements(svg, 'polygon').filter((p) => p['class'] === 'ci').length, 2);
    // The limit (1 MiB/h) starts where the fit starts: 21 MiB at 0.5 h, 24.5 MiB at 4 h.
    const limits = elements(svg, 'polyline').filter((p) => p['class'] === 'lim');
    assert.equal(
      limits[0]!['points'],
      `${Math.round(x(T0 + H / 2))},${Math.round(y(21 * MIB))} ${Math.round(x(T0 + 4 * H))},${Math.round(y(24.5 * MIB))}`,
    );
    assert.match(svg, />limit 1\.00 MiB\/h<\/text>/);
  });

  it('should label the byte axis in round MiB', () => {
    assert.deepEqual(
      [...svg.matchAll(/<text class="yl" x="66" y="\d+">([^<]*)<\/text>/g)].map((m) => m[1]),
      ['20 MiB', '22 MiB', '24 MiB', '26 MiB', '28 MiB'],
    );
  });
});

describe('renderMemoryFigure', () => {
  it('should say the verdict in the caption and link a leak to its finding', () => {
    const html = renderMemoryFigure(LEAK, 'mem-3', 12);
    assert.match(html, /^<figure id="mem-3" class="mem fail">/);
    assert.match(html, /<b>gluff@dhcp1: <span class="v">LEAK<\/span><\/b>/);
    assert.match(
      html,
      /slope 2\.00 MiB\/h \(95 % 1\.50 MiB\/h \.\. 2\.50 MiB\/h\); limit 1\.00 MiB\/h or 16\.00 MiB growth/,
    );
    assert.match(html, /<a href="#f12">finding #12<\/a>/);
    const pass = renderMemoryFigure({ ...LEAK, verdict: 'pass' }, 'mem-1', null);
    assert.match(pass, /<span class="v">PASS<\/span>/);
    assert.doesNotMatch(pass, /href="#f/);
  });

  it('should say so when a verdict kept no chart', () => {
    const { chart: _chart, ...old } = LEAK;
    assert.match(renderMemoryFigure(old, 'mem-1', null), /<p>No samples kept for a chart\.<\/p>/);
  });
});

describe('stoppedSpans', () => {
  it('should make consecutive gone samples one stop, up to the restart', () => {
    assert.deepEqual(stoppedSpans(CHART), [
      { fromMs: T0 + 4.25 * H, toMs: T0 + 5 * H, lastGoneMs: T0 + 4.75 * H, samples: 3 },
    ]);
    // Gone again after the restart: a second stop that lasts to its last gone sample.
    assert.equal(stoppedSpans({ ...CHART, goneMs: [...CHART.goneMs, T0 + 9.5 * H] }).length, 2);
  });
});

describe('byteTicks', () => {
  it('should pick round steps in the unit of the values', () => {
    assert.deepEqual(
      byteTicks(8.9 * MIB, 9.2 * MIB).map((t) => t.label),
      ['8.9 MiB', '9.0 MiB', '9.1 MiB', '9.2 MiB'],
    );
    assert.deepEqual(
      byteTicks(0, 3000).map((t) => t.label),
      ['0.0 KiB', '0.5 KiB', '1.0 KiB', '1.5 KiB', '2.0 KiB', '2.5 KiB'],
    );
    assert.equal(bytesText(3 * MIB), '3.00 MiB');
  });
});

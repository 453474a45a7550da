/**
 * Memory-leak verdicts per process from `memsample` events: segments per PID, warm-up dropped, a
 * robust slope with its interval, a trend test, and the spec's thresholds.
 *
 * A leak is growth that is (1) significant (Mann-Kendall p < alpha, upward), (2) large (slope above
 * maxSlopeBytesPerHour, or slope x judged hours above maxGrowthBytes) and (3) persistent (both halves of
 * the judged time grow at a quarter of the overall slope or more). (3) is what tells a leak from a single
 * step, such as a cache filling once after warm-up: a step puts all of its growth into one half.
 */
import type { Finding, LeakVerdict, MemoryChart, MemoryChartSegment } from '../model/lease.js';
import type { MemorySpec } from '../model/spec.js';
import { HOUR_MS } from '../model/time.js';
import { computeTrend, thinSeries, type Point, type TrendResult } from './trend.js';

/** One sample as the leak check needs it (from a stored `memsample` event). */
export interface MemPoint {
  timeMs: number;
  pid: number | null;
  rssBytes: number | null;
  dataBytes: number | null;
  /** The sampler found no such process at this time: ends the current segment. */
  gone: boolean;
}

export interface LeakOptions {
  /** Significance level of the trend test. */
  alpha: number;
  /** Upper bound of points per segment before thinning (quadratic cost). */
  maxPointsPerSegment: number;
}

const DEFAULT_OPTIONS: LeakOptions = { alpha: 0.01, maxPointsPerSegment: 1500 };

/** Samples a chart keeps per segment: about two per horizontal pixel of the HTML report's chart. */
const CHART_POINTS_PER_SEGMENT = 400;

type Metric = 'rssBytes' | 'dataBytes';

/** Splits samples (time-ordered) into segments: a new PID or a `gone` sample starts a new one. */
export function splitSegments(samples: readonly MemPoint[]): MemPoint[][] {
  const segments: MemPoint[][] = [];
  let current: MemPoint[] = [];
  let pid: number | null = null;
  for (const s of samples) {
    if (s.gone || s.pid === null) {
      if (current.length > 0) segments.push(current);
      current = [];
      pid = null;
      continue;
    }
    if (pid !== null && s.pid !== pid && current.length > 0) {
      segments.push(current);
      current = [];
    }
    pid = s.pid;
    current.push(s);
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

interface MetricJudgement {
  metric: Metric;
  trend: TrendResult;
  growthBytes: number;
  persistent: boolean;
  leak: boolean;
}

function judgeMetric(
  metric: Metric,
  segments: readonly MemPoint[][],
  originMs: number,
  splitMs: number,
  judgedHours: number,
  spec: MemorySpec,
  o: LeakOptions,
): MetricJudgement | null {
  const toPoints = (seg: readonly MemPoint[]): Point[] =>
    seg.flatMap((s) =>
      s[metric] === null ? [] : [{ xHours: (s.timeMs - originMs) / HOUR_MS, y: s[metric]! }],
    );
  const series = segments.map(toPoints).filter((seg) => seg.length > 0);
  if (series.reduce((n, seg) => n + seg.length, 0) < 2) return null;
  const thinned = series.map((seg) => thinSeries(seg, o.maxPointsPerSegment));
  const trend = computeTrend(thinned);
  const slope = trend.slope ?? 0;
  const growthBytes = slope * judgedHours;
  const splitHours = (splitMs - originMs) / HOUR_MS;
  const first = computeTrend(thinned.map((seg) => seg.filter((p) => p.xHours < splitHours)));
  const second = computeTrend(thinned.map((seg) => seg.filter((p) => p.xHours >= splitHours)));
  const persistent = slope > 0 && (first.slope ?? 0) >= slope / 4 && (second.slope ?? 0) >= slope / 4;
  const significant = trend.s > 0 && trend.pValue < o.alpha;
  const large = slope > spec.maxSlopeBytesPerHour || growthBytes > spec.maxGrowthBytes;
  return { metric, trend, growthBytes, persistent, leak: significant && large && persistent };
}

/**
 * Thins [time, bytes] points for drawing to at most `maxPoints`: equal-count buckets, each keeping its lowest
 * and highest point in time order, so a spike or a dip stays on the chart. Example: 10 points, maxPoints 4:
 * two buckets of 5, each giving its min and max.
 */
export function thinForChart(points: readonly [number, number][], maxPoints: number): [number, number][] {
  if (points.length <= maxPoints) return points.map(([t, y]) => [t, y]);
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = points.length / buckets;
  const out: [number, number][] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.floor((b + 1) * size);
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if (points[i]![1] < points[lo]![1]) lo = i;
      if (points[i]![1] > points[hi]![1]) hi = i;
    }
    for (const i of lo === hi ? [lo] : [Math.min(lo, hi), Math.max(lo, hi)]) {
      out.push([points[i]![0], points[i]![1]]);
    }
  }
  return out;
}

/**
 * The chart of one process: every segment's samples of `metric` (thinned), its warm-up and, when a slope was
 * fitted, the Theil-Sen intercept at the median judged sample of each segment (the line the chart draws).
 */
function memoryChart(
  metric: Metric,
  rawSegments: readonly MemPoint[][],
  samples: readonly MemPoint[],
  spec: MemorySpec,
  slopeBytesPerHour: number | null,
): MemoryChart {
  const warmupMs = spec.warmupSec * 1000;
  const segments = rawSegments.map((seg): MemoryChartSegment => {
    const fromMs = seg[0]!.timeMs;
    const warmupEndMs = fromMs + warmupMs;
    const all: [number, number][] = seg.flatMap((s) => (s[metric] === null ? [] : [[s.timeMs, s[metric]!]]));
    const judged = all.filter(([t]) => t >= warmupEndMs);
    let anchorMs: number | null = null;
    let anchorBytes: number | null = null;
    if (slopeBytesPerHour !== null && judged.length > 0) {
      anchorMs = judged[Math.floor(judged.length / 2)]![0];
      const at = anchorMs;
      anchorBytes = median(judged.map(([t, y]) => y - (slopeBytesPerHour * (t - at)) / HOUR_MS));
    }
    return {
      pid: seg[0]!.pid,
      fromMs,
      toMs: seg[seg.length - 1]!.timeMs,
      points: thinForChart(all, CHART_POINTS_PER_SEGMENT),
      warmupEndMs,
      anchorMs,
      anchorBytes,
    };
  });
  return {
    metric,
    segments,
    goneMs: samples.filter((s) => s.gone).map((s) => s.timeMs),
    warmupSec: spec.warmupSec,
    maxSlopeBytesPerHour: spec.maxSlopeBytesPerHour,
    maxGrowthBytes: spec.maxGrowthBytes,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Judges one process. Returns its verdict and, for a leak, a `memory-leak` finding (culprit: the
 * process's own software, dhcpd or gluff; any other process is part of the rig).
 */
export function judgeMemory(
  proc: string,
  samples: readonly MemPoint[],
  spec: MemorySpec,
  options: Partial<LeakOptions> = {},
): { verdict: LeakVerdict; finding: Finding | null } {
  const o = { ...DEFAULT_OPTIONS, ...options };
  const sorted = [...samples].sort((a, b) => a.timeMs - b.timeMs);
  const rawSegments = splitSegments(sorted);
  const warmupMs = spec.warmupSec * 1000;
  const segments = rawSegments
    .map((seg) => seg.filter((s) => s.timeMs - seg[0]!.timeMs >= warmupMs))
    .filter((seg) => seg.length > 0);
  const judgedSamples = segments.reduce((n, seg) => n + seg.length, 0);
  const judgedMs = segments.reduce((t, seg) => t + (seg[seg.length - 1]!.timeMs - seg[0]!.timeMs), 0);
  const base: LeakVerdict = {
    proc,
    verdict: 'inconclusive',
    reason: '',
    segments: rawSegments.length,
    samples: judgedSamples,
    slopeBytesPerHour: null,
    slopeLowBytesPerHour: null,
    slopeHighBytesPerHour: null,
    growthBytes: null,
    pValue: null,
  };
  // The chart shows RSS unless only the data size was sampled (or the data size is what leaked).
  const sampledMetric: Metric = sorted.some((s) => s.rssBytes !== null) ? 'rssBytes' : 'dataBytes';
  if (judgedSamples < spec.minSamples || judgedMs < spec.minDurationSec * 1000) {
    const reason =
      sorted.length === 0
        ? 'no memory samples'
        : `too little to judge after warm-up: ${judgedSamples} samples over ${Math.round(judgedMs / 1000)} s (need ${spec.minSamples} samples and ${spec.minDurationSec} s)`;
    const chart = memoryChart(sampledMetric, rawSegments, sorted, spec, null);
    return { verdict: { ...base, reason, chart }, finding: null };
  }
  const originMs = segments[0]![0]!.timeMs;
  // The halves split the judged time (not the wall clock), so a long gap between segments does not
  // leave one half empty.
  const judgedTimes = segments.flatMap((seg) => seg.map((s) => s.timeMs));
  const splitMs = judgedTimes[Math.floor(judgedTimes.length / 2)]!;
  const judgedHours = judgedMs / HOUR_MS;
  const judgements = (['rssBytes', 'dataBytes'] as const)
    .map((m) => judgeMetric(m, segments, originMs, splitMs, judgedHours, spec, o))
    .filter((j): j is MetricJudgement => j !== null);
  if (judgements.length === 0) {
    const chart = memoryChart(sampledMetric, rawSegments, sorted, spec, null);
    return {
      verdict: { ...base, reason: 'samples carry neither rss nor data size', chart },
      finding: null,
    };
  }
  const worst = judgements.find((j) => j.leak) ?? judgements[0]!;
  const verdict: LeakVerdict = {
    ...base,
    verdict: worst.leak ? 'fail' : 'pass',
    slopeBytesPerHour: worst.trend.slope,
    slopeLowBytesPerHour: worst.trend.slopeLow,
    slopeHighBytesPerHour: worst.trend.slopeHigh,
    growthBytes: worst.growthBytes,
    pValue: worst.trend.pValue,
    reason: '',
    chart: memoryChart(worst.metric, rawSegments, sorted, spec, worst.trend.slope),
  };
  const kib = (b: number | null) => (b === null ? '?' : `${(b / 1024).toFixed(1)} KiB`);
  const summary = `${worst.metric === 'rssBytes' ? 'RSS' : 'data size'} slope ${kib(worst.trend.slope)}/h (95% ${kib(worst.trend.slopeLow)}/h..${kib(worst.trend.slopeHigh)}/h), p=${worst.trend.pValue.toPrecision(2)}, growth ${kib(worst.growthBytes)} over ${judgedHours.toFixed(2)} h`;
  if (!worst.leak) {
    const why =
      worst.trend.s <= 0 || worst.trend.pValue >= o.alpha
        ? 'no significant upward trend'
        : !worst.persistent
          ? 'growth not persistent (a step, not a leak)'
          : 'growth below the thresholds';
    return { verdict: { ...verdict, reason: `${why}: ${summary}` }, finding: null };
  }
  verdict.reason = `leak: ${summary}`;
  // `proc` may carry its host (`gluff@dhcp1`); the culprit is the program.
  const program = proc.split('@')[0];
  const finding: Finding = {
    kind: 'memory-leak',
    severity: 'fail',
    culprit: program === 'gluff' ? 'gluff' : program === 'dhcpd' ? 'dhcpd' : 'rig',
    ip: null,
    hw: null,
    message: `${proc} memory grows: ${summary} (limits ${kib(spec.maxSlopeBytesPerHour)}/h, ${kib(spec.maxGrowthBytes)} total)`,
    expected: null,
    actual: [],
    evidence: [],
    evidenceLines: [],
    details: {
      proc,
      metric: worst.metric,
      slopeBytesPerHour: worst.trend.slope,
      slopeLowBytesPerHour: worst.trend.slopeLow,
      slopeHighBytesPerHour: worst.trend.slopeHigh,
      growthBytes: worst.growthBytes,
      pValue: worst.trend.pValue,
      segments: rawSegments.length,
      samples: judgedSamples,
    },
  };
  return { verdict, finding };
}

/**
 * Memory-leak verdicts per process from `memsample` events: segments per PID, warm-up dropped, a
 * robust slope with its interval, a trend test, and the spec's thresholds.
 *
 * A leak is growth that is (1) significant (Mann-Kendall p < alpha, upward), (2) large (slope above
 * maxSlopeBytesPerHour, or slope x judged hours above maxGrowthBytes) and (3) persistent (both halves of
 * the judged time grow at a quarter of the overall slope or more). (3) is what tells a leak from a single
 * step, such as a cache filling once after warm-up: a step puts all of its growth into one half.
 */
import type { Finding, LeakVerdict } from '../model/lease.js';
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
  if (judgedSamples < spec.minSamples || judgedMs < spec.minDurationSec * 1000) {
    const reason =
      sorted.length === 0
        ? 'no memory samples'
        : `too little to judge after warm-up: ${judgedSamples} samples over ${Math.round(judgedMs / 1000)} s (need ${spec.minSamples} samples and ${spec.minDurationSec} s)`;
    return { verdict: { ...base, reason }, finding: null };
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
    return { verdict: { ...base, reason: 'samples carry neither rss nor data size' }, finding: null };
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

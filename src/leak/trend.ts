/**
 * Robust trend statistics for memory series: Theil-Sen slope with Sen's confidence interval and the
 * Mann-Kendall trend test, pooled over segments (a restarted process starts a new segment; pairs are
 * only ever formed inside one segment, so a restart's drop is not read as a negative trend).
 */

/** One point of a series: x in hours, y in bytes. */
export interface Point {
  xHours: number;
  y: number;
}

export interface TrendResult {
  /** Number of points used. */
  n: number;
  /** Median pairwise slope, y units per hour; null with fewer than 2 points. */
  slope: number | null;
  /** Sen's confidence interval for the slope at the requested level; null when it cannot be formed. */
  slopeLow: number | null;
  slopeHigh: number | null;
  /** Mann-Kendall S summed over segments. */
  s: number;
  /** Variance of S under no trend, with the tie correction. */
  varS: number;
  /** Two-sided p-value of the Mann-Kendall test (normal approximation with continuity correction). */
  pValue: number;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf), accurate to ~1e-7: enough for a p-value. */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** z such that normalCdf(z) = p, by bisection (p in (0,1)). */
export function normalQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Variance of S for n points with the given tie-group sizes. */
function kendallVariance(n: number, ties: number[]): number {
  let v = n * (n - 1) * (2 * n + 5);
  for (const t of ties) v -= t * (t - 1) * (2 * t + 5);
  return v / 18;
}

function tieGroups(ys: number[]): number[] {
  const counts = new Map<number, number>();
  for (const y of ys) counts.set(y, (counts.get(y) ?? 0) + 1);
  return [...counts.values()].filter((c) => c > 1);
}

/**
 * Theil-Sen + Mann-Kendall over segments. `confidence` is two-sided (0.95 gives the 2.5%..97.5% interval).
 * Cost is quadratic in the points of a segment: callers thin long series first (see thinSeries).
 */
export function computeTrend(segments: readonly (readonly Point[])[], confidence = 0.95): TrendResult {
  const slopes: number[] = [];
  let s = 0;
  let varS = 0;
  let n = 0;
  for (const seg of segments) {
    n += seg.length;
    for (let i = 0; i < seg.length; i++) {
      const a = seg[i]!;
      for (let j = i + 1; j < seg.length; j++) {
        const b = seg[j]!;
        const dy = b.y - a.y;
        s += Math.sign(dy);
        const dx = b.xHours - a.xHours;
        if (dx > 0) slopes.push(dy / dx);
      }
    }
    if (seg.length > 1) varS += kendallVariance(seg.length, tieGroups(seg.map((p) => p.y)));
  }
  if (slopes.length === 0) {
    return { n, slope: null, slopeLow: null, slopeHigh: null, s, varS, pValue: 1 };
  }
  slopes.sort((x, y) => x - y);
  const m = slopes.length;
  const slope = m % 2 === 1 ? slopes[(m - 1) / 2]! : (slopes[m / 2 - 1]! + slopes[m / 2]!) / 2;
  let z = 0;
  if (varS > 0) z = s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0;
  const pValue = varS > 0 ? Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) : 1;
  // Sen's interval: ranks (m - C)/2 and (m + C)/2 + 1 of the sorted slopes, C = z_{1-a/2} * sqrt(Var S).
  const c = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(varS);
  const lowRank = Math.floor((m - c) / 2);
  const highRank = Math.ceil((m + c) / 2) + 1;
  const slopeLow = lowRank >= 1 && lowRank <= m ? slopes[lowRank - 1]! : null;
  const slopeHigh = highRank >= 1 && highRank <= m ? slopes[highRank - 1]! : null;
  return { n, slope, slopeLow, slopeHigh, s, varS, pValue };
}

/**
 * Thins a long series to at most `maxPoints` by taking the median of equal-count buckets (keeps the
 * trend, bounds the quadratic cost: 2,000 points is 2M pairs).
 */
export function thinSeries(points: readonly Point[], maxPoints: number): Point[] {
  if (points.length <= maxPoints) return [...points];
  const out: Point[] = [];
  const size = points.length / maxPoints;
  for (let b = 0; b < maxPoints; b++) {
    const bucket = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (bucket.length === 0) continue;
    const ys = bucket.map((p) => p.y).sort((x, y) => x - y);
    const mid = Math.floor(ys.length / 2);
    const y = ys.length % 2 === 1 ? ys[mid]! : (ys[mid - 1]! + ys[mid]!) / 2;
    out.push({ xHours: bucket[Math.floor(bucket.length / 2)]!.xHours, y });
  }
  return out;
}

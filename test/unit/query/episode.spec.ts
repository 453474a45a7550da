import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { findEpisode, HOUR_MS, type EpisodeIndex, type TimeSpan } from '../../../src/query/episode.js';

const T0 = Date.UTC(2026, 10, 28, 0, 0, 0);
const MIN = 60_000;

/** The lookup index's view of event times: per hour, spans of the events one batch holds. */
function indexOf(spans: readonly TimeSpan[]): EpisodeIndex {
  const byHour = new Map<number, TimeSpan[]>();
  for (const s of spans) {
    const h = Math.floor(s.minMs / HOUR_MS);
    byHour.set(h, [...(byHour.get(h) ?? []), s]);
  }
  const hours = [...byHour.keys()];
  return {
    spansOfHour: (h) => byHour.get(h) ?? [],
    hours: hours.length === 0 ? null : { first: Math.min(...hours), last: Math.max(...hours) },
  };
}

/** Events (times) cut into batches of consecutive events, each batch's events of one hour one span. */
function spansOf(times: readonly number[], cuts: readonly boolean[]): TimeSpan[] {
  const sorted = [...times].sort((a, b) => a - b);
  const out: TimeSpan[] = [];
  let cur: number[] = [];
  const flush = () => {
    const byHour = new Map<number, number[]>();
    for (const t of cur)
      byHour.set(Math.floor(t / HOUR_MS), [...(byHour.get(Math.floor(t / HOUR_MS)) ?? []), t]);
    for (const ts of byHour.values()) out.push({ minMs: Math.min(...ts), maxMs: Math.max(...ts) });
    cur = [];
  };
  sorted.forEach((t, i) => {
    cur.push(t);
    if (cuts[i % Math.max(1, cuts.length)] === true) flush();
  });
  flush();
  return out;
}

/** The episode the slow way: widen while a span lies within the gap, over every span at once. */
function naiveEpisode(
  spans: readonly TimeSpan[],
  seed: { fromMs: number; toMs: number },
  gapMs: number,
  asOfMs: number,
): { fromMs: number; toMs: number; beforeMs: number | null } {
  const live = spans
    .filter((s) => s.minMs <= asOfMs)
    .map((s) => ({ minMs: s.minMs, maxMs: Math.min(s.maxMs, asOfMs) }));
  let lo = seed.fromMs;
  let hi = seed.toMs;
  for (let changed = true; changed;) {
    changed = false;
    for (const s of live) {
      if (s.minMs < lo && s.maxMs >= lo - gapMs) {
        lo = s.minMs;
        changed = true;
      }
      if (s.maxMs > hi && s.minMs <= hi + gapMs) {
        hi = s.maxMs;
        changed = true;
      }
    }
  }
  const before = live.filter((s) => s.maxMs < lo - gapMs).map((s) => s.maxMs);
  return { fromMs: lo, toMs: hi, beforeMs: before.length === 0 ? null : Math.max(...before) };
}

describe('findEpisode', () => {
  it('should widen the seed to the events within the gap, and find the last event before the quiet stretch', () => {
    // Arrange: a renewal every 10 min from 02:00 to 03:00, an old lease at 00:00-00:10, one more at 05:00.
    const times = [0, 10, 120, 130, 140, 150, 160, 170, 180, 300].map((m) => T0 + m * MIN);
    const index = indexOf(spansOf(times, [true]));
    // Act
    const ep = findEpisode(index, { fromMs: T0 + 155 * MIN, toMs: T0 + 155 * MIN }, 60 * MIN, T0 + 400 * MIN);
    // Assert
    assert.deepEqual(ep, { fromMs: T0 + 120 * MIN, toMs: T0 + 180 * MIN, beforeMs: T0 + 10 * MIN });
  });

  it('should ignore what comes after as-of, and leave a seed in a quiet stretch as it is', () => {
    const times = [0, 10, 120].map((m) => T0 + m * MIN);
    const index = indexOf(spansOf(times, [true]));
    assert.deepEqual(
      findEpisode(index, { fromMs: T0 + 60 * MIN, toMs: T0 + 60 * MIN }, 20 * MIN, T0 + 100 * MIN),
      {
        fromMs: T0 + 60 * MIN,
        toMs: T0 + 60 * MIN,
        beforeMs: T0 + 10 * MIN,
      },
    );
    assert.deepEqual(findEpisode(indexOf([]), { fromMs: T0, toMs: T0 + MIN }, MIN, T0), {
      fromMs: T0,
      toMs: T0 + MIN,
      beforeMs: null,
    });
  });

  it('should find what a widening over every span at once finds, reading one hour at a time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 * 60 }), { maxLength: 60 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: -60, max: 31 * 60 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 32 * 60 }),
        (minutes, cuts, seedMin, seedLen, gapMin, asOfMin) => {
          const spans = spansOf(
            minutes.map((m) => T0 + m * MIN),
            cuts,
          );
          const seed = { fromMs: T0 + seedMin * MIN, toMs: T0 + (seedMin + seedLen) * MIN };
          const asOfMs = T0 + asOfMin * MIN;
          assert.deepEqual(
            findEpisode(indexOf(spans), seed, gapMin * MIN, asOfMs),
            naiveEpisode(spans, seed, gapMin * MIN, asOfMs),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

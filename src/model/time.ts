/**
 * Time conventions (STYLE.md §5): every instant inside the code is UTC epoch milliseconds in a number.
 * Intervals are half-open [startMs, endMs); an open end is null, never a far-future sentinel.
 */
export type EpochMs = number;

/** A half-open time window; null bounds are unbounded. */
export interface TimeWindow {
  /** Inclusive start, or null for "from the first event". */
  fromMs: EpochMs | null;
  /** Exclusive end, or null for "up to as-of". */
  toMs: EpochMs | null;
}

export const SECOND_MS = 1000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

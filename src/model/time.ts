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

export const DAY_MS = 86_400_000;

const DURATION = /^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?!s))?\s*(?:(\d+)s)?\s*(?:(\d+)ms)?$/;

/**
 * A duration in milliseconds, the one grammar of every duration we read (spec fields, `--every`): a
 * bare number of seconds (`600`), or whole-number parts in the order d h m s ms, each at most once
 * (`10m`, `1h30m`, `1h 30m`, `2d`, `30s`, `500ms`, `1s500ms`). Null when malformed.
 */
export function parseDurationMs(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * SECOND_MS;
  const m = t === '' ? null : DURATION.exec(t);
  if (m === null) return null;
  const [d, h, min, s, ms] = m.slice(1, 6).map((x) => (x === undefined ? 0 : Number(x))) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const total = d * DAY_MS + h * HOUR_MS + min * MINUTE_MS + s * SECOND_MS + ms;
  return Number.isSafeInteger(total) ? total : null;
}

/** A duration in whole seconds (spec fields): a non-negative integer, or text parseDurationMs reads to whole seconds. */
export function parseDurationSec(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const ms = parseDurationMs(value);
  return ms === null || ms % SECOND_MS !== 0 ? null : ms / SECOND_MS;
}

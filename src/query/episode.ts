/**
 * How far back and forward `where` must read one address's lines so that the stints it rebuilds are the ones
 * a rebuild of the whole store gives. Pure: the lookup index comes in as a function.
 *
 * A lease row lasts at most one lease past the last line that made or prolonged it, and Gluff's rules (and
 * the rebuild's) only ever continue a row that is still alive. So when an address is quiet for `gapMs` (two
 * maximum leases and a margin), nothing before the quiet stretch can change a row after it, and nothing
 * after a quiet stretch can change a row before it: the address's lines between two such stretches, an
 * *episode*, rebuild the same rows alone as in the whole replay. What the replay still carries across a quiet
 * stretch (the time of the address's last fact, for the collector-loss rule; dhcpd's lease on the address)
 * is set by the last lines before it, which the caller reads as a pre-roll from `beforeMs`.
 */

/** The span of a key's event times in one batch and hour (the lookup index's entry). */
export interface TimeSpan {
  minMs: number;
  maxMs: number;
}

/** What findEpisode reads: the spans of the key's events in an epoch hour, and which hours hold any. */
export interface EpisodeIndex {
  spansOfHour: (hour: number) => readonly TimeSpan[];
  /** First and last epoch hour holding any entry (of any key); null when the index is empty. */
  hours: { first: number; last: number } | null;
}

export interface Episode {
  /** The episode's span: the seed widened to its earliest and latest event. */
  fromMs: number;
  toMs: number;
  /** The latest event before the quiet stretch that opens the episode; null when there is none. */
  beforeMs: number | null;
}

export const HOUR_MS = 3_600_000;

function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

/**
 * The episode around `seed` (an instant, or a span such as a Gluff row's): widened backward while an event
 * lies within `gapMs` before its start and forward while one lies within `gapMs` after its end. Events after
 * `asOfMs` do not exist for it (the rebuild ignores them). Reads one hour of the index at a time, from the
 * seed outward, and stops as soon as an hour cannot hold a event within the gap (backward, once the latest
 * event before the gap is known).
 */
export function findEpisode(
  index: EpisodeIndex,
  seed: { fromMs: number; toMs: number },
  gapMs: number,
  asOfMs: number,
): Episode {
  const hours = index.hours;
  if (hours === null) return { fromMs: seed.fromMs, toMs: seed.toMs, beforeMs: null };
  /** The span's part up to as-of; null when it lies after. */
  const clip = (s: TimeSpan): TimeSpan | null =>
    s.minMs > asOfMs ? null : { minMs: s.minMs, maxMs: Math.min(s.maxMs, asOfMs) };
  let lo = seed.fromMs;
  let beforeMs: number | null = null;
  for (let h = Math.min(hourOf(lo), hours.last); h >= hours.first; h--) {
    // Hours whose end lies more than the gap before `lo` can only hold the event before the quiet stretch.
    const spans = index
      .spansOfHour(h)
      .map(clip)
      .filter((s): s is TimeSpan => s !== null && s.minMs < lo)
      .sort((a, b) => b.maxMs - a.maxMs);
    for (const s of spans) {
      if (s.maxMs >= lo - gapMs) lo = Math.min(lo, s.minMs);
      else if (beforeMs === null || s.maxMs > beforeMs) beforeMs = s.maxMs;
    }
    // Every earlier hour ends before h * HOUR_MS: once that is beyond the gap, nothing there joins the
    // episode, and the latest event before it, if found, is final.
    if (beforeMs !== null && h * HOUR_MS < lo - gapMs) break;
  }
  let hi = seed.toMs;
  const lastHour = Math.min(hours.last, hourOf(asOfMs));
  for (let h = Math.max(hourOf(hi), hours.first); h <= lastHour; h++) {
    if (h * HOUR_MS > hi + gapMs) break;
    const spans = index
      .spansOfHour(h)
      .map(clip)
      .filter((s): s is TimeSpan => s !== null && s.maxMs > hi)
      .sort((a, b) => a.minMs - b.minMs);
    for (const s of spans) if (s.minMs <= hi + gapMs) hi = Math.max(hi, s.maxMs);
  }
  return { fromMs: lo, toMs: hi, beforeMs };
}

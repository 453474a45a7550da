/**
 * Wall-clock time in an IANA zone <-> UTC epoch ms, for syslog timestamps that carry no zone
 * (RFC 3164). Built on Intl.DateTimeFormat offsets, cached so that a parse costs one Map lookup:
 * Intl formatting costs microseconds and the parser must do over a million lines a second.
 *
 * Caches hold one UTC offset per (zone, hour). An hour is cached only when the offset is the same
 * at its start and its end; an hour that contains a transition (a DST change, or a zone whose
 * transitions fall at :30 or :45) is resolved exactly on every call.
 */
import type { EpochMs } from '../model/index.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Sentinel in the hour caches: the hour holds a transition (or is ambiguous) and is never cached. */
const MIXED = Number.NaN;

interface ZoneCache {
  /** null for UTC and fixed-offset zones with no Intl formatter needed. */
  dtf: Intl.DateTimeFormat | null;
  /** UTC hour index -> offset ms (local - utc), or MIXED. */
  byUtcHour: Map<number, number>;
  /** Local wall-clock hour index -> offset ms to subtract, or MIXED. */
  byLocalHour: Map<number, number>;
}

const zones = new Map<string, ZoneCache | null>();

/** Bound the caches: a long replay over years of lines stays within a few MB. */
const MAX_CACHED_HOURS = 200_000;

function zoneCache(zone: string): ZoneCache | null {
  let cache = zones.get(zone);
  if (cache !== undefined) return cache;
  if (zone === 'UTC' || zone === 'Etc/UTC' || zone === 'GMT' || zone === 'Z') {
    cache = { dtf: null, byUtcHour: new Map(), byLocalHour: new Map() };
  } else {
    try {
      const dtf = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
      cache = { dtf, byUtcHour: new Map(), byLocalHour: new Map() };
    } catch {
      cache = null;
    }
  }
  zones.set(zone, cache);
  return cache;
}

/** True when `zone` is an IANA zone name this runtime knows (config validation uses this). */
export function isKnownZone(zone: string): boolean {
  return zoneCache(zone) !== null;
}

/** Exact offset (local - UTC, ms, whole seconds) of `zone` at instant `utcMs`, straight from Intl. */
function exactOffset(dtf: Intl.DateTimeFormat, utcMs: EpochMs): number {
  const second = Math.floor(utcMs / 1000) * 1000;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let sec = 0;
  let bc = false;
  for (const part of dtf.formatToParts(second)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        sec = Number(part.value);
        break;
      case 'era':
        bc = part.value === 'BC' || part.value === 'B';
        break;
      default:
        break;
    }
  }
  const wall = utcFromFields(bc ? 1 - year : year, month, day, hour, minute, sec);
  return wall - second;
}

/** Date.UTC with years 0..99 taken literally (Date.UTC maps them to 1900..1999). */
export function utcFromFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): EpochMs {
  if (year >= 0 && year < 100) {
    return Date.UTC(year + 400, month - 1, day, hour, minute, second) - 12_622_780_800_000;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * Offset (local - UTC) in ms of `zone` at the instant `utcMs`; null for an unknown zone.
 * Example: offsetAt('Europe/Stockholm', Date.UTC(2026, 10, 28)) === 3_600_000.
 */
export function offsetAt(zone: string, utcMs: EpochMs): number | null {
  const cache = zoneCache(zone);
  if (cache === null) return null;
  const dtf = cache.dtf;
  if (dtf === null) return 0;
  const hourIndex = Math.floor(utcMs / HOUR);
  const cached = cache.byUtcHour.get(hourIndex);
  if (cached !== undefined && !Number.isNaN(cached)) return cached;
  if (cached !== undefined) return exactOffset(dtf, utcMs);
  const start = hourIndex * HOUR;
  const atStart = exactOffset(dtf, start);
  const atEnd = exactOffset(dtf, start + HOUR - 1000);
  if (cache.byUtcHour.size >= MAX_CACHED_HOURS) cache.byUtcHour.clear();
  if (atStart === atEnd) {
    cache.byUtcHour.set(hourIndex, atStart);
    return atStart;
  }
  cache.byUtcHour.set(hourIndex, MIXED);
  return exactOffset(dtf, utcMs);
}

/** Exact local -> UTC resolution; see localToUtc for the rules. */
function resolveLocal(zone: string, localMs: number): EpochMs {
  const before = offsetAt(zone, localMs - DAY) ?? 0;
  const after = offsetAt(zone, localMs + DAY) ?? 0;
  const candBefore = localMs - before;
  const candAfter = localMs - after;
  const okBefore = offsetAt(zone, candBefore) === before;
  const okAfter = offsetAt(zone, candAfter) === after;
  if (okBefore && okAfter) return Math.min(candBefore, candAfter);
  if (okBefore) return candBefore;
  if (okAfter) return candAfter;
  // The wall time does not exist (skipped by a spring-forward gap): read it with the offset in force
  // before the gap, which lands after the gap, as a clock that was not yet adjusted would mean it.
  return candBefore;
}

/**
 * Converts a wall-clock time in `zone` (given as ms since the epoch as if the wall clock were UTC)
 * to a UTC instant; null for an unknown zone.
 *
 * DST: an ambiguous wall time (the repeated hour when clocks go back) resolves to the EARLIER
 * instant, i.e. the first pass through that hour, because RFC 3164 gives nothing to tell them apart
 * and a sender logs the first pass first. A non-existent wall time (the hour skipped when clocks go
 * forward) is read with the offset in force before the gap.
 *
 * Example: `Mar 29 02:30:00` does not exist in Europe/Stockholm in 2026;
 * `Oct 25 02:30:00` exists twice and gives 2026-10-25T00:30:00Z.
 */
export function localToUtc(zone: string, localMs: number): EpochMs | null {
  const cache = zoneCache(zone);
  if (cache === null) return null;
  if (cache.dtf === null) return localMs;
  const hourIndex = Math.floor(localMs / HOUR);
  const cached = cache.byLocalHour.get(hourIndex);
  if (cached !== undefined && !Number.isNaN(cached)) return localMs - cached;
  if (cached !== undefined) return resolveLocal(zone, localMs);
  // An hour of wall time is cacheable when both its ends resolve with the same offset and that
  // offset holds over the whole resulting UTC hour (no gap or fold anywhere inside it).
  const start = hourIndex * HOUR;
  const offStart = offsetAt(zone, start - (offsetAt(zone, start) ?? 0));
  const utcStart = resolveLocal(zone, start);
  const utcEnd = resolveLocal(zone, start + HOUR - 1000);
  if (cache.byLocalHour.size >= MAX_CACHED_HOURS) cache.byLocalHour.clear();
  if (
    offStart !== null &&
    start - utcStart === offStart &&
    start + HOUR - 1000 - utcEnd === offStart &&
    offsetAt(zone, utcStart - DAY) === offStart &&
    offsetAt(zone, utcStart + DAY) === offStart
  ) {
    cache.byLocalHour.set(hourIndex, offStart);
    return localMs - offStart;
  }
  cache.byLocalHour.set(hourIndex, MIXED);
  return resolveLocal(zone, localMs);
}

/** Calendar fields of a UTC instant (or of a wall-clock time written as if it were UTC). */
export interface CivilTime {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/**
 * Epoch ms -> calendar fields without a Date object (STYLE.md §5), by Howard Hinnant's
 * days-from-civil inverse (public-domain algorithm, http://howardhinnant.github.io/date_algorithms.html).
 */
export function civilFromMs(ms: EpochMs): CivilTime {
  const days = Math.floor(ms / DAY);
  let rest = ms - days * DAY;
  const hour = Math.floor(rest / HOUR);
  rest -= hour * HOUR;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day, hour, minute, second, ms: milli };
}

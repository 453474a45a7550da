/**
 * Measure a constant clock offset per DHCP server: how far the times in its syslog lines run ahead of the
 * times dhcpd gives Gluff (the queue row's start is dhcpd's own `starts`). A skewed syslog clock otherwise
 * shows as a cascade of start/end mismatches and rows split and merged at shifted cut-offs; measured once, it
 * is reported once (`clock-skew`) and the rebuild can replay that server's lines with the offset taken off.
 *
 * Method: every expected row whose first ACK came from host h is paired with the actual row of the same IP,
 * hw, circuit-id and remote-id whose start is nearest (within `maxSkewSec`); the offset is the most common
 * whole-second difference (±1 s) when enough rows agree on it. Rows of a clean server differ by 0.
 */
import type { ActualLease, ExpectedLease, Finding, RigSpec } from '../model/index.js';

/** A server whose line times are off Gluff's by a constant. */
export interface ClockSkew {
  host: string;
  /** Line time minus Gluff time, ms (positive: the syslog clock runs ahead). */
  offsetMs: number;
  /** Rows of this host that were paired with an actual row. */
  samples: number;
  /** Of those, how many agree on the offset (±1 s). */
  agreeing: number;
}

export interface ClockSkewOptions {
  /** Furthest offset looked for, seconds (default 600). */
  maxSkewSec?: number;
  /** Fewest agreeing rows to call an offset (default 5). */
  minAgreeing?: number;
  /** Smallest share of the paired rows that must agree (default 0.6). */
  minShare?: number;
}

/**
 * The servers whose offset is beyond the spec's start tolerance. Pure; rows without `startHost` or marked
 * inconclusive are not used.
 */
export function measureClockSkew(
  expected: readonly ExpectedLease[],
  actual: readonly ActualLease[],
  spec: RigSpec,
  options: ClockSkewOptions = {},
): ClockSkew[] {
  const maxMs = (options.maxSkewSec ?? 600) * 1000;
  const minAgreeing = options.minAgreeing ?? 5;
  const minShare = options.minShare ?? 0.6;
  const byKey = new Map<string, number[]>();
  for (const a of actual) {
    if (a.ip === null || a.hw === null || a.startMs === null) continue;
    const key = `${a.ip}|${a.hw}|${a.cidHex ?? ''}|${a.remoteIdHex ?? ''}`;
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [a.startMs]);
    else list.push(a.startMs);
  }
  const deltasByHost = new Map<string, number[]>();
  for (const e of expected) {
    const host = e.startHost ?? null;
    if (host === null || host === '' || e.inconclusive !== null) continue;
    const starts = byKey.get(`${e.ip}|${e.hw}|${e.cidHex ?? ''}|${e.remoteIdHex ?? ''}`);
    if (starts === undefined) continue;
    let best: number | null = null;
    for (const s of starts) {
      const d = e.startMs - s;
      if (Math.abs(d) <= maxMs && (best === null || Math.abs(d) < Math.abs(best))) best = d;
    }
    if (best === null) continue;
    const list = deltasByHost.get(host);
    if (list === undefined) deltasByHost.set(host, [best]);
    else list.push(best);
  }
  const out: ClockSkew[] = [];
  for (const [host, deltas] of deltasByHost) {
    const counts = new Map<number, number>();
    for (const d of deltas) {
      const sec = Math.round(d / 1000);
      counts.set(sec, (counts.get(sec) ?? 0) + 1);
    }
    let bestSec = 0;
    let bestCount = -1;
    for (const sec of counts.keys()) {
      const n = (counts.get(sec - 1) ?? 0) + (counts.get(sec) ?? 0) + (counts.get(sec + 1) ?? 0);
      if (n > bestCount || (n === bestCount && Math.abs(sec) < Math.abs(bestSec))) {
        bestSec = sec;
        bestCount = n;
      }
    }
    if (bestCount < minAgreeing || bestCount < deltas.length * minShare) continue;
    if (Math.abs(bestSec) <= spec.tolerances.startSkewSec) continue;
    out.push({ host, offsetMs: bestSec * 1000, samples: deltas.length, agreeing: bestCount });
  }
  return out.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

/** One `clock-skew` finding per skewed server (severity fail: every time that server logs is off). */
export function clockSkewFindings(skews: readonly ClockSkew[], spec: RigSpec): Finding[] {
  return skews.map((k) => ({
    kind: 'clock-skew',
    severity: 'fail',
    culprit: 'rig',
    ip: null,
    hw: null,
    message: `${k.host}'s syslog clock runs ${Math.abs(k.offsetMs) / 1000} s ${k.offsetMs > 0 ? 'ahead of' : 'behind'} the times dhcpd gives Gluff (${k.agreeing} of ${k.samples} rows agree; tolerance ${spec.tolerances.startSkewSec} s): its lines were replayed with the offset taken off`,
    expected: null,
    actual: [],
    evidence: [],
    evidenceLines: [],
    details: {
      host: k.host,
      offsetSec: k.offsetMs / 1000,
      samples: k.samples,
      agreeing: k.agreeing,
      toleranceSec: spec.tolerances.startSkewSec,
    },
  }));
}

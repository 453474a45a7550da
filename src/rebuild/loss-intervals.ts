/**
 * Channel loss: where the collector's own counters say messages were dropped. Any lease row alive in such an
 * interval may be missing evidence, so rebuild marks it inconclusive instead of judging it.
 */
import type { ChannelLoss, ChannelStats } from '../model/index.js';

/**
 * Turn periodic collector snapshots into loss intervals: for each listener, every pair of consecutive
 * snapshots between which `kernelDrops` or `appDrops` rose gives `[previous.atMs, current.atMs]`. A counter
 * that went down (collector restart) counts its whole new value as lost since the previous snapshot.
 * Touching or overlapping intervals of one listener are merged. Sorted by fromMs.
 */
export function lossIntervals(stats: readonly ChannelStats[]): ChannelLoss[] {
  const byListener = new Map<string, ChannelStats[]>();
  for (const s of stats) {
    const list = byListener.get(s.listener);
    if (list === undefined) byListener.set(s.listener, [s]);
    else list.push(s);
  }
  const out: ChannelLoss[] = [];
  for (const [listener, list] of byListener) {
    const sorted = [...list].sort((a, b) => a.atMs - b.atMs);
    let merged: ChannelLoss | null = null;
    for (let i = 0; i < sorted.length; i++) {
      const cur = sorted[i]!;
      const prev = i > 0 ? sorted[i - 1]! : null;
      const kernel = prev === null ? 0 : rise(prev.kernelDrops, cur.kernelDrops);
      const app = prev === null ? 0 : rise(prev.appDrops, cur.appDrops);
      if (prev === null || kernel + app === 0) continue;
      if (merged !== null && merged.toMs >= prev.atMs) {
        merged.toMs = cur.atMs;
        merged.kernelDrops += kernel;
        merged.appDrops += app;
      } else {
        if (merged !== null) out.push(merged);
        merged = { listener, fromMs: prev.atMs, toMs: cur.atMs, kernelDrops: kernel, appDrops: app };
      }
    }
    if (merged !== null) out.push(merged);
  }
  return out.sort((a, b) => a.fromMs - b.fromMs || a.listener.localeCompare(b.listener));
}

/** How much a cumulative counter rose; a reset (lower value) means the new value was all lost since. */
function rise(before: number, after: number): number {
  return after >= before ? after - before : after;
}

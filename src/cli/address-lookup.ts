/**
 * `where` and `who` at the edge: reads what verify would judge about one address, and no more, through the
 * event store's lookup index (sources/sqlite/lookup-keys.ts) and Gluff's rows of that address, then judges it
 * with verify's own judgement (query/judge-address.ts). The answers are the ones `verify` over the whole store
 * gives for that address (test/integration/where-real-gluff.spec.ts holds them to it minute by minute).
 *
 * What one address's answer reads (ARCHITECTURE.md "where and who"):
 * 1. its episode (query/episode.ts): its lines between two quiet stretches of two maximum leases and 12 min,
 *    found by walking the index hour by hour from T, widened to the Gluff rows of the address it meets;
 * 2. the address's lease lines over the episode, from a pre-roll of one lease before the last line ahead of
 *    it (the replay's carry-over across the quiet stretch: the last fact's time, dhcpd's lease);
 * 3. the ACKs of its clients on other addresses (where a move left them), the permuter's lines from the map
 *    in force at the start to the first map after the end, the collector's loss intervals meeting it;
 * 4. when verify fails something there, the attribution's context: dhcpd's and gluff's lines of both
 *    servers around each of the address's lines (queue errors, the process's first ACK after a restart, the
 *    queue's idx), the address's earlier lines until each server's own last ACK (what its copy of the lease
 *    holds), each server's first gluff record. A store of at most `wholeStoreLimit` messages is read whole
 *    for it instead.
 */
import { AuditError } from '../model/errors.js';
import type { EventKind, StoredEvent } from '../model/events.js';
import type { ActualLease, EvidenceLine } from '../model/lease.js';
import type { RigSpec } from '../model/spec.js';
import { findEpisode, type Episode, type EpisodeIndex } from '../query/episode.js';
import { judgeAddress, type AddressJudgement } from '../query/judge-address.js';
import {
  answerInputOf,
  answerOnPort,
  answerWhere,
  answerWho,
  type AnswerInput,
  type WhereAnswer,
  type WhoStint,
} from '../query/where-answer.js';
import { lossIntervals } from '../rebuild/loss-intervals.js';
import type { EventSelection, EventStore, LookupSpan } from '../sources/sqlite/event-store.js';
import type { GluffRowFilter } from '../parse/gluff-row.js';
import { compareIps, REBUILD_KINDS } from './verification.js';

const HOUR_MS = 3_600_000;
/** Beyond two maximum leases, the quiet stretch that closes an episode (see episode.ts, judgeAddress). */
const EPISODE_MARGIN_MS = 12 * 60_000;
/** The pre-roll starts this long before one lease ahead of the last line before the episode. */
const PREROLL_SLACK_MS = 5_000;
/** Attribution context around each of the address's lines: dhcpd's process state and the queue's errors. */
const CONTEXT_BEFORE_MS = 60_000;
const CONTEXT_AFTER_MS = 10_000;
/** Default of LookupOptions.wholeStoreLimit. */
const WHOLE_STORE_LIMIT = 200_000;

/** The address's own lines the rebuild and the attribution read (and the lookup index keeps by address). */
const ADDRESS_KINDS: EventKind[] = ['dhcpack', 'commit', 'reuse-lease', 'dhcprelease', 'gluff-record'];
const PORT_KINDS: EventKind[] = ['port-down', 'port-map'];
/** What the attribution reads of the servers beside the address's lines (the permuter's lines it does not). */
const CONTEXT_KINDS: EventKind[] = REBUILD_KINDS.filter((k) => !PORT_KINDS.includes(k));

export interface LookupOptions {
  /** The event store (opened read-only, schema 5); null: Gluff's table alone. */
  store: EventStore | null;
  /** Reads Gluff's rows (a filter: one address's, one client's); null: the event store alone. */
  gluffRows: ((filter: GluffRowFilter) => Promise<ActualLease[]>) | null;
  spec: RigSpec;
  asOfMs: number;
  /**
   * A failed stint's attribution replays what dhcpd's queue patch did with every line of the servers around
   * the address's lines. A store of at most this many messages is read whole for it (what verify reads); a
   * bigger one in neighbourhoods of the address's lines. Default 200,000; 0 always reads neighbourhoods.
   */
  wholeStoreLimit?: number;
}

/** One address's episode judged, with the lines it was judged on (for evidence: the map in force at T). */
export interface AddressResult {
  judgement: AddressJudgement;
  events: readonly StoredEvent[];
}

function floorSec(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

/** Looks addresses and clients up in one store and one Gluff table. */
export class AddressLookup {
  private readonly store: EventStore | null;
  private readonly spec: RigSpec;
  private readonly asOfMs: number;
  private readonly wholeStoreLimit: number;
  private readonly readGluff: ((filter: GluffRowFilter) => Promise<ActualLease[]>) | null;
  private readonly rowsByIp = new Map<string, ActualLease[]>();
  private readonly hours: { first: number; last: number } | null;
  private firstEventMs: number | null | undefined = undefined;
  /** Lookup entries read, per key and hour: the episode walk and the reads after it ask for the same hours. */
  private readonly spansRead = new Map<number, Map<number, LookupSpan[]>>();

  constructor(opts: LookupOptions) {
    this.store = opts.store;
    this.spec = opts.spec;
    this.asOfMs = opts.asOfMs;
    this.wholeStoreLimit = opts.wholeStoreLimit ?? WHOLE_STORE_LIMIT;
    this.readGluff = opts.gluffRows;
    if (this.store !== null && !this.store.hasLookupIndex) {
      throw new AuditError(
        'GV_STORE_SCHEMA',
        `event store '${this.store.path}' has no lookup index (it was written by an older gluff-verify); ` +
          'open it once with a writing command (ingest, reparse, collect), which adds and fills it',
      );
    }
    this.hours = this.store?.lookupHours() ?? null;
  }

  /** Which sources answer. */
  get sources(): 'both' | 'channel' | 'gluff' {
    return this.store === null ? 'gluff' : this.readGluff === null ? 'channel' : 'both';
  }

  private get maxLeaseMs(): number {
    return this.spec.lease.maxSec * 1000;
  }

  /** Gluff's rows of an address and the rows whose address is unknown, read once per address. */
  private async gluffRowsOf(ip: string): Promise<ActualLease[] | null> {
    if (this.readGluff === null) return null;
    let rows = this.rowsByIp.get(ip);
    if (rows === undefined) {
      rows = await this.readGluff({ ip });
      this.rowsByIp.set(ip, rows);
    }
    return rows;
  }

  /** The store's first event (of the kinds the rebuild reads) up to as-of: where verify's evidence begins. */
  private evidenceFromMs(): number | null {
    if (this.firstEventMs === undefined) {
      const it = this.store!.queryEvents({ kinds: REBUILD_KINDS, toMs: this.asOfMs + 1 });
      const first = it.next();
      it.return?.();
      this.firstEventMs = first.done === true ? null : first.value.timeMs;
    }
    return this.firstEventMs;
  }

  /** The lookup entries of `key` in hour `hour` (read once per lookup: one question, a read-only store). */
  private spans(key: number, hour: number): LookupSpan[] {
    let byHour = this.spansRead.get(key);
    if (byHour === undefined) {
      byHour = new Map();
      this.spansRead.set(key, byHour);
    }
    let spans = byHour.get(hour);
    if (spans === undefined) {
      spans = this.store!.lookupHour(key, hour);
      byHour.set(hour, spans);
    }
    return spans;
  }

  /** Every hour of [fromMs, toMs) that the index can hold entries in. */
  private *hoursOf(fromMs: number, toMs: number): Generator<number> {
    if (this.hours === null || !(fromMs < toMs)) return;
    const from = Math.max(hourOf(fromMs), this.hours.first);
    const to = Math.min(hourOf(toMs - 1), this.hours.last);
    for (let h = from; h <= to; h++) yield h;
  }

  /** Adds the events of `key` and `kinds` in [fromMs, toMs) to `sel`, hour by hour. */
  private selectKey(
    sel: EventSelection,
    key: number,
    fromMs: number,
    toMs: number,
    kinds: EventKind[],
  ): void {
    const store = this.store!;
    for (const h of this.hoursOf(fromMs, toMs)) {
      const spans = this.spans(key, h);
      if (spans.length > 0) store.select(sel, key, spans, fromMs, toMs, kinds);
    }
  }

  /** The latest event of `kind` before `beforeMs` that `accept` takes, walking the index back; null when none. */
  private latestBefore(
    kind: EventKind,
    beforeMs: number,
    accept: (e: StoredEvent) => boolean,
  ): StoredEvent | null {
    const store = this.store!;
    const key = store.lookupKey({ kind });
    if (key === null || this.hours === null) return null;
    for (let h = Math.min(hourOf(beforeMs), this.hours.last); h >= this.hours.first; h--) {
      const spans = store.lookupHour(key, h);
      if (spans.length === 0) continue;
      const sel = store.newSelection();
      store.select(sel, key, spans, h * HOUR_MS, beforeMs, [kind]);
      const found = store.selectedEvents(sel).filter(accept);
      if (found.length > 0) return found[found.length - 1]!;
    }
    return null;
  }

  /** The earliest event of `kind` from `fromMs` on (up to as-of) that `accept` takes; null when none. */
  private firstFrom(
    kind: EventKind,
    fromMs: number,
    accept: (e: StoredEvent) => boolean,
  ): StoredEvent | null {
    const store = this.store!;
    const key = store.lookupKey({ kind });
    if (key === null) return null;
    for (const h of this.hoursOf(fromMs, this.asOfMs + 1)) {
      const spans = store.lookupHour(key, h);
      if (spans.length === 0) continue;
      const sel = store.newSelection();
      store.select(sel, key, spans, fromMs, this.asOfMs + 1, [kind]);
      const found = store.selectedEvents(sel).find(accept);
      if (found !== undefined) return found;
    }
    return null;
  }

  /**
   * The judgement of `ip` over its episode around `seed` (an instant, or a Gluff row's span), as verify
   * judges the whole store. Without an event store, Gluff's rows of the address alone.
   */
  async judge(ip: string, seed: { fromMs: number; toMs: number }): Promise<AddressResult> {
    const spec = this.spec;
    const rows = await this.gluffRowsOf(ip);
    const store = this.store;
    if (store === null) {
      return {
        judgement: {
          ip,
          episode: seed,
          expected: [],
          actual: (rows ?? []).filter((a) => a.ip === ip),
          findings: [],
          settleBoundMs: this.asOfMs - spec.tolerances.settleSec * 1000,
        },
        events: [],
      };
    }
    const key = store.lookupKey({ ip });
    if (key === null)
      throw new AuditError('GV_USAGE', `'${ip}' is not an IPv4 address (expected a dotted quad)`);
    const maxMs = this.maxLeaseMs;
    const tolMs =
      Math.max(spec.tolerances.startSkewSec, spec.tolerances.endSkewSec, spec.tolerances.approxEndSkewSec) *
      1000;
    const valid = (rows ?? []).filter(
      (a): a is ActualLease & { startMs: number; endMs: number } =>
        a.ip === ip && a.hw !== null && a.startMs !== null && a.endMs !== null && a.endMs >= a.startMs,
    );
    const index: EpisodeIndex = { spansOfHour: (h) => this.spans(key, h), hours: this.hours };
    const gapMs = 2 * maxMs + EPISODE_MARGIN_MS;
    // The episode, widened until no Gluff row it meets reaches beyond it (such a row links the stints it
    // overlaps into one diff component: they are judged together).
    let s = seed;
    let ep: Episode;
    for (;;) {
      ep = findEpisode(index, s, gapMs, this.asOfMs);
      const lo = ep.fromMs - maxMs - tolMs;
      const hi = ep.toMs + maxMs + tolMs;
      const met = valid.filter((a) => a.startMs <= hi && a.endMs >= lo);
      const from = Math.min(ep.fromMs, ...met.map((a) => a.startMs));
      const to = Math.max(ep.toMs, ...met.map((a) => a.endMs));
      if (from >= ep.fromMs && to <= ep.toMs) break;
      s = { fromMs: from, toMs: to };
    }
    const episode = { fromMs: ep.fromMs, toMs: ep.toMs };
    const readFrom =
      ep.beforeMs === null ? Number.MIN_SAFE_INTEGER : floorSec(ep.beforeMs - maxMs - PREROLL_SLACK_MS);
    const readTo = floorSec(ep.toMs) + 1000;
    const endMs = floorSec(ep.toMs + maxMs) + 1000;
    const sel = store.newSelection();
    this.selectKey(sel, key, readFrom, readTo, ADDRESS_KINDS);
    const own = store.selectedEvents(sel);
    const moves = this.selectPermuter(sel, readFrom, endMs);
    // Its clients' ACKs elsewhere: where a client the permuter moved went next (the rebuild's note that the
    // move had no DHCP exchange names it). Without a permuter map nothing reads them: they are not read.
    if (moves) {
      const macs = new Set<string>();
      for (const e of own) {
        if (e.kind === 'dhcpack' && e.timeMs >= ep.fromMs) macs.add(e.mac);
      }
      for (const mac of macs) {
        const macKey = store.lookupKey({ mac });
        if (macKey !== null) this.selectKey(sel, macKey, floorSec(ep.fromMs), endMs, ['dhcpack']);
      }
    }
    const losses = lossIntervals(store.channelStatsAround(readFrom, endMs));
    const evidenceFromMs = this.evidenceFromMs();
    const actualOf = (): ActualLease[] | null =>
      rows === null
        ? null
        : rows.filter(
            (a) =>
              !valid.includes(a as ActualLease & { startMs: number; endMs: number }) ||
              (a.startMs! <= ep.toMs + maxMs + tolMs && a.endMs! >= ep.fromMs - maxMs - tolMs),
          );
    const actual = actualOf();
    let events = store.selectedEvents(sel);
    let judgement = judgeAddress({ ip, episode, events, actual, losses, evidenceFromMs }, spec, this.asOfMs);
    if (
      actual !== null &&
      judgement.findings.some((f) => f.severity === 'fail' && f.kind !== 'channel-gap')
    ) {
      events = this.attributionContext(sel, ip, key, own, readFrom, readTo, ep.fromMs);
      judgement = judgeAddress({ ip, episode, events, actual, losses, evidenceFromMs }, spec, this.asOfMs);
    }
    return { judgement, events };
  }

  /**
   * The permuter's lines from the map in force at `fromMs` (or the start) to `toMs`, and on to the next map
   * when the last is a `down`: the rebuild's port state over the episode is the whole replay's. Says whether
   * it holds a map (a move the rebuild may note).
   */
  private selectPermuter(sel: EventSelection, fromMs: number, toMs: number): boolean {
    const store = this.store!;
    if (store.lookupKey({ kind: 'port-map' }) === null && store.lookupKey({ kind: 'port-down' }) === null)
      return false;
    const permuter = this.spec.permuterHost;
    const seed =
      fromMs === Number.MIN_SAFE_INTEGER
        ? null
        : this.latestBefore('port-map', fromMs, (e) => e.host === permuter);
    const from = seed === null ? fromMs : floorSec(seed.timeMs);
    store.selectWindow(sel, from, toMs, PORT_KINDS);
    const lines = store
      .selectedEvents(sel)
      .filter((e) => e.host === permuter && (e.kind === 'port-map' || e.kind === 'port-down'));
    if (lines[lines.length - 1]?.kind === 'port-down') {
      const map = this.firstFrom('port-map', toMs, (e) => e.host === permuter);
      if (map !== null) store.selectWindow(sel, toMs, floorSec(map.timeMs) + 1000, PORT_KINDS);
    }
    return lines.some((e) => e.kind === 'port-map');
  }

  /**
   * What the attribution of a failed stint reads beside the address's lines (module comment, step 4), added
   * to `sel`; returns the lines in order.
   */
  private attributionContext(
    sel: EventSelection,
    ip: string,
    key: number,
    own: readonly StoredEvent[],
    readFrom: number,
    readTo: number,
    episodeFromMs: number,
  ): StoredEvent[] {
    const store = this.store!;
    if (store.messageCount() <= this.wholeStoreLimit) {
      return [...store.queryEvents({ kinds: REBUILD_KINDS, toMs: this.asOfMs + 1 })];
    }
    const servers = this.spec.servers.map((s) => s.host);
    // Earlier lines of the address, until each server's own last fresh ACK (what its copy of the lease holds)
    // or a change of client (which clears what either server held for the old one).
    const ofIp = (e: StoredEvent): boolean => (e as { ip?: string }).ip === ip;
    let earlier = own.filter(ofIp);
    for (let h = hourOf(readFrom) - 1; this.hours !== null && h >= this.hours.first; h--) {
      if (settled(earlier, servers, episodeFromMs)) break;
      const spans = store.lookupHour(key, h);
      if (spans.length === 0) continue;
      store.select(sel, key, spans, h * HOUR_MS, readFrom, ADDRESS_KINDS);
      earlier = store.selectedEvents(sel).filter(ofIp);
    }
    // Both servers' lines around each of the address's ACKs and releases.
    const times = store
      .selectedEvents(sel)
      .filter((e) => (e.kind === 'dhcpack' || e.kind === 'dhcprelease') && e.ip === ip && e.timeMs < readTo)
      .map((e) => e.timeMs);
    const windows: [number, number][] = [];
    for (const t of times) {
      const w: [number, number] = [floorSec(t - CONTEXT_BEFORE_MS), floorSec(t + CONTEXT_AFTER_MS) + 1000];
      const last = windows[windows.length - 1];
      if (last !== undefined && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
      else windows.push(w);
    }
    for (const [a, b] of windows) store.selectWindow(sel, a, b, CONTEXT_KINDS);
    // Each server's first gluff record: from then on, gluff's own lines say what it consumed.
    for (const host of servers) {
      const first = this.firstFrom('gluff-record', Number.MIN_SAFE_INTEGER, (e) => e.host === host);
      if (first !== null) {
        store.selectWindow(sel, floorSec(first.timeMs), floorSec(first.timeMs) + 1000, ['gluff-record']);
      }
    }
    return store.selectedEvents(sel);
  }

  /** `where IP --at T`. */
  async where(ip: string, atMs: number): Promise<{ answer: WhereAnswer; result: AddressResult }> {
    const result = await this.judge(ip, { fromMs: atMs, toMs: atMs });
    const input: AnswerInput =
      this.store === null
        ? { ...answerInputOf(result.judgement), sources: 'gluff' }
        : answerInputOf(result.judgement);
    return { answer: answerWhere(input, atMs, this.spec), result };
  }

  /** `who MAC [--from T] [--to T]`: every stint of the client meeting the range, per source. */
  async who(mac: string, range: { fromMs: number | null; toMs: number | null }): Promise<WhoStint[]> {
    const store = this.store;
    const fromMs = range.fromMs ?? Number.MIN_SAFE_INTEGER;
    const toMs = Math.min(range.toMs ?? Number.MAX_SAFE_INTEGER, this.asOfMs + 1);
    const judged = new Map<string, AddressJudgement[]>();
    const inputs: AnswerInput[] = [];
    const judgeAt = async (ip: string, seed: { fromMs: number; toMs: number }): Promise<void> => {
      const done = judged.get(ip) ?? [];
      if (done.some((j) => j.episode.fromMs <= seed.fromMs && seed.toMs <= j.episode.toMs)) return;
      const { judgement } = await this.judge(ip, seed);
      done.push(judgement);
      judged.set(ip, done);
      inputs.push(
        store === null ? { ...answerInputOf(judgement), sources: 'gluff' } : answerInputOf(judgement),
      );
    };
    if (store !== null) {
      const key = store.lookupKey({ mac });
      if (key === null)
        throw new AuditError('GV_USAGE', `'${mac}' is not a MAC address (expected 52:54:00:12:34:56)`);
      const sel = store.newSelection();
      this.selectKey(sel, key, fromMs, toMs, ['dhcpack', 'commit', 'dhcprelease']);
      for (const e of store.selectedEvents(sel)) {
        const ip = (e as { ip?: string }).ip;
        if (ip !== undefined) await judgeAt(ip, { fromMs: e.timeMs, toMs: e.timeMs });
      }
    }
    if (this.readGluff !== null) {
      const rows = await this.readGluff({ hw: mac });
      for (const a of rows) {
        if (a.ip === null || a.startMs === null || a.endMs === null) continue;
        if (a.endMs <= fromMs || a.startMs >= toMs) continue;
        await judgeAt(a.ip, { fromMs: a.startMs, toMs: Math.max(a.startMs, a.endMs) });
      }
    }
    return answerWho(inputs, mac, range, this.spec);
  }

  /**
   * `who --port NAME --at T`: the answers at T of every address whose client either source puts behind the
   * port: the commits that named its Option 82 within a lease before T, the clients the permuter had bridged
   * to it (the spec's segments), Gluff's rows with its Option 82 covering T.
   */
  async port(name: string, atMs: number): Promise<WhereAnswer[]> {
    const spec = this.spec;
    const port = spec.switch.ports.find((p) => p.name === name);
    if (port === undefined) {
      throw new AuditError(
        'GV_USAGE',
        `who: --port '${name}' is not a port of the spec; expected one of ${spec.switch.ports.map((p) => p.name).join(', ')}`,
      );
    }
    const candidates = new Set<string>();
    const store = this.store;
    if (store !== null) {
      const from = floorSec(atMs - this.maxLeaseMs - 60_000);
      const sel = store.newSelection();
      store.selectWindow(sel, from, floorSec(atMs) + 1000, ['commit']);
      for (const e of store.selectedEvents(sel)) {
        if (e.kind === 'commit' && e.circuitIdHex === port.circuitIdHex && e.remoteIdHex === port.remoteIdHex)
          candidates.add(e.ip);
      }
      const map = this.latestBefore('port-map', atMs + 1, (e) => e.host === spec.permuterHost);
      if (map !== null && map.kind === 'port-map') {
        const ifaces = map.bridges.filter((b) => b.switchIf === port.switchIf).flatMap((b) => b.clientIfs);
        const macs = spec.clientSegments.filter((c) => ifaces.includes(c.iface)).flatMap((c) => c.macs);
        for (const mac of macs) {
          const key = store.lookupKey({ mac });
          if (key === null) continue;
          const macSel = store.newSelection();
          this.selectKey(macSel, key, from, floorSec(atMs) + 1000, ['dhcpack']);
          for (const e of store.selectedEvents(macSel)) if (e.kind === 'dhcpack') candidates.add(e.ip);
        }
      }
    }
    if (this.readGluff !== null) {
      for (const a of await this.readGluff({})) {
        if (a.ip === null || a.startMs === null || a.endMs === null) continue;
        if (
          a.startMs <= atMs &&
          atMs < a.endMs &&
          a.cidHex === port.circuitIdHex &&
          a.remoteIdHex === port.remoteIdHex
        )
          candidates.add(a.ip);
      }
    }
    const answers: WhereAnswer[] = [];
    for (const ip of [...candidates].sort(compareIps)) {
      const { answer } = await this.where(ip, atMs);
      if (answerOnPort(answer, name, spec)) answers.push(answer);
    }
    return answers;
  }

  /** The raw lines of these event ids (none without a store). */
  evidenceLines(ids: readonly number[]): EvidenceLine[] {
    return this.store === null ? [] : this.store.evidenceLines(ids);
  }
}

/**
 * Whether the address's lines read so far fix what each server's copy of the lease holds when the episode
 * begins (attribute/queue-model.ts: a server keeps the options of its own last fresh ACK while the peer ACKs
 * the same client): every server has, at or before `atMs`, a fresh ACK of its own (no reuse_lease line of
 * that server in the second before it) or an ACK of another client than the ACK before it (which clears what
 * either server held).
 */
function settled(events: readonly StoredEvent[], servers: readonly string[], atMs: number): boolean {
  const acks = events.filter((e) => e.kind === 'dhcpack' && e.timeMs <= atMs) as (StoredEvent & {
    mac: string;
  })[];
  for (let i = 1; i < acks.length; i++) if (acks[i]!.mac !== acks[i - 1]!.mac) return true;
  return servers.every((host) =>
    acks.some(
      (a) =>
        a.host === host &&
        !events.some(
          (r) =>
            r.kind === 'reuse-lease' &&
            r.host === host &&
            r.timeMs <= a.timeMs &&
            a.timeMs - r.timeMs <= 1000,
        ),
    ),
  );
}

/**
 * The two gluff daemons of the simulated rig: each polls its server's queue every 5 s (at its own
 * phase), claims what is there and applies it in `(start, idx)` order to the shared `leases` table
 * through the independent Gluff model (gluff-model.ts). Then the Gluff faults of the catalogue are
 * injected, each at a target chosen so that its effect is exactly the declared one (checked by
 * re-running the model), never by guessing.
 *
 * What is in the queue depends on when gluff takes rows out (the patch's primary key collides with a row
 * still queued: queue-patch-sim.ts), so the queue is asked for again for each set of stalls tried.
 */
import { applyQueueRow, type GluffModelOptions, type GluffRow, type QueueRow } from './gluff-model.js';
import type { FaultName } from './fault-catalogue.js';
import type { Rng } from './prng.js';
import type { QueueInput } from './queue-patch-sim.js';

/** A queue row with where and when it was queued and applied. */
export interface QueuedRow {
  /** Index of the DHCP server (and its gluff) in the spec. */
  server: number;
  row: QueueRow;
  /** When dhcpd inserted it (true time, ms). */
  queuedMs: number;
  /** When its gluff applied it (a 5 s poll, later when stalled); null when not yet at the end of the run. */
  processedMs: number | null;
  /** The queue patch call that queued it (queue-patch-sim.ts). */
  callId: number;
}

/** One gluff daemon unable to work (MySQL unreachable) for a while. */
export interface GluffStall {
  server: number;
  fromMs: number;
  toMs: number;
}

export interface RunGluffOptions {
  startMs: number;
  /** End of the simulated traffic: fault targets must be settled well before it. */
  endMs: number;
  /** The daemons keep polling until here (the as-of instant); later rows stay unprocessed. */
  processUntilMs: number;
  servers: number;
  /** Poll phase of each gluff within its 5 s cycle, ms. */
  phasesMs: readonly number[];
  /** Candidate stall windows, tried in order: the first after which the table is unchanged is used. */
  stallCandidates: readonly GluffStall[];
  /** Stalls that happen whatever the table (a fault's own), besides the chosen candidate. */
  fixedStalls?: readonly GluffStall[];
  /**
   * The patch call whose row gluff applies with Gluff 1.12's own comparison (hw, cid and rid all compared, for
   * a release too): the queue-peer-release-without-option82 fault's release, queued without Option 82.
   */
  asCodedCallId?: number | null;
  faults: readonly FaultName[];
  rng: Rng;
  settleMs: number;
  /** Lease time: a fault target needs this much regular history on both sides. */
  leaseSec: number;
}

export interface RunGluffResult {
  queueRows: QueuedRow[];
  table: GluffRow[];
  cleanTable: GluffRow[];
  /** The stall candidate used (gluff-stalled-then-catches-up), null when none. */
  stall: GluffStall | null;
  /** Every stall in effect: the fixed ones and the candidate used. */
  stalls: GluffStall[];
  injected: string[];
}

const POLL_MS = 5000;

interface Hooks {
  skip?: QueuedRow;
  duplicate?: QueuedRow;
  /** A row applied with Gluff 1.12's statements (find 'source') whatever the find of the others. */
  asCodedCallId?: number | null;
  /** How gluff's find works: the intended rules (clean) or Gluff 1.12's statements (fault gluff-1.12-find). */
  find?: GluffModelOptions['find'];
}

/** The clean Gluff follows the intended rules. */
const IDEAL: GluffModelOptions = { find: 'ideal' };

function pollAfter(t: number, startMs: number, phaseMs: number): number {
  const base = startMs + phaseMs;
  if (t <= base) return base;
  return base + Math.ceil((t - base) / POLL_MS) * POLL_MS;
}

/**
 * When a server's gluff takes a row inserted at queuedMs: its next poll, or the first poll after a stall that
 * poll falls in; null when that is after processUntilMs (never within the run).
 */
export function gluffTakesAt(
  opts: Pick<RunGluffOptions, 'startMs' | 'phasesMs' | 'processUntilMs'>,
  stalls: readonly GluffStall[],
  server: number,
  queuedMs: number,
): number | null {
  const phase = opts.phasesMs[server] ?? 0;
  let p = pollAfter(queuedMs, opts.startMs, phase);
  for (let moved = true; moved;) {
    moved = false;
    for (const s of stalls) {
      if (s.server === server && p >= s.fromMs && p < s.toMs) {
        p = pollAfter(s.toMs, opts.startMs, phase);
        moved = true;
      }
    }
  }
  return p > opts.processUntilMs ? null : p;
}

function processingOrder(
  queued: readonly QueueInput[],
  opts: RunGluffOptions,
  stalls: readonly GluffStall[],
): QueuedRow[] {
  const out: QueuedRow[] = queued.map((q) => ({
    server: q.server,
    row: q.row,
    queuedMs: q.queuedMs,
    processedMs: gluffTakesAt(opts, stalls, q.server, q.queuedMs),
    callId: q.callId,
  }));
  const key = (q: QueuedRow) => q.processedMs ?? Number.MAX_SAFE_INTEGER;
  return out.sort(
    (a, b) => key(a) - key(b) || a.server - b.server || a.row.start - b.row.start || a.row.idx - b.row.idx,
  );
}

/** Applies rows (already in processing order) through the Gluff model; ids are global creation order. */
function applyAll(ordered: readonly QueuedRow[], hooks: Hooks = {}): GluffRow[] {
  const byIp = new Map<string, GluffRow[]>();
  const all: GluffRow[] = [];
  let nextId = 1;
  for (const q of ordered) {
    if (q.processedMs === null || q === hooks.skip) continue;
    let rows = byIp.get(q.row.ip);
    if (rows === undefined) {
      rows = [];
      byIp.set(q.row.ip, rows);
    }
    const before = rows.length;
    // The model scans the table it is given; one table per address keeps a day of 1000 clients linear.
    const asCoded = hooks.asCodedCallId !== undefined && hooks.asCodedCallId === q.callId;
    applyQueueRow(
      rows,
      q.row,
      asCoded ? { find: 'source' } : hooks.find === undefined ? IDEAL : { find: hooks.find },
    );
    for (let i = before; i < rows.length; i++) {
      const made = rows[i] as GluffRow;
      made.id = nextId++;
      all.push(made);
    }
    if (q === hooks.duplicate && rows.length > before) {
      // The other daemon ran the same find before either made its row: it makes one too.
      const made = rows[rows.length - 1] as GluffRow;
      const copy = { ...made, id: nextId++ };
      rows.push(copy);
      all.push(copy);
    }
  }
  return all;
}

function contentKey(r: GluffRow): string {
  return `${r.ip}|${r.lstart}|${r.lend}|${r.hw}|${r.cid ?? ''}|${r.rid ?? ''}`;
}

/** Rows only in `a` and rows only in `b`, by content (ids ignored). */
function tableDiff(a: readonly GluffRow[], b: readonly GluffRow[]): { onlyA: GluffRow[]; onlyB: GluffRow[] } {
  const counts = new Map<string, number>();
  for (const r of b) counts.set(contentKey(r), (counts.get(contentKey(r)) ?? 0) + 1);
  const onlyA: GluffRow[] = [];
  for (const r of a) {
    const n = counts.get(contentKey(r)) ?? 0;
    if (n > 0) counts.set(contentKey(r), n - 1);
    else onlyA.push(r);
  }
  const left = new Map<string, number>();
  for (const r of a) left.set(contentKey(r), (left.get(contentKey(r)) ?? 0) + 1);
  const onlyB: GluffRow[] = [];
  for (const r of b) {
    const n = left.get(contentKey(r)) ?? 0;
    if (n > 0) left.set(contentKey(r), n - 1);
    else onlyB.push(r);
  }
  return { onlyA, onlyB };
}

function iso(sec: number): string {
  return new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Runs both daemons over the queue rows, then injects the Gluff faults. `queueFor(stalls)`: what the queue
 * patch queued when the gluffs take rows at those stalls (a row still queued makes a later insert collide).
 */
export function runGluff(
  queueFor: (stalls: readonly GluffStall[]) => readonly QueueInput[],
  opts: RunGluffOptions,
): RunGluffResult {
  const injected: string[] = [];
  const has = (f: FaultName) => opts.faults.includes(f);
  const rng = opts.rng;
  const fixed = [...(opts.fixedStalls ?? [])];
  const base = { asCodedCallId: opts.asCodedCallId ?? null };
  let ordered = processingOrder(queueFor(fixed), opts, fixed);
  const cleanTable = applyAll(ordered, base);
  let stall: GluffStall | null = null;
  for (const candidate of opts.stallCandidates) {
    const stalls = [...fixed, candidate];
    const stalled = processingOrder(queueFor(stalls), opts, stalls);
    const d = tableDiff(cleanTable, applyAll(stalled, base));
    if (d.onlyA.length === 0 && d.onlyB.length === 0) {
      stall = candidate;
      ordered = stalled;
      break;
    }
  }

  // Targets must be judged: well after the start and settled before the end.
  const spanS = (opts.endMs - opts.startMs) / 1000;
  const fromS = opts.startMs / 1000 + spanS * 0.1;
  const toS = (opts.endMs - opts.settleMs) / 1000 - 180;
  const inRegion = (start: number, end: number) => start >= fromS && end <= toS;

  const byIp = new Map<string, QueuedRow[]>();
  for (const q of ordered) {
    const list = byIp.get(q.row.ip);
    if (list === undefined) byIp.set(q.row.ip, [q]);
    else list.push(q);
  }
  const cleanByIp = new Map<string, GluffRow[]>();
  for (const r of cleanTable) {
    const list = cleanByIp.get(r.ip);
    if (list === undefined) cleanByIp.set(r.ip, [r]);
    else list.push(r);
  }
  // A target must sit where the clean table is regular: no overlapping rows of its address nearby
  // (same-second repeated ACKs can leave such rows, and a defect hidden among them is not the
  // declared one any more).
  const marginS = 2 * opts.leaseSec;
  const isolated = (ip: string, from: number, to: number, rows = cleanByIp.get(ip) ?? []) => {
    const near = rows.filter((r) => r.lend >= from - marginS && r.lstart <= to + marginS);
    for (let i = 0; i < near.length; i++) {
      for (let j = i + 1; j < near.length; j++) {
        const a = near[i] as GluffRow;
        const b = near[j] as GluffRow;
        if (a.lstart < b.lend && b.lstart < a.lend) return false;
      }
    }
    return true;
  };
  const trial = (q: QueuedRow, hooks: Hooks) => {
    const d = tableDiff(
      cleanByIp.get(q.row.ip) ?? [],
      applyAll(byIp.get(q.row.ip) ?? [], { ...base, ...hooks }),
    );
    return { removed: d.onlyA, added: d.onlyB };
  };
  const candidates = (pred: (q: QueuedRow) => boolean) =>
    rng
      .shuffle(ordered.filter((q) => q.processedMs !== null && pred(q)))
      .filter((q) => isolated(q.row.ip, q.row.start, q.row.end));

  const hooks: Hooks = { ...base };
  if (has('drop-ack')) {
    // Only an ACK whose row never grew (lend is still its own end) can vanish whole with it.
    const single = new Set(cleanTable.map((r) => `${r.ip}|${r.lstart}|${r.lend}`));
    const makesSingle = (q: QueuedRow) => single.has(`${q.row.ip}|${q.row.start}|${q.row.end}`);
    for (const q of candidates(
      (q) => q.row.rtype === 0 && makesSingle(q) && inRegion(q.row.start, q.row.end),
    )) {
      const { removed, added } = trial(q, { skip: q });
      if (removed.length === 1 && added.length === 0) {
        hooks.skip = q;
        injected.push(
          `drop-ack: the ACK of ${q.row.ip} (${q.row.hw}) at ${iso(q.row.start)} never reached the table`,
        );
        break;
      }
    }
    if (hooks.skip === undefined) injected.push('drop-ack: no ACK qualified (run longer); nothing dropped');
  }
  if (has('drop-release') && hooks.skip === undefined) {
    const ackEnd = new Map<string, number>();
    for (const q of ordered) {
      if (q.row.rtype !== 0) continue;
      const k = `${q.row.ip}|${q.row.start}`;
      ackEnd.set(k, Math.max(ackEnd.get(k) ?? 0, q.row.end));
    }
    for (const q of candidates((q) => q.row.rtype === 1 && inRegion(q.row.start, q.row.end))) {
      const { removed, added } = trial(q, { skip: q });
      const r = removed[0];
      const a = added[0];
      if (
        removed.length === 1 &&
        added.length === 1 &&
        r !== undefined &&
        a !== undefined &&
        r.lstart === a.lstart &&
        r.hw === a.hw &&
        r.cid === a.cid &&
        r.lend === q.row.end &&
        // The row must keep the ACK's end (not be cut by a later ACK): "release not applied".
        a.lend === ackEnd.get(`${q.row.ip}|${q.row.start}`) &&
        a.lend <= toS
      ) {
        hooks.skip = q;
        injected.push(
          `drop-release: the RELEASE of ${q.row.ip} (${q.row.hw}) at ${iso(q.row.end)} never reached the table; the row ends ${iso(a.lend)}`,
        );
        break;
      }
    }
    if (hooks.skip === undefined)
      injected.push('drop-release: no RELEASE qualified (run longer); nothing dropped');
  }
  if (has('duplicate-rows')) {
    for (const q of candidates((q) => q.row.rtype === 0 && inRegion(q.row.start, q.row.end))) {
      const { removed, added } = trial(q, { duplicate: q });
      if (removed.length === 0 && added.length === 1) {
        hooks.duplicate = q;
        injected.push(
          `duplicate-rows: both gluffs made a row for ${q.row.ip} (${q.row.hw}) at ${iso(q.row.start)}`,
        );
        break;
      }
    }
    if (hooks.duplicate === undefined)
      injected.push('duplicate-rows: no new lease qualified; nothing duplicated');
  }
  if (has('gluff-1.12-find')) {
    // Gluff 1.12's own statements over the whole run: where two rows cover a queue row's start (a cut-off
    // second, a copy of the same action from the other server) it mixes them.
    const d = tableDiff(cleanTable, applyAll(ordered, { ...base, find: 'source' }));
    if (d.onlyA.length > 0 || d.onlyB.length > 0) {
      hooks.find = 'source';
      const ips = [...new Set([...d.onlyA, ...d.onlyB].map((r) => r.ip))].sort();
      injected.push(
        `gluff-1.12-find: Gluff 1.12's find (first row's times, second row's values) changed ${d.onlyA.length} rows into ${d.onlyB.length} on ${ips.join(', ')}`,
      );
    } else injected.push('gluff-1.12-find: no queue row found two rows; the table is the ideal one');
  }
  const table =
    hooks.skip === undefined && hooks.duplicate === undefined && hooks.find === undefined
      ? cloneRows(cleanTable)
      : applyAll(ordered, hooks);

  // Table mutations: the row is written wrongly, the rest of Gluff's work is untouched.
  const judged = () => table.filter((r) => inRegion(r.lstart, r.lend) && isolated(r.ip, r.lstart, r.lend));
  const tableByIp = () => {
    const m = new Map<string, GluffRow[]>();
    for (const r of table) {
      const list = m.get(r.ip);
      if (list === undefined) m.set(r.ip, [r]);
      else list.push(r);
    }
    return m;
  };
  if (has('stale-port')) {
    const m = tableByIp();
    const target = rng
      .shuffle(judged())
      .find((r) =>
        (m.get(r.ip) ?? []).some((p) => p !== r && p.lend === r.lstart && p.hw === r.hw && p.cid !== r.cid),
      );
    if (target === undefined) injected.push('stale-port: no port change qualified; nothing changed');
    else {
      const prev = (m.get(target.ip) ?? []).find(
        (p) => p !== target && p.lend === target.lstart && p.hw === target.hw,
      );
      if (prev !== undefined) {
        injected.push(
          `stale-port: the row of ${target.ip} (${target.hw}) from ${iso(target.lstart)} got the previous circuit-id ${prev.cid ?? '-'} instead of ${target.cid ?? '-'}`,
        );
        target.cid = prev.cid;
        target.rid = prev.rid;
      }
    }
  }
  if (has('swapped-hw')) {
    const rows = rng.shuffle(judged());
    const a = rows[0];
    const b = rows.find((r) => a !== undefined && r.hw !== a.hw && r.ip !== a.ip);
    if (a === undefined || b === undefined)
      injected.push('swapped-hw: fewer than two rows qualified; nothing swapped');
    else {
      injected.push(
        `swapped-hw: rows ${a.id} (${a.ip}) and ${b.id} (${b.ip}) have their hardware addresses swapped`,
      );
      const hw = a.hw;
      a.hw = b.hw;
      b.hw = hw;
    }
  }
  if (has('shortened-end')) {
    // Rows that end where an ACK put the end (its lease end), not where a release or a later row cut them off.
    const ackEnds = new Set(ordered.filter((q) => q.row.rtype === 0).map((q) => `${q.row.ip}|${q.row.end}`));
    const starts = new Set(table.map((r) => `${r.ip}|${r.lstart}`));
    const rows = rng.shuffle(judged()).filter((r) => r.lend - r.lstart >= 180);
    const target = rows.find((r) => ackEnds.has(`${r.ip}|${r.lend}`) && !starts.has(`${r.ip}|${r.lend}`));
    if (target === undefined) injected.push('shortened-end: no row qualified; nothing changed');
    else {
      const by = Math.max(60, Math.floor((target.lend - target.lstart) / 3));
      injected.push(`shortened-end: the row of ${target.ip} from ${iso(target.lstart)} ends ${by} s early`);
      target.lend -= by;
    }
  }
  if (has('phantom-row')) {
    let phantom: GluffRow | null = null;
    const m = tableByIp();
    for (const ip of rng.shuffle([...m.keys()])) {
      const rows = [...(m.get(ip) ?? [])].sort((x, y) => x.lstart - y.lstart);
      for (let i = 1; i < rows.length && phantom === null; i++) {
        const prev = rows[i - 1] as GluffRow;
        const next = rows[i] as GluffRow;
        const latest = Math.max(...rows.slice(0, i).map((r) => r.lend));
        if (next.lstart - latest >= 240 && latest >= fromS && next.lstart <= toS) {
          phantom = { ...prev, id: 0, lstart: latest + 60, lend: next.lstart - 60 };
        }
      }
      if (phantom !== null) break;
    }
    if (phantom === null) {
      const any = table[0];
      const mid = Math.floor((opts.startMs + opts.endMs) / 2000);
      phantom = {
        id: 0,
        ip: '10.1.0.250',
        lstart: mid,
        lend: mid + 600,
        hw: any?.hw ?? '00:0c:29:ff:ff:ff',
        cid: any?.cid ?? null,
        rid: any?.rid ?? null,
      };
    }
    phantom.id = table.reduce((n, r) => Math.max(n, r.id), 0) + 1;
    table.push(phantom);
    injected.push(
      `phantom-row: a row for ${phantom.ip} (${phantom.hw}) ${iso(phantom.lstart)} - ${iso(phantom.lend)} that nobody leased`,
    );
  }
  return {
    queueRows: ordered,
    table,
    cleanTable,
    stall,
    stalls: stall === null ? fixed : [...fixed, stall],
    injected,
  };
}

function cloneRows(rows: readonly GluffRow[]): GluffRow[] {
  return rows.map((r) => ({ ...r }));
}

/**
 * Attribution: for each fail finding about lease rows, walk the chain dhcpd → queue patch → gluff → table and
 * name the first link where the fact at stake was lost or changed. It changes who is blamed, never a severity
 * or the verdict: the table is still judged against the ideal audit log.
 *
 * The fact at stake: a stint's start (its first ACK action: hw and port) for missing, merged, split,
 * wrong-port and start findings; a release for release-not-applied and release ends. Per fact, the queue
 * calls of its action (queue-model.ts) say how far it got:
 *
 * - some call queued the expected values intact → it reached gluff: `gluff` (witnessed when gluff's own record
 *   line shows it was told);
 * - every call carrying it failed on the primary key → `queue.insert-collision` (witnessed by the error lines);
 * - a release every server dropped before its first ACK since start → `queue.release-before-first-ack`
 *   (inferred: dhcpd logs nothing);
 * - calls were queued with other options: a `reuse_lease` answer (the lease struct's stored options, while
 *   the commit line names the packet's) → `queue.stale-options-on-reuse`; a release by the failover peer
 *   without Option 82 → `queue.peer-release-without-option82`; a commit that itself said otherwise
 *   (dhcpd's remembered options on a direct renewal) → `dhcpd.remembered-options`.
 *
 * Findings the queue cannot explain (overlapping rows, rows without an ACK, invalid rows) stay with gluff.
 * Pure.
 */
import type { Attribution, Culprit, ExpectedLease, Finding, FindingKind } from '../model/index.js';
import { delivered, type QueueCall, type QueueTrace } from './queue-model.js';

/** Finding kinds whose fact is the start of the expected stint. */
const START_FACT_KINDS = new Set([
  'missing-lease',
  'merged-lease',
  'split-lease',
  'wrong-port',
  'start-mismatch',
]);

/** The addresses attribution needs the queue calls of: those of the fail findings. */
export function attributionIps(findings: readonly Finding[]): Set<string> {
  const ips = new Set<string>();
  for (const f of findings) if (f.severity === 'fail' && f.ip !== null && f.expected !== null) ips.add(f.ip);
  return ips;
}

/** No queue calls: for findings that need none (rows without an ACK behind them, invalid rows). */
export const EMPTY_TRACE: QueueTrace = { callsByIp: new Map(), gluffHosts: new Set() };

/** Sets `culprit` and `attribution` on every fail finding about lease rows. */
export function attributeFindings(findings: Finding[], trace: QueueTrace): void {
  for (const f of findings) {
    if (f.severity !== 'fail' || f.culprit !== 'gluff') continue;
    const a = attributeOne(f, trace);
    f.culprit = a.culprit;
    f.attribution = a.attribution;
    if (a.kind !== undefined && a.kind !== f.kind) {
      f.details = { ...f.details, shape: f.kind };
      f.message = `release not applied (the rows read as ${f.kind}): ${f.message}`;
      f.kind = a.kind;
    }
  }
}

interface Blame {
  culprit: Culprit;
  attribution: Attribution;
  /** The finding's kind when the fact lost names it better (a lost release: `release-not-applied`). */
  kind?: FindingKind;
}

/** Rules saying a release reached no queue at all. */
const RELEASE_LOST_RULES = new Set(['queue.insert-collision', 'queue.release-before-first-ack']);

function blame(culprit: Culprit, rule: string, witness: number[], explanation: string): Blame {
  return {
    culprit,
    attribution: {
      rule,
      how: witness.length > 0 ? 'witnessed' : 'inferred',
      witness: [...new Set(witness)],
      witnessLines: [],
      explanation,
    },
  };
}

function attributeOne(f: Finding, trace: QueueTrace): Blame {
  const e = f.expected;
  const calls = f.ip === null ? [] : (trace.callsByIp.get(f.ip) ?? []);
  if (e === null || calls.length === 0) return gluffByDefault(f);
  if (f.kind === 'release-not-applied' || (f.kind === 'end-mismatch' && e.endSource === 'release')) {
    return releaseFact(e, calls, trace) ?? gluffByDefault(f);
  }
  if (f.kind === 'merged-lease') {
    // The boundary Gluff lost: the later stints' starts, or the earlier stint's release.
    const rows =
      (f.details['expectedRows'] as { startMs: number; hw: string; cidHex: string | null }[]) ?? [];
    const boundary: Blame[] = [];
    if (e.endSource === 'release') {
      // A release that never reached a queue is named as such, whatever shape the rows took.
      const b = releaseFact(e, calls, trace);
      if (b !== null && RELEASE_LOST_RULES.has(b.attribution.rule))
        return { ...b, kind: 'release-not-applied' };
      if (b !== null) boundary.push(b);
    }
    // Every port fact from the first stint's start to the last one's (a stint lost in between included).
    const last = Math.max(e.startMs, ...rows.map((r) => r.startMs));
    const b = portFacts(e.hw, e.startMs - 1000, last + 2000, calls, trace);
    if (b !== null) boundary.push(b);
    const lost = boundary.find((x) => x.culprit !== 'gluff') ?? boundary[0];
    return lost ?? gluffByDefault(f);
  }
  if (f.kind === 'split-lease') {
    // A release queued without the stint's Option 82 cuts it and makes a bogus row.
    const bad = calls.find(
      (c) =>
        c.record === 'release' &&
        c.hw === e.hw &&
        c.atMs >= e.startMs &&
        c.atMs <= e.endMs + 1000 &&
        changed(c, e),
    );
    if (bad !== undefined && calls.every((c) => !sameRelease(c, bad) || !intact(c, e))) {
      const d = delivered(bad)!;
      return blame(
        'queue',
        'queue.peer-release-without-option82',
        d.witnessed ? [bad.gluffRecordId!] : [],
        `${bad.host} queued the release of ${e.hw} with circuit-id ${d.cidHex ?? 'none'} instead of the lease's ${e.cidHex ?? 'none'} (a failover peer's copy of a lease has no Option 82: binding updates carry none), so gluff saw other values and cut the row`,
      );
    }
  }
  if (f.kind === 'split-lease') {
    // A port fact inside the stint that the queue changed cuts it (the stale row gluff was handed).
    // A stint cut off at the next one's start ends before that action (it is the next stint's fact).
    const to = e.endSource === 'cutoff' ? e.endMs - 1000 : e.endMs;
    return portFacts(e.hw, e.startMs - 1000, to, calls, trace) ?? gluffByDefault(f);
  }
  if (START_FACT_KINDS.has(f.kind)) {
    return portFacts(e.hw, e.startMs - 1000, e.startMs + 2000, calls, trace) ?? gluffByDefault(f);
  }
  return gluffByDefault(f);
}

/**
 * The port facts of `hw` between `from` and `to`, action by action (ACK lines within 1 s of the first): the
 * fact is the action's relayed commit (giaddr set). Per action, what the queues delivered: nothing intact
 * (every carrying insert failed, or was a reuse_lease row with the lease's stored options) loses the fact;
 * a stale row gluff took after an intact one changes it back. The earliest such action names the link; when
 * none does and some fact reached gluff intact, gluff was told.
 */
function portFacts(
  hw: string,
  from: number,
  to: number,
  calls: readonly QueueCall[],
  trace: QueueTrace,
): Blame | null {
  const acks = calls.filter((c) => c.record === 'ack' && c.hw === hw && c.atMs >= from && c.atMs <= to);
  const told: QueueCall[] = [];
  for (const action of actionsOf(acks)) {
    const fact = portFactOf(action);
    if (fact === null) continue;
    const e = { hw, cidHex: fact.cidHex, remoteIdHex: fact.ridHex } as ExpectedLease;
    e.startMs = action[0]!.atMs;
    const good = action.filter((c) => intact(c, e));
    const b = good.length === 0 ? lostFact(e, action) : staleAfter(e, action, good);
    if (b !== null) return b;
    told.push(...good);
  }
  return told.length > 0 ? toldGluff(told, trace, `the ACKs of ${hw} with the relayed circuit-id`) : null;
}

/** ACK calls (in time order) grouped into client actions: lines within 1 s of the action's first. */
function actionsOf(acks: readonly QueueCall[]): QueueCall[][] {
  const out: QueueCall[][] = [];
  for (const c of acks) {
    const cur = out[out.length - 1];
    if (cur !== undefined && c.atMs - cur[0]!.atMs <= 1000) cur.push(c);
    else out.push([c]);
  }
  return out;
}

/**
 * The action's port fact, as the rebuild takes it: its last relayed commit's Option 82; an action of direct
 * commits only (a snooping switch stamps unicast renewals too; a relay does not, and dhcpd then records its
 * remembered values) states what its first commit says.
 */
function portFactOf(action: readonly QueueCall[]): { cidHex: string | null; ridHex: string | null } | null {
  let relayed: { cidHex: string | null; ridHex: string | null } | null = null;
  let direct: { cidHex: string | null; ridHex: string | null } | null = null;
  for (const c of action) {
    if (c.commitCidHex === undefined || c.commitGiaddr === undefined) continue;
    const fact = { cidHex: c.commitCidHex, ridHex: c.commitRidHex ?? null };
    if (c.commitGiaddr !== '0.0.0.0') relayed = fact;
    else direct ??= fact;
  }
  return relayed ?? direct;
}

/** A stale row of the same action that gluff took after the last intact one: it changed the fact back. */
function staleAfter(
  e: ExpectedLease,
  action: readonly QueueCall[],
  good: readonly QueueCall[],
): Blame | null {
  const order = (c: QueueCall) => c.gluffRecordMs ?? c.atMs;
  const lastGood = Math.max(...good.map(order));
  const stale = action.filter((c) => changed(c, e) && order(c) >= lastGood);
  const reused = stale.filter((c) => c.reuseId !== null);
  if (reused.length > 0) {
    const c = reused[0]!;
    return blame(
      'queue',
      'queue.stale-options-on-reuse',
      reused.filter((x) => x.gluffRecordId !== null).map((x) => x.gluffRecordId!),
      `dhcpd answered ${e.hw} at ${tok(c.atMs)} with reuse_lease on ${hostsOf(reused)}: the relayed commit names circuit-id ${e.cidHex ?? 'none'}, but the patch queued the lease's stored ${storedText(c)} (hl_ldb.c reads lease->agent_options, which reuse_lease does not supersede), and gluff took that row after the right one`,
    );
  }
  const remembered = stale.filter((c) => c.commitGiaddr === '0.0.0.0');
  if (remembered.length > 0) {
    const c = remembered[0]!;
    return blame(
      'dhcpd',
      'dhcpd.remembered-options',
      remembered.filter((x) => x.gluffRecordId !== null).map((x) => x.gluffRecordId!),
      `${c.host}'s dhcpd recorded ${e.hw}'s direct renewal at ${tok(c.atMs)} with its remembered circuit-id ${c.commitCidHex ?? 'none'} while the relayed copy of the same second names ${e.cidHex ?? 'none'}, and gluff took that row after the right one`,
    );
  }
  return null;
}

/** An action none of whose rows reached the queue intact: how its fact was lost. */
function lostFact(e: ExpectedLease, action: readonly QueueCall[]): Blame | null {
  // The calls whose commit line names the expected values: dhcpd had the fact.
  const carrying = action.filter((c) => commitSays(c, e));
  if (carrying.length === 0) {
    const remembered = action.find((c) => c.commitGiaddr === '0.0.0.0');
    if (remembered === undefined) return null;
    return blame(
      'dhcpd',
      'dhcpd.remembered-options',
      [],
      `dhcpd recorded ${e.hw}'s direct renewal with its remembered circuit-id ${remembered.commitCidHex ?? 'none'}, not the port the client was on`,
    );
  }
  const lost = carrying.filter((c) => c.outcome === 'collision');
  const reused = carrying.filter((c) => c.outcome === 'queued' && c.reuseId !== null);
  if (lost.length === carrying.length) {
    return blame(
      'queue',
      'queue.insert-collision',
      lost.flatMap((c) => c.errorIds),
      `every queue insert of the ACK of ${e.hw} at ${tok(e.startMs)} failed on the queue's primary key (start, idx) on ${hostsOf(lost)}: gluff never heard of it`,
    );
  }
  if (lost.length + reused.length === carrying.length) {
    // gluff's record line printing the stale value proves what the queue delivered.
    const proof = reused.filter((c) => c.gluffRecordId !== null && changed(c, e));
    const b = blame(
      'queue',
      'queue.stale-options-on-reuse',
      [...proof.map((c) => c.gluffRecordId!), ...lost.flatMap((c) => c.errorIds)],
      `dhcpd answered ${e.hw} with reuse_lease on ${hostsOf(reused)}: the commit line names circuit-id ${e.cidHex ?? 'none'}, but the patch queued the lease's stored ${storedText(reused[0]!)} (hl_ldb.c reads lease->agent_options, which reuse_lease does not supersede)${lost.length > 0 ? `; the insert on ${hostsOf(lost)} failed on the primary key` : ''}`,
    );
    if (proof.length === 0) b.attribution.how = 'inferred';
    return b;
  }
  return null;
}

/** The release that should have ended the stint: what each server queued for it. */
function releaseFact(e: ExpectedLease, calls: readonly QueueCall[], trace: QueueTrace): Blame | null {
  const at = e.releaseMs;
  if (at === null) return null;
  const action = calls.filter(
    (c) => c.record === 'release' && c.hw === e.hw && c.atMs >= at - 1000 && c.atMs <= at + 2000,
  );
  if (action.length === 0) return null;
  const queued = action.filter((c) => c.outcome === 'queued');
  if (queued.length > 0) return toldGluff(queued, trace, `the release of ${e.hw}`);
  const collided = action.filter((c) => c.outcome === 'collision');
  const dropped = action.filter((c) => c.outcome === 'not-open');
  const parts: string[] = [];
  if (collided.length > 0)
    parts.push(`failed on the queue's primary key on ${collided.map((c) => c.host).join(', ')}`);
  if (dropped.length > 0)
    parts.push(
      `was dropped without a line on ${dropped.map((c) => c.host).join(', ')} (no ACK since dhcpd started, so its queue was not open)`,
    );
  const rule =
    dropped.length > 0 && collided.length === 0 ? 'queue.release-before-first-ack' : 'queue.insert-collision';
  const b = blame(
    'queue',
    rule,
    collided.flatMap((c) => c.errorIds),
    `the release of ${e.hw} at ${tok(at)} never reached a queue: it ${parts.join(' and ')}`,
  );
  // A drop leaves no line: the attribution is witnessed only when every copy's loss has one.
  if (dropped.length > 0) b.attribution.how = 'inferred';
  return b;
}

/** The fact reached the queue: gluff was told (witnessed when its own record line says so). */
function toldGluff(good: readonly QueueCall[], trace: QueueTrace, what: string): Blame {
  const seen = good.filter((c) => c.gluffRecordId !== null);
  const hosts = good.map((c) => c.host);
  const collected = good.some((c) => trace.gluffHosts.has(c.host));
  return blame(
    'gluff',
    'gluff.told',
    seen.map((c) => c.gluffRecordId!),
    seen.length > 0
      ? `gluff logged ${what} as it consumed it (${seen.map((c) => c.host).join(', ')}), so the table's deviation is gluff's`
      : `${what} was queued intact on ${hosts.join(', ')}${collected ? '' : " (gluff's own lines were not collected)"}, so the table's deviation is gluff's`,
  );
}

function gluffByDefault(f: Finding): Blame {
  return blame(
    'gluff',
    'gluff.rows',
    [],
    f.kind === 'overlapping-rows'
      ? 'rows of one address alive at once come from gluff (racing daemons, a catch-up after a stall, or its find)'
      : "no queue call explains the deviation, so it is gluff's",
  );
}

/** The queue delivered the expected stint's values (known, from gluff's line or the model). */
function intact(c: QueueCall, e: ExpectedLease): boolean {
  const d = delivered(c);
  return d !== null && c.row.hw === e.hw && d.cidHex === e.cidHex && d.ridHex === e.remoteIdHex;
}

/** The queue delivered other values than the expected stint's (known). */
function changed(c: QueueCall, e: ExpectedLease): boolean {
  const d = delivered(c);
  return d !== null && (d.cidHex !== e.cidHex || d.ridHex !== e.remoteIdHex);
}

/** The call's commit line named the expected stint's Option 82 values (the fact dhcpd had). */
function commitSays(c: QueueCall, e: ExpectedLease): boolean {
  return (
    c.commitCidHex !== undefined && c.commitCidHex === e.cidHex && (c.commitRidHex ?? null) === e.remoteIdHex
  );
}

function storedText(c: QueueCall): string {
  const d = delivered(c);
  return d === null ? 'options' : `circuit-id ${d.cidHex ?? 'none'}`;
}

function hostsOf(calls: readonly QueueCall[]): string {
  return [...new Set(calls.map((c) => c.host))].join(', ');
}

function sameRelease(a: QueueCall, b: QueueCall): boolean {
  return a.record === 'release' && a.hw === b.hw && Math.abs(a.atMs - b.atMs) <= 2000;
}

/** An instant in a message: report/ expands the token to ISO 8601 UTC. */
function tok(ms: number): string {
  return `{{t:${ms}}}`;
}

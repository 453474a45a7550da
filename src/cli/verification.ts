/**
 * One verification, wired: event store + spec + Gluff source in, VerificationResult out. Shared by
 * `verify`, `demo` and `make verify`. All I/O happens here or below; the judging is pure (rebuild,
 * diff, leak). The rig driver's `gv-rig` events are read beside it for the reports only.
 */
import type { EventKind, StoredEvent } from '../model/events.js';
import type { ActualLease, RigEventEntry, VerificationResult } from '../model/lease.js';
import type { RigSpec } from '../model/spec.js';
import type { TimeWindow } from '../model/time.js';
import { lossIntervals } from '../rebuild/loss-intervals.js';
import type { EventStore } from '../sources/sqlite/event-store.js';
import { judgeEvidence, type JudgePhase } from '../verify/judge-evidence.js';
import type { GluffSource } from './gluff-source.js';
import { createTtyProgress, NO_PROGRESS, type Progress } from './progress.js';
import { TimelineMarkCollector } from './timeline-marks.js';

/** The event kinds the rebuild reads (everything else stays in the store). */
export const REBUILD_KINDS: readonly EventKind[] = [
  'dhcpack',
  'commit',
  'reuse-lease',
  'dhcprelease',
  'queue-error',
  'gluff-record',
  'port-down',
  'port-map',
  'gluff',
  'failover-state',
  'failover-note',
];

export interface VerificationInput {
  store: EventStore;
  spec: RigSpec;
  /** Shown in reports: the spec's path. */
  specName: string;
  gluff: GluffSource;
  asOfMs: number;
  window: TimeWindow;
  /** Evidence lines resolved per finding (the JSON report carries them; the terminal shows fewer). */
  maxEvidencePerFinding?: number;
  /**
   * Where the phases and their counts go. Default: a line on stderr when stderr is a terminal, nothing
   * otherwise (src/cli/progress.ts); NO_PROGRESS for silence.
   */
  progress?: Progress;
}

/** Counts each event handed to the pure judgement; the judgement itself never sees the progress. */
function* counted(events: Iterable<StoredEvent>, progress: Progress): Generator<StoredEvent> {
  for (const e of events) {
    progress.add();
    yield e;
  }
}

/** Shows each event to `marks` on its way to the judgement. */
function* watched(events: Iterable<StoredEvent>, marks: TimelineMarkCollector): Generator<StoredEvent> {
  for (const e of events) {
    marks.observe(e);
    yield e;
  }
}

/** What the progress line says of each step of the judgement. */
function phaseText(p: JudgePhase): string {
  const n = (x: number) => x.toLocaleString('en-US');
  switch (p.name) {
    case 'rebuild':
      return 'rebuilding';
    case 'rebuild-with-clock-offsets':
      return `rebuilding with the clock offsets of ${p.hosts.join(', ')} taken off`;
    case 'memory':
      return 'judging memory';
    case 'diff':
      return `diffing ${n(p.expectedRows)} expected and ${n(p.actualRows)} Gluff rows`;
    case 'self-check':
      return `checking every client leased (${n(p.expectedRows)} rebuilt rows)`;
    case 'attribute':
      return `attributing (${n(p.ips)} IPs)`;
  }
}

/**
 * The `rig-event`s (trusted senders, any host) in `window` up to as-of, in time order. They never reach
 * the judgement: a rig event explains a finding to a reader, it does not excuse or cause one.
 */
export function readRigEvents(store: EventStore, window: TimeWindow, asOfMs: number): RigEventEntry[] {
  const toMs = window.toMs === null ? asOfMs + 1 : Math.min(window.toMs, asOfMs + 1);
  const out: RigEventEntry[] = [];
  for (const e of store.queryEvents({
    kinds: ['rig-event'],
    toMs,
    ...(window.fromMs === null ? {} : { fromMs: window.fromMs }),
  })) {
    if (e.kind !== 'rig-event') continue;
    out.push({ atMs: e.timeMs, host: e.host, name: e.name, fields: e.fields, rawId: e.rawId });
  }
  return out;
}

/**
 * Runs rebuild, reads Gluff, diffs, judges memory and resolves evidence lines. With the `none` source
 * (`--gluff none`) no row is read and nothing is compared: the judgement gets `actual: null`.
 */
export async function runVerification(input: VerificationInput): Promise<VerificationResult> {
  const progress = input.progress ?? createTtyProgress(process.stderr);
  try {
    return await verifyWithProgress(input, progress);
  } finally {
    progress.end();
  }
}

async function verifyWithProgress(input: VerificationInput, progress: Progress): Promise<VerificationResult> {
  const { store, spec, asOfMs, window } = input;
  const stats = store.stats();
  let actual: ActualLease[] | null = null;
  if (input.gluff.kind !== 'none') {
    progress.phase('reading Gluff', 'rows');
    actual = [];
    for await (const lease of input.gluff.readLeases(spec.tolerances.gluffZone, window)) {
      actual.push(lease);
      progress.add();
    }
  }
  const unparsed =
    stats.rejected > 0
      ? [
          `${stats.rejected} trusted syslog messages could not be parsed (gluff-verify stats shows why); one of them may have been lease traffic`,
        ]
      : [];
  // Totals for the share shown: every stored event of these kinds (those after as-of are not read).
  const rebuildTotal = REBUILD_KINDS.reduce((n, k) => n + (stats.byKind[k] ?? 0), 0);
  const count = (events: Iterable<StoredEvent>) =>
    progress === NO_PROGRESS ? events : counted(events, progress);
  // The timelines' marks are read from the first pass of the rebuild's events (later passes replay them).
  const marks = new TimelineMarkCollector(spec);
  let passes = 0;
  const losses = lossIntervals(store.channelStatsHistory());
  const judgement = judgeEvidence(
    {
      events: () => {
        const events = count(store.queryEvents({ kinds: REBUILD_KINDS, toMs: asOfMs + 1 }));
        return passes++ === 0 ? watched(events, marks) : events;
      },
      memoryEvents: count(
        store.queryEvents({
          kinds: ['memsample'],
          toMs: asOfMs + 1,
          ...(window.fromMs === null ? {} : { fromMs: window.fromMs }),
        }),
      ),
      actual,
      spec,
      asOfMs,
      window,
      losses,
      onPhase: (p) => {
        const events =
          p.name === 'rebuild' || p.name === 'rebuild-with-clock-offsets' || p.name === 'attribute';
        if (p.name === 'memory') progress.phase(phaseText(p), 'events', stats.byKind.memsample ?? 0);
        else progress.phase(phaseText(p), events ? 'events' : null, events ? rebuildTotal : null);
      },
    },
    unparsed,
  );
  const { findings, expected, inconclusiveReasons, verdict } = judgement;

  // Evidence: one store round trip for every finding's lines.
  progress.phase('reading evidence lines', null);
  const maxEvidence = input.maxEvidencePerFinding ?? 12;
  const wanted = findings.flatMap((f) => [
    ...f.evidence.slice(0, maxEvidence),
    ...(f.attribution?.witness ?? []),
  ]);
  const lineById = new Map(store.evidenceLines(wanted).map((l) => [l.rawId, l]));
  for (const f of findings) {
    f.evidenceLines = f.evidence.slice(0, maxEvidence).flatMap((id) => {
      const line = lineById.get(id);
      return line === undefined ? [] : [line];
    });
    if (f.attribution !== undefined) {
      f.attribution.witnessLines = f.attribution.witness.flatMap((id) => {
        const line = lineById.get(id);
        return line === undefined ? [] : [line];
      });
    }
  }

  const counts: VerificationResult['counts'] = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  const perIp = new Map<string, { ip: string; expected: number; actual: number }>();
  const tally = (ip: string | null, field: 'expected' | 'actual') => {
    if (ip === null) return;
    const entry = perIp.get(ip) ?? { ip, expected: 0, actual: 0 };
    entry[field] += 1;
    perIp.set(ip, entry);
  };
  for (const r of expected) tally(r.ip, 'expected');
  for (const r of actual ?? []) tally(r.ip, 'actual');

  return {
    schemaVersion: 2,
    verdict,
    window: { fromMs: window.fromMs, toMs: window.toMs, asOfMs },
    spec: input.specName,
    gluff: {
      kind: input.gluff.kind,
      description: input.gluff.describe(),
      ...(input.gluff.kind === 'none' ? {} : { zone: spec.tolerances.gluffZone }),
    },
    counts,
    findings,
    inconclusiveReasons,
    ips: [...perIp.values()].sort((a, b) => compareIps(a.ip, b.ip)),
    memory: judgement.memory,
    channel: {
      events: stats.events,
      rejections: stats.rejected,
      kernelDrops: stats.channel.kernelDrops,
      appDrops: stats.channel.appDrops,
      untrusted: stats.untrusted,
    },
    rigEvents: readRigEvents(store, window, asOfMs),
    timeline: {
      expected,
      actual: actual ?? [],
      ...marks.result(),
      losses,
      settleFromMs:
        actual === null || spec.tolerances.settleSec <= 0 ? null : asOfMs - spec.tolerances.settleSec * 1000,
      ports: spec.switch.ports.map((p) => ({
        name: p.name,
        circuitIdHex: p.circuitIdHex,
        remoteIdHex: p.remoteIdHex,
      })),
    },
  };
}

/** Numeric order of dotted quads (anything else after, by text). */
export function compareIps(a: string, b: string): number {
  const key = (ip: string) => {
    const parts = ip.split('.');
    return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p))
      ? parts.reduce((n, p) => n * 256 + Number(p), 0)
      : Infinity;
  };
  const ka = key(a);
  const kb = key(b);
  return ka !== kb ? ka - kb : a.localeCompare(b);
}

/**
 * `where` over simulated rigs long enough for addresses to go quiet between episodes, with the faults the
 * goldens lack (collector losses, Gluff stalls, dropped ACKs and releases, queue faults), into a real event
 * store file and a Gluff snapshot file: at every address, every ten minutes and one second either side of
 * every stint's and every row's ends, the indexed lookup (with the attribution context read in
 * neighbourhoods, as on a big store) gives the answer of the whole store's judgement.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressLookup } from '../../src/cli/address-lookup.js';
import { readAllGluffLeases, snapshotGluffSource } from '../../src/cli/gluff-source.js';
import { REBUILD_KINDS } from '../../src/cli/verification.js';
import type { ActualLease, RawMessage } from '../../src/model/index.js';
import { answerWhere } from '../../src/query/where-answer.js';
import { lossIntervals } from '../../src/rebuild/loss-intervals.js';
import type { FaultName } from '../../src/sim/fault-catalogue.js';
import { simulateRig } from '../../src/sim/simulate-rig.js';
import { writeSimGluffSnapshot } from '../../src/sim/write-gluff-sqlite.js';
import { EventStore } from '../../src/sources/sqlite/event-store.js';
import { judgeEvidence } from '../../src/verify/judge-evidence.js';
import { answerProjection, timesToAsk } from '../helpers/where-oracle.js';
import { seedRigSpec } from '../unit/sim/sim-spec.js';

const RUNS: { seed: number; faults: FaultName[] }[] = [
  { seed: 3, faults: ['channel-loss', 'drop-release'] },
  { seed: 5, faults: ['gluff-stalled-then-catches-up', 'drop-ack', 'phantom-row'] },
  { seed: 7, faults: ['queue-stale-options-on-reuse', 'queue-insert-collision', 'stale-port'] },
  {
    seed: 8,
    faults: ['queue-release-before-first-ack', 'queue-peer-release-without-option82', 'shortened-end'],
  },
  { seed: 11, faults: ['duplicate-rows', 'gluff-1.12-find', 'partner-down-and-recover'] },
];

describe('where against simulated rigs (event store and snapshot files)', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gv-where-sim-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const { seed, faults } of RUNS) {
    it(`should answer as the whole judgement does: seed ${seed}, ${faults.join(', ')}`, async () => {
      // Arrange: 14 simulated hours of 10 clients that come and go, stored as a collector would.
      const spec = seedRigSpec();
      const out = simulateRig(spec, {
        seed,
        hours: 14,
        clients: 10,
        faults,
        releaseProb: 0.08,
        vanishProb: 0.08,
      });
      const storePath = join(dir, `events-${seed}.db`);
      const writer = EventStore.open(storePath);
      const encoder = new TextEncoder();
      const sent = out.messages.filter((m) => !m.lost);
      for (let i = 0; i < sent.length; i += 500) {
        const batch: RawMessage[] = sent.slice(i, i + 500).map((m) => ({
          bytes: encoder.encode(m.line),
          receivedMs: m.trueMs,
          peer: '10.0.0.2',
          transport: 'udp',
          origin: 'udp://0.0.0.0:514',
          trusted: true,
        }));
        writer.appendRaw(batch, out.parseContext);
      }
      writer.recordChannelStats(out.channelStats);
      writer.close();
      const snapshot = join(dir, `gluff-${seed}.db`);
      await writeSimGluffSnapshot(snapshot, out.table, {
        zone: spec.tolerances.gluffZone,
        takenAtMs: out.asOfMs,
      });
      const source = snapshotGluffSource(snapshot);
      const rows = await readAllGluffLeases(source, spec.tolerances.gluffZone);
      const store = EventStore.open(storePath, { readonly: true });
      try {
        const asOfMs = out.asOfMs;
        const full = judgeEvidence({
          events: () => store.queryEvents({ kinds: REBUILD_KINDS, toMs: asOfMs + 1 }),
          memoryEvents: [],
          actual: rows,
          spec,
          asOfMs,
          window: { fromMs: null, toMs: null },
          losses: lossIntervals(store.channelStatsHistory()),
        });
        const lookup = new AddressLookup({
          store,
          gluffRows: async (f) => {
            const got: ActualLease[] = [];
            for await (const a of source.readLeases(spec.tolerances.gluffZone, undefined, f)) got.push(a);
            return got;
          },
          spec,
          asOfMs,
          wholeStoreLimit: 0,
        });
        const ips = [
          ...new Set([
            ...full.expected.map((e) => e.ip),
            ...rows.flatMap((a) => (a.ip === null ? [] : [a.ip])),
          ]),
        ];
        let partial = 0;
        let asked = 0;
        const wrong: string[] = [];
        for (const ip of ips) {
          const base: number[] = [];
          for (let t = out.startMs; t <= asOfMs; t += 600_000) base.push(t);
          for (const t of timesToAsk(ip, base, full.expected, rows)) {
            if (t > asOfMs) continue;
            asked++;
            const { answer, result } = await lookup.where(ip, t);
            if (result.events.length > 0 && result.events[0]!.timeMs > out.startMs + 60_000) partial++;
            const want = answerWhere(
              {
                sources: 'both',
                ip,
                expected: full.expected.filter((e) => e.ip === ip),
                actual: rows.filter((a) => a.ip === ip),
                findings: full.findings.filter((f) => f.ip === ip || f.kind === 'channel-gap'),
                settleBoundMs: asOfMs - spec.tolerances.settleSec * 1000,
              },
              t,
              spec,
            );
            if (answerProjection(answer) !== answerProjection(want) && wrong.length < 4) {
              wrong.push(
                `${ip} at ${new Date(t).toISOString()}:\n  got  ${answerProjection(answer)}\n  want ${answerProjection(want)}`,
              );
            }
          }
        }
        assert.deepEqual(wrong, [], wrong.join('\n'));
        // The lookups really read parts: most answers came from an episode, not the whole store.
        assert.ok(partial > asked / 4, `only ${partial} of ${asked} lookups read a part of the store`);
      } finally {
        store.close();
      }
    });
  }
});

/**
 * `where` against the four runs of the real Gluff 1.12 (test/golden/real-gluff/runN): the syslog ingested
 * into an event store by the real CLI, Gluff's tables in a scratch MariaDB database read by a SELECT-only user.
 * For every address at every minute of each run (and a second either side of every stint's and row's ends),
 * the indexed lookup (AddressLookup.where: the address's
 * episode read through the lookup index, judged alone) must give the answer computed from the whole store's
 * judgement and every Gluff row (what `verify` computes), both with the attribution context read whole (the
 * default for a store this small) and in neighbourhoods (what a big store gets). At the labelled defects
 * (expected-findings.json) the answer must be `disagree` with the labelled kind, culprit and rule. A few real
 * `where` processes check the command line, its exit codes and its JSON.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressLookup } from '../../src/cli/address-lookup.js';
import { mysqlGluffSource, readAllGluffLeases } from '../../src/cli/gluff-source.js';
import { REBUILD_KINDS } from '../../src/cli/verification.js';
import type { ActualLease, Culprit, FindingKind, RigSpec } from '../../src/model/index.js';
import type { GluffRowFilter } from '../../src/parse/gluff-row.js';
import { answerWhere, covers, type WhereAnswer } from '../../src/query/where-answer.js';
import { lossIntervals } from '../../src/rebuild/loss-intervals.js';
import { EventStore } from '../../src/sources/sqlite/event-store.js';
import { loadRigSpec } from '../../src/spec/load-rig-spec.js';
import { judgeEvidence, type Judgement } from '../../src/verify/judge-evidence.js';
import {
  createGluffDatabase,
  rootConnection,
  ROOT_SOCKET,
  type GluffFixture,
} from '../helpers/gluff-mysql-fixture.js';
import { runCli } from '../helpers/spawn-cli.js';
import { answerProjection, timesToAsk } from '../helpers/where-oracle.js';

const ROOT = join(import.meta.dirname, '..', '..');
const GOLDEN = join(ROOT, 'test', 'golden', 'real-gluff');
const MINUTE_MS = 60_000;

interface LabelledFinding {
  kind: FindingKind;
  hw?: string;
  severity: string;
  culprit: Culprit;
  ip: string | null;
  actualRowIds: number[];
  rule?: string;
  optional?: boolean;
}

/** The Gluff rows a filter selects, as the readers' SQL does (an address's rows and those of no address). */
function rowsPassing(rows: readonly ActualLease[], f: GluffRowFilter): ActualLease[] {
  return rows.filter(
    (a) => (f.ip === undefined || a.ip === f.ip || a.ip === null) && (f.hw === undefined || a.hw === f.hw),
  );
}

for (const run of [1, 2, 3, 4]) {
  describe(`where against real Gluff 1.12, golden run ${run}`, function () {
    this.timeout(600_000);
    const dir = join(GOLDEN, `run${run}`);
    const truth = JSON.parse(readFileSync(join(dir, 'expected-findings.json'), 'utf8')) as {
      asOf: string;
      findings: LabelledFinding[];
    };
    const asOfMs = Date.parse(truth.asOf);
    const specPath = join(dir, 'rig.yaml');
    let spec: RigSpec;
    let tmp: string;
    let storePath: string;
    let db: GluffFixture | null = null;
    let store: EventStore;
    let rows: ActualLease[] = [];
    let full: Judgement;
    let ips: string[] = [];
    let minutes: number[] = [];

    before(async () => {
      spec = loadRigSpec(specPath);
      tmp = mkdtempSync(join(tmpdir(), `gv-where-${run}-`));
      db = await createGluffDatabase(`gv_test_where_${run}`);
      const root = await rootConnection();
      try {
        await root.query(`USE \`${db.database}\``);
        await root.query(readFileSync(join(dir, 'gluff-tables.sql'), 'utf8'));
      } finally {
        await root.end();
      }
      storePath = join(tmp, 'events.db');
      const ingest = await runCli([
        'ingest',
        join(dir, 'syslog.log'),
        '--store',
        storePath,
        '--spec',
        specPath,
        '--year-ref',
        truth.asOf,
      ]);
      assert.equal(ingest.code, 0, ingest.stderr);
      store = EventStore.open(storePath, { readonly: true });
      const source = mysqlGluffSource({
        host: 'localhost',
        port: 3306,
        user: db.user,
        password: db.password,
        database: db.database,
        socketPath: ROOT_SOCKET,
      });
      rows = await readAllGluffLeases(source, spec.tolerances.gluffZone);
      // The brute force: verify's judgement of the whole store against every row.
      full = judgeEvidence({
        events: () => store.queryEvents({ kinds: REBUILD_KINDS, toMs: asOfMs + 1 }),
        memoryEvents: [],
        actual: rows,
        spec,
        asOfMs,
        window: { fromMs: null, toMs: null },
        losses: lossIntervals(store.channelStatsHistory()),
      });
      const seen = new Set<string>();
      for (const e of store.queryEvents({ kinds: ['dhcpack', 'commit', 'dhcprelease'] })) {
        seen.add((e as { ip: string }).ip);
      }
      for (const a of rows) if (a.ip !== null) seen.add(a.ip);
      ips = [...seen].sort();
      const stats = store.stats();
      const first = Math.floor(stats.firstTimeMs! / MINUTE_MS) * MINUTE_MS;
      const last = Math.min(asOfMs, stats.lastTimeMs! + 5 * MINUTE_MS);
      minutes = [];
      for (let t = first; t <= last; t += MINUTE_MS) minutes.push(t);
    });

    after(async () => {
      store?.close();
      await db?.drop();
      rmSync(tmp, { recursive: true, force: true });
    });

    /** The answer from the whole judgement. */
    function bruteForce(ip: string, atMs: number): WhereAnswer {
      return answerWhere(
        {
          sources: 'both',
          ip,
          expected: full.expected.filter((e) => e.ip === ip),
          actual: rows.filter((a) => a.ip === ip),
          findings: full.findings.filter((f) => f.ip === ip || f.kind === 'channel-gap'),
          settleBoundMs: asOfMs - spec.tolerances.settleSec * 1000,
        },
        atMs,
        spec,
      );
    }

    for (const mode of ['whole store', 'neighbourhoods'] as const) {
      it(`should answer every address at every minute as the whole judgement does (attribution context: ${mode})`, async () => {
        const lookup = new AddressLookup({
          store,
          gluffRows: async (f) => rowsPassing(rows, f),
          spec,
          asOfMs,
          ...(mode === 'neighbourhoods' ? { wholeStoreLimit: 0 } : {}),
        });
        const wrong: string[] = [];
        const words = new Map<string, number>();
        for (const ip of ips) {
          // Every minute, and a second either side of each stint's and each row's ends (the edges).
          for (const t of timesToAsk(ip, minutes, full.expected, rows).filter((x) => x <= asOfMs)) {
            const { answer } = await lookup.where(ip, t);
            const want = bruteForce(ip, t);
            words.set(answer.agreement, (words.get(answer.agreement) ?? 0) + 1);
            const got = answerProjection(answer);
            const exp = answerProjection(want);
            if (got !== exp && wrong.length < 5) {
              wrong.push(`${ip} at ${new Date(t).toISOString()}:\n  got  ${got}\n  want ${exp}`);
            }
          }
        }
        assert.deepEqual(wrong, [], wrong.join('\n'));
        // Every minute was answered; the runs have defects, so not everything agrees.
        assert.ok([...words.values()].reduce((a, b) => a + b, 0) >= ips.length * minutes.length);
      });
    }

    it('should agree with the naive reading of verify: disagree exactly where a fail finding covers T', () => {
      for (const ip of ips) {
        for (const t of minutes) {
          const a = bruteForce(ip, t);
          const failing = full.findings.some(
            (f) =>
              f.severity === 'fail' &&
              f.ip === ip &&
              ((f.expected !== null && covers(f.expected.startMs, f.expected.endMs, t)) ||
                f.actual.some((r) => covers(r.startMs, r.endMs, t))),
          );
          assert.equal(a.agreement === 'disagree', failing, `${ip} at ${new Date(t).toISOString()}`);
          const stint = full.expected.find((e) => e.ip === ip && covers(e.startMs, e.endMs, t)) ?? null;
          const row = rows.find((r) => r.ip === ip && covers(r.startMs, r.endMs, t));
          if (a.agreement === 'agree') assert.ok(stint !== null || row !== undefined);
          if (!failing && stint === null && row === undefined) assert.equal(a.agreement, 'unknown');
        }
      }
    });

    if (run === 1) {
      it('should answer through the real command line: exit codes, JSON, one source alone, who', async () => {
        const gluff = `mysql://${db!.user}@localhost/${db!.database}?socket=${ROOT_SOCKET}`;
        const env = { GLUFF_DBPWD: db!.password };
        const base = ['--store', storePath, '--spec', specPath, '--as-of', truth.asOf];
        const pick = (word: string): { ip: string; t: number } => {
          for (const ip of ips)
            for (const t of minutes) if (bruteForce(ip, t).agreement === word) return { ip, t };
          throw new Error(`no ${word} minute`);
        };
        // disagree: exit 1, the finding's kind and culprit in the JSON.
        const bad = pick('disagree');
        const r1 = await runCli(
          ['where', bad.ip, '--at', String(bad.t / 1000), ...base, '--gluff', gluff, '--json'],
          env,
        );
        assert.equal(r1.code, 1, r1.stderr);
        const j1 = JSON.parse(r1.stdout) as {
          agreement: string;
          differences: { kind: string; culprit: string }[];
        };
        assert.equal(j1.agreement, 'disagree');
        const want = bruteForce(bad.ip, bad.t).differences.map((f) => [f.kind, f.culprit]);
        assert.deepEqual(
          j1.differences.map((f) => [f.kind, f.culprit]),
          want,
        );
        // agree: exit 0; T without a zone is read in the rig's zone (Stockholm) and said so.
        const good = pick('agree');
        const local = new Date(good.t + 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
        const r0 = await runCli(['where', good.ip, '--at', local, ...base, '--gluff', gluff], env);
        assert.equal(r0.code, 0, r0.stderr);
        assert.match(r0.stdout, /agreement: agree/);
        assert.match(r0.stdout, /T read as Europe\/Stockholm wall time/);
        assert.match(r0.stdout, new RegExp(`at ${new Date(good.t).toISOString().slice(0, 19)}Z`));
        // unknown: exit 2.
        const none = pick('unknown');
        const r2 = await runCli(
          ['where', none.ip, '--at', new Date(none.t).toISOString(), ...base, '--gluff', gluff],
          env,
        );
        assert.equal(r2.code, 2, r2.stderr);
        // The event store alone, and Gluff's table alone: labelled, exit 2.
        const rc = await runCli([
          'where',
          good.ip,
          '--at',
          String(good.t),
          ...base,
          '--gluff',
          'none',
          '--json',
        ]);
        assert.equal(rc.code, 2, rc.stderr);
        assert.equal((JSON.parse(rc.stdout) as { agreement: string }).agreement, 'channel-only');
        const rg = await runCli(
          [
            'where',
            good.ip,
            '--at',
            String(good.t),
            '--spec',
            specPath,
            '--gluff',
            gluff,
            '--as-of',
            truth.asOf,
            '--json',
          ],
          env,
        );
        assert.equal(rg.code, 2, rg.stderr);
        const jg = JSON.parse(rg.stdout) as {
          agreement: string;
          sources: string;
          gluffRows: { port: string }[];
        };
        assert.deepEqual([jg.agreement, jg.sources], ['gluff-only', 'gluff']);
        assert.match(jg.gluffRows[0]!.port, /^gvrgrp/);
        // who by MAC: the labelled client's stints, one of them disagreeing.
        const label = truth.findings.find((f) => f.severity === 'fail' && f.ip !== null)!;
        const mac = label.hw!;
        const rw = await runCli(['who', mac, ...base, '--gluff', gluff, '--json'], env);
        assert.equal(rw.code, 1, rw.stderr);
        const jw = JSON.parse(rw.stdout) as { stints: { ip: string; agreement: string }[] };
        assert.ok(jw.stints.some((x) => x.ip === label.ip && x.agreement === 'disagree'));
        // who by port: the client answering there at that time is among them.
        const rp = await runCli(
          [
            'who',
            '--port',
            'gvrgrp1',
            '--at',
            new Date(good.t).toISOString(),
            ...base,
            '--gluff',
            gluff,
            '--json',
          ],
          env,
        );
        assert.ok(rp.code === 0 || rp.code === 1 || rp.code === 2, rp.stderr);
        const jp = JSON.parse(rp.stdout) as { clients: { ip: string; stint: { port: string } | null }[] };
        for (const c of jp.clients) assert.ok(c.ip.startsWith('10.77.'));
      });
    }

    it('should say disagree with the labelled kind, culprit and rule at the time of each labelled defect', async () => {
      const lookup = new AddressLookup({ store, gluffRows: async (f) => rowsPassing(rows, f), spec, asOfMs });
      const labelled = truth.findings.filter(
        (f) => f.severity === 'fail' && f.optional !== true && f.ip !== null,
      );
      for (const label of labelled) {
        for (const id of label.actualRowIds) {
          const row = rows.find((r) => r.id === id)!;
          const t = Math.floor((row.startMs! + (row.endMs! - row.startMs!) / 2) / 1000) * 1000;
          const { answer } = await lookup.where(label.ip!, t);
          const what = `${label.kind} ${label.culprit} ${label.rule ?? ''} ${label.ip} row ${id} at ${new Date(t).toISOString()}`;
          assert.equal(answer.agreement, 'disagree', what);
          assert.ok(
            answer.differences.some(
              (f) =>
                f.kind === label.kind &&
                f.culprit === label.culprit &&
                (label.rule === undefined || f.attribution?.rule === label.rule),
            ),
            `${what}: got ${answer.differences.map((f) => `${f.kind} ${f.culprit} ${f.attribution?.rule ?? ''}`).join('; ')}`,
          );
        }
      }
    });
  });
}

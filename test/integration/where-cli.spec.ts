/**
 * `where` and `who` as commands over real files: a simulated rig's syslog in an event store and its Gluff
 * table in a snapshot. Exit codes (0 agree, 1 disagree, 2 cannot be told, 3 usage/config with GV_* codes),
 * one source alone, who by MAC and by port, and an event store from before the lookup index.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AddressLookup } from '../../src/cli/address-lookup.js';
import { readAllGluffLeases, snapshotGluffSource } from '../../src/cli/gluff-source.js';
import { main } from '../../src/cli/main.js';
import type { Agreement } from '../../src/model/answer.js';
import { simulateRig } from '../../src/sim/simulate-rig.js';
import { writeSimGluffSnapshot } from '../../src/sim/write-gluff-sqlite.js';
import { EventStore } from '../../src/sources/sqlite/event-store.js';
import { captureIo } from '../helpers/capture-io.js';
import { seedRigSpec } from '../unit/sim/sim-spec.js';

const SPEC = 'specs/seed-rig.yaml';

describe('where and who (commands)', function () {
  this.timeout(120_000);
  let dir: string;
  let store: string;
  let gluff: string;
  let asOf: string;
  /** An address and instant per agreement word, as the library answers them. */
  const at = new Map<Agreement, { ip: string; t: number }>();
  let mac = '';

  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const cap = captureIo({}, Date.UTC(2026, 10, 28));
    const code = await main(args, cap.io);
    return { code, out: cap.out(), err: cap.err() };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gv-where-cli-'));
    const spec = seedRigSpec();
    const out = simulateRig(spec, {
      seed: 7,
      hours: 6,
      faults: ['queue-stale-options-on-reuse', 'stale-port'],
    });
    store = join(dir, 'events.db');
    const s = EventStore.open(store);
    const enc = new TextEncoder();
    s.appendRaw(
      out.messages
        .filter((m) => !m.lost)
        .map((m) => ({
          bytes: enc.encode(m.line),
          receivedMs: m.trueMs,
          peer: '10.0.0.2',
          transport: 'udp' as const,
          origin: 'udp://0.0.0.0:514',
          trusted: true,
        })),
      out.parseContext,
    );
    s.close();
    gluff = join(dir, 'gluff.db');
    await writeSimGluffSnapshot(gluff, out.table, { zone: spec.tolerances.gluffZone, takenAtMs: out.asOfMs });
    asOf = new Date(out.asOfMs).toISOString();
    const rows = await readAllGluffLeases(snapshotGluffSource(gluff), spec.tolerances.gluffZone);
    const ro = EventStore.open(store, { readonly: true });
    try {
      const lookup = new AddressLookup({
        store: ro,
        gluffRows: async (f) => rows.filter((a) => f.ip === undefined || a.ip === f.ip || a.ip === null),
        spec,
        asOfMs: out.asOfMs,
      });
      for (let t = out.startMs; t < out.endMs && at.size < 3; t += 300_000) {
        for (const ip of ['10.1.0.50', '10.1.0.51', '10.1.0.52']) {
          const { answer } = await lookup.where(ip, t);
          if (!at.has(answer.agreement)) at.set(answer.agreement, { ip, t });
          if (answer.agreement === 'disagree') mac = answer.stint?.hw ?? answer.gluffRows[0]!.hw!;
        }
      }
    } finally {
      ro.close();
    }
    assert.ok(at.has('agree') && at.has('disagree') && at.has('unknown'), [...at.keys()].join());
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const both = () => ['--store', store, '--spec', SPEC, '--gluff', `sqlite:${gluff}`, '--as-of', asOf];

  for (const [word, code] of [
    ['agree', 0],
    ['disagree', 1],
    ['unknown', 2],
  ] as const) {
    it(`should exit ${code} when the answer is ${word}`, async () => {
      const { ip, t } = at.get(word)!;
      const r = await run(['where', ip, '--at', new Date(t).toISOString(), ...both()]);
      assert.equal(r.code, code, r.err);
      assert.match(r.out, new RegExp(`agreement: ${word}`));
      assert.match(r.out, /\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Europe\/Stockholm\)/);
    });
  }

  it('should answer from one source alone, labelled, exit 2', async () => {
    const { ip, t } = at.get('agree')!;
    const channel = await run([
      'where',
      ip,
      '--at',
      String(t / 1000),
      '--store',
      store,
      '--spec',
      SPEC,
      '--as-of',
      asOf,
    ]);
    assert.equal(channel.code, 2, channel.err);
    assert.match(channel.out, /agreement: channel-only/);
    assert.match(channel.out, /Gluff: none given \(rebuilt from the event store only\)/);
    const table = await run([
      'where',
      ip,
      '--at',
      String(t / 1000),
      '--spec',
      SPEC,
      '--gluff',
      `sqlite:${gluff}`,
      '--json',
    ]);
    assert.equal(table.code, 2, table.err);
    const j = JSON.parse(table.out) as { agreement: string; store: string | null; gluffRows: unknown[] };
    assert.deepEqual([j.agreement, j.store, j.gluffRows.length], ['gluff-only', null, 1]);
  });

  it("should list a client's stints with the agreement column, and who was behind a port", async () => {
    const r = await run(['who', mac, ...both(), '--json']);
    assert.equal(r.code, 1, r.err);
    const j = JSON.parse(r.out) as {
      stints: { agreement: string; hw: string; stint: { port: string } | null }[];
    };
    assert.ok(j.stints.length > 3);
    assert.ok(j.stints.every((s) => s.hw === mac));
    assert.ok(j.stints.some((s) => s.agreement === 'disagree'));
    assert.ok(j.stints.some((s) => s.agreement === 'agree'));
    const { t } = at.get('agree')!;
    const p = await run(['who', '--port', 'Fa0/2', '--at', new Date(t).toISOString(), ...both()]);
    assert.ok([0, 1, 2].includes(p.code), p.err);
    assert.match(p.out, /who was behind Fa0\/2 at /);
  });

  const refusals: [string, () => string[], string][] = [
    ['no --at', () => ['where', '10.1.0.50', '--store', store, '--spec', SPEC], 'GV_USAGE'],
    [
      'no address',
      () => ['where', '--at', '2026-11-27T01:00:00Z', '--store', store, '--spec', SPEC],
      'GV_USAGE',
    ],
    [
      'a bad address',
      () => ['where', '10.1.0.500', '--at', '2026-11-27T01:00:00Z', '--store', store, '--spec', SPEC],
      'GV_USAGE',
    ],
    [
      'a bad time',
      () => ['where', '10.1.0.50', '--at', 'noon', '--store', store, '--spec', SPEC],
      'GV_USAGE',
    ],
    [
      'no source at all',
      () => ['where', '10.1.0.50', '--at', '2026-11-27T01:00:00Z', '--spec', SPEC],
      'GV_USAGE',
    ],
    [
      'a missing store',
      () => ['where', '10.1.0.50', '--at', '1795740000', '--store', join(dir, 'nope.db'), '--spec', SPEC],
      'GV_STORE_OPEN',
    ],
    [
      'a port not in the spec',
      () => ['who', '--port', 'Gi9/9', '--at', '1795740000', '--store', store, '--spec', SPEC],
      'GV_USAGE',
    ],
    [
      'a MAC and --port',
      () => [
        'who',
        '00:0c:29:00:00:01',
        '--port',
        'Fa0/2',
        '--at',
        '1795740000',
        '--store',
        store,
        '--spec',
        SPEC,
      ],
      'GV_USAGE',
    ],
    ['a bad MAC', () => ['who', 'client1', '--store', store, '--spec', SPEC], 'GV_USAGE'],
  ];
  for (const [what, args, code] of refusals) {
    it(`should refuse ${what} with exit 3 and ${code}`, async () => {
      const r = await run(args());
      assert.equal(r.code, 3, r.out);
      assert.match(r.err, new RegExp(`${code}: `));
    });
  }

  it('should refuse an event store without the lookup index (GV_STORE_SCHEMA), and answer once a writing open added it', async () => {
    // Arrange: a copy of the store taken back to schema 4.
    const old = join(dir, 'v4.db');
    const src = new Database(store, { readonly: true });
    await src.backup(old);
    src.close();
    const db = new Database(old);
    db.exec(
      "DROP TABLE lookup; DROP TABLE lookup_recent; DELETE FROM meta WHERE key = 'lookup_open_hour'; PRAGMA user_version = 4",
    );
    db.close();
    const { ip, t } = at.get('agree')!;
    const args = [
      'where',
      ip,
      '--at',
      new Date(t).toISOString(),
      '--store',
      old,
      '--spec',
      SPEC,
      '--gluff',
      `sqlite:${gluff}`,
      '--as-of',
      asOf,
    ];
    // Act, Assert
    const r = await run(args);
    assert.equal(r.code, 3);
    assert.match(r.err, /GV_STORE_SCHEMA: .*no lookup index.*ingest, reparse, collect/);
    EventStore.open(old).close();
    const again = await run(args);
    assert.equal(again.code, 0, again.err);
  });

  it('should print its help with exit 0', async () => {
    for (const c of ['where', 'who']) {
      const r = await run([c, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`^Usage: gluff-verify ${c} `));
    }
  });
});

/**
 * `where` on a big store (issue #13: under 1 s for one address on a year of a 50,000-client network):
 * builds an event store of DAYS days of CLIENTS clients (one-day leases renewed every 12 h, a gv-commit and
 * a DHCPACK line per renewal, both servers; one client in ten a laptop that is released and replaced by
 * another MAC every week) and the correct Gluff table as a snapshot, then times AddressLookup.where for
 * addresses held all along (their stint covers the whole store: the longest read) and for laptops' addresses,
 * from the event store alone and with the snapshot, and one real `where` process.
 *
 *   node --import tsx bench/where.bench.ts                    14 days (what `make bench` runs)
 *   WHERE_BENCH_DAYS=365 node --import tsx bench/where.bench.ts   a year: `make bench-where` (~9 min to build)
 *
 * WHERE_BENCH_CLIENTS sets the clients (default 50,000); WHERE_BENCH_DIR keeps the store and snapshot there
 * and reuses them on the next run (default: a temporary folder, removed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressLookup } from '../src/cli/address-lookup.js';
import { snapshotGluffSource } from '../src/cli/gluff-source.js';
import type { ActualLease, RawMessage } from '../src/model/index.js';
import type { GluffRow } from '../src/sim/gluff-model.js';
import { writeSimGluffSnapshot } from '../src/sim/write-gluff-sqlite.js';
import { EventStore } from '../src/sources/sqlite/event-store.js';
import { loadRigSpec } from '../src/spec/load-rig-spec.js';

const DAYS = Number(process.env.WHERE_BENCH_DAYS ?? 14);
const CLIENTS = Number(process.env.WHERE_BENCH_CLIENTS ?? 50_000);
const LEASE_SEC = 86_400;
const RENEW_SEC = 43_200;
/** A laptop's client changes every 14 renewals (a week). */
const LAPTOP_RENEWALS = 14;
const T0 = Date.UTC(2025, 0, 1);
const BATCH = 4096;

const hex = (n: number) => n.toString(16).padStart(2, '0');
const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const macOf = (i: number, gen: number) =>
  `52:${hex(gen & 255)}:00:${hex((i >> 16) & 255)}:${hex((i >> 8) & 255)}:${hex(i & 255)}`;
const laptop = (i: number) => i % 10 === 0;
const genOf = (i: number, k: number) => (laptop(i) ? Math.floor((k + i) / LAPTOP_RENEWALS) : 0);
/** rsyslog's RFC 5424 stamp: whole seconds, UTC. */
const stamp = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

const SPEC = `name: bench-where
servers:
  - { host: dhcp1, role: primary, zone: UTC }
  - { host: dhcp2, role: secondary, zone: UTC }
lease: { defaultSec: ${LEASE_SEC}, minSec: 3600, maxSec: ${LEASE_SEC}, mcltSec: 3600 }
switch:
  name: sw
  ports:
    - { name: Gi1/0/1, switchIf: eth0, circuitId: { hex: '00:04:00:01:00:01' }, remoteId: null }
permuterHost: permuter
clientSegments:
  - { iface: eth1, macs: ['52:54:00:ff:ff:ff'] }
tolerances: { startSkewSec: 2, endSkewSec: 2, approxEndSkewSec: 30, settleSec: 30, gluffZone: UTC }
`;

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function quantiles(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${seconds(q(0.5))} s, max ${seconds(s[s.length - 1]!)} s (n=${s.length})`;
}

/** Writes the store and the snapshot; returns the number of lines. */
async function build(storePath: string, snapshotPath: string): Promise<number> {
  const store = EventStore.open(storePath);
  const encoder = new TextEncoder();
  let batch: RawMessage[] = [];
  let lines = 0;
  let refMs = T0;
  const push = (timeMs: number, line: string) => {
    batch.push({
      bytes: encoder.encode(line),
      receivedMs: timeMs,
      peer: '10.0.0.2',
      transport: 'udp',
      origin: 'udp://0.0.0.0:514',
      trusted: true,
    });
    lines++;
    if (batch.length >= BATCH) {
      store.appendRaw(batch, { zoneByHost: {}, defaultZone: 'UTC', referenceMs: refMs });
      batch = [];
    }
  };
  const rows: GluffRow[] = [];
  const open = new Array<GluffRow | undefined>(CLIENTS);
  const slots = Math.floor((DAYS * 86_400) / RENEW_SEC);
  const started = performance.now();
  for (let k = 0; k < slots; k++) {
    for (let i = 1; i < CLIENTS; i++) {
      const atMs = T0 + (k * RENEW_SEC + Math.floor((i * RENEW_SEC) / CLIENTS)) * 1000;
      refMs = atMs;
      const host = i % 2 === 0 ? 'dhcp1' : 'dhcp2';
      const ip = ipOf(i);
      const gen = genOf(i, k);
      const mac = macOf(i, gen);
      const head = `<30>1 ${stamp(atMs)} ${host} dhcpd 812 - - `;
      if (k > 0 && gen !== genOf(i, k - 1)) {
        // The laptop left an hour after its last renewal, releasing; its successor arrives at this slot.
        const relMs = atMs - RENEW_SEC * 1000 + 3_600_000;
        push(
          relMs,
          `<30>1 ${stamp(relMs)} ${host} dhcpd 812 - - DHCPRELEASE of ${ip} from ${macOf(i, gen - 1)} via 10.0.0.1 (found)`,
        );
        open[i]!.lend = relMs / 1000;
        open[i] = undefined;
      }
      const cid = `0:4:0:1:0:${(i % 48).toString(16)}`;
      const short = mac
        .split(':')
        .map((b) => parseInt(b, 16).toString(16))
        .join(':');
      push(atMs, `${head}gv-commit ip=${ip} hw=${short} lease=${LEASE_SEC} giaddr=10.0.0.1 cid=${cid} rid=`);
      push(atMs, `${head}DHCPACK on ${ip} to ${mac} via 10.0.0.1`);
      const row = open[i];
      if (row === undefined) {
        const fresh: GluffRow = {
          id: rows.length + 1,
          ip,
          lstart: atMs / 1000,
          lend: atMs / 1000 + LEASE_SEC,
          hw: mac,
          cid: `00:04:00:01:00:${hex(i % 48)}`,
          rid: null,
        };
        rows.push(fresh);
        open[i] = fresh;
      } else row.lend = atMs / 1000 + LEASE_SEC;
    }
    if (k % 60 === 59) {
      const rate = lines / ((performance.now() - started) / 1000);
      console.log(
        `  built ${((k + 1) / 2).toFixed(0)} of ${DAYS} days: ${lines} lines (${Math.round(rate)} lines/s)`,
      );
    }
  }
  if (batch.length > 0) store.appendRaw(batch, { zoneByHost: {}, defaultZone: 'UTC', referenceMs: refMs });
  store.close();
  await writeSimGluffSnapshot(snapshotPath, rows, { zone: 'UTC', takenAtMs: T0 + DAYS * 86_400_000 });
  return lines;
}

const keep = process.env.WHERE_BENCH_DIR;
const work = keep ?? mkdtempSync(join(tmpdir(), 'gv-bench-where-'));
try {
  mkdirSync(work, { recursive: true });
  const storePath = join(work, `where-${DAYS}d-${CLIENTS}.db`);
  const snapshotPath = join(work, `where-${DAYS}d-${CLIENTS}-gluff.db`);
  const specPath = join(work, 'spec.yaml');
  writeFileSync(specPath, SPEC);
  if (!existsSync(storePath) || !existsSync(snapshotPath)) {
    rmSync(storePath, { force: true });
    const t = performance.now();
    const lines = await build(storePath, snapshotPath);
    console.log(
      `setup: ${lines} syslog lines of ${CLIENTS} clients over ${DAYS} days in ${((performance.now() - t) / 1000).toFixed(0)} s`,
    );
  }
  const size = ['', '-wal'].reduce(
    (n, ext) => n + (existsSync(storePath + ext) ? statSync(storePath + ext).size : 0),
    0,
  );
  console.log(`store: ${(size / 2 ** 30).toFixed(2)} GiB`);

  const spec = loadRigSpec(specPath);
  const asOfMs = T0 + (DAYS + 2) * 86_400_000;
  const store = EventStore.open(storePath, { readonly: true });
  const source = snapshotGluffSource(snapshotPath);
  const readRows = async (filter: { ip?: string; hw?: string }): Promise<ActualLease[]> => {
    const out: ActualLease[] = [];
    for await (const a of source.readLeases('UTC', undefined, filter)) out.push(a);
    return out;
  };
  // Addresses held all along (every renewal of the whole store is one stint) and laptops' addresses.
  const picks: { ip: string; t: number; kind: string }[] = [];
  for (let n = 0; n < 8; n++) {
    const held = 1 + ((n * 7919) % (CLIENTS - 1));
    const i = laptop(held) ? held + 1 : held;
    picks.push({ ip: ipOf(i), t: T0 + Math.floor(((n + 0.5) / 8) * DAYS * 86_400_000), kind: 'held' });
    const l = 10 * (1 + ((n * 104_729) % Math.floor((CLIENTS - 1) / 10)));
    picks.push({ ip: ipOf(l), t: T0 + Math.floor(((n + 0.3) / 8) * DAYS * 86_400_000), kind: 'laptop' });
  }
  for (const withGluff of [false, true]) {
    const times = new Map<string, number[]>();
    const words = new Map<string, number>();
    for (const p of picks) {
      // A fresh lookup per question, as one `where` process has.
      const lookup = new AddressLookup({ store, gluffRows: withGluff ? readRows : null, spec, asOfMs });
      const t = performance.now();
      const { answer, result } = await lookup.where(p.ip, p.t);
      const ms = performance.now() - t;
      times.set(p.kind, [...(times.get(p.kind) ?? []), ms]);
      words.set(answer.agreement, (words.get(answer.agreement) ?? 0) + 1);
      if (p === picks[0])
        console.log(
          `  (${p.ip}: ${result.events.length} lines read, episode ${new Date(result.judgement.episode.fromMs).toISOString()} .. ${new Date(result.judgement.episode.toMs).toISOString()})`,
        );
    }
    const label = withGluff ? 'event store + Gluff snapshot' : 'event store alone';
    for (const [kind, xs] of times) console.log(`where (${label}), ${kind} addresses: ${quantiles(xs)}`);
    console.log(`  answers: ${[...words].map(([w, n]) => `${n} ${w}`).join(', ')}`);
  }
  store.close();
  // One real process (its start included): node and the built CLI when there is one.
  const built = existsSync('dist/cli/run.js');
  const p = picks[0]!;
  const args = [
    ...(built ? ['bin/gluff-verify.js'] : ['--import', 'tsx', 'src/cli/run.ts']),
    'where',
    p.ip,
    '--at',
    new Date(p.t).toISOString(),
    '--store',
    storePath,
    '--spec',
    specPath,
    '--gluff',
    `sqlite:${snapshotPath}`,
    '--as-of',
    new Date(asOfMs).toISOString(),
  ];
  const t = performance.now();
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = performance.now() - t;
  const word = /agreement: (\S+)/.exec(child.stdout)?.[1] ?? child.stderr.trim();
  console.log(
    `where process (${built ? 'dist' : 'tsx'}), an address held all along: ${seconds(wall)} s wall, ${word}, exit ${child.status}`,
  );
} finally {
  if (keep === undefined) rmSync(work, { recursive: true, force: true });
}

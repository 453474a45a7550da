/**
 * `verify` end to end on one generated day of a big site: 50,000 clients, one-hour leases renewed every
 * 30 minutes (a gv-commit and a DHCPACK line per renewal: 4.8 M syslog lines) in an event store, the
 * correct Gluff table in a snapshot file, then the real CLI `verify` in a child process that reports its
 * own time and peak RSS. Target (issue #3): at most 60 s and 1 GB.
 * Run: node --import tsx bench/verify.bench.ts [clients]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawMessage } from '../src/model/index.js';
import { formatLogLine } from '../src/parse/parse-message.js';
import type { GluffRow } from '../src/sim/gluff-model.js';
import { writeSimGluffSnapshot } from '../src/sim/write-gluff-sqlite.js';
import { EventStore } from '../src/sources/sqlite/event-store.js';

const CLIENTS = Number(process.argv[2] ?? 50_000);
const LEASE_SEC = 3600;
const RENEW_SEC = 1800;
const DAY_SEC = 86_400;
const T0 = Date.UTC(2026, 10, 28, 0, 0, 0);
const BATCH = 4096;

const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const hex = (n: number) => n.toString(16).padStart(2, '0');
const macOf = (i: number) => `52:54:00:${hex((i >> 16) & 255)}:${hex((i >> 8) & 255)}:${hex(i & 255)}`;
const cidOf = (i: number) => `00:04:00:01:00:${hex(i % 48)}`;

const SPEC = `name: bench-verify
servers:
  - { host: dhcp1, role: primary, zone: UTC }
  - { host: dhcp2, role: secondary, zone: UTC }
lease: { defaultSec: ${LEASE_SEC}, minSec: 300, maxSec: 7200, mcltSec: 300 }
switch:
  name: sw
  ports:
    - { name: Gi1/0/1, switchIf: eth0, circuitId: { hex: '00:04:00:01:00:01' }, remoteId: null }
permuterHost: permuter
clientSegments:
  - { iface: eth1, macs: ['52:54:00:ff:ff:ff'] }
tolerances: { startSkewSec: 2, endSkewSec: 2, approxEndSkewSec: 30, settleSec: 30, gluffZone: UTC }
`;

const work = mkdtempSync(join(tmpdir(), 'gv-bench-verify-'));
try {
  const storePath = join(work, 'events.db');
  const snapshotPath = join(work, 'gluff.db');
  const specPath = join(work, 'spec.yaml');
  writeFileSync(specPath, SPEC);

  // Arrange (not timed): the day's syslog into the store, the correct table into a snapshot.
  const setupStart = performance.now();
  const store = EventStore.open(storePath);
  const ctx = { zoneByHost: {}, defaultZone: 'UTC', referenceMs: T0 };
  const encoder = new TextEncoder();
  let batch: RawMessage[] = [];
  let lines = 0;
  const push = (timeMs: number, line: string) => {
    batch.push({
      bytes: encoder.encode(line),
      receivedMs: timeMs,
      peer: '10.0.0.2',
      transport: 'udp',
      origin: null,
      trusted: true,
    });
    lines++;
    if (batch.length >= BATCH) {
      store.appendRaw(batch, ctx);
      batch = [];
    }
  };
  const rows: GluffRow[] = [];
  for (let k = 0; k * RENEW_SEC < DAY_SEC; k++) {
    for (let i = 0; i < CLIENTS; i++) {
      const timeMs = T0 + (k * RENEW_SEC + Math.floor((i * RENEW_SEC) / CLIENTS)) * 1000;
      const host = i % 2 === 0 ? 'dhcp1' : 'dhcp2';
      const ip = ipOf(i);
      const mac = macOf(i);
      const common = { timeMs, host, pid: 812 };
      push(
        timeMs,
        formatLogLine(
          {
            ...common,
            kind: 'commit',
            ip,
            mac,
            leaseSec: LEASE_SEC,
            giaddr: '10.0.0.1',
            circuitIdHex: cidOf(i),
            remoteIdHex: null,
          },
          { format: 'rfc5424' },
        ),
      );
      push(
        timeMs,
        formatLogLine(
          { ...common, kind: 'dhcpack', ip, mac, name: null, via: '10.0.0.1' },
          { format: 'rfc5424' },
        ),
      );
      const startSec = timeMs / 1000;
      if (k === 0)
        rows.push({
          id: i + 1,
          ip,
          lstart: startSec,
          lend: startSec + LEASE_SEC,
          hw: mac,
          cid: cidOf(i),
          rid: null,
        });
      else (rows[i] as GluffRow).lend = startSec + LEASE_SEC;
    }
  }
  if (batch.length > 0) store.appendRaw(batch, ctx);
  store.close();
  await writeSimGluffSnapshot(snapshotPath, rows, { zone: 'UTC', takenAtMs: T0 + DAY_SEC * 1000 });
  console.log(
    `setup: ${lines} syslog lines and ${rows.length} Gluff rows in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`,
  );

  // Act: the real CLI in a child, which prints its own figures.
  const asOf = new Date(T0 + (DAY_SEC + 2 * LEASE_SEC) * 1000).toISOString();
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/verify-child.ts',
      'verify',
      '--store',
      storePath,
      '--spec',
      specPath,
      '--gluff',
      `sqlite:${snapshotPath}`,
      '--as-of',
      asOf,
    ],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  const verdictLine = child.stdout.split('\n')[0];
  console.log(`verify: ${verdictLine} (exit ${child.status})`);
  console.log(child.stderr.trim());
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * One day of a big site through rebuild + diff: 50,000 clients, one-hour leases renewed every 30 minutes,
 * a commit line and an ACK line per renewal (4.9 M events), diffed against a correct actual table; then the
 * attribution stage as a failing run pays it (the queue model over every event, calls kept for 1000 addresses).
 * Run: node --import tsx bench/rebuild-diff.bench.ts [clients]
 */
import type { ActualLease, RigSpec, StoredEvent } from '../src/model/index.js';
import { diffLeases } from '../src/diff/diff-leases.js';
import { rebuildLeases } from '../src/rebuild/rebuild-leases.js';
import { attributeFindings } from '../src/attribute/attribute-findings.js';
import { modelQueues } from '../src/attribute/queue-model.js';
import { testSpec } from '../test/unit/rebuild/fixtures.js';

const CLIENTS = Number(process.argv[2] ?? 50_000);
const LEASE_SEC = 3600;
const RENEW_SEC = 1800;
const DAY_SEC = 86_400;
const T0 = Date.UTC(2026, 10, 28, 0, 0, 0);

// The unit tests' rig spec, with this site's lease times and no switch ports or client segments.
const spec: RigSpec = {
  ...testSpec(),
  name: 'bench',
  lease: { defaultSec: LEASE_SEC, minSec: 300, maxSec: 7200, mcltSec: 300 },
  switch: { name: 'sw', ports: [] },
  clientSegments: [],
};

const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const hex = (n: number) => n.toString(16).padStart(2, '0');
const macOf = (i: number) => `52:54:00:${hex((i >> 16) & 255)}:${hex((i >> 8) & 255)}:${hex(i & 255)}`;
const cidOf = (i: number) => `70:6f:72:74:${hex(i % 48)}`;

/** Events in time order, made lazily so the input itself does not dominate memory. */
function* day(): Generator<StoredEvent> {
  let id = 1;
  for (let k = 0; k * RENEW_SEC < DAY_SEC; k++) {
    for (let i = 0; i < CLIENTS; i++) {
      const timeMs = T0 + (k * RENEW_SEC + Math.floor((i * RENEW_SEC) / CLIENTS)) * 1000;
      const host = i % 2 === 0 ? 'dhcp1' : 'dhcp2';
      const ip = ipOf(i);
      const mac = macOf(i);
      yield {
        kind: 'commit',
        ip,
        mac,
        leaseSec: LEASE_SEC,
        giaddr: '10.0.0.1',
        circuitIdHex: cidOf(i),
        remoteIdHex: null,
        timeMs,
        host,
        pid: 100,
        receivedMs: timeMs,
        id,
        rawId: id++,
      };
      yield {
        kind: 'dhcpack',
        ip,
        mac,
        name: null,
        via: '10.0.0.1',
        timeMs,
        host,
        pid: 100,
        receivedMs: timeMs,
        id,
        rawId: id++,
      };
    }
  }
}

const asOfMs = T0 + (DAY_SEC + 2 * LEASE_SEC) * 1000;
// The input alone (generating the events), to subtract from the rebuild figure.
const g0 = process.hrtime.bigint();
let n = 0;
for (const _ev of day()) n++;
const g1 = process.hrtime.bigint();
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const result = rebuildLeases(day(), spec, { asOfMs });
const t1 = process.hrtime.bigint();
const c1 = process.cpuUsage(c0);
const actual: ActualLease[] = result.rows.map((e, n) => ({
  id: n + 1,
  ip: e.ip,
  hw: e.hw,
  cidHex: e.cidHex,
  remoteIdHex: e.remoteIdHex,
  cidText: e.cidHex,
  ridText: e.remoteIdHex,
  startMs: e.startMs,
  endMs: e.endMs,
  startText: '',
  endText: '',
}));
const t2 = process.hrtime.bigint();
const findings = diffLeases(result.rows, actual, spec, { asOfMs, evidenceFromMs: result.evidenceFromMs });
const t3 = process.hrtime.bigint();
// Attribution: a failing run replays the channel through the queue model once more.
const failingIps = new Set(result.rows.slice(0, 1000).map((r) => r.ip));
const t4 = process.hrtime.bigint();
const trace = modelQueues(day(), spec, { ips: failingIps });
attributeFindings(findings, trace);
const t5 = process.hrtime.bigint();
let calls = 0;
for (const list of trace.callsByIp.values()) calls += list.length;
const sec = (a: bigint, b: bigint) => (Number(b - a) / 1e9).toFixed(2);
const events = Math.ceil(DAY_SEC / RENEW_SEC) * CLIENTS * 2;
console.log(
  `clients ${CLIENTS}, events ${events}, expected rows ${result.rows.length}, findings ${findings.length}`,
);
console.log(`input alone ${sec(g0, g1)} s for ${n} events`);
console.log(
  `rebuild ${sec(t0, t1)} s wall, ${((c1.user + c1.system) / 1e6).toFixed(2)} s CPU, input included (${Math.round(events / (Number(t1 - t0) / 1e9)).toLocaleString('en')} events/s)`,
);
console.log(`diff    ${sec(t2, t3)} s`);
console.log(
  `attribution (queue model over every event, ${calls} calls kept for ${failingIps.size} IPs) ${sec(t4, t5)} s`,
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

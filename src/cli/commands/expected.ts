/**
 * `gluff-verify expected`: the lease rows Gluff should have written, rebuilt from the event store alone.
 */
import { ExitCode, type ExitCodeValue } from '../../model/errors.js';
import type { ExpectedLease } from '../../model/lease.js';
import { lossIntervals } from '../../rebuild/loss-intervals.js';
import { rebuildLeases } from '../../rebuild/rebuild-leases.js';
import { expandTimeTokens, formatIsoTime, isoOrNull } from '../../report/format-time.js';
import { EventStore } from '../../sources/sqlite/event-store.js';
import { loadRigSpec } from '../../spec/load-rig-spec.js';
import {
  parseCommandArgs,
  requireOption,
  WINDOW_HELP,
  WINDOW_OPTIONS,
  windowFromArgs,
  type CliIo,
  type Command,
} from '../command.js';
import { compareIps, REBUILD_KINDS } from '../verification.js';

const HELP = `Usage: gluff-verify expected --store DB --spec SPEC [options]

Prints the lease rows Gluff should have written, rebuilt from the secondary channel alone (dhcpd's
ACK, commit and release lines, the permuter's port maps), per IP in time order.

Options:
  --store DB     event store written by 'collect' or 'ingest'
  --spec SPEC    rig spec (YAML or JSON)
${WINDOW_HELP}
  --json         one JSON object per row (times ISO 8601 UTC)

Example:
  gluff-verify expected --store soak.db --spec specs/seed-rig.yaml --from 2026-11-28T00:00:00Z --json
`;

function rowJson(r: ExpectedLease): string {
  return JSON.stringify({
    ip: r.ip,
    hw: r.hw,
    cidHex: r.cidHex,
    remoteIdHex: r.remoteIdHex,
    start: isoOrNull(r.startMs),
    end: isoOrNull(r.endMs),
    endSource: r.endSource,
    release: isoOrNull(r.releaseMs),
    physicalPort: r.physicalPort,
    inconclusive: r.inconclusive === null ? null : expandTimeTokens(r.inconclusive),
    evidence: r.evidence,
  });
}

function rowText(r: ExpectedLease): string {
  const flags = [
    r.endSource,
    r.physicalPort === null ? null : `port ${r.physicalPort}`,
    r.inconclusive === null ? null : `inconclusive: ${expandTimeTokens(r.inconclusive)}`,
  ]
    .filter((x) => x !== null)
    .join(', ');
  return `${r.ip.padEnd(15)} ${formatIsoTime(r.startMs)} .. ${formatIsoTime(r.endMs)}  ${r.hw}  cid ${r.cidHex ?? '-'}  (${flags})`;
}

async function run(argv: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parseCommandArgs('expected', argv, {
    store: { type: 'string' },
    spec: { type: 'string' },
    ...WINDOW_OPTIONS,
    json: { type: 'boolean', default: false },
  });
  const storePath = requireOption('expected', 'store', values.store);
  const specPath = requireOption('expected', 'spec', values.spec);
  const { window, asOfMs } = windowFromArgs('expected', values, io.nowMs());
  const spec = loadRigSpec(specPath);
  const store = EventStore.open(storePath, { readonly: true });
  try {
    const losses = lossIntervals(store.channelStatsHistory());
    const { rows } = rebuildLeases(store.queryEvents({ kinds: REBUILD_KINDS, toMs: asOfMs + 1 }), spec, {
      asOfMs,
      window,
      losses,
    });
    const shown = rows
      .filter(
        (r) =>
          (window.toMs === null || r.startMs < window.toMs) &&
          (window.fromMs === null || r.endMs >= window.fromMs),
      )
      .sort((a, b) => compareIps(a.ip, b.ip) || a.startMs - b.startMs);
    for (const r of shown) io.stdout.write(`${values.json ? rowJson(r) : rowText(r)}\n`);
    if (!values.json) io.stderr.write(`${shown.length} expected rows\n`);
  } finally {
    store.close();
  }
  return ExitCode.pass;
}

export const command: Command = {
  name: 'expected',
  summary: 'print the lease rows Gluff should have written',
  help: HELP,
  run,
};

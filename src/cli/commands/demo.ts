/**
 * `gluff-verify demo`: the whole loop with no rig. Simulates the paper's rig (src/sim/simulate-rig.ts),
 * starts a collector on loopback in this process, sends it the simulated syslog, writes the simulated
 * Gluff table into a snapshot file (or a MySQL database), verifies, and prints the verdict, what the
 * fault catalogue says it should be, and where the reports are.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InlineWriter } from '../../collect/batch-writer.js';
import { Collector } from '../../collect/collector.js';
import { parseAllowList } from '../../collect/allow-list.js';
import { parseListenAddress } from '../../collect/listen-address.js';
import { AuditError, ExitCode, type ExitCodeValue } from '../../model/errors.js';
import type { RigSpec, VerificationResult } from '../../model/index.js';
import { renderTerminalReport } from '../../report/terminal-report.js';
import { FAULT_NAMES, isFaultName, type FaultName } from '../../sim/fault-catalogue.js';
import { sendSyslogTcp, sendSyslogUdp, writeSyslogFile } from '../../sim/send-syslog.js';
import { simulateRig, type Option82Path, type SimOutput } from '../../sim/simulate-rig.js';
import { writeSimGluffMysql } from '../../sim/write-gluff-mysql.js';
import { writeSimGluffSnapshot } from '../../sim/write-gluff-sqlite.js';
import { EventStore } from '../../sources/sqlite/event-store.js';
import { loadRigSpec } from '../../spec/load-rig-spec.js';
import { parseCommandArgs, parseTimeArg, type CliIo, type Command } from '../command.js';
import {
  mysqlGluffSource,
  parseGluffLocation,
  resolveMysqlConfig,
  snapshotGluffSource,
  type GluffSource,
} from '../gluff-source.js';
import { terminalColor, unwrittenReportsError, VERDICT_EXIT, writeReports } from '../report-files.js';
import { runVerification } from '../verification.js';

const NAME = 'demo';

const HELP = `Usage: gluff-verify demo [--hours H] [--clients M] [--seed S] [--faults a,b,...] [--gluff LOCATION] [options]

Simulates the rig of specs/seed-rig.yaml (two dhcpd in failover, a relay, the Option 82 switch, the
port permuter, RFC 2131 clients, two gluff daemons), collects its syslog on loopback, writes Gluff's
table, verifies, and prints the verdict with the paths of the reports. Deterministic per seed.

Options:
  --hours H            simulated hours (default 24)
  --clients M          clients (default: the spec's six)
  --seed S             random seed (default 1)
  --faults a,b,...     faults to inject; see 'gluff-verify faults' (default none)
  --gluff LOCATION     write Gluff's table to mysql://USER@HOST[:PORT]/DATABASE (a user with CREATE,
                       DROP and INSERT there; password from GLUFF_DBPWD or MYSQL_PWD; the Gluff tables in
                       that database are REPLACED) instead of a snapshot file in the output folder
  --spec FILE          rig spec (default specs/seed-rig.yaml)
  --out DIR            output folder (default reports/demo-seed<S>): events.db, gluff.db, the reports
  --transport T        udp (default) or tcp to the in-process collector
  --speedup N          simulated seconds per real second (default: as fast as the collector takes
                       them; 1440 plays a day in a minute, 1 is real time)
  --option82 P         snooping (default: the switch stamps every DHCP packet) or relay (only
                       relayed packets carry Option 82; dhcpd logs remembered options on renewals)
  --start T            simulated start (ISO 8601; default: --hours before now)
  --send URL           send the lines to a collector already running at udp://HOST:PORT or
                       tcp://HOST:PORT (loopback or your own test network only) instead of the
                       in-process one; then only the Gluff table is written and the verify command
                       to run is printed (no verdict: the store is the running collector's)
  --syslog-file FILE   also write the lines to FILE as rsyslog would (for 'gluff-verify ingest')

Exit codes: 0 pass, 1 fail, 2 inconclusive (as verify), 3 usage.

Example:
  gluff-verify demo --hours 6 --faults stale-port --seed 3
  make demo FAULTS=drop-release,channel-loss HOURS=12`;

function intArg(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new AuditError('GV_USAGE', `${NAME}: --${name} '${text}' is not an integer >= ${min}`);
  }
  return n;
}

function parseFaults(text: string | undefined): FaultName[] {
  if (text === undefined || text.trim() === '') return [];
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const n of names) {
    if (!isFaultName(n)) {
      throw new AuditError(
        'GV_USAGE',
        `${NAME}: unknown fault '${n}'; expected some of ${FAULT_NAMES.join(', ')}`,
      );
    }
  }
  return names as FaultName[];
}

/** Collects the simulated lines through a real collector on 127.0.0.1 (port 0) into `storePath`. */
async function collectSimulation(
  out: SimOutput,
  storePath: string,
  opts: { transport: 'udp' | 'tcp'; speedup: number; io: CliIo },
): Promise<{ received: number; stored: number; rejected: number }> {
  const store = EventStore.open(storePath);
  try {
    const collector = new Collector({
      listen: [parseListenAddress(`${opts.transport}://127.0.0.1:0`)],
      writer: new InlineWriter(store),
      parseContext: { zoneByHost: out.parseContext.zoneByHost, defaultZone: out.parseContext.defaultZone },
      allow: parseAllowList([]),
      maxMessageBytes: 8192,
      udpRcvbufBytes: null,
      idleTimeoutMs: 60_000,
      maxConnections: 4,
      nowMs: opts.io.nowMs,
    });
    await collector.start();
    const url = collector.urls[0] ?? '';
    const port = Number(url.slice(url.lastIndexOf(':') + 1));
    opts.io.stderr.write(`demo: collector listening on ${url}, storing into ${storePath}\n`);
    let lastShown = 0;
    const onProgress = (sent: number, total: number): void => {
      const now = opts.io.nowMs();
      if (now - lastShown < 500 && sent < total) return;
      lastShown = now;
      opts.io.stderr.write(`demo: sent ${sent}/${total} lines\n`);
    };
    const send = opts.transport === 'udp' ? sendSyslogUdp : sendSyslogTcp;
    const sent = await send(out.messages, '127.0.0.1', port, { speedup: opts.speedup, onProgress });
    // Every datagram is in the socket buffer once sent on loopback; give the collector one flush.
    await new Promise<void>((resolve) => setTimeout(resolve, 300));
    const totals = await collector.stop();
    if (out.channelStats.length > 0) {
      // Loopback loses nothing by itself: the simulated losses reach the store as the collector's
      // drop counters would (kernelDrops rising between two snapshots).
      store.recordChannelStats(out.channelStats.map((s) => ({ ...s, listener: `${url}#simulated-drops` })));
    }
    opts.io.stderr.write(
      `demo: collected ${totals.stored} of ${sent.sent} sent (${sent.skipped} lost on purpose), ${totals.rejected} rejected\n`,
    );
    return { received: totals.received, stored: totals.stored, rejected: totals.rejected };
  } finally {
    store.close();
  }
}

/** Writes the simulated Gluff table where `--gluff` says (default a snapshot in the output folder). */
async function writeGluff(
  out: SimOutput,
  spec: RigSpec,
  gluffArg: string | undefined,
  dir: string,
  io: CliIo,
): Promise<GluffSource> {
  const zone = spec.tolerances.gluffZone;
  const location =
    gluffArg === undefined
      ? { kind: 'sqlite' as const, path: join(dir, 'gluff.db') }
      : parseGluffLocation(gluffArg);
  if (location.kind === 'sqlite') {
    await writeSimGluffSnapshot(location.path, out.table, { zone, takenAtMs: out.asOfMs });
    io.stderr.write(`demo: wrote ${out.table.length} Gluff rows to sqlite:${location.path}\n`);
    return snapshotGluffSource(location.path);
  }
  const config = resolveMysqlConfig(location, { env: io.env });
  await writeSimGluffMysql(
    {
      host: config.host,
      port: config.port,
      user: config.user,
      database: config.database,
      ...(config.socketPath === undefined ? {} : { socketPath: config.socketPath }),
      ...(config.password === undefined ? {} : { password: config.password }),
    },
    out.table,
    { zone },
  );
  io.stderr.write(`demo: wrote ${out.table.length} Gluff rows to ${gluffArg}\n`);
  return mysqlGluffSource(config);
}

/**
 * The verify step, kept apart so it can follow `verify`: the stored events against the written table,
 * as of the instant both gluff daemons have drained their queues.
 */
async function verifyDemo(
  storePath: string,
  spec: RigSpec,
  specName: string,
  gluff: GluffSource,
  asOfMs: number,
): Promise<VerificationResult> {
  const store = EventStore.open(storePath, { readonly: true });
  try {
    return await runVerification({
      store,
      spec,
      specName,
      gluff,
      asOfMs,
      window: { fromMs: null, toMs: null },
    });
  } finally {
    store.close();
  }
}

async function run(argv: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parseCommandArgs(NAME, argv, {
    hours: { type: 'string' },
    clients: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    gluff: { type: 'string' },
    spec: { type: 'string' },
    out: { type: 'string' },
    transport: { type: 'string' },
    speedup: { type: 'string' },
    option82: { type: 'string' },
    start: { type: 'string' },
    send: { type: 'string' },
    'syslog-file': { type: 'string' },
  });
  const hours = values.hours === undefined ? 24 : Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 365) {
    throw new AuditError(
      'GV_USAGE',
      `${NAME}: --hours '${values.hours}' is not a number of hours in (0, 8760]`,
    );
  }
  const seed = intArg('seed', values.seed, 1, 0);
  const faults = parseFaults(values.faults);
  const specPath = values.spec ?? 'specs/seed-rig.yaml';
  const spec = loadRigSpec(specPath);
  const transport = values.transport ?? 'udp';
  if (transport !== 'udp' && transport !== 'tcp') {
    throw new AuditError('GV_USAGE', `${NAME}: --transport '${transport}' is neither udp nor tcp`);
  }
  const speedup = values.speedup === undefined ? Number.POSITIVE_INFINITY : Number(values.speedup);
  if (!(speedup > 0))
    throw new AuditError('GV_USAGE', `${NAME}: --speedup '${values.speedup}' is not a positive number`);
  const option82 = values.option82 ?? 'snooping';
  if (option82 !== 'snooping' && option82 !== 'relay') {
    throw new AuditError('GV_USAGE', `${NAME}: --option82 '${option82}' is neither snooping nor relay`);
  }
  // Syslog timestamps carry no year: end the simulated span at the present so year inference holds.
  const startMs =
    values.start === undefined
      ? Math.floor(io.nowMs() / 60_000) * 60_000 - Math.round(hours * 3_600_000)
      : parseTimeArg(NAME, 'start', values.start);
  const dir = values.out ?? join('reports', `demo-seed${seed}`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new AuditError(
      'GV_OUTPUT_WRITE',
      `${NAME}: cannot create output folder '${dir}': ${(err as Error).message}`,
      { cause: err },
    );
  }
  const storePath = join(dir, 'events.db');

  const t0 = io.nowMs();
  const out = simulateRig(spec, {
    seed,
    hours,
    faults,
    startMs,
    option82Path: option82 as Option82Path,
    ...(values.clients === undefined ? {} : { clients: intArg('clients', values.clients, 6, 1) }),
  });
  io.stderr.write(
    `demo: simulated ${hours} h of ${out.counts.clients} clients (seed ${seed}) in ${io.nowMs() - t0} ms: ` +
      `${out.counts.messages} lines, ${out.counts.acks} ACKs, ${out.counts.releases} releases, ` +
      `${out.counts.reshuffles} reshuffles, ${out.counts.tableRows} Gluff rows\n`,
  );
  for (const note of out.injected) io.stderr.write(`demo: fault ${note}\n`);

  if (values['syslog-file'] !== undefined) {
    const written = await writeSyslogFile(out.messages, values['syslog-file']);
    io.stderr.write(`demo: wrote ${written.sent} lines to ${values['syslog-file']}\n`);
  }
  if (values.send !== undefined) {
    const m = /^(udp|tcp):\/\/(?:\[([^\]]+)\]|([^:/[\]]+)):(\d{1,5})$/.exec(values.send);
    if (m === null) {
      throw new AuditError(
        'GV_USAGE',
        `${NAME}: --send '${values.send}' is not udp://HOST:PORT or tcp://HOST:PORT`,
      );
    }
    const host = m[2] ?? m[3] ?? '127.0.0.1';
    const port = Number(m[4]);
    const send = m[1] === 'udp' ? sendSyslogUdp : sendSyslogTcp;
    const sent = await send(out.messages, host, port, {
      speedup,
      onProgress: (n, total) => io.stderr.write(`demo: sent ${n}/${total} lines to ${values.send}\n`),
    });
    await writeGluff(out, spec, values.gluff, dir, io);
    io.stdout.write(
      `demo: sent ${sent.sent} lines to ${values.send} (${sent.skipped} lost on purpose); verify with:\n` +
        `  gluff-verify verify --store <the collector's store> --spec ${specPath} ` +
        `--gluff ${values.gluff ?? `sqlite:${join(dir, 'gluff.db')}`} --as-of ${new Date(out.asOfMs).toISOString()}\n`,
    );
    if (out.channelStats.length > 0) {
      io.stdout.write(
        'demo: channel-loss: the collector cannot see these losses; only the in-process demo records them\n',
      );
    }
    return ExitCode.pass;
  }
  // A store left from an earlier run of the same seed would mix two simulations.
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      rmSync(`${storePath}${suffix}`, { force: true });
    } catch {
      // rmSync with force only throws for a path it cannot remove; opening the store reports that.
    }
  }
  await collectSimulation(out, storePath, { transport, speedup, io });
  const gluff = await writeGluff(out, spec, values.gluff, dir, io);
  const result = await verifyDemo(storePath, spec, specPath, gluff, out.asOfMs);

  io.stdout.write(renderTerminalReport(result, { color: terminalColor(io), maxFindings: 10 }));
  const writes = writeReports(result, { reportDir: dir, stdout: io.stdout });
  const expected = out.expected;
  const matches = result.verdict === expected.verdict;
  io.stdout.write(
    `\ndemo: verdict ${result.verdict}; the fault catalogue expects ${expected.verdict}` +
      `${expected.kinds.length > 0 ? ` with ${expected.kinds.join(', ')}` : ''}${matches ? '' : '  <-- MISMATCH'}\n`,
  );
  for (const path of [storePath, ...writes.written]) io.stdout.write(`demo: ${path}\n`);
  if (writes.failed.length > 0) throw unwrittenReportsError(writes.failed);
  return VERDICT_EXIT[result.verdict] ?? ExitCode.internal;
}

export const command: Command = {
  name: NAME,
  summary: 'simulate a rig, collect, write Gluff, verify: the whole thing with no rig',
  help: HELP,
  run,
};

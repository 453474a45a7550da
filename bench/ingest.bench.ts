/**
 * Ingest throughput: parse + store of a generated 1M-line dhcpd log through the same code path as
 * `gluff-verify ingest` (ingestInputs), then parse-only and store-only rates for the split.
 *
 *   node --import tsx bench/ingest.bench.ts [LINES] [--serial]
 *
 * Prints figures only (no pass/fail). Target (issue): >= 500k lines/s for the full path.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBody, ParseContext, ParseResult, RawMessage } from '../src/model/events.js';
import { formatAppMessage, parseMessage } from '../src/parse/parse-message.js';
import { ingestInputs } from '../src/cli/commands/ingest.js';
import { LineSplitter } from '../src/cli/line-reader.js';
import { EventStore } from '../src/sources/sqlite/event-store.js';

const args = process.argv.slice(2);
/** `--serial` also times the in-process path (parse, then store, one thread): +15..20 s. */
const SERIAL = args.includes('--serial');
const LINES = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const CLIENTS = 5000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function mac(i: number): string {
  return `52:54:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
}

/** The five messages of one client's DORA + commit, formatted by the parser's own formatter. */
function clientMessages(i: number): string[] {
  const ip = `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  const m = mac(i);
  const via = `10.1.${(i % 4) + 1}.1`;
  const bodies: EventBody[] = [
    { kind: 'dhcpdiscover', mac: m, name: `host${i}`, via, reason: null },
    { kind: 'dhcpoffer', ip, mac: m, name: `host${i}`, via },
    { kind: 'dhcprequest', ip, serverId: '10.0.0.2', mac: m, name: `host${i}`, via, reason: null },
    { kind: 'dhcpack', ip, mac: m, name: `host${i}`, via },
    {
      kind: 'commit',
      ip,
      mac: m,
      leaseSec: 600,
      giaddr: via,
      circuitIdHex: `70:6f:72:74:${(i % 48).toString(16).padStart(2, '0')}`,
      remoteIdHex: null,
    },
  ];
  return bodies.map((b) => {
    const { app, msg } = formatAppMessage(b);
    return `${app}[812]: ${msg}`;
  });
}

/** Writes the file in 1 MB pieces, so generating does not inflate the peak RSS measured later. */
function generate(path: string, lines: number): void {
  const perClient = Array.from({ length: CLIENTS }, (_, i) => clientMessages(i));
  const fd = openSync(path, 'w');
  const startSec = Date.UTC(2026, 10, 28, 0, 0, 0) / 1000;
  let piece = '';
  for (let n = 0; n < lines; n++) {
    const client = Math.floor(n / 5) % CLIENTS;
    const d = new Date((startSec + Math.floor(n / 50)) * 1000); // 50 lines a second
    const stamp = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}`;
    piece += `${stamp} dhcp${1 + (client % 2)} ${(perClient[client] as string[])[n % 5]}\n`;
    if (piece.length > 1 << 20) {
      writeSync(fd, piece);
      piece = '';
    }
  }
  writeSync(fd, piece);
  closeSync(fd);
}

/** CPU seconds (user + system, all threads) since `since`: a figure that other load on the machine disturbs less than wall time. */
function cpuSec(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1e6;
}

function rate(n: number, sec: number): string {
  return `${Math.round(n / sec)}`;
}

function rssMb(): string {
  return (process.resourceUsage().maxRSS / 1024).toFixed(0);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gv-bench-ingest-'));
  try {
    const logPath = join(dir, 'dhcpd.log');
    let t = performance.now();
    generate(logPath, LINES);
    const size = statSync(logPath).size;
    console.log(
      `generated ${LINES} lines (${(size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const zones = { zoneByHost: { dhcp1: 'Europe/Stockholm' }, defaultZone: 'UTC' };

    // Full path (worker thread parses, this thread stores), first so that peak RSS is its own.
    for (const inProcess of SERIAL ? [false, true] : [false]) {
      const storePath = join(dir, `events-${inProcess ? 'serial' : 'worker'}.db`);
      const store = EventStore.open(storePath);
      const cpu0 = process.cpuUsage();
      const summary = await ingestInputs(store, [{ path: logPath }], {
        zones,
        yearRefMs: null,
        nowMs: () => Date.now(),
        inProcess,
      });
      store.close();
      console.log(
        `ingest ${inProcess ? 'in-process (parse, then store)' : 'worker (parse || store)'}: ${summary.lines} lines in ${(summary.elapsedMs / 1000).toFixed(2)} s = ` +
          `${Math.round((summary.lines * 1000) / summary.elapsedMs)} lines/s (${rate(summary.lines, cpuSec(cpu0))} lines per CPU-second); ` +
          `${summary.events} events, ${summary.rejected} rejected; ` +
          `peak RSS so far ${rssMb()} MB; store ${(statSync(storePath).size / 1e6).toFixed(0)} MB`,
      );
      rmSync(storePath, { force: true });
      rmSync(`${storePath}-wal`, { force: true });
      rmSync(`${storePath}-shm`, { force: true });
    }

    // Parse only: the same splitting, no store.
    const ctx: ParseContext = { ...zones, referenceMs: Date.now() };
    const data = await readFile(logPath);
    const lines: Buffer[] = [];
    new LineSplitter((l) => lines.push(l)).push(data);
    t = performance.now();
    let cpu = process.cpuUsage();
    let ok = 0;
    for (const l of lines) if (parseMessage(l, ctx).ok) ok++;
    const parseMs = performance.now() - t;
    console.log(
      `parse only: ${Math.round((lines.length * 1000) / parseMs)} lines/s (${rate(lines.length, cpuSec(cpu))} per CPU-second; ${ok} ok)`,
    );

    // Store only: a 100k-line sample parsed once, appended repeatedly in batches of 4096.
    const sample = lines.slice(0, 100_000);
    const raws: RawMessage[] = sample.map((bytes, i) => ({
      bytes,
      receivedMs: 0,
      peer: null,
      transport: 'file',
      origin: `${logPath}:${i + 1}`,
      trusted: true,
    }));
    const results: ParseResult[] = sample.map((b) => parseMessage(b, ctx));
    const store2Path = join(dir, 'store-only.db');
    const store2 = EventStore.open(store2Path);
    const rounds = Math.max(1, Math.round(LINES / sample.length));
    t = performance.now();
    cpu = process.cpuUsage();
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < raws.length; i += 4096)
        store2.appendParsed(raws.slice(i, i + 4096), results.slice(i, i + 4096), ctx);
    }
    const storeMs = performance.now() - t;
    const storeCpu = cpuSec(cpu);
    console.log(
      `store only: ${Math.round((rounds * raws.length * 1000) / storeMs)} rows/s (${rate(rounds * raws.length, storeCpu)} per CPU-second)`,
    );
    // Reading back: what rebuild/ and `events` do.
    t = performance.now();
    cpu = process.cpuUsage();
    let n = 0;
    for (const _e of store2.queryEvents({})) n++;
    const queryMs = performance.now() - t;
    console.log(
      `queryEvents: ${n} events at ${Math.round((n * 1000) / queryMs)} events/s (${rate(n, cpuSec(cpu))} per CPU-second)`,
    );
    store2.close();
    console.log(
      `load average during the run: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${availableParallelism()} cores`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

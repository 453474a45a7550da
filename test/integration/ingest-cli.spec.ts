import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { onCleanup, runCleanups, spawnCollector } from './collector-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs the real CLI (`node --import tsx src/cli/run.ts ...`) and collects its output. */
function cli(
  args: string[],
  stdin?: Buffer,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? Buffer.alloc(0));
  });
}

const LINES = [
  'Nov 28 01:23:40 dhcp1 dhcpd[812]: DHCPDISCOVER from 52:54:00:12:34:56 (host1) via 10.1.0.1',
  'Nov 28 01:23:41 dhcp1 dhcpd[812]: DHCPOFFER on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1',
  'Nov 28 01:23:42 dhcp1 dhcpd[812]: DHCPREQUEST for 10.1.0.50 (10.0.0.2) from 52:54:00:12:34:56 (host1) via 10.1.0.1',
  'Nov 28 01:23:42 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1',
  'Nov 28 01:23:42 dhcp1 dhcpd[812]: gv-commit ip=10.1.0.50 hw=52:54:0:12:34:56 lease=600 giaddr=10.1.0.1 cid=65:74:68:31 rid=',
  'this line is not syslog',
];

describe('gluff-verify ingest (CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gv-ingest-cli-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should ingest a file, a gzip file and stdin, then report them through events and stats', async () => {
    // Arrange: the plain file has CRLF endings and no final newline: its last line may still be being
    // written, so it waits for its newline (gzip and stdin end for good: their last line is read).
    // mtime in Nov 2026 for the year.
    const plain = join(dir, 'dhcpd.log');
    writeFileSync(plain, LINES.join('\r\n'));
    const gz = join(dir, 'dhcpd.log.1.gz');
    writeFileSync(gz, gzipSync(`${LINES.join('\n')}\n`));
    const disguised = join(dir, 'rotated'); // gzip without the .gz name: found by its magic
    writeFileSync(disguised, gzipSync(`${LINES[3]}\n`));
    const mtime = new Date(Date.UTC(2026, 10, 28, 2, 0, 0));
    for (const f of [plain, gz, disguised]) utimesSync(f, mtime, mtime);
    const store = join(dir, 'events.db');

    // Act
    const a = await cli([
      'ingest',
      plain,
      gz,
      disguised,
      '--store',
      store,
      '--zone',
      'dhcp1=Europe/Stockholm',
    ]);
    const b = await cli(
      ['ingest', '-', '--store', store, '--year-ref', '2026-11-28T02:00:00Z'],
      Buffer.from(`${LINES[3]}\n`),
    );
    const events = await cli(['events', '--store', store, '--kind', 'dhcpack', '--json']);
    const stats = await cli(['stats', '--store', store, '--json']);

    // Assert
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stderr, /ingest: 12 lines from 3 input\(s\) into .*: 11 events, 1 rejected/);
    assert.match(a.stderr, /1 partial last line/);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, /ingest: 1 lines from 1 input\(s\)/);
    assert.equal(events.code, 0, events.stderr);
    const acks = events.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // The three files hold the same ACK line (same host, second, pid and message): copies of one line by
    // three inputs, counted once (#12; stats counts the 4 stored messages). Stockholm is UTC+1 in
    // November; stdin had no --zone, so dhcp1 there is UTC (the stored zones are per run): another second.
    assert.deepEqual(
      acks.map((e) => e.time),
      ['2026-11-28T00:23:42.000Z', '2026-11-28T01:23:42.000Z'],
    );
    assert.deepEqual(
      {
        kind: acks[0]?.kind,
        host: acks[0]?.host,
        ip: acks[0]?.ip,
        mac: acks[0]?.mac,
        via: acks[0]?.via,
        name: acks[0]?.name,
        rawId: acks[0]?.rawId,
      },
      {
        kind: 'dhcpack',
        host: 'dhcp1',
        ip: '10.1.0.50',
        mac: '52:54:00:12:34:56',
        via: '10.1.0.1',
        name: 'host1',
        rawId: 4,
      },
    );
    assert.equal(stats.code, 0, stats.stderr);
    const st = JSON.parse(stats.stdout) as Record<string, unknown>;
    assert.equal(st.messages, 13);
    assert.equal(st.events, 12);
    assert.equal(st.rejected, 1);
    assert.equal(st.untrusted, 0);
    assert.deepEqual(st.byKind, { dhcpdiscover: 2, dhcpoffer: 2, dhcprequest: 2, dhcpack: 4, commit: 2 });
    assert.equal(st.firstTime, '2026-11-28T00:23:40.000Z');
    assert.equal(st.lastTime, '2026-11-28T01:23:42.000Z');
  });

  it('should keep earlier lines and fail with GV_INPUT_UNREADABLE on a corrupt gzip file', async () => {
    const store = join(dir, 'corrupt.db');
    const good = join(dir, 'good.log');
    writeFileSync(good, `${LINES.join('\n')}\n`);
    const whole = gzipSync(Buffer.from(`${LINES.join('\n')}\n`.repeat(2000)));
    const bad = join(dir, 'bad.log.gz');
    writeFileSync(
      bad,
      Buffer.concat([
        whole.subarray(0, whole.length - 40),
        Buffer.from('garbage-garbage-garbage-garbage-garbage!'),
      ]),
    );
    const r = await cli(['ingest', good, bad, '--store', store]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /GV_INPUT_UNREADABLE: cannot read input '.*bad\.log\.gz'/);
    const stats = await cli(['stats', '--store', store, '--json']);
    const st = JSON.parse(stats.stdout) as { messages: number };
    assert.ok(
      st.messages >= LINES.length,
      `the good file's ${LINES.length} lines stay stored, found ${st.messages}`,
    );
  });

  it('should exit 3 with GV_INPUT_UNREADABLE for a missing file and GV_USAGE for bad options', async () => {
    const store = join(dir, 'usage.db');
    const missing = await cli(['ingest', join(dir, 'nope.log'), '--store', store]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /GV_INPUT_UNREADABLE: cannot open input file '.*nope\.log'/);
    const zone = await cli(['ingest', '-', '--store', store, '--zone', 'dhcp1']);
    assert.equal(zone.code, 3);
    assert.match(zone.stderr, /GV_USAGE: ingest: --zone 'dhcp1' is not HOST=ZONE/);
    const kind = await cli(['events', '--store', store, '--kind', 'dhcpfoo']);
    assert.equal(kind.code, 3);
    assert.match(kind.stderr, /GV_USAGE/);
  });

  it('should reparse with new zones and print the counts before and after', async () => {
    const store = join(dir, 'reparse.db');
    const plain = join(dir, 'r.log');
    writeFileSync(plain, `${LINES.join('\n')}\n`);
    assert.equal(
      (await cli(['ingest', plain, '--store', store, '--year-ref', '2026-11-28T02:00:00Z'])).code,
      0,
    );
    const r = await cli(['reparse', '--store', store, '--zone', 'dhcp1=Europe/Stockholm']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dhcpack\s+1\s+1/);
    const ev = await cli(['events', '--store', store, '--kind', 'dhcpack', '--json']);
    assert.equal((JSON.parse(ev.stdout) as { time: string }).time, '2026-11-28T00:23:42.000Z');
  });

  it('should give the same store through the worker (big file) as in-process (stdin)', async () => {
    // Arrange: over WORKER_MIN_BYTES (4 MiB), so the file goes through the parsing worker.
    const big = join(dir, 'big.log');
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const sec = String(i % 60).padStart(2, '0');
      lines.push(
        i % 1000 === 999
          ? `junk ${i}`
          : `Nov 28 01:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${sec} dhcp1 dhcpd[812]: DHCPACK on 10.1.${(i >> 8) & 255}.${i & 255} to 52:54:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')} (client-${i}) via 10.1.0.1`,
      );
    }
    const text = `${lines.join('\n')}\n`;
    writeFileSync(big, text);
    const a = join(dir, 'worker.db');
    const b = join(dir, 'inproc.db');
    // Act
    const ra = await cli(['ingest', big, '--store', a, '--year-ref', '2026-11-28T02:00:00Z']);
    const rb = await cli(
      ['ingest', '-', '--store', b, '--year-ref', '2026-11-28T02:00:00Z'],
      Buffer.from(text),
    );
    // Assert
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(rb.code, 0, rb.stderr);
    const sa = JSON.parse((await cli(['stats', '--store', a, '--json'])).stdout) as Record<string, unknown>;
    const sb = JSON.parse((await cli(['stats', '--store', b, '--json'])).stdout) as Record<string, unknown>;
    assert.deepEqual(sa.byKind, { dhcpack: 59_940 });
    assert.equal(sa.rejected, 60);
    for (const k of [
      'messages',
      'events',
      'rejected',
      'byKind',
      'rejectionsByReason',
      'firstTime',
      'lastTime',
    ])
      assert.deepEqual(sa[k], sb[k], k);
    const strip = (out: string): string[] =>
      out
        .trim()
        .split('\n')
        .map((l) => {
          const { received: _r, ...rest } = JSON.parse(l) as Record<string, unknown>;
          return JSON.stringify(rest);
        });
    const from = ['--from', '2026-11-28T01:10:00Z', '--to', '2026-11-28T01:10:05Z', '--json'];
    const ea = strip((await cli(['events', '--store', a, ...from])).stdout);
    const eb = strip((await cli(['events', '--store', b, ...from])).stdout);
    assert.ok(ea.length > 0);
    assert.deepEqual(ea, eb);
  });
});

/** Two clients behind two relay ports and a permuter: enough for `verify --gluff none` to judge a store. */
const RIG_SPEC = `name: ingest-twice
servers:
  - { host: gvrg-dhcp1, role: primary, zone: UTC }
  - { host: gvrg-dhcp2, role: secondary, zone: UTC }
lease: { defaultSec: 120, minSec: 60, maxSec: 600, mcltSec: 300 }
switch:
  name: relay
  ports:
    - { name: gvrgrp1, switchIf: eth0, circuitId: gvrgrp1 }
    - { name: gvrgrp2, switchIf: eth1, circuitId: gvrgrp2 }
permuterHost: gvrg-perm
clientSegments:
  - { iface: eth3, macs: ['00:0c:29:00:00:01'] }
  - { iface: eth4, macs: ['00:0c:29:00:00:02'] }
tolerances: { startSkewSec: 2, endSkewSec: 2, approxEndSkewSec: 60, settleSec: 30, gluffZone: UTC }
portDisagreement: { dhcpd-stale-options: warn, switch-not-stamping: fail, moved-without-dhcp: warn }
memory: { warmupSec: 60, minSamples: 10, minDurationSec: 600, maxSlopeBytesPerHour: 1MiB, maxGrowthBytes: 16MiB }
`;

/** A stock dhcpd run as the central syslog file holds it: a permuter map, two leases (with their commits). */
const RIG_LINES = [
  'Nov 28 01:00:00 gvrg-perm autobridge[77]: map seq=1 bridge01=eth0+eth3 bridge02=eth1+eth4',
  'Nov 28 01:00:10 gvrg-dhcp1 dhcpd[812]: gv-commit ip=10.77.10.11 hw=0:c:29:0:0:1 lease=120 giaddr=10.77.1.1 cid=67:76:72:67:72:70:31 rid=',
  'Nov 28 01:00:10 gvrg-dhcp1 dhcpd[812]: DHCPACK on 10.77.10.11 to 00:0c:29:00:00:01 (c1) via 10.77.1.1',
  'Nov 28 01:00:12 gvrg-dhcp2 dhcpd[813]: gv-commit ip=10.77.10.12 hw=0:c:29:0:0:2 lease=120 giaddr=10.77.2.1 cid=67:76:72:67:72:70:32 rid=',
  'Nov 28 01:00:12 gvrg-dhcp2 dhcpd[813]: DHCPACK on 10.77.10.12 to 00:0c:29:00:00:02 (c2) via 10.77.2.1',
];
const RIG_AS_OF = '2026-11-28T01:10:00Z';

/** `Nov 28 01:MM:SS dhcp1 dhcpd[812]: DHCPACK ...` for client i: a distinct, parseable line per i. */
function ackLine(i: number): string {
  const mm = String(Math.floor(i / 60) % 60).padStart(2, '0');
  const ss = String(i % 60).padStart(2, '0');
  const hex = (i & 255).toString(16).padStart(2, '0');
  return `Nov 28 01:${mm}:${ss} dhcp1 dhcpd[812]: DHCPACK on 10.1.${(i >> 8) & 255}.${i & 255} to 52:54:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${hex} (client-${i}) via 10.1.0.1`;
}
function ackLines(from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += `${ackLine(i)}\n`;
  return s;
}

describe('gluff-verify ingest (CLI): checkpoints, no doubles (#12)', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gv-ingest-again-'));
  });
  afterEach(async () => {
    await runCleanups();
    rmSync(dir, { recursive: true, force: true });
  });

  async function stats(store: string): Promise<{ messages: number; events: number }> {
    const r = await cli(['stats', '--store', store, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { messages: number; events: number };
  }

  it('should store a file once however often it is ingested, and verify it as if ingested once', async () => {
    // Arrange: the report: the same file ingested twice made verify blame the channel (exit 2).
    const log = join(dir, 'messages.log');
    writeFileSync(log, `${RIG_LINES.join('\n')}\n`);
    const spec = join(dir, 'rig.yaml');
    writeFileSync(spec, RIG_SPEC);
    const store = join(dir, 'rig.db');
    const ingest = (): ReturnType<typeof cli> =>
      cli(['ingest', log, '--store', store, '--spec', spec, '--year-ref', RIG_AS_OF]);
    // Act
    const first = await ingest();
    const second = await ingest();
    const verify = await cli([
      'verify',
      '--store',
      store,
      '--spec',
      spec,
      '--gluff',
      'none',
      '--as-of',
      RIG_AS_OF,
      '--json',
      join(dir, 'report.json'),
    ]);
    // Assert
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /\b5 new, 0 already stored\b/);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /\b0 new, 5 already stored\b/);
    assert.equal((await stats(store)).messages, 5);
    assert.doesNotMatch(verify.stdout + verify.stderr, /seq jumped/);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  it('should read only what a growing file gained, recognise it rotated and gzipped, and start over after copytruncate', async () => {
    // Arrange: night 1 reads dhcpd.log (600 lines, past the 1 KiB fingerprint).
    const log = join(dir, 'dhcpd.log');
    const store = join(dir, 'events.db');
    const args = ['--store', store, '--year-ref', '2026-11-28T02:00:00Z'];
    writeFileSync(log, ackLines(0, 600));
    const night1 = await cli(['ingest', log, ...args]);
    // Night 2: 100 more lines, then logrotate: dhcpd.log -> dhcpd.log.1 -> dhcpd.log.1.gz, a new dhcpd.log.
    appendFileSync(log, ackLines(600, 700));
    renameSync(log, `${log}.1`);
    writeFileSync(`${log}.1.gz`, gzipSync(readFileSync(`${log}.1`)));
    rmSync(`${log}.1`);
    writeFileSync(log, ackLines(700, 750));
    const night2 = await cli(['ingest', log, `${log}.1.gz`, ...args]);
    // Night 3: the same files again, nothing new.
    const night3 = await cli(['ingest', `${log}.1.gz`, log, ...args]);
    // Night 4: copytruncate: dhcpd.log copied to dhcpd.log.1, emptied, then written on.
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    writeFileSync(log, ackLines(750, 760));
    const night4 = await cli(['ingest', log, `${log}.1`, `${log}.1.gz`, ...args]);
    // Assert
    for (const r of [night1, night2, night3, night4]) assert.equal(r.code, 0, r.stderr);
    assert.match(night1.stderr, /\b600 new, 0 already stored\b/);
    assert.match(night2.stderr, /\b150 new, 600 already stored\b/);
    assert.match(night3.stderr, /\b0 new, 750 already stored\b/);
    assert.match(night4.stderr, /\b10 new, 750 already stored\b/);
    const st = await stats(store);
    assert.equal(st.messages, 760);
    assert.equal(st.events, 760);
    const ev = await cli(['events', '--store', store, '--kind', 'dhcpack', '--json']);
    const ips = ev.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { ip: string }).ip);
    assert.equal(new Set(ips).size, 760);
  });

  it('should hold back a partial last line until its newline is written, and read short files again', async () => {
    // Arrange: shorter than the fingerprint, and the last line still being written.
    const log = join(dir, 'short.log');
    const store = join(dir, 'events.db');
    const args = ['--store', store, '--year-ref', '2026-11-28T02:00:00Z'];
    const third = ackLine(2);
    writeFileSync(log, `${ackLines(0, 2)}${third.slice(0, 30)}`);
    // Act
    const a = await cli(['ingest', log, ...args]);
    appendFileSync(log, `${third.slice(30)}\n${ackLine(3)}\n`);
    const b = await cli(['ingest', log, ...args]);
    const c = await cli(['ingest', log, ...args]);
    // Assert
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stderr, /\b2 new, 0 already stored\b/);
    assert.match(a.stderr, /1 partial last line/);
    assert.match(b.stderr, /\b2 new, 2 already stored\b/);
    assert.match(c.stderr, /\b0 new, 4 already stored\b/);
    const ev = await cli(['events', '--store', store, '--json']);
    assert.deepEqual(
      ev.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { ip: string }).ip),
      ['10.1.0.0', '10.1.0.1', '10.1.0.2', '10.1.0.3'],
    );
  });

  it('should say that stdin is not checkpointed, and still count a line sent twice once in the events', async () => {
    const store = join(dir, 'events.db');
    const input = Buffer.from(ackLines(0, 3));
    const args = ['ingest', '-', '--store', store, '--year-ref', '2026-11-28T02:00:00Z'];
    const a = await cli(args, input);
    const b = await cli(args, input);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stderr, /stdin is not checkpointed/);
    assert.match(b.stderr, /\b3 new, 0 already stored\b/);
    assert.equal((await stats(store)).messages, 6);
    const ev = await cli(['events', '--store', store, '--json']);
    assert.equal(ev.stdout.trim().split('\n').length, 3);
    const help = await cli(['ingest', '--help']);
    assert.match(help.stdout, /stdin/);
    assert.match(help.stdout, /not checkpointed/);
  });

  it('should not double what a collector already stored when the same host log is ingested', async () => {
    // Arrange: a real collector child receives the run over UDP (RFC 5424, full timestamps) ...
    const store = join(dir, 'rig.db');
    const spec = join(dir, 'rig.yaml');
    writeFileSync(spec, RIG_SPEC);
    const col = await spawnCollector(['--listen', 'udp://127.0.0.1:0', '--store', store]);
    const sock = createSocket('udp4');
    onCleanup(() => sock.close());
    for (const line of RIG_LINES) {
      const m = /^Nov 28 (\d\d:\d\d:\d\d) (\S+) (\w+)\[(\d+)\]: (.*)$/.exec(line) as RegExpExecArray;
      const msg = `<30>1 2026-11-28T${m[1]}Z ${m[2]} ${m[3]} ${m[4]} - - ${m[5]}`;
      await new Promise<void>((resolve, reject) =>
        sock.send(msg, col.ports[0] as number, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
    }
    await waitFor(async () => (await stats(store)).messages === RIG_LINES.length);
    col.child.kill('SIGTERM');
    assert.equal(await col.exited, 0, col.stderr());
    // ... and later someone ingests the central syslog file of the same run.
    const log = join(dir, 'messages.log');
    writeFileSync(log, `${RIG_LINES.join('\n')}\n`);
    // Act
    const r = await cli(['ingest', log, '--store', store, '--spec', spec, '--year-ref', RIG_AS_OF]);
    const ev = await cli(['events', '--store', store, '--json']);
    const verify = await cli([
      'verify',
      '--store',
      store,
      '--spec',
      spec,
      '--gluff',
      'none',
      '--as-of',
      RIG_AS_OF,
      '--json',
      join(dir, 'report.json'),
    ]);
    // Assert: every raw line is kept (10), each fact counts once.
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await stats(store)).messages, 2 * RIG_LINES.length);
    assert.equal(ev.stdout.trim().split('\n').length, RIG_LINES.length);
    assert.doesNotMatch(verify.stdout + verify.stderr, /seq jumped/);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  it('should create no store when an input is unreadable', async () => {
    const store = join(dir, 'new.db');
    const good = join(dir, 'good.log');
    writeFileSync(good, ackLines(0, 3));
    const r = await cli(['ingest', good, join(dir, 'nofile.log'), '--store', store]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /GV_INPUT_UNREADABLE: cannot open input file '.*nofile\.log'/);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('new.db')),
      [],
    );
    const d = await cli(['ingest', dir, '--store', store]);
    assert.equal(d.code, 3);
    assert.match(d.stderr, /GV_INPUT_UNREADABLE: cannot open input file '.*': is a directory/);
    assert.equal(existsSync(store), false);
  });

  it('should show progress (bytes, rate, ETA) on a terminal and nothing of it otherwise', async function () {
    // Arrange: a real pseudo-terminal from script(1) (bsdutils, installed by .ci/run).
    if (spawnSync('script', ['--version']).status !== 0) {
      if (process.env['CI'] !== undefined) throw new Error('script(1) is missing: .ci/run installs bsdutils');
      console.log('      skipped: script(1) not installed');
      this.skip();
    }
    // Long enough to be drawn (the first redraw comes after 250 ms): the plain file goes through the worker.
    const log = join(dir, 'year.log');
    writeFileSync(log, ackLines(0, 60_000));
    const gz = join(dir, 'year.log.1.gz');
    writeFileSync(gz, gzipSync(ackLines(60_000, 100_000)));
    const store = join(dir, 'events.db');
    const command = [
      process.execPath,
      '--import',
      'tsx',
      'src/cli/run.ts',
      'ingest',
      log,
      gz,
      '--store',
      store,
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    // Act: script copies what the terminal showed to its stdout.
    const tty = spawnSync('script', ['-qefc', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8' });
    const plain = await cli(['ingest', log, gz, '--store', join(dir, 'other.db')]);
    // Assert: stderr was the terminal for the first run, a pipe for the second.
    assert.equal(tty.status, 0, tty.stdout + tty.stderr);
    const shown = tty.stdout;
    assert.match(shown, /\r\x1b\[K.*\d+(\.\d)? [kMG]?B \/ \d+(\.\d)? [kMG]?B .*\d+ lines\/s.*ETA/);
    assert.match(shown, /ingest: 100000 lines from 2 input\(s\)/);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stderr, /\r|ETA/);
  });
});

/** Polls `check` every 20 ms until it holds (or fails after 10 s). */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

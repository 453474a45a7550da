/**
 * Collector benchmark: the highest UDP rate with zero loss, parse and store included (rows counted in
 * the event store), for our collector (UDP read by the recvmmsg addon, then by node:dgram) and, in the
 * same run, for Debian's rsyslog (imudp -> omfile) on this machine; the CPU each receiver spent per
 * message; then the receive paths alone: the `syslog-server` npm package, node:dgram and the addon.
 *
 * A SECOND PROCESS sends: bench/collector-sender.c (compiled here with cc), 110-byte RFC 3164 lines,
 * paced by the monotonic clock with sendmmsg(). Each rate runs for STEP_MS; loss = sent - rows/lines
 * that arrived once the receiver went quiet. The machine's load average is printed first: other work
 * on a 2-core machine moves these figures a lot.
 *
 * After the steps, ours (recvmmsg) and rsyslog each take SUSTAINED_RATE for SUSTAINED_MS.
 *
 * Run: node --import tsx bench/collector.bench.ts   (about 3 minutes)
 */
import { execFile, execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

// Up to 500k/s so that rsyslog's own ceiling is found, not the bench's (it lost nothing at 300k here).
const RATES = [25_000, 50_000, 100_000, 150_000, 200_000, 300_000, 400_000, 500_000];
const STEP_MS = 2000;
/** The sustained run after the steps: long enough that memory cannot hide a store slower than the rate. */
const SUSTAINED_RATE = 100_000;
const SUSTAINED_MS = 20_000;
const ROOT = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'gv-collector-bench-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface StepResult {
  rate: number;
  sent: number;
  arrived: number;
  achievedRate: number;
}

function compileSender(): string | null {
  const out = join(work, 'sender');
  try {
    execFileSync('cc', ['-O2', '-o', out, join(ROOT, 'bench/collector-sender.c')], { stdio: 'pipe' });
    return out;
  } catch (err) {
    console.log(
      `sender: cannot compile bench/collector-sender.c with cc (${(err as Error).message.split('\n')[0]}); skipping`,
    );
    return null;
  }
}

function send(
  sender: string,
  port: number,
  rate: number,
  runId: number,
  durationMs = STEP_MS,
): Promise<{ sent: number; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      sender,
      ['127.0.0.1', String(port), String(rate), String(durationMs), String(runId)],
      (err, stdout) => {
        if (err) return reject(err);
        const m = /sent=(\d+) errors=(\d+) elapsed_ms=([\d.]+)/.exec(stdout);
        if (m === null) return reject(new Error(`sender said: ${stdout}`));
        resolve({ sent: Number(m[1]), elapsedMs: Number(m[3]) });
      },
    );
  });
}

/** Polls `count` until it has not moved for 600 ms (the receiver has drained), or 40 s passed. */
async function settled(count: () => number): Promise<number> {
  let last = -1;
  let still = 0;
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const n = count();
    if (n === last) {
      if (++still >= 3) return n;
    } else {
      still = 0;
      last = n;
    }
    await sleep(200);
  }
  return last;
}

/** CPU seconds (user + system, all threads) process `pid` has used so far, from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    throw new Error(`the receiver (pid ${pid}) is gone: it exited during the benchmark`);
  }
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

async function stepRates(
  label: string,
  sender: string,
  port: number,
  count: () => number,
  pid: number,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let base = await settled(count);
  const first = base;
  const cpu0 = cpuSeconds(pid);
  let losses = 0;
  for (const [i, rate] of RATES.entries()) {
    const { sent, elapsedMs } = await send(sender, port, rate, i + 1);
    const sentAt = Date.now();
    const now = await settled(count);
    const drainMs = Math.max(0, Date.now() - sentAt - 600);
    const r = { rate, sent, arrived: now - base, achievedRate: Math.round((sent * 1000) / elapsedMs) };
    results.push(r);
    base = now;
    console.log(
      `${label}: ${String(rate).padStart(7)} msg/s asked, ${String(r.achievedRate).padStart(7)} sent/s: sent ${sent} stored ${r.arrived} lost ${sent - r.arrived}; all stored ${(drainMs / 1000).toFixed(1)} s after the last send`,
    );
    if (sent !== r.arrived && ++losses >= 2) break;
  }
  const cpu = cpuSeconds(pid) - cpu0;
  const handled = base - first;
  console.log(
    `${label}: receiver CPU ${cpu.toFixed(1)} s for ${handled} messages = ${((cpu * 1e6) / Math.max(handled, 1)).toFixed(2)} us per message`,
  );
  return results;
}

/** SUSTAINED_RATE for SUSTAINED_MS: zero loss here means the whole path keeps up, not only the socket. */
async function sustained(label: string, sender: string, port: number, count: () => number): Promise<boolean> {
  const base = await settled(count);
  const { sent, elapsedMs } = await send(sender, port, SUSTAINED_RATE, 99, SUSTAINED_MS);
  const sentAt = Date.now();
  const arrived = (await settled(count)) - base;
  const drainMs = Math.max(0, Date.now() - sentAt - 600);
  console.log(
    `${label}: sustained ${SUSTAINED_RATE} msg/s for ${SUSTAINED_MS / 1000} s (${Math.round((sent * 1000) / elapsedMs)} sent/s): sent ${sent} stored ${arrived} lost ${sent - arrived}; all stored ${(drainMs / 1000).toFixed(1)} s after the last send`,
  );
  return sent === arrived;
}

function best(results: StepResult[]): number {
  let top = 0;
  for (const r of results) {
    if (r.sent !== r.arrived) break;
    // A step counts at the rate the sender really reached (on 2 cores it can fall short of the ask).
    top = Math.max(top, Math.min(r.rate, r.achievedRate));
  }
  return top;
}

async function ourCollector(sender: string, reader: 'recvmmsg' | 'dgram'): Promise<number> {
  const db = join(work, `events-${reader}.db`);
  const label = `gluff-verify collect (UDP read by ${reader})`;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'src/cli/run.ts'),
      'collect',
      '--udp-reader',
      reader,
      '--listen',
      'udp://127.0.0.1:0',
      '--store',
      db,
      '--stats-every',
      '60',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on udp:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`collector exited: ${stderr}`)));
  });
  console.log(`${label}: ${/listening on [^\n]*/.exec(stderr)?.[0]}`);
  const db2 = new Database(db, { readonly: true });
  const count = (): number =>
    (db2.prepare('SELECT coalesce(sum(count), 0) AS n FROM batch').get() as { n: number }).n;
  const results = await stepRates(label, sender, port, count, child.pid as number);
  if (reader === 'recvmmsg') await sustained(label, sender, port, count);
  db2.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const summary = /collect: stopped;[^\n]*/.exec(stderr)?.[0];
  if (summary) console.log(`${label}: ${summary.slice('collect: '.length)}`);
  return best(results);
}

/** TCP has flow control, so nothing is lost: what it shows is the sustained parse+store rate. */
async function tcpSustained(): Promise<void> {
  const db = join(work, 'events-tcp.db');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'src/cli/run.ts'),
      'collect',
      '--listen',
      'tcp://127.0.0.1:0',
      '--store',
      db,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  const port = await new Promise<number>((resolve) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
  });
  const N = 200_000;
  const frames: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    const s = `<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.${(i >> 8) & 255}.${i & 255} to 52:54:00:12:34:56 (c${String(i).padStart(7, '0')}) via 10.1.0.1`;
    frames.push(Buffer.from(`${s.length} ${s}`));
  }
  const t0 = Date.now();
  const sock = connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  await new Promise((r) => sock.write(Buffer.concat(frames), r));
  const reader = new Database(db, { readonly: true });
  while ((reader.prepare('SELECT coalesce(sum(count), 0) AS n FROM batch').get() as { n: number }).n < N)
    await sleep(50);
  const ms = Date.now() - t0;
  reader.close();
  sock.end();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  console.log(
    `gluff-verify collect over TCP (octet counting, one connection): ${N} frames stored in ${ms} ms = ${Math.round((N * 1000) / ms)} msg/s sustained parse+store`,
  );
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function rsyslog(sender: string): Promise<number | null> {
  if (!existsSync('/usr/sbin/rsyslogd')) {
    console.log('rsyslog: /usr/sbin/rsyslogd is not installed (apt-get install rsyslog); skipped');
    return null;
  }
  const port = await freeUdpPort();
  const out = join(work, 'rsyslog.log');
  const conf = join(work, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      `global(workDirectory="${work}")`,
      'module(load="imudp")',
      `input(type="imudp" address="127.0.0.1" port="${port}" rcvbufSize="4m" RateLimit.Interval="0")`,
      `*.* action(type="omfile" file="${out}" template="RSYSLOG_TraditionalFileFormat")`,
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/rsyslogd', ['-n', '-f', conf, '-i', join(work, 'rsyslog.pid')], {
    stdio: 'ignore',
  });
  children.push(child);
  // rsyslogd has no readiness signal on stdout: send probes until one shows up in the file.
  let offset = 0;
  let lines = 0;
  const count = (): number => {
    if (!existsSync(out)) return lines;
    const size = statSync(out).size;
    if (size <= offset) return lines;
    const fd = openSync(out, 'r');
    const buf = Buffer.alloc(1 << 20);
    while (offset < size) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
      for (let i = 0; i < n; i++) if (buf[i] === 0x0a) lines++;
      offset += n;
    }
    closeSync(fd);
    return lines;
  };
  const probe = createSocket('udp4');
  for (let i = 0; i < 50 && count() === 0; i++) {
    probe.send('<13>Nov 28 01:00:00 probe bench: ready', port, '127.0.0.1');
    await sleep(100);
  }
  probe.close();
  console.log(
    `rsyslogd ${/rsyslogd\s+(\S+)/.exec(execFileSync('/usr/sbin/rsyslogd', ['-v']).toString())?.[1]}: imudp 127.0.0.1:${port} -> omfile`,
  );
  const results = await stepRates('rsyslog (imudp->omfile)', sender, port, count, child.pid as number);
  await sustained('rsyslog (imudp->omfile)', sender, port, count);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return best(results);
}

async function receiverComparison(sender: string): Promise<void> {
  for (const mode of ['syslog-server', 'dgram', 'recvmmsg']) {
    const child = fork(join(ROOT, 'bench/collector-receiver.ts'), [mode], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    children.push(child);
    const port = await new Promise<number>((resolve) => {
      child.stdout?.on('data', (d: Buffer) => {
        const m = /port (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
    });
    const ask = (): Promise<number> =>
      new Promise((resolve) => {
        child.once('message', (n) => resolve(n as number));
        child.send('count');
      });
    for (const rate of [100_000, 200_000, 400_000]) {
      await ask();
      const { sent } = await send(sender, port, rate, 9);
      await sleep(500);
      const got = await ask();
      console.log(
        `receive only, ${mode.padEnd(13)}: ${rate} msg/s: sent ${sent} received ${got} lost ${sent - got} (${(((sent - got) * 100) / sent).toFixed(2)}%)`,
      );
    }
    child.kill();
  }
}

/** The syslog-server facts the design rests on, checked in this process. */
async function syslogServerFacts(): Promise<void> {
  type S = {
    start(o: object): Promise<void>;
    stop(): Promise<void>;
    isRunning(): boolean;
    on(e: string, f: (m: unknown) => void): void;
  };
  const SyslogServer = createRequire(import.meta.url)('syslog-server') as new () => S;
  const within = <T>(p: Promise<T>, ms: number): Promise<T | string> =>
    Promise.race([p, sleep(ms).then(() => `still pending after ${ms} ms`)]);
  const outcome = (p: Promise<unknown>): Promise<unknown> =>
    within(
      p.then(
        () => 'resolved',
        (e: unknown) => `rejected (${(e as { message?: string }).message ?? String(e)})`,
      ),
      1000,
    );
  // 1. Two servers in one process: the second is refused, and stopping it closes the first one's socket.
  const a = new SyslogServer();
  a.on('error', () => undefined);
  console.log(
    `syslog-server: first server start(): ${await outcome(a.start({ port: await freeUdpPort(), address: '127.0.0.1', exclusive: true }))}`,
  );
  const b = new SyslogServer();
  b.on('error', () => undefined);
  console.log(
    `syslog-server: second server start(): ${await outcome(b.start({ port: await freeUdpPort(), address: '127.0.0.1', exclusive: true }))}`,
  );
  await outcome(b.stop());
  console.log(`syslog-server: after second.stop(), first.isRunning() = ${a.isRunning()}`);
  // 2. Bind failure: the port is taken.
  const busy = createSocket('udp4');
  await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
  const c = new SyslogServer();
  c.on('error', () => undefined);
  console.log(
    `syslog-server: start() on a port in use: ${await outcome(c.start({ port: busy.address().port, address: '127.0.0.1', exclusive: true }))}`,
  );
  busy.close();
  // 3. IPv6.
  const d = new SyslogServer();
  d.on('error', () => undefined);
  console.log(
    `syslog-server: start() on ::1: ${await outcome(d.start({ port: 0, address: '::1', exclusive: true }))}`,
  );
}

const t0 = Date.now();
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${execFileSync('nproc').toString().trim()} cores; ${STEP_MS} ms per rate`,
);
const sender = compileSender();
if (sender !== null) {
  const ours = await ourCollector(sender, 'recvmmsg');
  const oursDgram = await ourCollector(sender, 'dgram');
  await tcpSustained();
  const theirs = await rsyslog(sender);
  await receiverComparison(sender);
  await syslogServerFacts();
  console.log(
    `RESULT highest zero-loss rate, parse+store: gluff-verify collect ${ours} msg/s (UDP read by node:dgram instead: ${oursDgram} msg/s)`,
  );
  if (theirs !== null) {
    console.log(
      `RESULT highest zero-loss rate, imudp->omfile: rsyslog ${theirs} msg/s (ours/rsyslog = ${(ours / Math.max(theirs, 1)).toFixed(2)})`,
    );
  }
}
console.log(`bench took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(0);

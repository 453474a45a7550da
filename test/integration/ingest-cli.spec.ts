import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

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
    // Arrange: the plain file has CRLF endings and no final newline; mtime in Nov 2026 for the year.
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
    assert.match(a.stderr, /ingest: 13 lines from 3 input\(s\) into .*: 11 events, 2 rejected/);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, /ingest: 1 lines from 1 input\(s\)/);
    assert.equal(events.code, 0, events.stderr);
    const acks = events.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(acks.length, 4);
    // Stockholm is UTC+1 in November; stdin had no --zone, so dhcp1 there is UTC (the stored zones are per run).
    assert.deepEqual(
      acks.map((e) => e.time),
      [
        '2026-11-28T00:23:42.000Z',
        '2026-11-28T00:23:42.000Z',
        '2026-11-28T00:23:42.000Z',
        '2026-11-28T01:23:42.000Z',
      ],
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
    assert.equal(st.messages, 14);
    assert.equal(st.events, 12);
    assert.equal(st.rejected, 2);
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

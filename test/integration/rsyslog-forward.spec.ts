/**
 * The deployment snippets in specs/deploy/ run in Debian's real rsyslogd: an instance with its own
 * config, pid file, work dir and log socket (the system's rsyslog is not touched) forwards to a
 * collector on 127.0.0.1, once over UDP and once over TCP with octet counting.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup, runCleanups, startCollector, tempDir } from './collector-harness.js';

const RSYSLOGD = '/usr/sbin/rsyslogd';
const ROOT = new URL('../..', import.meta.url).pathname;
const ACK = 'DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1';
const GLUFF = 'Starting gluff';

/** The deploy snippet with its documentation target replaced by the test collector. */
function snippet(file: string, port: number): string {
  const text = readFileSync(join(ROOT, 'specs/deploy', file), 'utf8');
  assert.match(text, /target="192\.0\.2\.10"/);
  return text.replace('target="192.0.2.10"', 'target="127.0.0.1"').replace(/port="\d+"/, `port="${port}"`);
}

async function runRsyslog(forwardConf: string): Promise<string> {
  const dir = tempDir();
  const sock = join(dir, 'log.sock');
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      `global(workDirectory="${dir}" localHostName="dhcp1")`,
      'module(load="imuxsock" SysSock.Use="off")',
      `input(type="imuxsock" Socket="${sock}" CreatePath="on" RateLimit.Interval="0")`,
      forwardConf,
      '',
    ].join('\n'),
  );
  execFileSync(RSYSLOGD, ['-N1', '-f', conf], { stdio: 'pipe' });
  const child = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  // The socket appears when imuxsock is ready; rsyslogd gives no other readiness signal.
  while (!existsSync(sock)) await new Promise((r) => setTimeout(r, 20));
  return sock;
}

function logger(sock: string, tag: string, priority: string, text: string): void {
  execFileSync('logger', ['-u', sock, '-t', tag, '-p', priority, text]);
}

const rsyslogMissing = existsSync(RSYSLOGD) ? null : `${RSYSLOGD} is not installed (apt-get install rsyslog)`;

describe('rsyslog forwarding (specs/deploy)', function () {
  afterEach(runCleanups);
  before(function () {
    // CI installs rsyslog; on a laptop without it these tests say why and stop here.
    if (rsyslogMissing !== null) {
      console.log(`      skipped: ${rsyslogMissing}`);
      this.skip();
    }
  });

  for (const [file, listen] of [
    ['rsyslog-forward-udp.conf', 'udp://127.0.0.1:0'],
    ['rsyslog-forward-tcp.conf', 'tcp://127.0.0.1:0'],
  ] as const) {
    it(`should forward dhcpd and gluff (local2) lines and nothing else with ${file}`, async () => {
      // Arrange
      const h = await startCollector([listen], { allow: ['127.0.0.1'] });
      const sock = await runRsyslog(snippet(file, h.port()));
      // Act
      logger(sock, 'cron', 'cron.info', 'not for the verifier');
      logger(sock, 'gluff', 'user.info', 'gluff on the wrong facility');
      logger(sock, 'dhcpd', 'daemon.info', ACK);
      logger(sock, 'gluff', 'local2.info', GLUFF);
      await h.waitStored(2, 20_000);
      await h.collector.stop();
      // Assert
      const store = h.openStore();
      const s = store.stats();
      assert.equal(s.messages, 2, JSON.stringify(s));
      assert.equal(s.rejected, 0);
      const events = [...store.queryEvents()];
      assert.deepEqual(events.map((e) => [e.kind, e.host]).sort(), [
        ['dhcpack', 'dhcp1'],
        ['gluff', 'dhcp1'],
      ]);
    });
  }
});

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendSyslogTcp, sendSyslogUdp, writeSyslogFile } from '../../../src/sim/send-syslog.js';
import { simulateRig } from '../../../src/sim/simulate-rig.js';
import { seedRigSpec } from './sim-spec.js';

function sample() {
  return simulateRig(seedRigSpec(), { seed: 9, hours: 1, faults: ['channel-loss'] });
}

describe('sendSyslogUdp', () => {
  it('should send each message not lost as one datagram, in order', async () => {
    // Arrange
    const out = sample();
    const socket = createSocket('udp4');
    const got: string[] = [];
    const expected = out.messages.filter((m) => !m.lost).map((m) => m.line);
    try {
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const done = new Promise<void>((resolve) => {
        socket.on('message', (buf) => {
          got.push(buf.toString('utf8'));
          if (got.length === expected.length) resolve();
        });
      });
      // Act
      const result = await sendSyslogUdp(out.messages, '127.0.0.1', socket.address().port, { burst: 50 });
      await done;
      // Assert
      assert.equal(result.sent, expected.length);
      assert.equal(result.skipped, out.counts.lost);
      assert.ok(result.skipped > 0);
      assert.deepEqual(got, expected);
    } finally {
      socket.close();
    }
  });
});

describe('sendSyslogTcp', () => {
  it('should send octet-counted frames (RFC 6587) over one connection', async () => {
    const out = sample();
    const chunks: Buffer[] = [];
    let conn: Socket | null = null;
    const server = createServer((c) => {
      conn = c;
      c.on('data', (d) => chunks.push(d));
    });
    try {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const closed = new Promise<void>((resolve) => server.once('connection', (c) => c.once('end', resolve)));
      const result = await sendSyslogTcp(out.messages, '127.0.0.1', port);
      await closed;
      const text = Buffer.concat(chunks).toString('utf8');
      const frames: string[] = [];
      for (let i = 0; i < text.length;) {
        const sp = text.indexOf(' ', i);
        const len = Number(text.slice(i, sp));
        frames.push(text.slice(sp + 1, sp + 1 + len));
        i = sp + 1 + len;
      }
      assert.equal(result.sent, frames.length);
      assert.deepEqual(
        frames,
        out.messages.filter((m) => !m.lost).map((m) => m.line),
      );
    } finally {
      (conn as Socket | null)?.destroy();
      server.close();
    }
  });
});

describe('writeSyslogFile', () => {
  it('should write one line a message, without the PRI, as rsyslog files hold them', async () => {
    const out = sample();
    const dir = mkdtempSync(join(tmpdir(), 'gv-sim-file-'));
    try {
      const path = join(dir, 'sim.log');
      const result = await writeSyslogFile(out.messages, path);
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, result.sent);
      assert.match(lines[0] ?? '', /^Nov 27 01:00:00 autobridge autobridge\[\d+\]: down seq=1$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

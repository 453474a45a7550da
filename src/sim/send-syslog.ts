/**
 * Sends the simulator's syslog messages to a collector (UDP datagrams or RFC 6587 octet-counted TCP
 * frames) or writes them to a file as rsyslog would (no PRI). Messages the simulation marked `lost`
 * are never sent (channel-loss). Loopback only in tests: the caller chooses the address.
 */
import { createSocket } from 'node:dgram';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { AuditError } from '../model/errors.js';
import type { SimMessage } from './simulate-rig.js';

export interface SendOptions {
  /**
   * Simulated ms per real ms: 1 is real time (a soak), 1440 plays a day in a minute; Infinity (default)
   * sends as fast as the receiver keeps up (bursts of `burst` messages, then a yield to the event loop).
   */
  speedup?: number;
  /** Messages per burst in the fast mode; default 200 (keeps a loopback collector's socket buffer from overflowing). */
  burst?: number;
  /** Called after every burst (and at the end) with how many were sent so far. */
  onProgress?: (sent: number, total: number) => void;
  /** The clock and sleep of the pacing; tests pass their own. */
  nowMs?: () => number;
}

export interface SendResult {
  sent: number;
  /** Messages the simulation marked lost, not sent. */
  skipped: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function paced(
  messages: readonly SimMessage[],
  opts: SendOptions,
  send: (m: SimMessage) => Promise<void> | void,
): Promise<SendResult> {
  const speedup = opts.speedup ?? Number.POSITIVE_INFINITY;
  const burst = opts.burst ?? 200;
  const now = opts.nowMs ?? (() => performance.now());
  const t0 = now();
  const sim0 = messages[0]?.trueMs ?? 0;
  let sent = 0;
  let skipped = 0;
  let inBurst = 0;
  for (const m of messages) {
    if (m.lost) {
      skipped++;
      continue;
    }
    if (Number.isFinite(speedup)) {
      const due = (m.trueMs - sim0) / speedup - (now() - t0);
      if (due > 1) {
        opts.onProgress?.(sent, messages.length);
        await sleep(due);
      }
    }
    await send(m);
    sent++;
    if (++inBurst >= burst) {
      inBurst = 0;
      opts.onProgress?.(sent, messages.length);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  opts.onProgress?.(sent, messages.length);
  return { sent, skipped };
}

/** Sends every message as one UDP datagram to host:port. */
export async function sendSyslogUdp(
  messages: readonly SimMessage[],
  host: string,
  port: number,
  opts: SendOptions = {},
): Promise<SendResult> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    return await paced(
      messages,
      opts,
      (m) =>
        new Promise<void>((resolve, reject) =>
          socket.send(Buffer.from(m.line, 'utf8'), port, host, (err) => (err ? reject(err) : resolve())),
        ),
    );
  } catch (err) {
    throw new AuditError(
      'GV_BIND_FAILED',
      `sending syslog to udp://${host}:${port} failed: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  } finally {
    socket.close();
  }
}

/** Sends every message over one TCP connection, octet-counted (RFC 6587: `LEN SP MSG`). */
export async function sendSyslogTcp(
  messages: readonly SimMessage[],
  host: string,
  port: number,
  opts: SendOptions = {},
): Promise<SendResult> {
  const socket = connect({ host, port });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const result = await paced(messages, opts, (m) => {
      const body = Buffer.from(m.line, 'utf8');
      const ok = socket.write(Buffer.concat([Buffer.from(`${body.length} `), body]));
      if (ok) return undefined;
      return new Promise<void>((resolve) => socket.once('drain', resolve));
    });
    await new Promise<void>((resolve) => socket.end(resolve));
    return result;
  } catch (err) {
    socket.destroy();
    throw new AuditError(
      'GV_BIND_FAILED',
      `sending syslog to tcp://${host}:${port} failed: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** Writes the messages one a line as a syslog file (`Nov 27 00:01:02 dhcp1 dhcpd[812]: ...`, no PRI). */
export async function writeSyslogFile(messages: readonly SimMessage[], path: string): Promise<SendResult> {
  const out = createWriteStream(path);
  let sent = 0;
  let skipped = 0;
  try {
    for (const m of messages) {
      if (m.lost) {
        skipped++;
        continue;
      }
      const line = `${m.line.replace(/^<\d{1,3}>/, '')}\n`;
      if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', resolve));
      sent++;
    }
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  } catch (err) {
    out.destroy();
    throw new AuditError(
      'GV_OUTPUT_WRITE',
      `${path}: writing the simulated syslog failed (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
  return { sent, skipped };
}

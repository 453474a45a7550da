/**
 * `gluff-verify sample`: reads dhcpd's and gluff's memory from /proc at a fixed interval and sends one
 * `memsample` syslog line per process and sample, so memory travels the same channel as the rest of the
 * evidence. Lines are RFC 5424 with millisecond UTC timestamps:
 * `<14>1 2026-11-28T02:40:00.123Z dhcp1 memsample - - - proc=dhcpd pid=812 rss=9330688 data=2953216`
 */
import { createSocket, type Socket } from 'node:dgram';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { AuditError, ExitCode, type ExitCodeValue } from '../../model/errors.js';
import type { MemSample } from '../../model/events.js';
import { parseDurationMs } from '../../model/time.js';
import { formatLogLine } from '../../parse/parse-message.js';
import { findPidsByName, readProcMemory } from '../../sources/proc/proc-memory.js';
import { parseCommandArgs, type CliIo, type Command } from '../command.js';

const HELP = `Usage: gluff-verify sample --syslog udp://HOST:PORT (--proc NAME | --pid N)... [options]

Samples process memory (VmRSS and VmData from /proc/PID/status) and sends one syslog line per
process per sample to a gluff-verify collector, tag 'memsample':
  proc=NAME pid=PID rss=BYTES data=BYTES      a sample
  proc=NAME gone                              no such process right now
A process followed by name that restarts shows up with a new PID: the leak check starts a new segment.

Options:
  --proc NAME        follow processes whose name (/proc/PID/comm) is NAME; repeatable
  --pid N            follow this PID (named by its comm); repeatable; a vanished PID reports 'gone'
  --every DURATION   interval: 30s (default), 500ms, 1m
  --syslog URL       udp://HOST:PORT of the collector (IPv6 in brackets)
  --host NAME        host name in the syslog header (default: this machine's)
  --count N          stop after N rounds (default: run until SIGINT/SIGTERM)

Example:
  gluff-verify sample --proc dhcpd --proc gluff --every 30s --syslog udp://10.0.3.10:514
`;

function parseSyslogUrl(text: string): { host: string; port: number } {
  const m = /^udp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)$/.exec(text);
  const host = m?.[1]?.replace(/^\[|\]$/g, '');
  const port = Number(m?.[2]);
  if (m === null || host === undefined || !(port > 0 && port < 65536)) {
    throw new AuditError(
      'GV_USAGE',
      `sample: --syslog '${text}' is not udp://HOST:PORT (IPv6 as udp://[::1]:514)`,
    );
  }
  return { host, port };
}

interface Target {
  proc: string;
  /** Set for --pid targets: that PID only. */
  pid: number | null;
}

/** One round: a MemSample body per process found (or one `gone` per target with none). */
export function sampleTargets(targets: readonly Target[]): MemSample[] {
  const out: MemSample[] = [];
  for (const t of targets) {
    const pids = t.pid === null ? findPidsByName(t.proc) : [t.pid];
    const found = pids.map((pid) => readProcMemory(pid)).filter((m) => m !== null);
    if (found.length === 0) {
      out.push({ kind: 'memsample', proc: t.proc, pid: null, rssBytes: null, dataBytes: null, gone: true });
      continue;
    }
    for (const m of found) {
      out.push({
        kind: 'memsample',
        proc: t.proc,
        pid: m.pid,
        rssBytes: m.rssBytes,
        dataBytes: m.dataBytes,
        gone: false,
      });
    }
  }
  return out;
}

async function run(argv: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parseCommandArgs('sample', argv, {
    proc: { type: 'string', multiple: true },
    pid: { type: 'string', multiple: true },
    every: { type: 'string', default: '30s' },
    syslog: { type: 'string' },
    host: { type: 'string' },
    count: { type: 'string' },
  });
  if (values.syslog === undefined)
    throw new AuditError('GV_USAGE', "sample: --syslog is required; see 'gluff-verify sample --help'");
  const dest = parseSyslogUrl(values.syslog);
  const everyMs = parseDurationMs(values.every ?? '30s');
  if (everyMs === null || everyMs === 0)
    throw new AuditError(
      'GV_USAGE',
      `sample: --every '${values.every}' is not a duration above zero such as 30s, 500ms or 1m`,
    );
  const count = values.count === undefined ? Infinity : Number(values.count);
  if (!(count > 0))
    throw new AuditError('GV_USAGE', `sample: --count '${values.count}' is not a positive number`);
  const targets: Target[] = (values.proc ?? []).map((proc) => ({ proc, pid: null }));
  for (const text of values.pid ?? []) {
    const pid = Number(text);
    if (!Number.isInteger(pid) || pid <= 0)
      throw new AuditError('GV_USAGE', `sample: --pid '${text}' is not a process id`);
    const mem = readProcMemory(pid);
    if (mem === null)
      throw new AuditError(
        'GV_PROC_UNREADABLE',
        `sample: cannot read /proc/${pid}/status: no such process, or no memory figures`,
      );
    targets.push({ proc: mem.name, pid });
  }
  if (targets.length === 0) throw new AuditError('GV_USAGE', 'sample: name at least one --proc or --pid');
  const host = values.host ?? hostname();
  const socket: Socket = createSocket(isIP(dest.host) === 6 ? 'udp6' : 'udp4');
  const send = (line: string) =>
    new Promise<void>((resolve, reject) =>
      socket.send(line, dest.port, dest.host, (err) => (err ? reject(err) : resolve())),
    );

  let stopped = false;
  let wake: (() => void) | null = null;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for (let round = 0; round < count && !stopped; round++) {
      const startMs = io.nowMs();
      for (const body of sampleTargets(targets)) {
        await send(formatLogLine({ ...body, timeMs: startMs, host }, { format: 'rfc5424' }));
      }
      if (round + 1 >= count) break;
      const waitMs = Math.max(0, everyMs - (io.nowMs() - startMs));
      await new Promise<void>((resolve) => {
        // A stop clears the timer too: a pending one would keep the process alive until it fired.
        const timer = setTimeout(resolve, waitMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    socket.close();
  }
  return ExitCode.pass;
}

export const command: Command = {
  name: 'sample',
  summary: 'sample process memory from /proc and send it as syslog',
  help: HELP,
  run,
};

/**
 * One raw syslog message -> LogEvent | Rejection: the framing (syslog-frame.ts), then the message
 * parser of the program that wrote it, chosen by the syslog tag.
 */
import type { EventBody, LogEvent, ParseContext, ParseResult, SyslogFrame } from '../model/index.js';
import { formatDhcpdMessage, parseDhcpdMessage } from './dhcpd-line.js';
import {
  formatAutobridgeMessage,
  formatGluffMessage,
  formatMemsampleMessage,
  formatRigMessage,
  parseAutobridgeMessage,
  parseGluffMessage,
  parseMemsampleMessage,
  parseRigMessage,
} from './other-lines.js';
import { formatSyslogFrame, parseSyslogFrame, zoneFor, type FormatFrameOptions } from './syslog-frame.js';

/** The programs whose messages we parse; anything else is kept as kind `other`. */
export const FOLLOWED_APPS = ['dhcpd', 'gluff', 'autobridge', 'memsample', 'gv-rig'] as const;

function isFollowedApp(app: string): boolean {
  return (
    app === 'dhcpd' || app === 'gluff' || app === 'autobridge' || app === 'memsample' || app === 'gv-rig'
  );
}

/**
 * The event body for a message of program `app`. `zone` is the sending host's zone (the one its syslog
 * header is read in): gluff's per-row lines carry ctime wall times in it. Default UTC.
 * Example: `parseAppMessage('autobridge', 'down seq=17')` -> `{ kind: 'port-down', seq: 17 }`.
 */
export function parseAppMessage(app: string, text: string, zone = 'UTC'): EventBody {
  // rsyslog keeps the space after `tag:` as part of MSG, so its RFC 5424 output
  // (RSYSLOG_SyslogProtocol23Format) has ` DHCPACK …`. None of the followed programs starts a message
  // with a space, so one is dropped for them; other programs' text is kept as it came.
  const msg = text.charCodeAt(0) === 32 && isFollowedApp(app) ? text.substring(1) : text;
  switch (app) {
    case 'dhcpd':
      return parseDhcpdMessage(msg);
    case 'gluff':
      return parseGluffMessage(msg, zone);
    case 'autobridge':
      return parseAutobridgeMessage(msg);
    case 'memsample':
      return parseMemsampleMessage(msg);
    case 'gv-rig':
      return parseRigMessage(msg);
    default:
      return { kind: 'other', app, text: msg };
  }
}

/** A frame plus its body -> the event, reusing (mutating) `body`. The header pid is the tag's, except for memsample. */
export function eventFromFrame(frame: SyslogFrame, body: EventBody): LogEvent {
  // MemSample has its own `pid` (the sampled process), which collides with LogEvent's syslog pid;
  // the sampled pid is the fact that matters, so it wins and the sampler's own pid is dropped.
  // The body is fresh (parsers never share one), so the header facts are written onto it rather
  // than spread into a copy: the spread cost about a tenth of the whole parse.
  const event = body as LogEvent;
  event.timeMs = frame.timeMs;
  event.host = frame.host;
  if (body.kind !== 'memsample') event.pid = frame.pid;
  return event;
}

/**
 * Parses one raw message (datagram, TCP frame or file line). Pure and total.
 *
 * Example: `<30>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1`
 * -> `{ ok: true, event: { kind: 'dhcpack', ip: '10.1.0.50', mac: '52:54:00:12:34:56', name: 'host1',
 *      via: '10.1.0.1', timeMs: …, host: 'dhcp1', pid: 812 } }`
 */
export function parseMessage(bytes: Uint8Array, ctx: ParseContext): ParseResult {
  const framed = parseSyslogFrame(bytes, ctx);
  if (!framed.ok) return framed;
  const frame = framed.frame;
  // Only gluff's lines hold wall times of their own (ctime, in the host's zone); the lookup is skipped for the rest.
  const zone = frame.app === 'gluff' ? zoneFor(ctx, frame.host) : 'UTC';
  return { ok: true, event: eventFromFrame(frame, parseAppMessage(frame.app, frame.msg, zone)) };
}

/**
 * The program and message text that produce `body` (inverse of parseAppMessage).
 * Example: `{ kind: 'port-down', seq: 17 }` -> `{ app: 'autobridge', msg: 'down seq=17' }`.
 */
export function formatAppMessage(body: EventBody): { app: string; msg: string } {
  switch (body.kind) {
    case 'gluff':
    case 'gluff-record':
      return { app: 'gluff', msg: formatGluffMessage(body) };
    case 'port-down':
    case 'port-map':
      return { app: 'autobridge', msg: formatAutobridgeMessage(body) };
    case 'memsample':
      return { app: 'memsample', msg: formatMemsampleMessage(body) };
    case 'rig-event':
      return { app: 'gv-rig', msg: formatRigMessage(body) };
    case 'unknown':
    case 'other':
      return { app: body.app, msg: body.text };
    default:
      return { app: 'dhcpd', msg: formatDhcpdMessage(body) };
  }
}

/** How formatLogLine writes the header. */
export interface FormatLineOptions extends FormatFrameOptions {
  /** Default 3 (daemon) for dhcpd, 18 (local2) for gluff, 1 (user) otherwise; null writes no PRI. */
  facility?: number | null;
  /** Default 6 (info). */
  severity?: number;
}

const DEFAULT_FACILITY: Readonly<Record<string, number>> = { dhcpd: 3, gluff: 18 };

/**
 * A LogEvent -> one syslog line (inverse of parseMessage, for generators, demos and replays).
 * Example: a `port-down` event from host `permuter` at 2026-11-28T01:23:45Z, format rfc3164, zone UTC
 * -> `<14>Nov 28 01:23:45 permuter autobridge[77]: down seq=17`.
 */
export function formatLogLine(event: LogEvent, options: FormatLineOptions = {}): string {
  const { app, msg } = formatAppMessage(event);
  const facility = options.facility === undefined ? (DEFAULT_FACILITY[app] ?? 1) : options.facility;
  const frame: SyslogFrame = {
    format: options.format ?? 'rfc3164',
    facility,
    severity: facility === null ? null : (options.severity ?? 6),
    timeMs: event.timeMs,
    host: event.host,
    app,
    pid: event.kind === 'memsample' ? null : event.pid,
    msgId: null,
    structuredData: null,
    msg,
  };
  return formatSyslogFrame(frame, options);
}

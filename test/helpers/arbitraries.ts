/**
 * Domain generators for fast-check, shared by every area's tests. Names are stable; add, don't rename.
 *
 * Every generated event body is in the parser's canonical form, so `parse(format(b))` deep-equals `b`:
 * MACs lower-case two hex digits a byte, IPs dotted quads without leading zeros, host names without
 * the sequence `) via ` (dhcpd's log format cannot tell that apart from the end of the name).
 */
import fc from 'fast-check';
import type {
  Abandon,
  DhcpReuseLease,
  BootReply,
  BootRequest,
  BridgeMap,
  DhcpAck,
  DhcpAckInform,
  DhcpCommit,
  DhcpDecline,
  DhcpDiscover,
  DhcpInform,
  DhcpNak,
  DhcpOffer,
  DhcpRelease,
  DhcpRequest,
  DhcpdQueueError,
  EventBody,
  EventKind,
  FailoverNote,
  FailoverState,
  GluffNote,
  GluffRecord,
  MemSample,
  OtherLine,
  PortDown,
  PortMap,
  RigEvent,
  SyslogFrame,
  UidDuplicate,
  UnknownLine,
} from '../../src/model/index.js';
import { formatGluffOptionText, parseGluffOptionText, textToHex } from '../../src/parse/option82.js';
import { formatCtime } from '../../src/parse/other-lines.js';
import { localToUtc } from '../../src/parse/zone.js';

/** fc.record with plain (not null-prototype) objects, so values deep-equal what parsers build. */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

const hexByte = fc.integer({ min: 0, max: 255 }).map((b) => b.toString(16).padStart(2, '0'));

/** Canonical hex of `minBytes..maxBytes` bytes (`00:0a:ff`). */
export function arbHexBytes(minBytes: number, maxBytes: number): fc.Arbitrary<string> {
  return fc.array(hexByte, { minLength: minBytes, maxLength: maxBytes }).map((a) => a.join(':'));
}

/** A normalised 6-byte MAC: `52:54:00:0a:1b:ff`. */
export const arbMac: fc.Arbitrary<string> = arbHexBytes(6, 6);

/** A dotted quad without leading zeros: `10.1.0.50`. */
export const arbIp: fc.Arbitrary<string> = fc
  .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
  .map((p) => p.join('.'));

/**
 * What dhcpd prints where a MAC goes: mostly a MAC, sometimes another hardware length, the hex or
 * quoted client-id dhcpd falls back to, `<no identifier>`, or nothing (hlen 0).
 */
export const arbClientId: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: arbMac },
  { weight: 1, arbitrary: arbHexBytes(1, 16) },
  { weight: 1, arbitrary: fc.constant('<no identifier>') },
  { weight: 1, arbitrary: fc.constant('') },
  {
    weight: 1,
    arbitrary: fc
      .string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.'.split('')),
        minLength: 1,
        maxLength: 20,
      })
      .map((s) => `"${s}"`),
  },
);

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

/** A client host name as dhcpd prints one: printable ASCII except `"` and `\`, at most 64 chars. */
export const arbHostName: fc.Arbitrary<string> = fc
  .string({ unit: printable, maxLength: 64 })
  .map((s) => s.replace(/["\\]/g, '_').replace(/\) via /g, ') vIa '));

/** An interface name (`eth0`, `eth0:1`, `br-lan`) or a relay's giaddr. */
export const arbVia: fc.Arbitrary<string> = fc.oneof(
  arbIp,
  fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}(:[0-9]{1,2})?$/),
);

/** Free text without control characters, as a reason or an unknown line carries. */
export const arbText: fc.Arbitrary<string> = fc.string({ unit: printable, maxLength: 80 });

const arbReason = fc.option(arbText, { nil: null });
const arbName = fc.option(arbHostName, { nil: null });
/** A failover peer or shared-network name: config text, no `: ` inside. */
export const arbPeerName: fc.Arbitrary<string> = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/);
const arbState = fc.constantFrom(
  'startup',
  'normal',
  'communications-interrupted',
  'partner-down',
  'recover',
  'recover-wait',
  'recover-done',
  'potential-conflict',
  'conflict-done',
  'resolution-interrupted',
  'shutdown',
  'paused',
  'unknown-state',
);

export const arbDhcpDiscover: fc.Arbitrary<DhcpDiscover> = rec({
  kind: fc.constant('dhcpdiscover' as const),
  mac: arbClientId,
  name: arbName,
  via: arbVia,
  reason: arbReason,
});
export const arbDhcpOffer: fc.Arbitrary<DhcpOffer> = rec({
  kind: fc.constant('dhcpoffer' as const),
  ip: arbIp,
  mac: arbClientId,
  name: arbName,
  via: arbVia,
});
export const arbDhcpRequest: fc.Arbitrary<DhcpRequest> = rec({
  kind: fc.constant('dhcprequest' as const),
  ip: arbIp,
  serverId: fc.option(arbIp, { nil: null }),
  mac: arbClientId,
  name: arbName,
  via: arbVia,
  reason: arbReason,
});
export const arbDhcpAck: fc.Arbitrary<DhcpAck> = rec({
  kind: fc.constant('dhcpack' as const),
  ip: arbIp,
  mac: arbClientId,
  name: arbName,
  via: arbVia,
});
export const arbDhcpAckInform: fc.Arbitrary<DhcpAckInform> = rec({
  kind: fc.constant('dhcpack-inform' as const),
  ip: arbIp,
  mac: fc.option(arbMac, { nil: null }),
  via: arbVia,
});
export const arbDhcpNak: fc.Arbitrary<DhcpNak> = rec({
  kind: fc.constant('dhcpnak' as const),
  ip: arbIp,
  mac: fc.oneof(arbMac, fc.constant('')),
  via: arbVia,
});
export const arbDhcpRelease: fc.Arbitrary<DhcpRelease> = rec({
  kind: fc.constant('dhcprelease' as const),
  ip: arbIp,
  mac: arbClientId,
  name: arbName,
  via: arbVia,
  found: fc.boolean(),
});
export const arbDhcpDecline: fc.Arbitrary<DhcpDecline> = rec({
  kind: fc.constant('dhcpdecline' as const),
  ip: arbIp,
  mac: arbClientId,
  name: arbName,
  via: arbVia,
  reason: arbReason,
});
export const arbDhcpInform: fc.Arbitrary<DhcpInform> = rec({
  kind: fc.constant('dhcpinform' as const),
  ip: arbIp,
  via: arbVia,
  reason: arbReason,
});
export const arbBootRequest: fc.Arbitrary<BootRequest> = rec({
  kind: fc.constant('bootrequest' as const),
  mac: fc.oneof(arbMac, fc.constant('')),
  via: arbVia,
  reason: arbReason,
});
export const arbBootReply: fc.Arbitrary<BootReply> = fc.oneof(
  rec({
    kind: fc.constant('bootreply' as const),
    ip: arbIp,
    mac: arbMac,
    name: fc.option(
      arbPeerName.filter((n) => n !== 'unknown'),
      { nil: null },
    ),
    via: arbVia,
  }),
  rec({
    kind: fc.constant('bootreply' as const),
    ip: arbIp,
    mac: arbClientId,
    name: arbName,
    via: arbVia,
    lease: fc.constant(true as const),
  }),
);
export const arbUidDuplicate: fc.Arbitrary<UidDuplicate> = rec({
  kind: fc.constant('uid-duplicate' as const),
  ip: arbIp,
  mac: arbMac,
  network: arbPeerName,
});
export const arbAbandon: fc.Arbitrary<Abandon> = rec({
  kind: fc.constant('abandon' as const),
  ip: arbIp,
  reason: fc.oneof(fc.constant('declined.'), arbText),
});
export const arbReuseLease: fc.Arbitrary<DhcpReuseLease> = rec({
  kind: fc.constant('reuse-lease' as const),
  ip: arbIp,
  ageSec: fc.nat({ max: 4_000_000_000 }),
  thresholdPct: fc.nat({ max: 100 }),
});
export const arbFailoverState: fc.Arbitrary<FailoverState> = rec({
  kind: fc.constant('failover-state' as const),
  peer: arbPeerName,
  who: fc.constantFrom('self' as const, 'peer' as const),
  from: arbState,
  to: arbState,
});

/** Failover notes built from dhcpd's own format strings (failover.c), so text, note and peer agree. */
export const arbFailoverNote: fc.Arbitrary<FailoverNote> = fc
  .tuple(arbPeerName, arbIp, fc.nat(5000), fc.nat(5000), fc.integer({ min: -100, max: 100 }), fc.nat(7))
  .chain(([peer, ip, total, free, lts, pick]) => {
    const n = (note: string, p: string | null, text: string): FailoverNote => ({
      kind: 'failover-note',
      note,
      peer: p,
      text,
    });
    const all: FailoverNote[] = [
      n('normal', peer, `failover peer ${peer}: Both servers normal`),
      n('recover-done', null, 'Both servers have entered recover-done!'),
      n('disconnected', peer, `peer ${peer}: disconnected`),
      n(
        'pool-balancing',
        null,
        `balancing pool 55d1c2a0 ${peer}  total ${total}  free ${free}  backup ${free}  lts ${lts}  max-own (+/-)${pick}`,
      ),
      n(
        'pool-balanced',
        null,
        `balanced pool 55d1c2a0 ${peer}  total ${total}  free ${free}  backup ${free}  lts ${lts}  max-misbal ${pick}`,
      ),
      n(
        'bind-update-rejected',
        peer,
        `bind update on ${ip} from ${peer} rejected: incoming update is less critical than outgoing update`,
      ),
      n('update-requested', peer, `failover peer ${peer}: requesting full update from peer`),
      n('update-completed', peer, `failover peer ${peer}: peer update completed.`),
      n('update-sent', peer, `Sent update request all message to ${peer}`),
      n('update-received', peer, `Update request all from ${peer}: sending update`),
      n('connect-error', peer, `Failover CONNECT to ${peer} rejected: unknown failover relationship name`),
      n('timeout', peer, `timeout waiting for failover peer ${peer}`),
      n('other', peer, `failover peer ${peer}: connection refused`),
    ];
    return fc.constantFrom(...all);
  });

export const arbDhcpCommit: fc.Arbitrary<DhcpCommit> = rec({
  kind: fc.constant('commit' as const),
  ip: arbIp,
  mac: fc.option(arbMac, { nil: null }),
  leaseSec: fc.nat(4_294_967_295),
  giaddr: fc.oneof(fc.constant('0.0.0.0'), arbIp),
  circuitIdHex: fc.option(arbHexBytes(1, 32), { nil: null }),
  remoteIdHex: fc.option(arbHexBytes(1, 32), { nil: null }),
});

/** The Gluff queue patch's dhcpd lines: `Line N: sqlite3 error: DETAIL` and `ldb error: DETAIL`. */
const arbQueueErrorDetail = fc.oneof(
  fc.constantFrom(
    'SQL logic error',
    'UNIQUE constraint failed: lease_queue.start, lease_queue.idx',
    'database is locked',
    'not an error',
  ),
  arbText,
);
export const arbQueueError: fc.Arbitrary<DhcpdQueueError> = fc.oneof(
  rec({
    kind: fc.constant('queue-error' as const),
    stage: fc.constant('sqlite3' as const),
    line: fc.oneof(fc.constantFrom(115, 241), fc.nat(999_999_999)),
    detail: arbQueueErrorDetail,
  }),
  rec({
    kind: fc.constant('queue-error' as const),
    stage: fc.constant('ldb' as const),
    line: fc.constant(null),
    detail: arbQueueErrorDetail,
  }),
);

/** Zones for gluff hosts: none, European and American DST, a half-hour offset. */
export const arbGluffZone: fc.Arbitrary<string> = fc.constantFrom(
  'UTC',
  'Europe/Stockholm',
  'America/New_York',
  'Asia/Kolkata',
);

/**
 * A circuit-/remote-id as the Gluff queue holds it: dhcpd's rendering of any bytes (quoted text with
 * backslash escapes, or unpadded colon hex), text with the separators of gluff's line inside, and
 * renderings dhcpd does not write but parse/option82.ts reads (padded hex, octal escapes).
 */
export const arbGluffOptionText: fc.Arbitrary<string> = fc.oneof(
  arbHexBytes(1, 24).map(formatGluffOptionText),
  fc.string({ unit: printable, minLength: 1, maxLength: 24 }).map((t) => formatGluffOptionText(textToHex(t))),
  fc
    .constantFrom('x", rid: <NULL>, start: Sat', 'a, rid: b', '<NULL>', 'Gi1/0/5 "x"', "$`\\'")
    .map((t) => formatGluffOptionText(textToHex(t))),
  fc.constantFrom('00:04:00:0a', '"\\001port"', '"\\p"', '""'),
);

/** Whole seconds 2000..2037: instants, or wall times read as if UTC. */
const arbCtimeSec = fc.integer({ min: 946_684_800, max: 2_145_916_800 }).map((sec) => sec * 1000);

/** A UTC instant the ctime of `zone` reads back to: a wall time in `zone` resolved as the parser does. */
function ctimeInstant(zone: string, wallMs: number): number {
  return localToUtc(zone, wallMs) as number;
}

/** gluff's per-row line, every field in the parser's canonical form for its zone. */
export const arbGluffRecord: fc.Arbitrary<GluffRecord> = fc
  .record(
    {
      record: fc.constantFrom('ack' as const, 'release' as const),
      ip: arbIp,
      mac: fc.oneof({ weight: 8, arbitrary: arbMac }, arbHexBytes(1, 16), fc.constant('')),
      cidText: fc.option(arbGluffOptionText, { nil: null }),
      ridText: fc.option(arbGluffOptionText, { nil: null }),
      startWall: arbCtimeSec,
      lengthSec: fc.oneof(fc.nat(600), fc.nat(8 * 86_400)),
      zone: arbGluffZone,
    },
    { noNullPrototype: true },
  )
  .map(({ record, ip, mac, cidText, ridText, startWall, lengthSec, zone }) => ({
    kind: 'gluff-record' as const,
    record,
    ip,
    mac,
    cidHex: cidText === null ? null : parseGluffOptionText(cidText),
    remoteIdHex: ridText === null ? null : parseGluffOptionText(ridText),
    cidText,
    ridText,
    startMs: ctimeInstant(zone, startWall),
    endMs: ctimeInstant(zone, startWall + lengthSec * 1000),
    zone,
  }));

/** gluff messages from gluff.c's format strings, so `what` matches the text. `stop` is never logged. */
export const arbGluffNote: fc.Arbitrary<GluffNote> = fc
  .tuple(arbPeerName, arbText, fc.array(fc.nat(99), { minLength: 6, maxLength: 6 }), arbCtimeSec)
  .chain(([name, detail, ids, t]) =>
    fc.constantFrom<GluffNote>(
      {
        kind: 'gluff',
        what: 'start',
        text: `gluff v1.12 starting, using Sqlite3 database /var/db/${name}.db3 and MySQL database mysql://gluff@db1/dhcpd_leases`,
      },
      { kind: 'gluff', what: 'mysql-unreachable', text: 'MySQL server unreachable' },
      { kind: 'gluff', what: 'reconnected', text: 'Re-connected to MySQL server' },
      { kind: 'gluff', what: 'error', text: `mysql_execute(): ${detail}` },
      { kind: 'gluff', what: 'error', text: `Failed to claim queue entries: ${detail}` },
      {
        kind: 'gluff',
        what: 'found',
        text:
          `Found lease in rdb. hw(${ids[0]},${ids[1]}), cid(${ids[2]},${ids[3]}), rid(${ids[4]},${ids[5]}) ` +
          `[${formatCtime(t, 'UTC')}#012..${formatCtime(t + 60_000, 'UTC')}#012]`,
      },
      { kind: 'gluff', what: 'prolong', text: 'Prolonging identical lease' },
      { kind: 'gluff', what: 'cutoff', text: 'Different hw, cid or rid. Cutting off and making a new one' },
      { kind: 'gluff', what: 'make', text: 'Making new lease entry' },
      { kind: 'gluff', what: 'release-cut', text: 'Release. Cutting off the lease I found' },
      { kind: 'gluff', what: 'multiple-rows', text: 'Multiple rows exist. Compacting...' },
      { kind: 'gluff', what: 'no-rows-updated', text: 'do_update_lease(): No rows were updated!' },
      { kind: 'gluff', what: 'other', text: `Creating sqlite3 database /var/db/${name}.db3` },
      // A per-row line cut short stays a note.
      { kind: 'gluff', what: 'other', text: `ACK on ip: 10.1.0.50, hw: 52:54:00:12:34:56, cid: <NULL>` },
    ),
  );

export const arbPortDown: fc.Arbitrary<PortDown> = rec({
  kind: fc.constant('port-down' as const),
  seq: fc.nat(),
});
const arbIfName = fc.stringMatching(/^(eth|enp|veth)[0-9]{1,2}$/);
export const arbBridgeMap: fc.Arbitrary<BridgeMap> = rec({
  bridge: fc.stringMatching(/^bridge[0-9]{2}$/),
  switchIf: arbIfName,
  clientIfs: fc.array(arbIfName, { maxLength: 3 }),
});
export const arbPortMap: fc.Arbitrary<PortMap> = rec({
  kind: fc.constant('port-map' as const),
  seq: fc.nat(),
  bridges: fc.array(arbBridgeMap, { maxLength: 6 }),
});
export const arbMemSample: fc.Arbitrary<MemSample> = fc.oneof(
  rec({
    kind: fc.constant('memsample' as const),
    proc: fc.constantFrom('dhcpd', 'gluff'),
    pid: fc.integer({ min: 1, max: 4_194_304 }),
    rssBytes: fc.nat({ max: 2 ** 40 }),
    dataBytes: fc.nat({ max: 2 ** 40 }),
    gone: fc.constant(false),
  }),
  rec({
    kind: fc.constant('memsample' as const),
    proc: fc.constantFrom('dhcpd', 'gluff'),
    pid: fc.constant(null),
    rssBytes: fc.constant(null),
    dataBytes: fc.constant(null),
    gone: fc.constant(true),
  }),
);
/** An event name or a field key of a `gv-rig` line. */
export const arbRigWord: fc.Arbitrary<string> = fc.stringMatching(/^[a-z0-9-]{1,16}$/);
/**
 * A `gv-rig` field value: any text without white space or control characters, so markup, quotes, `=`,
 * non-ASCII letters and emoji included; sometimes empty.
 */
export const arbRigValue: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: printable, maxLength: 24 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom('gvrg-dhcp1', 'c3', 'stop', '<b>&amp;"\'</b>', ']]>', 'a=b'),
  )
  .map((s) => s.replace(/[\s\u0000-\u001f\u007f-\u009f]/g, '_'));
export const arbRigEvent: fc.Arbitrary<RigEvent> = rec({
  kind: fc.constant('rig-event' as const),
  name: fc.oneof(
    fc.constantFrom('gluff-stop', 'dhcpd-restart', 'partner-down', 'client-release', 'rig-end'),
    arbRigWord,
  ),
  fields: fc.dictionary(
    arbRigWord.map((k) => (k === 'event' ? 'events' : k)),
    arbRigValue,
    { maxKeys: 6, noNullPrototype: true },
  ),
});
/** A dhcpd line no rule knows (startup banner, lease file writes). */
export const arbUnknownLine: fc.Arbitrary<UnknownLine> = rec({
  kind: fc.constant('unknown' as const),
  app: fc.constant('dhcpd'),
  text: fc.oneof(
    fc.constantFrom('Server starting service.', 'Internet Systems Consortium DHCP Server 4.4.3-P1'),
    fc.nat().map((n) => `Wrote ${n} leases to leases file.`),
  ),
});
export const arbOtherLine: fc.Arbitrary<OtherLine> = rec({
  kind: fc.constant('other' as const),
  app: fc.constantFrom('CRON', 'kernel', 'systemd', 'sshd'),
  text: arbText,
});

/** One arbitrary per event kind, for per-kind properties. */
export const arbEventBodyByKind: {
  readonly [K in EventKind]: fc.Arbitrary<Extract<EventBody, { kind: K }>>;
} = {
  dhcpdiscover: arbDhcpDiscover,
  dhcpoffer: arbDhcpOffer,
  dhcprequest: arbDhcpRequest,
  dhcpack: arbDhcpAck,
  'dhcpack-inform': arbDhcpAckInform,
  dhcpnak: arbDhcpNak,
  dhcprelease: arbDhcpRelease,
  dhcpdecline: arbDhcpDecline,
  dhcpinform: arbDhcpInform,
  bootrequest: arbBootRequest,
  bootreply: arbBootReply,
  'uid-duplicate': arbUidDuplicate,
  abandon: arbAbandon,
  'reuse-lease': arbReuseLease,
  'failover-state': arbFailoverState,
  'failover-note': arbFailoverNote,
  commit: arbDhcpCommit,
  'queue-error': arbQueueError,
  gluff: arbGluffNote,
  'gluff-record': arbGluffRecord,
  'port-down': arbPortDown,
  'port-map': arbPortMap,
  memsample: arbMemSample,
  'rig-event': arbRigEvent,
  unknown: arbUnknownLine,
  other: arbOtherLine,
};

/** Any event body, every kind equally likely. */
export const arbEventBody: fc.Arbitrary<EventBody> = fc.oneof(
  ...(Object.values(arbEventBodyByKind) as fc.Arbitrary<EventBody>[]),
);

/** Instants 2000..2037 in whole seconds (what RFC 3164 can carry). */
export const arbTimeSec: fc.Arbitrary<number> = fc
  .integer({ min: 946_684_800, max: 2_145_916_800 })
  .map((s) => s * 1000);

const arbHeaderWord = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/);

/**
 * A syslog frame that formatSyslogFrame can write and parseSyslogFrame reads back unchanged
 * (formats rfc3164 / rfc3339-file with whole-second or ms times; rfc5424 with nil fields and SD).
 */
export const arbSyslogFrame: fc.Arbitrary<SyslogFrame> = fc.oneof(
  rec({
    format: fc.constantFrom('rfc3164' as const, 'rfc3339-file' as const),
    pri: fc.option(fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 7 })), { nil: null }),
    timeMs: arbTimeSec,
    host: arbHeaderWord,
    app: arbHeaderWord,
    pid: fc.option(fc.integer({ min: 0, max: 4_194_304 }), { nil: null }),
    msg: arbText,
  }).map(({ format, pri, timeMs, host, app, pid, msg }): SyslogFrame => ({
    format,
    facility: pri === null ? null : pri[0],
    severity: pri === null ? null : pri[1],
    timeMs,
    host,
    app,
    pid,
    msgId: null,
    structuredData: null,
    msg,
  })),
  rec({
    format: fc.constant('rfc5424' as const),
    facility: fc.integer({ min: 0, max: 23 }),
    severity: fc.integer({ min: 0, max: 7 }),
    timeMs: fc.integer({ min: 946_684_800_000, max: 2_145_916_800_000 }),
    host: fc.oneof(fc.constant(''), arbHeaderWord),
    app: fc.oneof(fc.constant(''), arbHeaderWord),
    pid: fc.option(fc.integer({ min: 0, max: 4_194_304 }), { nil: null }),
    msgId: fc.option(arbHeaderWord, { nil: null }),
    structuredData: fc.option(
      fc
        .array(
          fc.tuple(
            fc.stringMatching(/^[a-z]{1,8}@[0-9]{1,5}$/),
            fc.array(
              fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ unit: printable, maxLength: 12 })),
              {
                maxLength: 3,
              },
            ),
          ),
          { minLength: 1, maxLength: 3 },
        )
        .map((els) =>
          els
            .map(
              ([id, params]) =>
                `[${id}${params.map(([k, v]) => ` ${k}="${v.replace(/(["\\\]])/g, '\\$1')}"`).join('')}]`,
            )
            .join(''),
        ),
      { nil: null },
    ),
    msg: fc
      .string({ unit: 'grapheme', maxLength: 40 })
      .map((s) => s.replace(/[\u0000-\u001f\u007f\ufeff]/g, '_')),
  }),
);

/**
 * What the HTML report's lease timelines mark beside the rows, gathered from the events the rebuild reads
 * while they stream past (no second pass over the store): releases, the permuter's moves, failed queue
 * inserts and dhcpd or gluff coming back with another pid. Pure: it only watches the events it is shown.
 * None of it reaches the judgement.
 */
import type { EventKind, StoredEvent } from '../model/events.js';
import type { PortMoveMark, QueueFailureMark, ReleaseMark, RestartMark } from '../model/lease.js';
import type { RigSpec } from '../model/spec.js';

/** The marks gathered so far. */
export interface TimelineMarks {
  releases: ReleaseMark[];
  portMoves: PortMoveMark[];
  queueFailures: QueueFailureMark[];
  restarts: RestartMark[];
}

/** Which program wrote a line of this kind (dhcpd's own lines and the queue patch's, or gluff's). */
const PROGRAM_OF: Partial<Record<EventKind, 'dhcpd' | 'gluff'>> = {
  dhcpack: 'dhcpd',
  commit: 'dhcpd',
  'reuse-lease': 'dhcpd',
  dhcprelease: 'dhcpd',
  'queue-error': 'dhcpd',
  'failover-state': 'dhcpd',
  'failover-note': 'dhcpd',
  gluff: 'gluff',
  'gluff-record': 'gluff',
};

/** The patch logs `Line N: sqlite3 error: …` then `ldb error: …` for one failed insert, in the same second. */
const QUEUE_LINES_APART_MS = 1000;

/**
 * Watches events in time order and keeps the timelines' marks. Example: `map seq=3 bridge01=eth0+eth4 …`
 * after `map seq=2 bridge01=eth0+eth3 …` gives a PortMoveMark for the MACs behind eth3 and eth4.
 */
export class TimelineMarkCollector {
  private readonly marks: TimelineMarks = { releases: [], portMoves: [], queueFailures: [], restarts: [] };
  private readonly portBySwitchIf: Map<string, string>;
  private readonly macsByIface: Map<string, readonly string[]>;
  private readonly permuterHost: string;
  /** Each client's port name after the last map (absent: not behind any port). */
  private portOfMac: Map<string, string | null> | null = null;
  /** Per `program@host`: the pid last heard and when. */
  private readonly lastPid = new Map<string, { pid: number; atMs: number }>();

  constructor(spec: Pick<RigSpec, 'switch' | 'clientSegments' | 'permuterHost'>) {
    this.portBySwitchIf = new Map(spec.switch.ports.map((p) => [p.switchIf, p.name]));
    this.macsByIface = new Map(spec.clientSegments.map((s) => [s.iface, s.macs]));
    this.permuterHost = spec.permuterHost;
  }

  observe(e: StoredEvent): void {
    const program = PROGRAM_OF[e.kind];
    if (program !== undefined && e.pid !== null) this.notePid(program, e);
    switch (e.kind) {
      case 'dhcprelease':
        this.marks.releases.push({
          atMs: e.timeMs,
          ip: e.ip,
          hw: e.mac,
          host: e.host,
          found: e.found,
          rawId: e.rawId,
        });
        break;
      case 'port-map':
        if (e.host === this.permuterHost) this.noteMap(e);
        break;
      case 'queue-error': {
        const last = this.marks.queueFailures.at(-1);
        // The `ldb error` summary of the `Line N: sqlite3 error` just before it is the same failure.
        if (
          e.stage === 'ldb' &&
          last !== undefined &&
          last.host === e.host &&
          e.timeMs - last.atMs <= QUEUE_LINES_APART_MS
        )
          break;
        this.marks.queueFailures.push({
          atMs: e.timeMs,
          host: e.host,
          line: e.line,
          detail: e.detail,
          rawId: e.rawId,
        });
        break;
      }
      default:
        break;
    }
  }

  /** Everything gathered, in time order. */
  result(): TimelineMarks {
    return this.marks;
  }

  private notePid(program: 'dhcpd' | 'gluff', e: StoredEvent): void {
    const key = `${program}@${e.host}`;
    const last = this.lastPid.get(key);
    if (last !== undefined && last.pid !== e.pid) {
      this.marks.restarts.push({
        atMs: e.timeMs,
        host: e.host,
        program,
        oldPid: last.pid,
        newPid: e.pid!,
        lastSeenMs: last.atMs,
        rawId: e.rawId,
      });
    }
    this.lastPid.set(key, { pid: e.pid!, atMs: e.timeMs });
  }

  private noteMap(e: StoredEvent & { kind: 'port-map' }): void {
    const next = new Map<string, string | null>();
    for (const b of e.bridges) {
      const port = this.portBySwitchIf.get(b.switchIf) ?? null;
      for (const iface of b.clientIfs) {
        for (const mac of this.macsByIface.get(iface) ?? []) next.set(mac, port);
      }
    }
    const before = this.portOfMac;
    this.portOfMac = next;
    // The first map says where clients are; it moves nobody.
    if (before === null) return;
    const moved: PortMoveMark['moved'] = [];
    for (const mac of new Set([...before.keys(), ...next.keys()])) {
      const fromPort = before.get(mac) ?? null;
      const toPort = next.get(mac) ?? null;
      if (fromPort !== toPort) moved.push({ hw: mac, fromPort, toPort });
    }
    if (moved.length > 0) this.marks.portMoves.push({ atMs: e.timeMs, seq: e.seq, rawId: e.rawId, moved });
  }
}

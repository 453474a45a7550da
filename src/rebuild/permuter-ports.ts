/**
 * Where the permuter put each client, from its `autobridge` lines: `map seq=N …` pairs each switch port with
 * the client segments bridged to it; `down seq=N` announces a re-pairing, after which no port is trusted until
 * the next map. A jump in `seq`, or a `down` without its map, is a gap in the evidence: ports are unknown
 * there. Pure.
 */
import type { RigSpec, StoredEvent, SwitchPortSpec } from '../model/index.js';

/** A client's port and the map event that put it there. */
export interface PortAt {
  port: SwitchPortSpec | null;
  mapId: number | null;
}

/** An interval in which the permuter's evidence is incomplete. */
export interface GapInterval {
  fromMs: number;
  toMs: number;
  reason: string;
  ids: number[];
}

const NO_PORT: PortAt = { port: null, mapId: null };

export class PermuterPorts {
  private readonly portBySwitchIf: Map<string, SwitchPortSpec>;
  private readonly macsByIface: Map<string, readonly string[]>;
  private macPort = new Map<string, PortAt>();
  /** The port state before the last `down`: a move is judged between the maps around a down. */
  private pendingBefore: Map<string, PortAt> | null = null;
  private lastSeq: number | null = null;
  private downSeq: number | null = null;
  private downMs = 0;
  private downId = 0;
  private lastMapMs: number | null = null;
  readonly gaps: GapInterval[] = [];

  constructor(spec: RigSpec) {
    this.portBySwitchIf = new Map(spec.switch.ports.map((p) => [p.switchIf, p]));
    this.macsByIface = new Map(spec.clientSegments.map((s) => [s.iface, s.macs]));
  }

  /** The client's port now (unknown between a down and its map). */
  portOf(mac: string): PortAt {
    return this.macPort.get(mac) ?? NO_PORT;
  }

  onDown(ev: StoredEvent & { kind: 'port-down' }): void {
    if (this.downSeq !== null) {
      this.gaps.push({
        fromMs: this.downMs,
        toMs: ev.timeMs,
        reason: `permuter 'down seq=${this.downSeq}' had no following map`,
        ids: [this.downId, ev.id],
      });
    } else if (this.lastSeq !== null && ev.seq !== this.lastSeq + 1) {
      this.gaps.push({
        fromMs: this.lastMapMs ?? ev.timeMs,
        toMs: ev.timeMs,
        reason: `permuter seq jumped from ${this.lastSeq} to ${ev.seq}`,
        ids: [ev.id],
      });
    }
    this.downSeq = ev.seq;
    this.downMs = ev.timeMs;
    this.downId = ev.id;
    this.lastSeq = ev.seq;
    // Between down and map the ports are unknown; the map that follows says where clients went.
    const unknown = new Map<string, PortAt>();
    for (const [mac, at] of this.macPort) unknown.set(mac, { port: null, mapId: at.mapId });
    // Keep the before-state for move detection, but no port is trusted until the map.
    this.pendingBefore = this.macPort;
    this.macPort = unknown;
  }

  /** A new map; `moved` is called for each client whose port changed (before the new state applies). */
  onMap(ev: StoredEvent & { kind: 'port-map' }, moved: (mac: string) => void): void {
    if (this.pendingBefore !== null) {
      this.macPort = this.pendingBefore;
      this.pendingBefore = null;
    }
    if (this.lastSeq !== null && ev.seq !== this.lastSeq + 1 && ev.seq !== this.downSeq) {
      this.gaps.push({
        fromMs: this.lastMapMs ?? ev.timeMs,
        toMs: ev.timeMs,
        reason: `permuter seq jumped from ${this.lastSeq} to ${ev.seq}`,
        ids: [ev.id],
      });
    }
    const next = new Map<string, PortAt>();
    for (const b of ev.bridges) {
      const port = this.portBySwitchIf.get(b.switchIf) ?? null;
      for (const iface of b.clientIfs) {
        for (const mac of this.macsByIface.get(iface) ?? []) next.set(mac, { port, mapId: ev.id });
      }
    }
    for (const [mac, before] of this.macPort) {
      const after = next.get(mac);
      if (before.port === null || after?.port?.name === before.port.name) continue;
      moved(mac);
    }
    this.macPort = next;
    this.lastSeq = ev.seq;
    this.downSeq = null;
    this.lastMapMs = ev.timeMs;
  }

  /** At the end: a `down` whose map may still be on its way (newer than `settleBoundMs`) is not a gap yet. */
  finish(settleBoundMs: number, asOfMs: number): void {
    if (this.downSeq !== null && this.downMs <= settleBoundMs) {
      this.gaps.push({
        fromMs: this.downMs,
        toMs: asOfMs,
        reason: `permuter 'down seq=${this.downSeq}' had no following map`,
        ids: [this.downId],
      });
    }
  }
}

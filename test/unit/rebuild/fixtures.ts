/**
 * Hand-built StoredEvents and a rig spec for the rebuild/diff tests. Events are built directly (no parser):
 * each helper mirrors one real line, quoted above it.
 */
import type { ActualLease, ExpectedLease, RigSpec, StoredEvent } from '../../../src/model/index.js';

export const T0 = Date.UTC(2026, 10, 28, 1, 0, 0);
export const S = 1000;

export const MAC1 = '52:54:00:12:34:01';
export const MAC2 = '52:54:00:12:34:02';
export const MAC3 = '52:54:00:12:34:03';
export const MAC4 = '52:54:00:12:34:04';
/** `port1` and `port2` as bytes. */
export const CID1 = '70:6f:72:74:31';
export const CID2 = '70:6f:72:74:32';

export function testSpec(): RigSpec {
  return {
    name: 'unit',
    servers: [
      { host: 'dhcp1', role: 'primary', zone: 'UTC' },
      { host: 'dhcp2', role: 'secondary', zone: 'UTC' },
    ],
    lease: { defaultSec: 600, minSec: 60, maxSec: 7200, mcltSec: 300 },
    switch: {
      name: 'sw1',
      ports: [
        { name: 'Fa0/1', switchIf: 'eth0', circuitIdHex: CID1, remoteIdHex: null },
        { name: 'Fa0/2', switchIf: 'eth1', circuitIdHex: CID2, remoteIdHex: null },
      ],
    },
    permuterHost: 'permuter',
    permuterZone: 'UTC',
    clientSegments: [
      { iface: 'eth4', macs: [MAC1] },
      { iface: 'eth5', macs: [MAC2] },
    ],
    tolerances: { startSkewSec: 2, endSkewSec: 2, approxEndSkewSec: 30, settleSec: 30, gluffZone: 'UTC' },
    portDisagreement: {
      'dhcpd-stale-options': 'warn',
      'switch-not-stamping': 'fail',
      'moved-without-dhcp': 'warn',
    },
    memory: {
      warmupSec: 60,
      minSamples: 10,
      minDurationSec: 600,
      maxSlopeBytesPerHour: 1e6,
      maxGrowthBytes: 1e7,
    },
  };
}

/** Builds events with increasing ids; all times are absolute ms. */
export class EventLog {
  readonly events: StoredEvent[] = [];
  /** The pid each host logs with from now on (4242 when unset): a new one is a restart of that process. */
  readonly pids = new Map<string, number>();
  private nextId = 1;

  /** Any other line, by its parsed body (the queue patch's error lines, gluff's record lines, …). */
  line(body: Record<string, unknown>, timeMs: number, host: string): StoredEvent {
    return this.add(body, timeMs, host);
  }

  private add(body: Record<string, unknown>, timeMs: number, host: string): StoredEvent {
    const id = this.nextId++;
    const ev = {
      ...body,
      timeMs,
      host,
      pid: this.pids.get(host) ?? 4242,
      id,
      rawId: id,
      receivedMs: timeMs,
    } as unknown as StoredEvent;
    this.events.push(ev);
    return ev;
  }

  /** `DHCPACK on 10.1.0.50 to 52:54:00:12:34:01 (host1) via 10.1.0.1` */
  ack(timeMs: number, ip: string, mac: string, host = 'dhcp1', via = '10.1.0.1'): StoredEvent {
    return this.add({ kind: 'dhcpack', ip, mac, name: 'host1', via }, timeMs, host);
  }

  /** `gv-commit ip=10.1.0.50 hw=52:54:0:12:34:1 lease=600 giaddr=10.1.0.1 cid=70:6f:72:74:31 rid=` */
  commit(
    timeMs: number,
    ip: string,
    mac: string,
    leaseSec: number,
    cid: string | null,
    opts: { host?: string; giaddr?: string; rid?: string | null } = {},
  ): StoredEvent {
    return this.add(
      {
        kind: 'commit',
        ip,
        mac,
        leaseSec,
        giaddr: opts.giaddr ?? '10.1.0.1',
        circuitIdHex: cid,
        remoteIdHex: opts.rid ?? null,
      },
      timeMs,
      opts.host ?? 'dhcp1',
    );
  }

  /** A commit line followed by its ACK line, as dhcpd logs them for one granted lease. */
  grant(
    timeMs: number,
    ip: string,
    mac: string,
    leaseSec: number,
    cid: string | null,
    opts: { host?: string; giaddr?: string; rid?: string | null; commitLagSec?: number } = {},
  ): void {
    this.commit(timeMs - (opts.commitLagSec ?? 0) * S, ip, mac, leaseSec, cid, opts);
    this.ack(
      timeMs,
      ip,
      mac,
      opts.host ?? 'dhcp1',
      opts.giaddr === '0.0.0.0' ? 'eth0' : (opts.giaddr ?? '10.1.0.1'),
    );
  }

  /** `DHCPRELEASE of 10.1.0.50 from 52:54:00:12:34:01 (host1) via eth0 (found)` */
  release(timeMs: number, ip: string, mac: string, host = 'dhcp1', found = true): StoredEvent {
    return this.add({ kind: 'dhcprelease', ip, mac, name: 'host1', via: 'eth0', found }, timeMs, host);
  }

  /** `reuse_lease: lease age 40 (secs) under 25% threshold, reply with unaltered, existing lease for 10.1.0.50` */
  reuse(timeMs: number, ip: string, ageSec: number, host = 'dhcp1'): StoredEvent {
    return this.add({ kind: 'reuse-lease', ip, ageSec, thresholdPct: 25 }, timeMs, host);
  }

  /** `DHCPACK to 10.1.0.50 (52:54:00:12:34:01) via eth0` (a DHCPINFORM answer) */
  informAck(timeMs: number, ip: string, mac: string, host = 'dhcp1'): StoredEvent {
    return this.add({ kind: 'dhcpack-inform', ip, mac, via: 'eth0' }, timeMs, host);
  }

  /** `autobridge[77]: down seq=17` */
  down(timeMs: number, seq: number): StoredEvent {
    return this.add({ kind: 'port-down', seq }, timeMs, 'permuter');
  }

  /** `autobridge[77]: map seq=17 bridge01=eth0+eth4 bridge02=eth1+eth5` (pairs: switchIf -> client ifs) */
  map(timeMs: number, seq: number, pairs: [string, string[]][]): StoredEvent {
    const bridges = pairs.map(([switchIf, clientIfs], i) => ({
      bridge: `bridge0${i + 1}`,
      switchIf,
      clientIfs,
    }));
    return this.add({ kind: 'port-map', seq, bridges }, timeMs, 'permuter');
  }

  /** Events in time order, ties in insertion order (what the store returns). */
  sorted(): StoredEvent[] {
    return [...this.events].sort((a, b) => a.timeMs - b.timeMs || a.id - b.id);
  }
}

/** The actual row Gluff would hold for an expected row (ids assigned in order). */
export function actualFrom(rows: readonly ExpectedLease[]): ActualLease[] {
  return rows.map((e, i) => ({
    id: i + 1,
    ip: e.ip,
    hw: e.hw,
    cidHex: e.cidHex,
    remoteIdHex: e.remoteIdHex,
    cidText: e.cidHex,
    ridText: e.remoteIdHex,
    startMs: e.startMs,
    endMs: e.endMs,
    startText: String(e.startMs),
    endText: String(e.endMs),
  }));
}

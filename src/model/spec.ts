/**
 * The rig spec (specs/*.yaml): everything about one test rig that the logs cannot say.
 * Validated by src/spec/ (edge) into this shape; pure code only ever sees a valid RigSpec.
 */

/** One DHCP server of the failover pair. */
export interface ServerSpec {
  /** Host name as it appears in the syslog header. */
  host: string;
  role: 'primary' | 'secondary';
  /** IANA zone of the server's clock, for zone-less syslog timestamps. */
  zone: string;
}

export interface LeaseTimingSpec {
  defaultSec: number;
  minSec: number;
  maxSec: number;
  /** Failover maximum client lead time. */
  mcltSec: number;
}

/** One client port of the switch. */
export interface SwitchPortSpec {
  /** A name for reports, e.g. `Fa0/2`. */
  name: string;
  /** The permuter's switch-side interface wired to this port, e.g. `eth0`. */
  switchIf: string;
  /** Circuit-id bytes the switch stamps, canonical hex (`70:6f:72:74:31`); spec files may give text or hex. */
  circuitIdHex: string | null;
  /** Remote-id bytes, canonical hex; null when the switch sends none. */
  remoteIdHex: string | null;
}

/** One client-side interface of the permuter and the clients behind it. */
export interface ClientSegmentSpec {
  iface: string;
  /** Normalised MACs. */
  macs: string[];
}

export type PortDisagreementCulprit = 'dhcpd-stale-options' | 'switch-not-stamping' | 'moved-without-dhcp';

export interface ToleranceSpec {
  /** Allowed |expected - actual| on lstart, seconds. */
  startSkewSec: number;
  /** Allowed |expected - actual| on lend, seconds. */
  endSkewSec: number;
  /** Allowed lend difference when the expected end is approximate (no commit line), seconds. */
  approxEndSkewSec: number;
  /** Events newer than asOf - settleSec are not judged yet (Gluff is eventually consistent). */
  settleSec: number;
  /** IANA zone gluff wrote its timestamps in (the DHCP servers' local time). */
  gluffZone: string;
}

export interface MemorySpec {
  /** Samples in the first warmupSec of each segment are not used. */
  warmupSec: number;
  /** Minimum samples after warm-up to judge. */
  minSamples: number;
  /** Minimum judged duration, seconds. */
  minDurationSec: number;
  /** A leak is a significant slope above this. */
  maxSlopeBytesPerHour: number;
  /** ... or total growth above this over the soak. */
  maxGrowthBytes: number;
}

export interface RigSpec {
  name: string;
  servers: ServerSpec[];
  lease: LeaseTimingSpec;
  switch: { name: string; ports: SwitchPortSpec[] };
  /** Host name of the permuter in syslog (its lines are trusted only from there). */
  permuterHost: string;
  /** IANA zone of the permuter's syslog clock, for zone-less timestamps (default UTC). */
  permuterZone: string;
  clientSegments: ClientSegmentSpec[];
  tolerances: ToleranceSpec;
  /** Severity of a port-disagreement, per culprit. */
  portDisagreement: Record<PortDisagreementCulprit, 'warn' | 'fail'>;
  memory: MemorySpec;
}

/**
 * The spec's switch port whose Option 82 values these are, for messages that name ports (`Fa0/3`) rather
 * than bytes: the port with this circuit-id and remote-id, else undefined. Example: in specs/seed-rig.yaml
 * `findSwitchPort(spec, '00:04:00:01:00:03', '00:06:00:0a:b8:00:00:01')` is the port named `Fa0/3`.
 */
export function findSwitchPort(
  spec: Pick<RigSpec, 'switch'>,
  cidHex: string | null,
  ridHex: string | null,
): SwitchPortSpec | undefined {
  if (cidHex === null && ridHex === null) return undefined;
  return spec.switch.ports.find((p) => p.circuitIdHex === cidHex && p.remoteIdHex === ridHex);
}

/** Hand-built values shared by tests: a small verification result with one finding of each severity. */
import type { ActualLease, ExpectedLease, Finding, VerificationResult } from '../../src/model/lease.js';

export const T0 = Date.UTC(2026, 10, 28, 1, 0, 0);

export function expectedLease(over: Partial<ExpectedLease> = {}): ExpectedLease {
  return {
    ip: '10.1.0.50',
    hw: '52:54:00:12:34:56',
    cidHex: '00:04:00:01:00:02',
    remoteIdHex: null,
    startMs: T0,
    endMs: T0 + 600_000,
    endSource: 'commit',
    releaseMs: null,
    physicalPort: 'Fa0/2',
    evidence: [11, 12],
    inconclusive: null,
    ...over,
  };
}

export function actualLease(over: Partial<ActualLease> = {}): ActualLease {
  return {
    id: 7,
    ip: '10.1.0.50',
    hw: '52:54:00:12:34:56',
    cidHex: '00:04:00:01:00:02',
    remoteIdHex: null,
    cidText: '0:4:0:1:0:2',
    ridText: null,
    startMs: T0,
    endMs: T0 + 300_000,
    startText: '2026-11-28 02:00:00',
    endText: '2026-11-28 02:05:00',
    ...over,
  };
}

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    kind: 'end-mismatch',
    severity: 'fail',
    culprit: 'gluff',
    ip: '10.1.0.50',
    hw: '52:54:00:12:34:56',
    message: 'lend is 300 s earlier than the last ACK + lease time',
    expected: expectedLease(),
    actual: [actualLease()],
    evidence: [11, 12],
    evidenceLines: [
      {
        rawId: 11,
        text: 'Nov 28 02:00:00 dhcp1 dhcpd[812]: gv-commit ip=10.1.0.50 hw=52:54:0:12:34:56 lease=600 giaddr=10.1.0.1 cid=0:4:0:1:0:2 rid=',
      },
      {
        rawId: 12,
        text: 'Nov 28 02:00:00 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (c1) via 10.1.0.1',
      },
    ],
    details: { deltaSec: -300 },
    ...over,
  };
}

export function result(over: Partial<VerificationResult> = {}): VerificationResult {
  const findings = over.findings ?? [finding()];
  const counts: VerificationResult['counts'] = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return {
    schemaVersion: 2,
    verdict: 'fail',
    window: { fromMs: null, toMs: null, asOfMs: T0 + 3_600_000 },
    spec: 'specs/seed-rig.yaml',
    gluff: { kind: 'mysql', description: 'mysql://gluffro@db1:3306/dhcpd_leases' },
    counts,
    findings,
    inconclusiveReasons: [],
    ips: [
      { ip: '10.1.0.50', expected: 1, actual: 1 },
      { ip: '10.1.0.51', expected: 2, actual: 2 },
    ],
    memory: [],
    channel: { events: 120, rejections: 0, kernelDrops: 0, appDrops: 0, untrusted: 0 },
    rigEvents: [],
    ...over,
  };
}

/**
 * The self-check of a run without a Gluff table (`verify --gluff none`): every client the spec lists
 * must hold a rebuilt lease somewhere in the window. Pure.
 */
import type { ExpectedLease, Finding } from '../model/lease.js';
import type { RigSpec } from '../model/spec.js';
import type { TimeWindow } from '../model/time.js';

function windowText(window: TimeWindow | undefined, asOfMs: number): string {
  const from = window?.fromMs ?? null;
  const to = window?.toMs ?? null;
  if (from === null && to === null) return `in the whole store as of {{t:${asOfMs}}}`;
  return `between ${from === null ? 'the start of the store' : `{{t:${from}}}`} and ${to === null ? `{{t:${asOfMs}}}` : `{{t:${to}}}`}`;
}

/**
 * One `client-silent` finding (fail, culprit rig) per client MAC of `spec.clientSegments` that no row of
 * `rows` (the rebuilt lease stints overlapping the window) belongs to: the rig's client got no DHCPACK
 * that reached the channel, so the rig or the channel is broken. A MAC listed twice is judged once.
 *
 * Example: clientSegments `[{ iface: 'eth4', macs: ['52:54:00:12:34:01'] }]` and no row with that hw
 * -> `[{ kind: 'client-silent', severity: 'fail', culprit: 'rig', ip: null, hw: '52:54:00:12:34:01', … }]`.
 */
export function findSilentClients(
  rows: readonly ExpectedLease[],
  spec: RigSpec,
  asOfMs: number,
  window?: TimeWindow,
): Finding[] {
  const leased = new Set(rows.map((r) => r.hw));
  const judged = new Set<string>();
  const findings: Finding[] = [];
  for (const segment of spec.clientSegments) {
    for (const mac of segment.macs) {
      if (judged.has(mac)) continue;
      judged.add(mac);
      if (leased.has(mac)) continue;
      findings.push({
        kind: 'client-silent',
        severity: 'fail',
        culprit: 'rig',
        ip: null,
        hw: mac,
        message:
          `rig client ${mac} (segment ${segment.iface}) got no DHCPACK giving it a lease ${windowText(window, asOfMs)}: ` +
          'the client never got an address or its lines never reached the collector, so the rig or the channel is broken',
        expected: null,
        actual: [],
        evidence: [],
        evidenceLines: [],
        details: {
          segment: segment.iface,
          fromMs: window?.fromMs ?? null,
          toMs: window?.toMs ?? null,
          asOfMs,
        },
      });
    }
  }
  return findings;
}

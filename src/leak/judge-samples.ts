/**
 * Memory verdicts for every process the samples name, per host: a failover pair runs two dhcpd and
 * two gluff, and each is judged on its own series (`dhcpd@dhcp1`).
 */
import type { StoredEvent } from '../model/events.js';
import type { Finding, LeakVerdict } from '../model/lease.js';
import type { RigSpec } from '../model/spec.js';
import { judgeMemory, type MemPoint } from './leak-verdict.js';

/** Memory verdicts per process and host (`dhcpd@dhcp1`): a failover pair runs two of each. */
export function judgeMemorySamples(
  events: Iterable<StoredEvent>,
  spec: RigSpec,
): { verdicts: LeakVerdict[]; findings: Finding[] } {
  const series = new Map<string, MemPoint[]>();
  for (const e of events) {
    if (e.kind !== 'memsample') continue;
    const key = `${e.proc}@${e.host}`;
    const list = series.get(key) ?? [];
    list.push({ timeMs: e.timeMs, pid: e.pid, rssBytes: e.rssBytes, dataBytes: e.dataBytes, gone: e.gone });
    series.set(key, list);
  }
  const verdicts: LeakVerdict[] = [];
  const findings: Finding[] = [];
  for (const [proc, samples] of [...series].sort(([a], [b]) => a.localeCompare(b))) {
    const { verdict, finding } = judgeMemory(proc, samples, spec.memory);
    verdicts.push(verdict);
    if (finding !== null) findings.push(finding);
  }
  return { verdicts, findings };
}

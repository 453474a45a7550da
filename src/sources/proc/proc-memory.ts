/**
 * Reads process memory from Linux /proc (edge). Figures come from /proc/PID/status, whose Vm* lines are
 * in kB (KiB): `VmRSS:	   12345 kB` is the resident set, `VmData:` the data segment (heap + anon maps).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcMemory {
  pid: number;
  /** Process name from /proc/PID/comm (at most 15 characters, as the kernel keeps it). */
  name: string;
  rssBytes: number;
  dataBytes: number;
}

/** Parses the text of /proc/PID/status; null when it lacks VmRSS (kernel threads, zombies). */
export function parseProcStatus(pid: number, text: string): ProcMemory | null {
  const field = (key: string): string | undefined => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text)?.[1];
  const kib = (key: string): number | null => {
    const m = /^(\d+)\s*kB$/.exec(field(key)?.trim() ?? '');
    return m === null ? null : Number(m[1]) * 1024;
  };
  const rss = kib('VmRSS');
  const data = kib('VmData');
  if (rss === null || data === null) return null;
  return { pid, name: field('Name')?.trim() ?? '', rssBytes: rss, dataBytes: data };
}

/** Memory of one PID, or null when the process does not exist (or has no memory: a zombie). */
export function readProcMemory(pid: number, procRoot = '/proc'): ProcMemory | null {
  try {
    return parseProcStatus(pid, readFileSync(`${procRoot}/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * PIDs whose /proc/PID/comm equals `name` (the kernel truncates comm to 15 bytes; so is `name` here),
 * lowest first. The sampler's own process is never included.
 */
export function findPidsByName(name: string, procRoot = '/proc'): number[] {
  const wanted = name.slice(0, 15);
  const pids: number[] = [];
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (readFileSync(`${procRoot}/${entry}/comm`, 'utf8').trim() === wanted) pids.push(pid);
    } catch {
      // The process ended between readdir and read: not a match.
    }
  }
  return pids.sort((a, b) => a - b);
}

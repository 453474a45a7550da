/**
 * `ingest`'s progress line on a terminal (#12): where it is among the inputs, bytes done of all, the
 * rate and the time left. Redrawn in place (`\r`, erase line) at most every PROGRESS_INTERVAL_MS.
 */

/** Redraw at most this often: a few times a second is readable and costs nothing measurable. */
export const PROGRESS_INTERVAL_MS = 250;

/** Where an ingest run is. Bytes are file bytes as on disk (a gzip file's compressed bytes). */
export interface IngestProgress {
  /** The input being read ('-' for stdin). */
  path: string;
  /** Its index (0-based) among `inputs`. */
  input: number;
  inputs: number;
  /** Bytes done: the inputs finished, what the current one's checkpoint skips, what was read of it. */
  doneBytes: number;
  /** Bytes read by this run (the rate is measured on these: skipped bytes cost nothing). */
  readBytes: number;
  /** Every file input's size at the start; stdin adds nothing. */
  totalBytes: number;
  /** New lines stored so far by this run. */
  lines: number;
}

/** `1.2 GB`, `412.3 MB`, `830 B`: SI units, one decimal above a kilobyte. */
export function formatBytes(bytes: number): string {
  const units = ['kB', 'MB', 'GB', 'TB'];
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let v = bytes / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u] as string}`;
}

/** `0:07`, `12:30`, `2:05:00`; `-` when unknown. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * The progress line, e.g.
 * `ingest 2/5 dhcpd.log.3.gz: 412.3 MB / 1.2 GB (34%), 298412 lines/s, 41.2 MB/s, ETA 0:19`.
 */
export function formatProgress(p: IngestProgress, elapsedMs: number): string {
  const sec = elapsedMs / 1000;
  const bytesPerSec = sec > 0 ? p.readBytes / sec : 0;
  const linesPerSec = sec > 0 ? Math.round(p.lines / sec) : 0;
  const pct = p.totalBytes > 0 ? ` (${Math.min(100, Math.floor((100 * p.doneBytes) / p.totalBytes))}%)` : '';
  const leftBytes = Math.max(0, p.totalBytes - p.doneBytes);
  const eta = leftBytes === 0 ? 0 : bytesPerSec > 0 ? (1000 * leftBytes) / bytesPerSec : Number.NaN;
  return (
    `ingest ${p.input + 1}/${p.inputs} ${p.path}: ${formatBytes(p.doneBytes)} / ${formatBytes(p.totalBytes)}${pct}, ` +
    `${linesPerSec} lines/s, ${formatBytes(bytesPerSec)}/s, ETA ${formatDuration(eta)}`
  );
}

/** Where the meter draws: stderr when it is a terminal. */
export interface ProgressTerminal {
  write(text: string): unknown;
  /** Width: the line is cut to fit, since a wrapped line cannot be redrawn in place. */
  columns?: number;
}

/**
 * Draws the progress line in place on a terminal, at most every `intervalMs`; the first time only once
 * that long has passed, so quick runs show nothing (as verify's progress, src/cli/progress.ts).
 */
export class ProgressMeter {
  private lastDrawMs: number;
  private drawn = false;
  private readonly startMs: number;

  constructor(
    private readonly terminal: ProgressTerminal,
    private readonly nowMs: () => number,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {
    this.startMs = nowMs();
    this.lastDrawMs = this.startMs;
  }

  update(p: IngestProgress): void {
    const now = this.nowMs();
    if (now - this.lastDrawMs < this.intervalMs) return;
    this.lastDrawMs = now;
    this.drawn = true;
    let text = formatProgress(p, now - this.startMs);
    const width = this.terminal.columns;
    if (width !== undefined && width > 1 && text.length > width - 1) text = text.slice(0, width - 1);
    this.terminal.write(`\r\x1b[K${text}`);
  }

  /** Erases the line (before the summary). */
  clear(): void {
    if (this.drawn) this.terminal.write('\r\x1b[K');
    this.drawn = false;
  }
}

/**
 * Progress of long work on a terminal: one line on stderr, rewritten in place, e.g.
 * `verify: rebuilding: 1,234,567 of 2,000,000 events (62%), 412,000 events/s`.
 *
 * The pure core never sees a stream or a clock: rebuild, diff and attribution only get the callbacks
 * (src/cli/verification.ts counts the events it hands them and names the phases). Quiet when the stream is
 * not a TTY (a log file or CI must not fill with carriage returns), and at most one refresh per
 * `intervalMs` (default 250 ms: a few a second), the first one only after that long, so quick work shows
 * nothing. `end()` clears the line before the report is printed.
 */

/** What a Progress writes to: stderr, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  /** Terminal width; the line is cut to fit so it never wraps (a wrapped line cannot be rewritten). */
  columns?: number;
  write(chunk: string): unknown;
}

/** Counts work as it is done; the renderer decides when and whether to show it. */
export interface Progress {
  /**
   * Starts a phase. `unit`: what `add` counts (`events`, `rows`), null for a phase that is not counted;
   * `total`: how many there will be, when known (an upper bound is fine: the share is capped at 100%).
   */
  phase(name: string, unit: string | null, total?: number | null): void;
  /** `n` more units of the current phase are done (default 1). Cheap: call it per event. */
  add(n?: number): void;
  /** The work is over: clears the line if anything was shown. */
  end(): void;
}

/** Shows nothing: for callers that want silence, and for streams that are not a terminal. */
export const NO_PROGRESS: Progress = {
  phase: () => undefined,
  add: () => undefined,
  end: () => undefined,
};

export interface TtyProgressOptions {
  /** The clock (tests replace it). Default Date.now. */
  nowMs?: () => number;
  /** Least time between two refreshes, ms. Default 250. */
  intervalMs?: number;
  /** Line prefix. Default `verify`. */
  label?: string;
}

/** How many `add`ed units between two looks at the clock: the per-event cost stays an addition. */
const CHECK_EVERY = 1024;

const CLEAR_LINE = '\r\u001b[K';

function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A Progress that draws on `stream` when it is a TTY; NO_PROGRESS otherwise. */
export function createTtyProgress(stream: ProgressStream, options: TtyProgressOptions = {}): Progress {
  if (stream.isTTY !== true) return NO_PROGRESS;
  const nowMs = options.nowMs ?? Date.now;
  const intervalMs = options.intervalMs ?? 250;
  const label = options.label ?? 'verify';
  let name = '';
  let unit: string | null = null;
  let total: number | null = null;
  let done = 0;
  let phaseStartMs = nowMs();
  let lastDrawMs = phaseStartMs;
  let sinceCheck = 0;
  let shown = false;

  const text = (now: number): string => {
    let s = `${label}: ${name}`;
    if (unit !== null && done > 0) {
      s += `: ${grouped(done)}`;
      if (total !== null && total > 0) s += ` of ${grouped(total)}`;
      s += ` ${unit}`;
      if (total !== null && total > 0) s += ` (${Math.min(100, Math.floor((done / total) * 100))}%)`;
      const seconds = (now - phaseStartMs) / 1000;
      if (seconds > 0) s += `, ${grouped(done / seconds)} ${unit}/s`;
    }
    const width = stream.columns;
    return width !== undefined && width > 1 && s.length > width - 1 ? s.slice(0, width - 1) : s;
  };
  const maybeDraw = (): void => {
    const now = nowMs();
    if (now - lastDrawMs < intervalMs) return;
    lastDrawMs = now;
    shown = true;
    stream.write(`${CLEAR_LINE}${text(now)}`);
  };
  return {
    phase(newName, newUnit, newTotal = null) {
      name = newName;
      unit = newUnit;
      total = newTotal;
      done = 0;
      sinceCheck = 0;
      phaseStartMs = nowMs();
      maybeDraw();
    },
    add(n = 1) {
      done += n;
      sinceCheck += n;
      if (sinceCheck >= CHECK_EVERY) {
        sinceCheck = 0;
        maybeDraw();
      }
    },
    end() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}

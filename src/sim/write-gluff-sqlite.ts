/**
 * Writes the simulated Gluff table as a Gluff snapshot file (src/sources/sqlite/gluff-snapshot.ts),
 * which `--gluff sqlite:FILE.db` reads exactly like a copy taken from MySQL.
 */
import { writeGluffSnapshot, type GluffTablesSource } from '../sources/sqlite/gluff-snapshot.js';
import type { GluffRow } from './gluff-model.js';
import { gluffTablesText } from './gluff-table-text.js';

/**
 * Writes `table` to a snapshot at `path` (replacing it). Timestamps are the wall time in `zone` (the
 * spec's gluffZone), as Gluff's DHCP servers wrote them. Throws GV_OUTPUT_WRITE when it cannot.
 */
export async function writeSimGluffSnapshot(
  path: string,
  table: readonly GluffRow[],
  opts: { zone: string; takenAtMs: number },
): Promise<{ leases: number }> {
  const text = gluffTablesText(table, opts.zone);
  const source: GluffTablesSource = {
    session: { timeZone: 'SYSTEM', systemTimeZone: opts.zone, serverVersion: 'gluff-verify simulator' },
    async *rawLeaseRows() {
      yield* text.leases;
    },
    async *lookupRows(name) {
      yield* text.lookups[name];
    },
  };
  return writeGluffSnapshot(path, source, { source: 'gluff-verify simulator', takenAtMs: opts.takenAtMs });
}

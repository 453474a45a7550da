/**
 * The simulated Gluff table as Gluff stores it in MySQL: lookup tables (`ips`, `hws`, `cids`, `rids`)
 * of the values as text, and `leases` rows of ids with the timestamps as local wall time. Pure; the
 * writers (write-gluff-sqlite.ts, write-gluff-mysql.ts) only copy these rows out.
 */
import { formatGluffTimestamp } from '../parse/gluff-row.js';
import { formatGluffOptionText } from '../parse/option82.js';
import type { GluffRow } from './gluff-model.js';

export type GluffLookupName = 'ips' | 'hws' | 'cids' | 'rids';

export interface GluffTablesText {
  /** Lookup rows in id order (ids from 1; there is no row 0). */
  lookups: Record<GluffLookupName, { id: number; value: string }[]>;
  /** `leases` rows: ids into the lookups, 0 for an absent circuit-id/remote-id, times as `YYYY-MM-DD HH:MM:SS`. */
  leases: { id: number; ip: number; hw: number; cid: number; rid: number; lstart: string; lend: string }[];
}

/**
 * Rows -> tables. Values are interned in first-use order, as Gluff's get_id does. Option values are
 * written as dhcpd renders them (`"port1"` or `0:4:0:1:0:2`), timestamps in `zone`.
 * Example: `{id: 1, ip: '10.1.0.50', hw: '00:0c:29:00:00:01', cid: '00:04:00:01:00:02', rid: null, lstart, lend}`
 * -> ips [{1, '10.1.0.50'}], cids [{1, '0:4:0:1:0:2'}], leases [{id 1, ip 1, hw 1, cid 1, rid 0, ...}].
 */
export function gluffTablesText(table: readonly GluffRow[], zone: string): GluffTablesText {
  const lookups: GluffTablesText['lookups'] = { ips: [], hws: [], cids: [], rids: [] };
  const ids: Record<GluffLookupName, Map<string, number>> = {
    ips: new Map(),
    hws: new Map(),
    cids: new Map(),
    rids: new Map(),
  };
  const intern = (name: GluffLookupName, value: string | null): number => {
    if (value === null) return 0;
    const known = ids[name].get(value);
    if (known !== undefined) return known;
    const id = lookups[name].length + 1;
    ids[name].set(value, id);
    lookups[name].push({ id, value });
    return id;
  };
  const leases = [...table]
    .sort((a, b) => a.id - b.id)
    .map((r) => ({
      id: r.id,
      ip: intern('ips', r.ip),
      hw: intern('hws', r.hw),
      cid: intern('cids', r.cid === null ? null : formatGluffOptionText(r.cid)),
      rid: intern('rids', r.rid === null ? null : formatGluffOptionText(r.rid)),
      lstart: formatGluffTimestamp(r.lstart * 1000, zone),
      lend: formatGluffTimestamp(r.lend * 1000, zone),
    }));
  return { lookups, leases };
}

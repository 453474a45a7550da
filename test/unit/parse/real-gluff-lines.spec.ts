/**
 * The Gluff witnesses of the three real runs (test/golden/real-gluff/runN/syslog.log: real dhcpd 4.4.3
 * with Gluff's queue patch and real gluff 1.12, all hosts in Europe/Stockholm): every gluff line and
 * every queue-patch error line parses to its typed event, the records format back to their exact text,
 * and gluff's decisions tie out with its records.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GluffNote, LogEvent, ParseContext } from '../../../src/model/index.js';
import { formatAppMessage, parseMessage } from '../../../src/parse/parse-message.js';

const GOLDEN = fileURLToPath(new URL('../../golden/real-gluff/', import.meta.url));
const HOSTS = ['gvrg-dhcp1', 'gvrg-dhcp2'] as const;
const ctx: ParseContext = {
  referenceMs: Date.UTC(2026, 10, 28, 3),
  zoneByHost: {
    'gvrg-dhcp1': 'Europe/Stockholm',
    'gvrg-dhcp2': 'Europe/Stockholm',
    'gvrg-perm': 'Europe/Stockholm',
  },
  defaultZone: 'Europe/Stockholm',
};
const encoder = new TextEncoder();

/** The message text after `tag[pid]: ` of a classic file line. */
function messageOf(line: string): string {
  return line.replace(/^\S+ +\d+ \S+ \S+ [^:[]+\[\d+\]: /, '');
}

for (const run of ['run1', 'run2', 'run3']) {
  describe(`Gluff witnesses of the real run ${run}`, () => {
    const lines = readFileSync(`${GOLDEN}${run}/syslog.log`, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const parsed: { line: string; event: LogEvent }[] = lines.map((line) => {
      const r = parseMessage(encoder.encode(line), ctx);
      if (!r.ok) assert.fail(`rejected (${r.rejection.reason}): ${line}`);
      return { line, event: r.event };
    });
    const count = (re: RegExp): number => lines.filter((l) => re.test(l)).length;

    it('should make a gluff-record of every per-row line and a queue-error of every patch error line', () => {
      const kinds = (k: string): number => parsed.filter((p) => p.event.kind === k).length;
      assert.equal(kinds('gluff-record'), count(/ gluff\[\d+\]: (ACK|RELEASE) on ip: /));
      assert.equal(kinds('queue-error'), count(/ dhcpd\[\d+\]: (Line \d+: sqlite3 error: |ldb error: )/));
      const unknownPatch = parsed.filter(
        (p) => p.event.kind === 'unknown' && /sqlite3 error|ldb error/.test(p.line),
      );
      assert.deepEqual(unknownPatch, []);
    });

    it('should leave only the start-up lines of gluff as notes `other`', () => {
      const others = parsed
        .filter((p) => p.event.kind === 'gluff' && p.event.what === 'other')
        .map((p) => messageOf(p.line).replace(/\/work\/\S+/, 'PATH'));
      assert.ok(others.length > 0);
      assert.deepEqual(
        others.filter((o) => o !== 'Creating sqlite3 database PATH'),
        [],
      );
    });

    it('should format every record back to the exact text gluff logged', () => {
      for (const { line, event } of parsed) {
        if (event.kind !== 'gluff-record') continue;
        assert.deepEqual(formatAppMessage(event), { app: 'gluff', msg: messageOf(line) });
      }
    });

    it('should give records that start before gluff logged them and releases that ended before', () => {
      for (const { line, event } of parsed) {
        if (event.kind !== 'gluff-record') continue;
        assert.ok(event.startMs <= event.timeMs && event.startMs <= event.endMs, line);
        if (event.record === 'release') assert.ok(event.endMs <= event.timeMs, line);
      }
    });

    it("should tie gluff's decisions to its records on a host logging with -D", () => {
      for (const host of HOSTS) {
        const mine = parsed.filter((p) => p.event.host === host);
        const records = mine.filter((p) => p.event.kind === 'gluff-record').length;
        const what = (w: GluffNote['what']): number =>
          mine.filter((p) => p.event.kind === 'gluff' && p.event.what === w).length;
        if (what('found') === 0) continue; // gluff without -D: no decision lines
        // Each row is found (then prolonged, cut for a release, or cut and made anew) or made.
        assert.equal(what('found'), what('prolong') + what('release-cut') + what('cutoff'), host);
        assert.equal(records, what('found') + what('make') - what('cutoff'), host);
      }
    });
  });
}

/**
 * Golden data from a real capture: every line of test/golden/failover-relay/input.log was written by
 * Debian's isc-dhcp-server 4.4.3-P1 (two servers in failover) or isc-dhcp-relay, through rsyslog, in
 * the rig of test/capture/run-failover-rig.sh. Only MACs of rig-internal interfaces and temporary
 * paths were replaced (see the folder's README.md). expected.json holds per-kind counts computed
 * with grep (commands in the README) and the dhcpd lines that are not lease traffic.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventKind, LogEvent, ParseContext } from '../../src/model/index.js';
import { parseMessage } from '../../src/parse/parse-message.js';

interface GoldenExpectation {
  lines: number;
  referenceUtc: string;
  hosts: Record<string, number>;
  /** Programs of the lines parsed to `other` (programs the verifier does not follow), with counts. */
  otherApps: Record<string, number>;
  kinds: Partial<Record<EventKind, number>>;
  unknownDhcpd: string[];
}

const dir = fileURLToPath(new URL('./failover-relay/', import.meta.url));
const inputLines = readFileSync(`${dir}input.log`, 'utf8').split('\n');
if (inputLines.at(-1) === '') inputLines.pop();
const expected = JSON.parse(readFileSync(`${dir}expected.json`, 'utf8')) as GoldenExpectation;

const ctx: ParseContext = {
  referenceMs: Date.parse(expected.referenceUtc),
  zoneByHost: {},
  defaultZone: 'UTC',
};

const encoder = new TextEncoder();

function parseLine(line: string): LogEvent {
  const result = parseMessage(encoder.encode(line), ctx);
  if (!result.ok) {
    assert.fail(`rejected (${result.rejection.reason}: ${result.rejection.detail}): ${line}`);
  }
  return result.event;
}

/** The first input line containing every fragment. */
function findLine(...fragments: string[]): string {
  const line = inputLines.find((l) => fragments.every((f) => l.includes(f)));
  assert.ok(line, `input.log has no line containing ${fragments.map((f) => `'${f}'`).join(' and ')}`);
  return line;
}

function tally<T extends string>(values: T[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

describe('parseMessage', () => {
  describe('golden capture failover-relay', () => {
    it('should have the line count expected.json states', () => {
      assert.equal(inputLines.length, expected.lines);
    });

    it('should parse a relayed gv-commit line into a commit event with normalised hex', () => {
      const event = parseLine(findLine('giaddr=10.99.1.1 cid=65:74:68:31'));
      assert.equal(event.kind, 'commit');
      if (event.kind !== 'commit') return;
      assert.match(event.ip, /^10\.99\.1\.\d+$/);
      assert.match(event.mac ?? '', /^02:00:5e:0a:01:0[1-3]$/);
      assert.equal(event.giaddr, '10.99.1.1');
      assert.equal(event.circuitIdHex, '65:74:68:31');
      assert.equal(event.remoteIdHex, null);
      assert.ok(event.leaseSec >= 60 && event.leaseSec <= 120, `leaseSec ${event.leaseSec}`);
      assert.ok(event.host === 'dhcp1' || event.host === 'dhcp2');
    });

    it('should parse a direct renewal gv-commit line with giaddr 0.0.0.0 and the remembered circuit-id', () => {
      const event = parseLine(findLine('giaddr=0.0.0.0 cid=65:74:68:31'));
      assert.equal(event.kind, 'commit');
      if (event.kind !== 'commit') return;
      assert.equal(event.giaddr, '0.0.0.0');
      assert.equal(event.circuitIdHex, '65:74:68:31');
    });

    it('should parse a direct renewal ACK with the server interface as via', () => {
      const event = parseLine(findLine(') via eth0', 'DHCPACK on '));
      assert.equal(event.kind, 'dhcpack');
      if (event.kind !== 'dhcpack') return;
      assert.equal(event.via, 'eth0');
      assert.match(event.mac, /^02:00:5e:0[abc]:0[01]:0[1-6]$/);
    });

    it('should parse a commit without Option 82 (client on the server LAN) with null circuit and remote ids', () => {
      const event = parseLine(findLine('giaddr=0.0.0.0 cid= rid='));
      assert.equal(event.kind, 'commit');
      if (event.kind !== 'commit') return;
      assert.equal(event.mac, '02:00:5e:0c:00:06');
      assert.equal(event.circuitIdHex, null);
      assert.equal(event.remoteIdHex, null);
    });

    it('should parse a load-balanced DISCOVER with its reason', () => {
      const event = parseLine(findLine(': load balance to peer gv-failover'));
      assert.equal(event.kind, 'dhcpdiscover');
      if (event.kind !== 'dhcpdiscover') return;
      assert.equal(event.reason, 'load balance to peer gv-failover');
      assert.match(event.via, /^10\.99\.[12]\.1$/);
    });

    it('should parse a failover state change with both states', () => {
      const event = parseLine(findLine('I move from normal to communications-interrupted'));
      assert.equal(event.kind, 'failover-state');
      if (event.kind !== 'failover-state') return;
      assert.deepEqual(
        [event.peer, event.who, event.from, event.to],
        ['gv-failover', 'self', 'normal', 'communications-interrupted'],
      );
    });

    it('should parse every line without a rejection, from the expected hosts and programs', () => {
      const events = inputLines.map(parseLine);
      assert.deepEqual(tally(events.map((e) => e.host)), expected.hosts);
      const otherApps = events.flatMap((e) => (e.kind === 'other' ? [e.app] : []));
      assert.deepEqual(tally(otherApps), expected.otherApps);
      const unknownApps = events.flatMap((e) => (e.kind === 'unknown' ? [e.app] : []));
      assert.deepEqual(
        [...new Set(unknownApps)].filter((a) => a !== 'dhcpd'),
        [],
      );
    });

    it('should leave as unknown only the dhcpd lines expected.json lists as not lease traffic', () => {
      const allowed = new Set(expected.unknownDhcpd);
      const unexpected = inputLines
        .map(parseLine)
        .filter((e) => e.kind === 'unknown' && e.app === 'dhcpd' && !allowed.has(e.text))
        .map((e) => (e.kind === 'unknown' ? e.text : ''));
      assert.deepEqual(unexpected, []);
    });

    it('should give the per-kind counts of expected.json', () => {
      const counts = tally(inputLines.map((l) => parseLine(l).kind));
      assert.deepEqual(counts, expected.kinds);
    });
  });
});

/**
 * Child process for the kill-safety test: appends batches of BATCH messages to the store at argv[2]
 * forever, printing `committed N` after each batch, until the parent kills it.
 */
import { EventStore } from '../../../../src/sources/sqlite/event-store.js';

export const BATCH = 500;
const store = EventStore.open(process.argv[2] as string);
const ctx = { zoneByHost: {}, defaultZone: 'UTC', referenceMs: Date.UTC(2026, 10, 28) };
let n = 0;
for (;;) {
  const batch = Array.from({ length: BATCH }, (_, i) => ({
    bytes: Buffer.from(
      `Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.${(i >> 8) & 255}.${i & 255} to 52:54:00:12:34:56 (h) via 10.1.0.1`,
    ),
    receivedMs: Date.now(),
    peer: null,
    transport: 'file' as const,
    origin: `kill.log:${n * BATCH + i + 1}`,
    trusted: true,
  }));
  store.appendRaw(batch, ctx);
  n++;
  process.stdout.write(`committed ${n}\n`);
}

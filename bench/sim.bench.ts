/**
 * Simulator speed: a simulated day of the seed rig's six clients, of 100 and of 1000 clients, and the
 * pure verification of the six-client day. Prints figures; asserts nothing.
 * Run: node --import tsx bench/sim.bench.ts
 */
import { checkSimOutput } from '../src/sim/check-sim-output.js';
import { simulateRig } from '../src/sim/simulate-rig.js';
import { loadRigSpec } from '../src/spec/load-rig-spec.js';

const spec = loadRigSpec('specs/seed-rig.yaml');

function measure(label: string, clients: number, hours: number): void {
  const t0 = performance.now();
  const out = simulateRig(spec, { seed: 1, hours, clients });
  const ms = performance.now() - t0;
  const heapMb = process.memoryUsage().heapUsed / 1e6;
  console.log(
    `${label.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  ${out.counts.messages} lines (${((out.counts.messages / ms) * 1000).toFixed(0)} lines/s), ` +
      `${out.counts.queueRows} queue rows, ${out.counts.tableRows} Gluff rows, heap ${heapMb.toFixed(0)} MB`,
  );
}

// Warm up the JIT on a short run first.
simulateRig(spec, { seed: 0, hours: 2 });
measure('1 day, 6 clients', 6, 24);
measure('1 day, 100 clients', 100, 24);
measure('1 day, 1000 clients', 1000, 24);

const out = simulateRig(spec, { seed: 1, hours: 24 });
const t0 = performance.now();
const check = checkSimOutput(out, spec);
console.log(
  `${'verify 1 day, 6 clients'.padEnd(28)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms  parse+rebuild+diff of ${check.events} events: ${check.verdict}`,
);

/**
 * The soundness sweep over simulated rigs: for both ways Option 82 reaches dhcpd (switch snooping, relay
 * only), fifty clean seeds and every fault of the catalogue on seeds 1-10, one simulated day with six
 * clients each, through the pure pipeline (parse -> rebuild -> diff -> attribution -> verdict). Prints one
 * line per (mode, fault): how many seeds gave the catalogue's declared verdict, kinds, culprit and rule
 * (each counted alone, then all together), and what went wrong.
 * Run: node --import tsx bench/soundness-sweep.bench.ts [hours] [faultSeeds] [cleanSeeds] [firstSeed]
 * (firstSeed moves both seed ranges, e.g. 1001 for seeds no earlier sweep has tried).
 */
import { checkSimOutput, outcomeChecks, type OutcomeChecks } from '../src/sim/check-sim-output.js';
import { FAULT_NAMES, faultSpec } from '../src/sim/fault-catalogue.js';
import { simulateRig, type Option82Path } from '../src/sim/simulate-rig.js';
import { loadRigSpec } from '../src/spec/load-rig-spec.js';

const HOURS = Number(process.argv[2] ?? 24);
const FAULT_SEEDS = Number(process.argv[3] ?? 10);
const CLEAN_SEEDS = Number(process.argv[4] ?? 50);
const FIRST_SEED = Number(process.argv[5] ?? 1);
const spec = loadRigSpec('specs/seed-rig.yaml');
const started = performance.now();
const ASPECTS = ['verdict', 'kinds', 'culprit', 'rule'] as const satisfies readonly (keyof OutcomeChecks)[];

for (const option82Path of ['snooping', 'relay'] as Option82Path[]) {
  const falseAlarms: string[] = [];
  for (let seed = FIRST_SEED; seed < FIRST_SEED + CLEAN_SEEDS; seed++) {
    const check = checkSimOutput(simulateRig(spec, { seed, hours: HOURS, option82Path }), spec);
    if (check.verdict !== 'pass')
      falseAlarms.push(`seed ${seed}: ${check.verdict} [${check.failKinds.join(',')}]`);
  }
  console.log(
    `${option82Path.padEnd(8)} clean${' '.repeat(32)} ${CLEAN_SEEDS - falseAlarms.length}/${CLEAN_SEEDS} pass${falseAlarms.length > 0 ? `  ${falseAlarms.join('; ')}` : ''}`,
  );
  for (const fault of FAULT_NAMES) {
    const good = { verdict: 0, kinds: 0, culprit: 0, rule: 0, all: 0 };
    const problems: string[] = [];
    for (let seed = FIRST_SEED; seed < FIRST_SEED + FAULT_SEEDS; seed++) {
      const out = simulateRig(spec, { seed, hours: HOURS, option82Path, faults: [fault] });
      const c = outcomeChecks(checkSimOutput(out, spec), out.expected);
      for (const a of ASPECTS) if (c[a].length === 0) good[a]++;
      const p = ASPECTS.flatMap((a) => c[a]);
      if (p.length === 0) good.all++;
      else problems.push(`seed ${seed}: ${p.join(', ')}`);
    }
    const n = `/${FAULT_SEEDS}`;
    // A fault that declares no rule has nothing to count there.
    const noRule = faultSpec(fault).rule === null;
    const counts = ASPECTS.map((a) => `${a} ${a === 'rule' && noRule ? ' - ' : `${good[a]}${n}`}`);
    console.log(
      `${option82Path.padEnd(8)} ${fault.padEnd(36)} ${counts.join('  ')}  => ${good.all}${n} as declared${problems.length > 0 ? `  ${problems.join('; ')}` : ''}`,
    );
  }
}
console.log(`sweep: ${HOURS} h per run, ${((performance.now() - started) / 1000).toFixed(1)} s`);

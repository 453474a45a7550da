/** Runs one CLI command in this process and prints its wall time and this process's peak RSS (for verify.bench.ts). */
import { main } from '../src/cli/main.js';

const start = performance.now();
const code = await main(process.argv.slice(2));
const seconds = (performance.now() - start) / 1000;
const rssMiB = process.resourceUsage().maxRSS / 1024;
process.stderr.write(
  `bench: ${process.argv[2]} took ${seconds.toFixed(1)} s, peak RSS ${rssMiB.toFixed(0)} MiB (target: 60 s, 1024 MiB)\n`,
);
process.exitCode = code;

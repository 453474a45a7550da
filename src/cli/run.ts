/** Process entry: `node dist/cli/run.js <command> ...` (bin/gluff-verify.js) or `tsx src/cli/run.ts` in development. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));

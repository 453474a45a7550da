/**
 * `gluff-verify faults`: the simulator's fault catalogue (src/sim/fault-catalogue.ts): each fault, what
 * it does, and the verdict and finding kinds the verifier must give for it.
 */
import { ExitCode, type ExitCodeValue } from '../../model/errors.js';
import { FAULTS } from '../../sim/fault-catalogue.js';
import { parseCommandArgs, type CliIo, type Command } from '../command.js';

const HELP = `Usage: gluff-verify faults [--json]

Lists the faults 'gluff-verify demo --faults a,b,...' can inject, with the verdict and the finding
kinds the verifier must produce for each (the soundness tests hold it to this table).

Options:
  --json    one JSON array instead of the table

Example:
  gluff-verify faults
  gluff-verify demo --faults stale-port,channel-loss --seed 7`;

async function run(argv: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parseCommandArgs('faults', argv, { json: { type: 'boolean' } });
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify(FAULTS, null, 2)}\n`);
    return ExitCode.pass;
  }
  const width = Math.max(...FAULTS.map((f) => f.name.length));
  const lines: string[] = [];
  for (const f of FAULTS) {
    const kinds = [...f.kinds, ...(f.oneOfKinds.length > 0 ? [`one of ${f.oneOfKinds.join('|')}`] : [])];
    lines.push(
      `${f.name.padEnd(width)}  ${f.verdict.padEnd(12)}  ${kinds.length > 0 ? kinds.join(', ') : '-'}`,
    );
    lines.push(`${''.padEnd(width)}  ${f.description}`);
  }
  io.stdout.write(`${'fault'.padEnd(width)}  ${'verdict'.padEnd(12)}  finding kinds\n${lines.join('\n')}\n`);
  return ExitCode.pass;
}

export const command: Command = {
  name: 'faults',
  summary: 'list the simulator fault catalogue',
  help: HELP,
  run,
};

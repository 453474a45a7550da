import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The checkout's root: the CLI runs from there, as the README's commands do. */
export const ROOT = join(import.meta.dirname, '..', '..');

export interface ProcessOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real process from the checkout's root with `env` added to ours; collects its output and exit code. */
export function runProcess(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the real CLI (`node --import tsx src/cli/run.ts ...`). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessOutcome> {
  return runProcess(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], env);
}

/**
 * A CliIo for running commands in process: stdout and stderr captured as text, the given environment,
 * a fixed clock.
 */
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/command.js';

export function captureIo(
  env: NodeJS.ProcessEnv = {},
  nowMs = 0,
): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr, env, nowMs: () => nowMs }, out: () => out, err: () => err };
}

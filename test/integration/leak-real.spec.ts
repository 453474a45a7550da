/**
 * The leak check for real: two helper processes, one leaking at a known rate and one flat, sampled by
 * the real `gluff-verify sample` (a child process) through a real collector on loopback UDP into a real
 * event store, then judged. About 45 s at two samples a second.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { judgeMemorySamples } from '../../src/leak/judge-samples.js';
import type { RigSpec } from '../../src/model/spec.js';
import { loadRigSpec } from '../../src/spec/load-rig-spec.js';
import { onCleanup, runCleanups, startCollector } from './collector-harness.js';

const MIB = 1024 * 1024;
/** The leaker retains 1 MiB (zero-filled, so resident) every LEAK_EVERY_MS: 8 MiB/s, 28,800 MiB/h. */
const LEAK_EVERY_MS = 125;
const TRUE_SLOPE_BYTES_PER_HOUR = (MIB * 3_600_000) / LEAK_EVERY_MS;
const SAMPLES = 90;

function startHelper(title: string, body: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', `process.title = ${JSON.stringify(title)}; ${body}`], {
    stdio: 'ignore',
  });
  onCleanup(() => child.kill('SIGKILL'));
  return child;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('memory-leak check on real processes', function () {
  this.timeout(120_000);
  afterEach(runCleanups);

  it('should flag the leaking process with a slope near its true rate and pass the flat one', async () => {
    // Arrange: a collector, a leaker, a flat process that holds 64 MiB from the start.
    const h = await startCollector(['udp://127.0.0.1:0']);
    const leaker = startHelper(
      'gv-leaker',
      `const kept = []; setInterval(() => kept.push(Buffer.alloc(${MIB}, 1)), ${LEAK_EVERY_MS});`,
    );
    const flat = startHelper(
      'gv-flat',
      `const kept = Buffer.alloc(${64 * MIB}, 1); setInterval(() => kept[0]++, 100);`,
    );
    await new Promise((r) => setTimeout(r, 500));

    // Act: the real sampler, two samples a second, over UDP to the collector.
    const sampler = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/run.ts',
        'sample',
        '--pid',
        String(leaker.pid),
        '--pid',
        String(flat.pid),
        '--every',
        '500ms',
        '--count',
        String(SAMPLES),
        '--host',
        'rig1',
        '--syslog',
        `udp://127.0.0.1:${h.port()}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    onCleanup(() => sampler.kill('SIGKILL'));
    assert.equal(await exitOf(sampler), 0);
    await h.waitStored(2 * SAMPLES);
    await h.collector.stop();

    // Assert
    const store = h.openStore();
    const base: RigSpec = loadRigSpec('specs/seed-rig.yaml');
    const spec: RigSpec = {
      ...base,
      memory: {
        warmupSec: 5,
        minSamples: 30,
        minDurationSec: 20,
        maxSlopeBytesPerHour: 64 * MIB,
        maxGrowthBytes: 256 * MIB,
      },
    };
    const { verdicts, findings } = judgeMemorySamples(store.queryEvents({ kinds: ['memsample'] }), spec);
    const byProc = new Map(verdicts.map((v) => [v.proc, v]));
    const leak = byProc.get('gv-leaker@rig1');
    const steady = byProc.get('gv-flat@rig1');
    assert.ok(leak !== undefined && steady !== undefined, `verdicts: ${[...byProc.keys()].join(', ')}`);
    assert.equal(leak.verdict, 'fail', leak.reason);
    const ratio = (leak.slopeBytesPerHour ?? 0) / TRUE_SLOPE_BYTES_PER_HOUR;
    assert.ok(
      ratio > 0.8 && ratio < 1.2,
      `slope ${leak.slopeBytesPerHour} vs true ${TRUE_SLOPE_BYTES_PER_HOUR} (ratio ${ratio})`,
    );
    assert.equal(steady.verdict, 'pass', steady.reason);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.details['proc']]),
      [['memory-leak', 'gv-leaker@rig1']],
    );
  });
});

describe('sample (CLI) stopping', function () {
  this.timeout(60_000);
  afterEach(runCleanups);

  it('should exit 0 on SIGTERM at once, not when its next round was due', async () => {
    // Arrange: a UDP socket standing in for the collector; rounds every 10 minutes.
    const { createSocket } = await import('node:dgram');
    const sink = createSocket('udp4');
    onCleanup(() => sink.close());
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    const first = new Promise<string>((r) => sink.once('message', (m) => r(m.toString())));
    const root = new URL('../..', import.meta.url).pathname;
    const sampler = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        `${root}src/cli/run.ts`,
        'sample',
        '--pid',
        String(process.pid),
        '--every',
        '10m',
        '--syslog',
        `udp://127.0.0.1:${sink.address().port}`,
      ],
      { stdio: 'ignore' },
    );
    onCleanup(() => sampler.kill('SIGKILL'));
    assert.match(await first, /memsample/);
    // Act
    const exited = exitOf(sampler);
    sampler.kill('SIGTERM');
    // Assert: within seconds (a pending round timer used to hold the process for the whole interval).
    const deadline = new Promise<string>((r) => setTimeout(() => r('still running after 20 s'), 20_000));
    assert.equal(await Promise.race([exited, deadline]), 0);
  });
});

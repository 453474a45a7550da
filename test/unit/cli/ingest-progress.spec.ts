import { strict as assert } from 'node:assert';
import {
  formatBytes,
  formatDuration,
  formatProgress,
  ProgressMeter,
  type IngestProgress,
} from '../../../src/cli/ingest-progress.js';

const P: IngestProgress = {
  path: 'dhcpd.log.3.gz',
  input: 1,
  inputs: 5,
  doneBytes: 412_300_000,
  readBytes: 400_000_000,
  totalBytes: 1_200_000_000,
  lines: 2_000_000,
};

describe('formatProgress', () => {
  const bytes: [number, string][] = [
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [412_300_000, '412.3 MB'],
    [1_200_000_000, '1.2 GB'],
  ];
  for (const [n, want] of bytes) {
    it(`should write ${n} bytes as '${want}'`, () => assert.equal(formatBytes(n), want));
  }
  const durations: [number, string][] = [
    [7000, '0:07'],
    [750_000, '12:30'],
    [7_500_000, '2:05:00'],
    [Number.NaN, '-'],
  ];
  for (const [ms, want] of durations) {
    it(`should write ${ms} ms as '${want}'`, () => assert.equal(formatDuration(ms), want));
  }
  it('should give the input, bytes done of the total, the rates and the time left at the rate so far', () => {
    // 400 MB read in 10 s: 40 MB/s; 787.7 MB left: 19.7 s.
    assert.equal(
      formatProgress(P, 10_000),
      'ingest 2/5 dhcpd.log.3.gz: 412.3 MB / 1.2 GB (34%), 200000 lines/s, 40.0 MB/s, ETA 0:20',
    );
  });
  it('should say the time left is unknown before anything was read, and 0 when all is done', () => {
    assert.match(formatProgress({ ...P, readBytes: 0, lines: 0 }, 0), /0 lines\/s, 0 B\/s, ETA -$/);
    assert.match(formatProgress({ ...P, doneBytes: P.totalBytes }, 10_000), /\(100%\).*ETA 0:00$/);
  });
});

describe('ProgressMeter', () => {
  it('should draw at most every 250 ms, not before the first 250 ms, cut to the width, and clear once', () => {
    // Arrange: a clock the test moves.
    let now = 1000;
    let out = '';
    const meter = new ProgressMeter({ write: (t) => (out += t), columns: 40 }, () => now);
    // Act / Assert
    meter.update(P);
    now += 249;
    meter.update(P);
    assert.equal(out, '', 'quick work shows nothing');
    now += 1;
    meter.update(P);
    assert.equal(out, `\r\x1b[K${formatProgress(P, 250).slice(0, 39)}`);
    now += 100;
    meter.update(P);
    assert.equal(out.split('\r\x1b[K').length, 2, 'not again within 250 ms');
    now += 250;
    meter.update(P);
    assert.equal(out.split('\r\x1b[K').length, 3);
    meter.clear();
    meter.clear();
    assert.ok(out.endsWith('\r\x1b[K'));
    assert.equal(out.split('\r\x1b[K').length, 4);
  });
  it('should write nothing at all, not even a clear, when the work ended before the first redraw', () => {
    let out = '';
    const meter = new ProgressMeter({ write: (t) => (out += t) }, () => 0);
    meter.update(P);
    meter.clear();
    assert.equal(out, '');
  });
});

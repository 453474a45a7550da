import assert from 'node:assert/strict';
import { runQueuePatch, type PatchCall } from '../../../src/sim/queue-patch-sim.js';

const S = 1000;

/** A call on server 0 at `atS` (seconds), with the lease start `start`. */
function call(id: number, atS: number, rtype: 0 | 1, start: number, ip = '10.1.0.50'): PatchCall {
  return {
    id,
    server: 0,
    atMs: atS * S,
    row: {
      start,
      rtype,
      end: rtype === 0 ? start + 600 : atS,
      ip,
      hw: '00:0c:29:00:00:01',
      cid: null,
      rid: null,
    },
  };
}

/** gluff takes a row at the next multiple of `pollS` seconds. */
const pollEvery = (pollS: number) => (_server: number, queuedMs: number) =>
  Math.ceil(queuedMs / (pollS * S)) * pollS * S;

describe('runQueuePatch', () => {
  it('should restart idx at 1 for a new start and count on for the same start', () => {
    const { results } = runQueuePatch(
      [call(0, 100, 0, 100), call(1, 100, 0, 100), call(2, 101, 0, 101)],
      [],
      1,
      pollEvery(5),
    );
    assert.deepEqual(
      results.map((r) => [r.outcome, r.idx]),
      [
        ['queued', 1],
        ['queued', 2],
        ['queued', 1],
      ],
    );
  });

  it("should fail a release whose (start, 1) is still queued once another start came between (its lease's own ACK row)", () => {
    // gluff takes rows only every 60 s (stalled): the ACK row (100, 1) is still there at the release.
    const { results, queued } = runQueuePatch(
      [call(0, 100, 0, 100), call(1, 110, 0, 110, '10.1.0.51'), call(2, 115, 1, 100)],
      [],
      1,
      pollEvery(60),
    );
    assert.deepEqual(
      results.map((r) => [r.call.id, r.outcome, r.idx]),
      [
        [0, 'queued', 1],
        [1, 'queued', 1],
        [2, 'collision', 1],
      ],
    );
    assert.deepEqual(
      queued.map((q) => q.callId),
      [0, 1],
    );
  });

  it('should queue the same release once gluff has taken the ACK row', () => {
    const { results } = runQueuePatch(
      [call(0, 100, 0, 100), call(1, 110, 0, 110, '10.1.0.51'), call(2, 120, 1, 100)],
      [],
      1,
      pollEvery(5),
    );
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['queued', 'queued', 'queued'],
    );
  });

  it('should keep a key taken by a row no gluff ever takes (null) for the rest of the run', () => {
    const { results } = runQueuePatch(
      [call(0, 100, 0, 100), call(1, 110, 0, 110, '10.1.0.51'), call(2, 5000, 1, 100)],
      [],
      1,
      () => null,
    );
    assert.equal(results[2]?.outcome, 'collision');
  });

  it('should drop a release before the first ACK of the run and after a restart, without touching idx', () => {
    const { results, queued } = runQueuePatch(
      [
        call(0, 50, 1, 10),
        call(1, 100, 0, 100),
        call(2, 200, 1, 100),
        call(3, 201, 0, 201),
        call(4, 300, 0, 300),
      ],
      [{ server: 0, atMs: 150 * S }],
      1,
      pollEvery(5),
    );
    assert.deepEqual(
      results.map((r) => [r.call.id, r.outcome]),
      [
        [0, 'not-open'],
        [1, 'queued'],
        [2, 'not-open'],
        [3, 'queued'],
        [4, 'queued'],
      ],
    );
    assert.deepEqual(
      queued.map((q) => [q.callId, q.row.idx]),
      [
        [1, 1],
        [3, 1],
        [4, 1],
      ],
    );
  });

  it('should start the statics over at a restart, so the first row of an old start binds idx 1 again', () => {
    // Before the restart (100, 1) and (100, 2) are queued and gluff is stopped (null): after it, a release of the
    // lease that started at 100 binds (100, 1) and collides.
    const { results } = runQueuePatch(
      [
        call(0, 100, 0, 100),
        call(1, 100, 0, 100, '10.1.0.51'),
        call(2, 210, 0, 210, '10.1.0.52'),
        call(3, 220, 1, 100),
      ],
      [{ server: 0, atMs: 200 * S }],
      1,
      () => null,
    );
    assert.deepEqual(
      results.map((r) => [r.outcome, r.idx]),
      [
        ['queued', 1],
        ['queued', 2],
        ['queued', 1],
        ['collision', 1],
      ],
    );
  });

  it('should keep each server its own statics and queue', () => {
    const a = call(0, 100, 0, 100);
    const b = { ...call(1, 100, 0, 100), server: 1 };
    const { results } = runQueuePatch([a, b], [], 2, pollEvery(5));
    assert.deepEqual(
      results.map((r) => [r.call.server, r.outcome, r.idx]),
      [
        [0, 'queued', 1],
        [1, 'queued', 1],
      ],
    );
  });
});

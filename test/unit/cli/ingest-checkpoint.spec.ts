import { strict as assert } from 'node:assert';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ingestInputs, type IngestOptions } from '../../../src/cli/commands/ingest.js';
import {
  fingerprint,
  FINGERPRINT_BYTES,
  planInput,
  type InputCheckpoint,
} from '../../../src/cli/ingest-checkpoint.js';
import { EventStore } from '../../../src/sources/sqlite/event-store.js';

/** `bytes` of a file whose content is `text` repeated. */
function content(text: string, bytes: number): Buffer {
  return Buffer.from(text.repeat(Math.ceil(bytes / text.length)).slice(0, bytes));
}

function checkpoint(id: number, head: Buffer, offset: number, lines = 1): InputCheckpoint {
  return { id, headBytes: head.length, headHash: fingerprint(head), offset, lines, path: `f${id}` };
}

describe('planInput', () => {
  const file = content('Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 line\n', 5000);
  const head = file.subarray(0, FINGERPRINT_BYTES);
  const other = content('Nov 28 02:00:00 dhcp2 dhcpd[813]: DHCPACK on 10.1.0.99 line\n', 5000);
  const cases: [string, InputCheckpoint[], Buffer, number | null, string][] = [
    ['a store that has read nothing yet', [], head, file.length, 'new'],
    ['a file read before, grown since', [checkpoint(1, head, 3000)], head, 5000, 'resume 1'],
    ['a file read to its end', [checkpoint(1, head, 5000)], head, 5000, 'resume 1'],
    [
      'a rotated, gzipped copy (size unknown until read)',
      [checkpoint(1, head, 3000)],
      head,
      null,
      'resume 1',
    ],
    ['another file', [checkpoint(1, head, 3000)], other.subarray(0, FINGERPRINT_BYTES), 5000, 'new'],
    [
      'the same head but shorter than the offset: truncated',
      [checkpoint(1, head, 3000)],
      head,
      2000,
      'restart 1',
    ],
    [
      'a file read while shorter than the fingerprint, grown since',
      [checkpoint(1, file.subarray(0, 300), 300)],
      head,
      5000,
      'resume 1',
    ],
    [
      'a file read while longer than it is now (copytruncate, then new lines)',
      [checkpoint(1, file.subarray(0, 300), 300)],
      other.subarray(0, 200),
      200,
      'new',
    ],
    [
      'two checkpoints whose heads both match: the longer head wins',
      [checkpoint(1, file.subarray(0, 300), 300), checkpoint(2, head, 4000)],
      head,
      5000,
      'resume 2',
    ],
    [
      'a restarted lineage beside the one it replaced: the newer wins',
      [checkpoint(1, head, 4000), checkpoint(2, head, 2000)],
      head,
      5000,
      'resume 2',
    ],
    ['an empty file', [checkpoint(1, file.subarray(0, 300), 300)], Buffer.alloc(0), 0, 'new'],
  ];
  for (const [what, checkpoints, probe, size, want] of cases) {
    it(`should plan '${want}' for ${what}`, () => {
      const plan = planInput(checkpoints, probe, size);
      assert.equal(plan.kind === 'new' ? 'new' : `${plan.kind} ${plan.checkpoint.id}`, want);
    });
  }
});

/**
 * A log file's life as logrotate and a writer make it: appends (a last line sometimes half written),
 * lines repeated by the writer, rotations (rename, gzip too), copytruncate, the oldest rotated file
 * deleted, and ingest runs over whatever files exist, in any order.
 */
type Op =
  | { op: 'append'; lines: number }
  | { op: 'partial'; bytes: number }
  | { op: 'repeat' }
  | { op: 'rotate'; gzip: boolean }
  | { op: 'copytruncate' }
  | { op: 'drop-oldest' }
  | { op: 'ingest'; order: number[] };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('append' as const), lines: fc.integer({ min: 1, max: 30 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('partial' as const), bytes: fc.integer({ min: 1, max: 90 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('repeat' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rotate' as const), gzip: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('copytruncate' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop-oldest' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('ingest' as const), order: fc.array(fc.nat(), { maxLength: 6 }) }),
  },
);

/** A distinct, parseable line per n (its second, address and MAC follow n). */
function line(n: number): string {
  const hex = (v: number): string => v.toString(16).padStart(2, '0');
  return `Nov 28 ${String(Math.floor(n / 3600) % 24).padStart(2, '0')}:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')} dhcp1 dhcpd[812]: DHCPACK on 10.1.${(n >> 8) & 255}.${n & 255} to 52:54:00:00:${hex((n >> 8) & 255)}:${hex(n & 255)} via eth0`;
}

interface Written {
  /** One written line: its own identity even when its text repeats the line before. */
  instance: number;
  text: string;
}

describe('ingest checkpoints (real files, real store)', function () {
  this.timeout(300_000);
  const T = Date.UTC(2026, 10, 28, 12, 0, 0);
  const opts: IngestOptions = { zones: { zoneByHost: {}, defaultZone: 'UTC' }, yearRefMs: T, nowMs: () => T };

  it('should never store a line twice and never lose one, whatever happened to the file between runs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbOp, { maxLength: 25 }), async (ops) => {
        const dir = mkdtempSync(join(tmpdir(), 'gv-checkpoint-'));
        const store = EventStore.open(join(dir, 'events.db'));
        try {
          const log = join(dir, 'dhcpd.log');
          writeFileSync(log, '');
          // The model: what each file holds, and every line instance an ingest run could see complete.
          let live: Written[] = [];
          /** A line the writer has written only `written` bytes of. */
          let partial: { text: string; written: number } | null = null;
          let rotated: { lines: Written[]; gz: boolean }[] = [];
          const seen = new Set<number>();
          const texts = new Map<number, string>();
          let next = 0;
          const write = (w: Written): void => {
            texts.set(w.instance, w.text);
            live.push(w);
          };
          const finishPartial = (): void => {
            if (partial === null) return;
            appendFileSync(log, `${partial.text.slice(partial.written)}\n`);
            write({ instance: next++, text: partial.text });
            partial = null;
          };
          const name = (i: number): string =>
            `${log}.${i + 1}${(rotated[i] as { gz: boolean }).gz ? '.gz' : ''}`;
          const shift = (): void => {
            for (let i = rotated.length - 1; i >= 0; i--) {
              const from = name(i);
              const gz = (rotated[i] as { gz: boolean }).gz;
              renameSync(from, `${log}.${i + 2}${gz ? '.gz' : ''}`);
            }
          };
          const runIngest = async (order: number[]): Promise<void> => {
            const files = [log, ...rotated.map((_, i) => name(i))].filter((f) => existsSync(f));
            const keyed = files.map((f, i) => ({ f, k: order[i] ?? i }));
            keyed.sort((a, b) => a.k - b.k);
            await ingestInputs(
              store,
              keyed.map((x) => ({ path: x.f })),
              opts,
            );
            for (const w of live) seen.add(w.instance);
            for (const r of rotated) for (const w of r.lines) seen.add(w.instance);
          };
          for (const op of ops) {
            if (op.op === 'append') {
              finishPartial();
              let text = '';
              for (let i = 0; i < op.lines; i++) {
                const w = { instance: next, text: line(next) };
                next++;
                write(w);
                text += `${w.text}\n`;
              }
              appendFileSync(log, text);
            } else if (op.op === 'partial') {
              finishPartial();
              const text = line(next);
              partial = { text, written: Math.min(op.bytes, text.length - 1) };
              appendFileSync(log, text.slice(0, partial.written));
            } else if (op.op === 'repeat') {
              // The writer repeats its last line (dhcpd does, within a second); never as a file's first line.
              finishPartial();
              const last = live[live.length - 1];
              if (last === undefined) continue;
              write({ instance: next++, text: last.text });
              appendFileSync(log, `${last.text}\n`);
            } else if (op.op === 'rotate') {
              finishPartial();
              shift();
              if (op.gzip) {
                writeFileSync(`${log}.1.gz`, gzipSync(readFileSync(log)));
                rmSync(log);
              } else {
                renameSync(log, `${log}.1`);
              }
              rotated = [{ lines: live, gz: op.gzip }, ...rotated];
              live = [];
              writeFileSync(log, '');
            } else if (op.op === 'copytruncate') {
              finishPartial();
              shift();
              copyFileSync(log, `${log}.1`);
              writeFileSync(log, '');
              rotated = [{ lines: live, gz: false }, ...rotated];
              live = [];
            } else if (op.op === 'drop-oldest') {
              if (rotated.length === 0) continue;
              rmSync(name(rotated.length - 1));
              rotated = rotated.slice(0, -1);
            } else {
              await runIngest(op.order);
            }
          }
          await runIngest([]);
          // What the store holds, line by line, against what the runs could see.
          const stored = store.stats().messages;
          const raw = store
            .evidenceLines(Array.from({ length: stored }, (_, i) => i + 1))
            .map((l) => l.text)
            .sort();
          const want = [...seen].map((i) => texts.get(i) as string).sort();
          assert.deepEqual(raw, want);
          assert.equal([...store.queryEvents()].length, want.length);
        } finally {
          store.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});

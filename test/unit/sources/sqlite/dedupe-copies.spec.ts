import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { keepCopies } from '../../../../src/sources/sqlite/dedupe-copies.js';

/** The kept items of one second, as `key@channel`. */
function kept(items: [string, number][]): string[] {
  const keep = keepCopies(
    items.map((i) => i[0]),
    items.map((i) => i[1]),
  );
  return items.filter((_, i) => keep[i]).map(([k, c]) => `${k}@${c}`);
}

describe('keepCopies', () => {
  const cases: [string, [string, number][], string[]][] = [
    ['nothing', [], []],
    [
      'one channel: every line, repeated ones too',
      [
        ['ack', 1],
        ['ack', 1],
        ['map', 1],
      ],
      ['ack@1', 'ack@1', 'map@1'],
    ],
    [
      'the collector and a file with the same line: once',
      [
        ['ack', 1],
        ['ack', 2],
      ],
      ['ack@1'],
    ],
    [
      'a line the file repeats and the collector got once: twice, the first two',
      [
        ['ack', 2],
        ['ack', 1],
        ['ack', 2],
      ],
      ['ack@2', 'ack@1'],
    ],
    [
      'a line the collector lost: the file brings it',
      [
        ['ack', 1],
        ['ack', 2],
        ['commit', 2],
      ],
      ['ack@1', 'commit@2'],
    ],
    [
      'three channels',
      [
        ['a', 3],
        ['a', 1],
        ['a', 1],
        ['a', 2],
        ['a', 2],
        ['a', 2],
      ],
      ['a@3', 'a@1', 'a@1'],
    ],
  ];
  for (const [what, items, want] of cases) {
    it(`should keep ${JSON.stringify(want)} of ${what}`, () => {
      assert.deepEqual(kept(items), want);
    });
  }

  const arbKey = fc.constantFrom('ack', 'commit', 'map', 'release');

  it('should keep, per line, as many copies as the channel that brought the most, the first ones', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbKey, fc.integer({ min: 1, max: 4 }))), (items) => {
        const keep = keepCopies(
          items.map((i) => i[0]),
          items.map((i) => i[1]),
        );
        for (const key of new Set(items.map((i) => i[0]))) {
          const perChannel = new Map<number, number>();
          for (const [k, c] of items) if (k === key) perChannel.set(c, (perChannel.get(c) ?? 0) + 1);
          const most = Math.max(...perChannel.values());
          const flags = items.flatMap(([k], i) => (k === key ? [keep[i] as boolean] : []));
          assert.deepEqual(
            flags,
            flags.map((_, j) => j < most),
          );
        }
      }),
    );
  });

  it('should give back the whole stream when a second channel holds part of it (a lossy copy)', () => {
    // Construct: the true second of lines (repeats included) reaches channel 1 whole; channel 2 got a
    // sub-multiset of it (lost datagrams), interleaved anywhere.
    fc.assert(
      fc.property(
        fc.array(arbKey, { maxLength: 30 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        (truth, copied, shuffle) => {
          const items: [string, number][] = truth.map((k) => [k, 1]);
          for (let i = 0; i < truth.length; i++) {
            if (copied[i] !== true) continue;
            const at = (shuffle[i] ?? 0) % (items.length + 1);
            items.splice(at, 0, [truth[i] as string, 2]);
          }
          const keep = keepCopies(
            items.map((i) => i[0]),
            items.map((i) => i[1]),
          );
          const got = items.filter((_, i) => keep[i]).map((i) => i[0]);
          assert.deepEqual([...got].sort(), [...truth].sort());
        },
      ),
    );
  });

  it('should change nothing when every item comes by one channel', () => {
    fc.assert(
      fc.property(fc.array(arbKey), fc.integer({ min: 1, max: 9 }), (keys, channel) => {
        assert.ok(
          keepCopies(
            keys,
            keys.map(() => channel),
          ).every((k) => k),
        );
      }),
    );
  });
});

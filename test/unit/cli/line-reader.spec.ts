import { strict as assert } from 'node:assert';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { LineSplitter, MAX_LINE_BYTES, maybeGunzip } from '../../../src/cli/line-reader.js';

function split(chunks: Buffer[]): { lines: string[]; truncated: number } {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l.toString('latin1')));
  for (const c of chunks) s.push(c);
  s.end();
  return { lines, truncated: s.truncated };
}

describe('LineSplitter', () => {
  const cases: [string[], string[]][] = [
    [['a\nb\n'], ['a', 'b']],
    [['a\r\nb\r\n'], ['a', 'b']],
    [['a\nb'], ['a', 'b']],
    [['a\n\nb\n'], ['a', '', 'b']],
    [
      ['ab', 'c\nd', 'e\n'],
      ['abc', 'de'],
    ],
    [
      ['a\r', '\nb'],
      ['a', 'b'],
    ],
    [['a\rb\n'], ['a\rb']],
    [[''], []],
    [['\n'], ['']],
  ];
  for (const [chunks, want] of cases) {
    it(`should split ${JSON.stringify(chunks)} into ${JSON.stringify(want)}`, () => {
      assert.deepEqual(split(chunks.map((c) => Buffer.from(c, 'latin1'))).lines, want);
    });
  }
  it('should keep the first MAX_LINE_BYTES of a huge line and count it as truncated', () => {
    const huge = Buffer.alloc(MAX_LINE_BYTES + 10, 0x41);
    const r = split([Buffer.from('x\n'), huge.subarray(0, 1000), huge.subarray(1000), Buffer.from('\ny\n')]);
    assert.equal(r.truncated, 1);
    assert.deepEqual(
      r.lines.map((l) => l.length),
      [1, MAX_LINE_BYTES, 1],
    );
  });
  it('should give the same lines however the input is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', '\n', '\r', '\r\n'), { maxLength: 60 }),
        fc.array(fc.nat(60)),
        (parts, cuts) => {
          const text = Buffer.from(parts.join(''), 'latin1');
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of [...points, text.length]) {
            chunks.push(text.subarray(prev, p));
            prev = p;
          }
          assert.deepEqual(split(chunks).lines, split([text]).lines);
        },
      ),
    );
  });
});

describe('maybeGunzip', () => {
  async function collect(chunks: Buffer[]): Promise<string> {
    async function* source(): AsyncGenerator<Buffer> {
      yield* chunks;
    }
    const out: Buffer[] = [];
    for await (const c of maybeGunzip(source())) out.push(c);
    return Buffer.concat(out).toString();
  }
  it('should pass plain input through and gunzip input with the gzip magic, even split after one byte', async () => {
    assert.equal(await collect([Buffer.from('plain\n')]), 'plain\n');
    const gz = gzipSync('zipped\n');
    assert.equal(await collect([gz.subarray(0, 1), gz.subarray(1)]), 'zipped\n');
    assert.equal(
      await collect([Buffer.concat([gz, gzipSync('second member\n')])]),
      'zipped\nsecond member\n',
    );
    assert.equal(await collect([]), '');
  });
  it('should fail on a corrupt gzip stream', async () => {
    const gz = gzipSync('zipped line\n'.repeat(100));
    await assert.rejects(collect([gz.subarray(0, 20), Buffer.from('not deflate data at all')]));
  });
});

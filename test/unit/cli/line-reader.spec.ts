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
  it('should give each line the input offset just past its newline, counting from where reading started', () => {
    // Arrange: reading resumes at byte 10 of the input (a checkpoint).
    const got: [string, number][] = [];
    const s = new LineSplitter((l) => got.push([l.toString('latin1'), s.lineEnd]), 10);
    // Act
    s.push(Buffer.from('a\r\nb'));
    s.push(Buffer.from('b\nc'));
    s.end();
    // Assert: a final line without a newline ends where the input ends.
    assert.deepEqual(got, [
      ['a', 13],
      ['bb', 16],
      ['c', 17],
    ]);
    assert.equal(s.offset, 17);
  });
  it('should hold back a last line without its newline when asked, and say how long it is', () => {
    const got: string[] = [];
    const s = new LineSplitter((l) => got.push(l.toString('latin1')));
    s.push(Buffer.from('a\nbb\nstill being writ'));
    s.end(false);
    assert.deepEqual(got, ['a', 'bb']);
    assert.equal(s.heldBytes, 'still being writ'.length);
    const t = new LineSplitter(() => undefined);
    t.push(Buffer.from('a\n'));
    t.end(false);
    assert.equal(t.heldBytes, 0);
  });
  it('should give offsets that cut the input exactly after each newline, however it is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', '\n', '\r', '\r\n'), { maxLength: 60 }),
        fc.array(fc.nat(60)),
        fc.boolean(),
        (parts, cuts, keepPartial) => {
          const text = Buffer.from(parts.join(''), 'latin1');
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const ends: number[] = [];
          const s = new LineSplitter(() => ends.push(s.lineEnd));
          let prev = 0;
          for (const p of [...points, text.length]) {
            s.push(text.subarray(prev, p));
            prev = p;
          }
          s.end(keepPartial);
          const want: number[] = [];
          for (let i = 0; i < text.length; i++) if (text[i] === 10) want.push(i + 1);
          const last = want.length === 0 ? 0 : (want[want.length - 1] as number);
          if (keepPartial && last < text.length) want.push(text.length);
          assert.deepEqual(ends, want);
          assert.equal(s.heldBytes, keepPartial ? 0 : text.length - last);
        },
      ),
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

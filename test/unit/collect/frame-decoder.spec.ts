import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { FrameDecoder, type DecodedFrame } from '../../../src/collect/frame-decoder.js';

const LINE =
  '<134>Nov 28 01:23:45 dhcp1 dhcpd[812]: DHCPACK on 10.1.0.50 to 52:54:00:12:34:56 (host1) via 10.1.0.1';

function octet(msg: string | Buffer): Buffer {
  const b = typeof msg === 'string' ? Buffer.from(msg) : msg;
  return Buffer.concat([Buffer.from(`${b.length} `), b]);
}

function decodeAll(chunks: Buffer[], max = 8192): DecodedFrame[] {
  const d = new FrameDecoder(max);
  return [...chunks.flatMap((c) => d.push(c)), ...d.end()];
}

function texts(frames: DecodedFrame[]): string[] {
  return frames.map((f) => (f.rejection ? `!${f.rejection.reason}:` : '') + f.bytes.toString('latin1'));
}

describe('FrameDecoder', () => {
  it('should split octet-counted frames (rsyslog TCP_Framing="octet-counted")', () => {
    const frames = decodeAll([
      Buffer.concat([octet(LINE), octet('<13>Nov 28 01:23:46 h gluff: x\nwith LF')]),
    ]);
    assert.deepEqual(texts(frames), [LINE, '<13>Nov 28 01:23:46 h gluff: x\nwith LF']);
  });

  it('should split newline-terminated frames and drop a CR before the LF', () => {
    const frames = decodeAll([Buffer.from(`${LINE}\r\n<13>second\n\n`)]);
    assert.deepEqual(texts(frames), [LINE, '<13>second']);
  });

  it('should choose the framing from the first byte of the connection', () => {
    const a = new FrameDecoder(100);
    a.push(Buffer.from('5 hello'));
    assert.equal(a.mode, 'octet-counting');
    const b = new FrameDecoder(100);
    b.push(Buffer.from('<13>x\n'));
    assert.equal(b.mode, 'newline');
  });

  it('should cut an oversized octet-counted frame and stay in sync with the next one', () => {
    const big = 'A'.repeat(50);
    const frames = decodeAll([Buffer.concat([octet(big), octet('<13>after')])], 10);
    assert.deepEqual(texts(frames), ['!oversized:AAAAAAAAAA', '<13>after']);
  });

  it('should skip the tail of an oversized frame spread over many chunks', () => {
    const d = new FrameDecoder(10);
    const out: DecodedFrame[] = [];
    out.push(...d.push(Buffer.from('100000 ')));
    for (let i = 0; i < 100; i++) out.push(...d.push(Buffer.alloc(1000, 0x42)));
    out.push(...d.push(octet('<13>ok')), ...d.end());
    assert.deepEqual(texts(out), ['!oversized:BBBBBBBBBB', '<13>ok']);
  });

  it('should cut an oversized line and resume after its LF', () => {
    const d = new FrameDecoder(10);
    const out = [
      ...d.push(Buffer.from('<13>' + 'x'.repeat(30))),
      ...d.push(Buffer.from('yyy\n<13>ok\n')),
      ...d.end(),
    ];
    assert.deepEqual(texts(out), ['!oversized:<13>xxxxxx', '<13>ok']);
  });

  it('should reject a malformed octet count up to the next LF and resume', () => {
    const frames = decodeAll([Buffer.from('12x <13>junk\n'), octet('<13>ok')]);
    // After a bad header the next frame starts right after the LF, still octet counted.
    assert.deepEqual(texts(frames), ['!bad-header:12x <13>junk', '<13>ok']);
  });

  it('should keep a partial frame at close as a truncated rejection', () => {
    assert.deepEqual(texts(decodeAll([Buffer.from('20 <13>only')])), ['!truncated:20 <13>only']);
    assert.deepEqual(texts(decodeAll([Buffer.from('<13>no newline')])), ['!truncated:<13>no newline']);
  });

  it('should decode the same frames however the stream is chunked', () => {
    const msg = fc.uint8Array({ minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(
        fc.array(msg, { maxLength: 20 }),
        fc.array(fc.nat(400), { maxLength: 10 }),
        (msgs, cuts) => {
          const stream = Buffer.concat(msgs.map((m) => octet(Buffer.from(m))));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of [...points, stream.length]) {
            chunks.push(stream.subarray(prev, p));
            prev = p;
          }
          const frames = decodeAll(chunks, 200);
          assert.equal(frames.length, msgs.length);
          frames.forEach((f, i) => {
            const m = Buffer.from(msgs[i] as Uint8Array);
            if (m.length > 200) {
              assert.equal(f.rejection?.reason, 'oversized');
              assert.deepEqual(f.bytes, m.subarray(0, 200));
            } else {
              assert.equal(f.rejection, undefined);
              assert.deepEqual(f.bytes, m);
            }
          });
        },
      ),
    );
  });

  it('should never hold more than the limit plus one chunk, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 500 }), { maxLength: 30 }), (chunks) => {
        const d = new FrameDecoder(64);
        for (const c of chunks) {
          for (const f of d.push(Buffer.from(c))) assert.ok(f.bytes.length <= 64);
        }
        for (const f of d.end()) assert.ok(f.bytes.length <= 64);
      }),
    );
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  bytesToHex,
  formatGluffOptionText,
  hexToBytes,
  normaliseOptionHex,
  parseGluffOptionText,
  textToHex,
} from '../../../src/parse/option82.js';

/** Stored text (as Gluff keeps it) -> canonical hex. From /work/shared/reference/gluff.md and a Cisco 2950. */
const EXAMPLES: [string, string][] = [
  ['"port1"', '70:6f:72:74:31'],
  ['"Gi1/0/5 \\"x\\""', textToHex('Gi1/0/5 "x"')],
  ['0:4:0:a:1:5', '00:04:00:0a:01:05'],
  ['0:4:0:1:0:2', '00:04:00:01:00:02'],
  ['0:6:0:a:b8:0:0:1', '00:06:00:0a:b8:00:00:01'],
  ['"eth4"', '65:74:68:34'],
  ['"a\\$b\\`c\\\'d\\\\e"', textToHex("a$b`c'd\\e")],
  ['""', ''],
];

describe('parseGluffOptionText', () => {
  for (const [text, hex] of EXAMPLES) {
    it(`should read ${text} as ${hex || '(no bytes)'}`, () => {
      assert.equal(parseGluffOptionText(text), hex);
    });
  }

  it('should read upper-case and padded hex too', () => {
    assert.equal(parseGluffOptionText('00:0A:FF'), '00:0a:ff');
  });

  it('should return null for text that is neither rendering', () => {
    for (const bad of ['', 'port1', '"unterminated', '0:4:100', '"a"b"', '"trailing\\"', ':', 'zz:01']) {
      assert.equal(parseGluffOptionText(bad), null, bad);
    }
  });
});

describe('formatGluffOptionText', () => {
  for (const [text, hex] of EXAMPLES) {
    it(`should render ${hex || '(no bytes)'} as ${text}`, () => {
      assert.equal(formatGluffOptionText(hex), text);
    });
  }

  it('should drop one trailing NUL after printable text as dhcpd does', () => {
    assert.equal(formatGluffOptionText('70:6f:72:74:31:00'), '"port1"');
  });

  it('should print a NUL inside or two trailing NULs as hex', () => {
    assert.equal(formatGluffOptionText('70:00:31'), '70:0:31');
    assert.equal(formatGluffOptionText('70:31:00:00'), '70:31:0:0');
  });

  it('should throw on a value that is not hex', () => {
    assert.throws(() => formatGluffOptionText('nothex'), TypeError);
  });
});

describe('normaliseOptionHex', () => {
  it('should drop the NUL dhcpd drops and keep everything else', () => {
    assert.equal(normaliseOptionHex('70:6f:72:74:31:00'), '70:6f:72:74:31');
    assert.equal(normaliseOptionHex('00:04:00:0a:01:00'), '00:04:00:0a:01:00');
    assert.equal(normaliseOptionHex(''), '');
  });
});

const bytesArb = fc.uint8Array({ minLength: 0, maxLength: 63 });
const printableArb = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
});

describe('option82 properties', () => {
  it('should round-trip any bytes: parse(format(hex)) equals normaliseOptionHex(hex)', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const hex = bytesToHex(bytes);
        assert.equal(parseGluffOptionText(formatGluffOptionText(hex)), normaliseOptionHex(hex));
      }),
    );
  });

  it('should round-trip any stored rendering: format(parse(text)) equals text', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const text = formatGluffOptionText(bytesToHex(bytes));
        const hex = parseGluffOptionText(text);
        assert.notEqual(hex, null);
        assert.equal(formatGluffOptionText(hex as string), text);
      }),
    );
  });

  it('should render every printable ASCII text quoted and read it back to its bytes', () => {
    fc.assert(
      fc.property(printableArb, (text) => {
        const rendered = formatGluffOptionText(textToHex(text));
        assert.ok(rendered.startsWith('"') && rendered.endsWith('"'));
        assert.equal(parseGluffOptionText(rendered), textToHex(text));
      }),
    );
  });

  it('should agree between hexToBytes and bytesToHex', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => assert.deepEqual(hexToBytes(bytesToHex(bytes)), Array.from(bytes))),
    );
  });
});

/**
 * Option 82 (relay agent information) circuit-id / remote-id values in the three forms we meet:
 * the bytes, our canonical hex (two lower-case hex digits a byte, colon separated: `00:04:00:0a:01:05`),
 * and the text ISC dhcpd's option printer produces, which is what the Gluff queue and the Gluff
 * `cids`/`rids` tables store (see /work/shared/reference/gluff.md):
 *
 * - all bytes printable ASCII (0x20..0x7e), optionally followed by ONE trailing NUL: the text in
 *   double quotes, with `"`, `'`, `$`, backslash and backtick escaped by a backslash; the NUL is
 *   dropped (dhcpd common/options.c, pretty_print_option, format 'X');
 * - anything else: lower-case hex bytes separated by colons with no zero padding (`0:4:0:a:1:5`).
 *
 * Because of the dropped NUL, `format` then `parse` gives the bytes back without that NUL:
 * compare values through `normaliseOptionHex`.
 */

/** Characters dhcpd's pretty_escape puts a backslash in front of. */
const ESCAPED = new Set(['"', "'", '$', '\\', '`']);

const UNPADDED_HEX = /^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2})*$/;

function isPrintable(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e;
}

/** Bytes -> canonical hex. Example: [0, 4, 0, 10] -> `00:04:00:0a`. */
export function bytesToHex(bytes: readonly number[] | Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Canonical (or any colon-separated / unseparated even-length) hex -> bytes; null when it is not hex. */
export function hexToBytes(hex: string): number[] | null {
  if (hex === '') return [];
  if (hex.includes(':')) {
    if (!UNPADDED_HEX.test(hex)) return null;
    return hex.split(':').map((h) => parseInt(h, 16));
  }
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return null;
  const out: number[] = [];
  for (let i = 0; i < hex.length; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
  return out;
}

/** Text (UTF-8) -> canonical hex. Example: `Fa0/1` -> `46:61:30:2f:31`. */
export function textToHex(text: string): string {
  return bytesToHex(new TextEncoder().encode(text));
}

/**
 * Canonical hex with dhcpd's dropped trailing NUL removed: `70:6f:72:74:31:00` -> `70:6f:72:74:31`
 * (printable bytes then one NUL); other values are returned unchanged. Use it on both sides of a comparison
 * between a value seen on the wire (our commit log line) and a value Gluff stored.
 */
export function normaliseOptionHex(hex: string): string {
  const bytes = hexToBytes(hex);
  if (bytes === null || bytes.length === 0) return hex;
  if (bytes[bytes.length - 1] !== 0) return bytesToHex(bytes);
  const body = bytes.slice(0, -1);
  return body.every(isPrintable) ? bytesToHex(body) : bytesToHex(bytes);
}

/**
 * Parses a circuit-id / remote-id as Gluff stores it (the dhcpd rendering) into canonical hex.
 * Returns null when the text is neither rendering (Gluff lookup id 0 is handled by the caller).
 *
 * Examples: `"port1"` -> `70:6f:72:74:31`; `"Gi1/0/5 \"x\""` -> bytes of `Gi1/0/5 "x"`;
 * `0:4:0:a:1:5` -> `00:04:00:0a:01:05`.
 */
export function parseGluffOptionText(text: string): string | null {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    const inner = text.slice(1, -1);
    const bytes: number[] = [];
    for (let i = 0; i < inner.length; i++) {
      const ch = inner[i] as string;
      if (ch === '\\') {
        const rest = inner.slice(i + 1);
        const octal = /^[0-7]{3}/.exec(rest);
        if (octal !== null) {
          // pretty_escape writes other non-printables as \ooo; dhcpd never puts them in a quoted 'X'
          // value, but a hand-written row might.
          bytes.push(parseInt(octal[0], 8) & 0xff);
          i += 3;
          continue;
        }
        const next = inner[i + 1];
        if (next === undefined) return null;
        bytes.push(next.charCodeAt(0));
        i += 1;
        continue;
      }
      if (ch === '"') return null;
      const code = ch.charCodeAt(0);
      if (code > 0x7e || code < 0x20) return null;
      bytes.push(code);
    }
    return bytesToHex(bytes);
  }
  if (UNPADDED_HEX.test(text)) return bytesToHex(text.split(':').map((h) => parseInt(h, 16)));
  return null;
}

/**
 * Renders canonical hex the way dhcpd prints an Option 82 sub-option (and so the way Gluff stores it).
 * Examples: `70:6f:72:74:31` -> `"port1"`; `70:6f:72:74:31:00` -> `"port1"`; `00:04:00:0a:01:05` -> `0:4:0:a:1:5`.
 * Throws on malformed hex: callers pass canonical hex only.
 */
export function formatGluffOptionText(hex: string): string {
  const bytes = hexToBytes(hex);
  if (bytes === null) throw new TypeError(`formatGluffOptionText: '${hex}' is not colon-separated hex`);
  let textLen = bytes.findIndex((b) => !isPrintable(b));
  if (textLen === -1) textLen = bytes.length;
  const isText = textLen === bytes.length || (textLen === bytes.length - 1 && bytes[textLen] === 0);
  if (!isText) return bytes.map((b) => b.toString(16)).join(':');
  let out = '"';
  for (const b of bytes.slice(0, textLen)) {
    const ch = String.fromCharCode(b);
    out += ESCAPED.has(ch) ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

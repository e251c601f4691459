/** Hex text as people paste it: "85 3f 0a", "853f0a", "0x85,0x3f", with # comments. */
import { BytePool } from "../../pldm-codec/wire/byte-pool.js";

export class HexError extends Error {
  override readonly name = "HexError";
}

/** Nibble value per ASCII code, -1 for anything else. */
const NIBBLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[0x30 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[0x41 + i] = NIBBLE[0x61 + i] = 10 + i;
/** Byte value per pair of ASCII hex digits (first << 8 | second), -1 for anything else. */
const PAIR = new Int16Array(65536).fill(-1);
for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) if (NIBBLE[a]! >= 0 && NIBBLE[b]! >= 0) PAIR[(a << 8) | b] = (NIBBLE[a]! << 4) | NIBBLE[b]!;
/** Separators between bytes: space, tab, CR, ',', '-', ':', ';'. */
const SEPARATOR = new Uint8Array(256);
for (const c of " \t\r,-:;") SEPARATOR[c.charCodeAt(0)] = 1;

/** The text's bytes are copied here (natively, as latin1) and decoded in place: no buffer per message. */
let scratch = Buffer.allocUnsafeSlow(16 * 1024);
/** `scratch` read four bytes at a time (big-endian: the first character is the high byte). */
let words = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
/**
 * Decoded messages are carved from shared slabs: a certificate's 1.5 KB would each be a native
 * allocation. 64 KB slabs: an ArrayBuffer costs ~5-10 us whatever its size, and a text log makes many.
 */
const pool = new BytePool(64 * 1024);

/**
 * One pass over the text's bytes (copied out natively as latin1, which is twice as fast to
 * walk as charCodeAt), no regular expressions or intermediate strings: traces run to
 * gigabytes and this is the inner loop of every text format.
 */
export function parseHex(text: string, from = 0): Uint8Array {
  const source = from ? text.slice(from) : text;
  const length = source.length;
  if (scratch.length < length) {
    scratch = Buffer.allocUnsafeSlow(Math.max(length, 2 * scratch.length));
    words = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
  }
  // Bytes go back into `src` behind the reading position (each takes two digits or more).
  const src = scratch;
  const w = words;
  src.write(source, 0, length, "latin1");
  let n = 0;
  let i = 0;
  // pldmd's "hh hh hh hh " read as three 32-bit words, four bytes a turn (twice as fast as a
  // pair at a time); it stops where the text leaves that shape, and the pairs go on from there.
  for (; i + 12 <= length; i += 12) {
    const a = w.getUint32(i);
    const b = w.getUint32(i + 4);
    const c = w.getUint32(i + 8);
    const v0 = PAIR[a >>> 16]!;
    const v1 = PAIR[((a & 0xff) << 8) | (b >>> 24)]!;
    const v2 = PAIR[b & 0xffff]!;
    const v3 = PAIR[(c >>> 8) & 0xffff]!;
    const spaces = (a & 0xff00) === 0x2000 && (b & 0xff0000) === 0x200000 && c >>> 24 === 0x20 && (c & 0xff) === 0x20;
    if ((v0 | v1 | v2 | v3) < 0 || !spaces) break;
    src[n] = v0;
    src[n + 1] = v1;
    src[n + 2] = v2;
    src[n + 3] = v3;
    n += 4;
  }
  // "hh hh hh " (or "hhhhhh"): a pair at a time; anything else falls to the loop below.
  for (;;) {
    const v = i + 1 < length ? PAIR[(src[i]! << 8) | src[i + 1]!]! : -1;
    if (v < 0) break;
    src[n++] = v;
    i += 2;
    if (i < length && src[i] === 0x20) i++;
  }
  let high = -1;
  let digits = n * 2;
  for (; i < length; i++) {
    const c = src[i]!;
    const v = NIBBLE[c]!;
    if (v >= 0) {
      // "0x" before a byte is a prefix, not a digit.
      if (c === 0x30 && high < 0 && i + 1 < length && (src[i + 1]! | 0x20) === 0x78) {
        i++;
        continue;
      }
      digits++;
      if (high < 0) high = v;
      else {
        src[n++] = (high << 4) | v;
        high = -1;
      }
    } else if (c === 0x23)
      break; // '#': a comment to the end of the line
    else if (SEPARATOR[c] === 0) throw new HexError(`not hex: "${source.trim().slice(0, 40)}"`);
  }
  if (high >= 0) throw new HexError(`odd number of hex digits (${digits})`);
  const out = pool.take(n);
  src.copy(out, 0, 0, n);
  return out;
}

/** Whether a line is hex bytes and nothing else ("09 01 80 00 04", "0901800004"): a message body or its continuation. */
export function isHexBytesLine(text: string): boolean {
  let token = 0;
  let tokens = 0;
  let longest = 0;
  let shortest = Infinity;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20;
    if (c < 256 && NIBBLE[c]! >= 0) token++;
    else if (c === 0x20 || c === 0x09 || c === 0x0d) {
      if (token) {
        tokens++;
        longest = Math.max(longest, token);
        shortest = Math.min(shortest, token);
      }
      token = 0;
    } else return false;
  }
  // Spaced bytes are two digits each; a single run of digits must be whole bytes.
  return tokens > 1 ? longest === 2 && shortest === 2 : tokens === 1 && longest % 2 === 0;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/** Bytes that print as hex only when serialised (JSON.stringify calls toJSON): most output never needs the text. */
export class HexBytes {
  /** `within`: the message these bytes are part of, whose hex (when made) already spells them out. */
  constructor(
    readonly bytes: Uint8Array,
    private readonly within?: { readonly bytes: Uint8Array; readonly raw: string },
  ) {}

  toJSON(): string {
    const w = this.within;
    if (!w || w.bytes.buffer !== this.bytes.buffer) return toHex(this.bytes);
    const at = this.bytes.byteOffset - w.bytes.byteOffset;
    return w.raw.slice(2 * at, 2 * (at + this.bytes.length));
  }

  toString(): string {
    return this.toJSON();
  }
}

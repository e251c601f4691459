/**
 * Field codecs: each knows its size and how to read and write itself, so one
 * declaration of a layout drives encode, decode, names and JSON alike.
 * Little-endian throughout, as PLDM is. Reads index bytes directly (no DataView):
 * it is the fastest form in V8 for the small fields PLDM is made of.
 */
import { DecodeError, EncodeError } from "../errors.js";

/** Values already decoded earlier in the same struct, for fields that depend on them. */
export type FieldContext = Readonly<Record<string, unknown>>;

export interface Field<T> {
  readonly kind: string;
  /** Fixed size in bytes, or -1 for a variable field (allowed only last in a struct). */
  readonly size: number;
  /** Reads bytes [start, end). Variable fields take all of it; fixed ones exactly `size`. */
  read(b: Uint8Array, start: number, end: number, ctx: FieldContext): T;
  /** Writes at `at`, returns bytes written. Throws EncodeError for values the wire cannot carry. */
  write(b: Uint8Array, at: number, v: T, name: string, ctx: FieldContext): number;
  sizeOf(v: T): number;
  /** Plain JSON form; numbers and strings pass as they are. */
  toJson?(v: T): unknown;
  /** For property tests and docs: the legal values, when the field restricts them. */
  readonly allowed?: readonly number[];
  /** For lists and sized data: the earlier field holding their count or length, and the item type. */
  readonly dependsOn?: string;
  readonly item?: Field<unknown>;
}

function uintField(kind: string, size: 1 | 2 | 4, max: number): Field<number> {
  const read =
    size === 1
      ? (b: Uint8Array, o: number) => b[o]!
      : size === 2
        ? (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8)
        : (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  return {
    kind,
    size,
    read,
    write(b, at, v, name) {
      // `v >>> 0 !== v` catches fractions, negatives and NaN in one test.
      if (typeof v !== "number" || v >>> 0 !== v || v > max) throw new EncodeError(name, `${String(v)} is not a ${kind}`);
      b[at] = v;
      if (size > 1) b[at + 1] = v >>> 8;
      if (size > 2) {
        b[at + 2] = v >>> 16;
        b[at + 3] = v >>> 24;
      }
      return size;
    },
    sizeOf: () => size,
  };
}

export const u8 = uintField("u8", 1, 0xff);
export const u16 = uintField("u16", 2, 0xffff);
export const u32 = uintField("u32", 4, 0xffff_ffff);

function readU64Parts(b: Uint8Array, o: number): [lo: number, hi: number] {
  const lo = (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  const hi = (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
  return [lo, hi];
}

/** u64 as a JS number: file lengths never pass 2^53, and a value that does is refused, not rounded. */
export const u64: Field<number> = {
  kind: "u64",
  size: 8,
  read(b, o) {
    const [lo, hi] = readU64Parts(b, o);
    if (hi > 0x1f_ffff) throw new DecodeError("value-out-of-range", "u64 above 2^53", o);
    return hi * 0x1_0000_0000 + lo;
  },
  write(b, at, v, name) {
    if (!Number.isSafeInteger(v) || v < 0) throw new EncodeError(name, `${v} is not a u64 below 2^53`);
    u32.write(b, at, v % 0x1_0000_0000, name, {});
    u32.write(b, at + 4, Math.floor(v / 0x1_0000_0000), name, {});
    return 8;
  },
  sizeOf: () => 8,
};

/** u64 as a bigint, for host memory addresses that use the whole range. */
export const u64big: Field<bigint> = {
  kind: "u64big",
  size: 8,
  read(b, o) {
    const [lo, hi] = readU64Parts(b, o);
    return (BigInt(hi) << 32n) | BigInt(lo);
  },
  write(b, at, v, name) {
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new EncodeError(name, `${v} is not a u64`);
    u32.write(b, at, Number(v & 0xffff_ffffn), name, {});
    u32.write(b, at + 4, Number(v >> 32n), name, {});
    return 8;
  },
  sizeOf: () => 8,
  toJson: (v) => `0x${v.toString(16)}`,
};

/** A u8 whose other values are reserved: decoding one is an error, not a guess. */
export function u8Enum(values: readonly number[]): Field<number> {
  const ok = new Set(values);
  return {
    ...u8,
    kind: "u8enum",
    allowed: values,
    read(b, o) {
      const v = b[o]!;
      if (!ok.has(v)) throw new DecodeError("reserved-value", `value ${v} is reserved`, o);
      return v;
    },
    write(b, at, v, name, ctx) {
      if (!ok.has(v)) throw new EncodeError(name, `${v} is not one of ${values.join(", ")}`);
      return u8.write(b, at, v, name, ctx);
    },
  };
}

/** A bitmap of `bytes` bytes as the sorted list of set bit numbers (bit n of byte k = n + 8k). */
export function bitmap(bytes: number): Field<number[]> {
  return {
    kind: "bitmap",
    size: bytes,
    read(b, o) {
      const out: number[] = [];
      for (let k = 0; k < bytes; k++) {
        const byte = b[o + k]!;
        if (byte === 0) continue;
        for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) out.push(k * 8 + bit);
      }
      return out;
    },
    write(b, at, v, name) {
      b.fill(0, at, at + bytes);
      for (const n of v) {
        if (!Number.isInteger(n) || n < 0 || n >= bytes * 8) throw new EncodeError(name, `bit ${n} outside 0..${bytes * 8 - 1}`);
        b[at + (n >> 3)]! |= 1 << (n & 7);
      }
      return bytes;
    },
    sizeOf: () => bytes,
  };
}

function bcd(nibbles: number, where: number): number {
  const hi = nibbles >> 4;
  const lo = nibbles & 0xf;
  if (lo > 9 || (hi > 9 && hi !== 0xf)) throw new DecodeError("reserved-value", "ver32 digit is not BCD", where);
  return hi === 0xf ? lo : hi * 10 + lo;
}

function toBcd(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 99) throw new EncodeError(name, `version part ${n} outside 0..99`);
  return n < 10 ? 0xf0 | n : (Math.floor(n / 10) << 4) | (n % 10);
}

const VERSION_TEXT = /^(\d{1,2})\.(\d{1,2})(?:\.(\d{1,2}))?([a-z])?$/;

/** All four bytes 0xFF: no particular version (pldmtool's and pldmd's GetPLDMCommands default). */
export const UNSPECIFIED_VERSION = "ffffffff";

/**
 * DSP0240 ver32 as "major.minor[.update][alpha]". Wire order is alpha, update, minor, major;
 * digits are BCD with 0xF padding; update 0xFF means "no update number"; all 0xFF is
 * UNSPECIFIED_VERSION.
 */
export const ver32: Field<string> = {
  kind: "ver32",
  size: 4,
  read(b, o) {
    if ((b[o]! & b[o + 1]! & b[o + 2]! & b[o + 3]!) === 0xff) return UNSPECIFIED_VERSION;
    const alpha = b[o]!;
    const update = b[o + 1]!;
    const minor = bcd(b[o + 2]!, o + 2);
    const major = bcd(b[o + 3]!, o + 3);
    if (alpha !== 0 && (alpha < 0x61 || alpha > 0x7a)) throw new DecodeError("reserved-value", "ver32 alpha is not a-z", o);
    let text = `${major}.${minor}`;
    if (update !== 0xff) text += `.${bcd(update, o + 1)}`;
    return alpha ? text + String.fromCharCode(alpha) : text;
  },
  write(b, at, v, name) {
    if (v === UNSPECIFIED_VERSION) {
      b.fill(0xff, at, at + 4);
      return 4;
    }
    const m = VERSION_TEXT.exec(v);
    if (!m) throw new EncodeError(name, `"${v}" is not a version like 1.0.0`);
    b[at] = m[4] ? m[4].charCodeAt(0) : 0;
    b[at + 1] = m[3] === undefined ? 0xff : toBcd(Number(m[3]), name);
    b[at + 2] = toBcd(Number(m[2]), name);
    b[at + 3] = toBcd(Number(m[1]), name);
    return 4;
  },
  sizeOf: () => 4,
};

/**
 * MCTP (DSP0236) writes the same four version bytes in the opposite order:
 * major, minor, update, alpha.
 */
export const ver32Mctp: Field<string> = {
  kind: "ver32",
  size: 4,
  read: (b, o, _end, ctx) => ver32.read(Uint8Array.of(b[o + 3]!, b[o + 2]!, b[o + 1]!, b[o]!), 0, 4, ctx),
  write(b, at, v, name, ctx) {
    const tmp = new Uint8Array(4);
    ver32.write(tmp, 0, v, name, ctx);
    b[at] = tmp[3]!;
    b[at + 1] = tmp[2]!;
    b[at + 2] = tmp[1]!;
    b[at + 3] = tmp[0]!;
    return 4;
  },
  sizeOf: () => 4,
};

/** The rest of the message as a list of fixed-size items, whose number an earlier count field gives. */
export function listCountedBy<T>(item: Field<T>, countField: string): Field<T[]> {
  if (item.size <= 0) throw new Error("list items must have a fixed size");
  return {
    kind: "list",
    size: -1,
    dependsOn: countField,
    item: item,
    read(b, start, end, ctx) {
      const n = ctx[countField];
      if (end - start !== Number(n) * item.size) {
        throw new DecodeError("length-mismatch", `${countField} says ${String(n)} items but ${end - start} bytes follow`, start);
      }
      const out: T[] = [];
      for (let o = start; o < end; o += item.size) out.push(item.read(b, o, o + item.size, ctx));
      return out;
    },
    write(b, at, v, name, ctx) {
      if (ctx[countField] !== v.length) throw new EncodeError(name, `${countField} is ${String(ctx[countField])} but the list has ${v.length} items`);
      let o = at;
      for (const x of v) o += item.write(b, o, x, name, ctx);
      return o - at;
    },
    sizeOf: (v) => v.length * item.size,
  };
}

function hex(v: Uint8Array): string {
  let s = "";
  for (const x of v) s += x.toString(16).padStart(2, "0");
  return s;
}

/** The rest of the message as bytes (a view, not a copy). */
export const restBytes: Field<Uint8Array> = {
  kind: "bytes",
  size: -1,
  read: (b, start, end) => b.subarray(start, end),
  write(b, at, v) {
    b.set(v, at);
    return v.length;
  },
  sizeOf: (v) => v.length,
  toJson: hex,
};

/** The rest of the message, whose size must equal an earlier length field. */
export function bytesSizedBy(lengthField: string): Field<Uint8Array> {
  return {
    ...restBytes,
    kind: "sized-bytes",
    dependsOn: lengthField,
    read(b, start, end, ctx) {
      const want = ctx[lengthField];
      if (end - start !== want) {
        throw new DecodeError("length-mismatch", `${lengthField} says ${String(want)} but ${end - start} data bytes follow`, start);
      }
      return b.subarray(start, end);
    },
    write(b, at, v, name, ctx) {
      if (ctx[lengthField] !== v.length) {
        throw new EncodeError(name, `${lengthField} is ${String(ctx[lengthField])} but data has ${v.length} bytes`);
      }
      b.set(v, at);
      return v.length;
    },
  };
}

export { hex as toHex };

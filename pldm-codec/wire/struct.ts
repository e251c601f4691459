/**
 * A struct is an ordered list of named fields. The same object decodes bytes into a
 * plain value, encodes the value back, sizes it, and turns it into JSON.
 */
import { DecodeError } from "../errors.js";
import type { Field, FieldContext } from "./fields.js";

export type FieldShape = Record<string, Field<unknown>>;
export type StructValue<S extends FieldShape> = { -readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export interface Struct<T> {
  readonly fields: readonly (readonly [string, Field<unknown>])[];
  /** Size when every field is fixed, else -1. */
  readonly fixedSize: number;
  /** Smallest legal size (the fixed part). */
  readonly minSize: number;
  decode(b: Uint8Array, start?: number, end?: number): T;
  /** Writes into `b` at `at`; returns bytes written. */
  encodeInto(b: Uint8Array, at: number, v: T): number;
  sizeOf(v: T): number;
  toJson(v: T): Record<string, unknown>;
}

export function struct<S extends FieldShape>(shape: S): Struct<StructValue<S>> {
  const fields = Object.entries<Field<unknown>>(shape);
  fields.forEach(([name, f], i) => {
    if (f.size < 0 && i !== fields.length - 1) throw new Error(`variable field ${name} must come last`);
  });
  const minSize = fields.reduce((n, [, f]) => n + Math.max(0, f.size), 0);
  const variable = fields.some(([, f]) => f.size < 0);
  const fixedSize = variable ? -1 : minSize;
  const count = fields.length;
  const names = fields.map(([n]) => n);
  const codecs = fields.map(([, f]) => f);

  return {
    fields,
    fixedSize,
    minSize,
    decode(b, start = 0, end = b.length) {
      const len = end - start;
      if (len < minSize) throw new DecodeError("truncated", `needs ${minSize} bytes, has ${len}`, end);
      if (!variable && len > minSize) throw new DecodeError("trailing-bytes", `needs ${minSize} bytes, has ${len}`, start + minSize);
      const out: Record<string, unknown> = {};
      let o = start;
      for (let i = 0; i < count; i++) {
        const f = codecs[i]!;
        const stop = f.size < 0 ? end : o + f.size;
        out[names[i]!] = f.read(b, o, stop, out);
        o = stop;
      }
      return out as StructValue<S>;
    },
    encodeInto(b, at, v) {
      const ctx = v as FieldContext;
      let o = at;
      for (let i = 0; i < count; i++) o += codecs[i]!.write(b, o, ctx[names[i]!], names[i]!, ctx);
      return o - at;
    },
    sizeOf(v) {
      if (!variable) return minSize;
      const ctx = v as FieldContext;
      let n = 0;
      for (let i = 0; i < count; i++) n += codecs[i]!.sizeOf(ctx[names[i]!]);
      return n;
    },
    toJson(v) {
      const ctx = v as FieldContext;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        const f = codecs[i]!;
        const x = ctx[names[i]!];
        out[names[i]!] = f.toJson ? f.toJson(x) : x;
      }
      return out;
    },
  };
}

/** The empty payload: a request with no fields, or a response that is only a completion code. */
export const empty = struct({});

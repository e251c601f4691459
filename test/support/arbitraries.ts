/** fast-check arbitraries derived from codec field definitions, so property tests cover every command. */
import fc from "fast-check";
import type { Field } from "../../pldm-codec/wire/fields.js";
import type { Struct } from "../../pldm-codec/wire/struct.js";

function fieldArb(f: Field<unknown>, name: string): fc.Arbitrary<unknown> {
  if (f.allowed) return fc.constantFrom(...f.allowed);
  switch (f.kind) {
    case "u8":
      return fc.integer({ min: 0, max: 0xff });
    case "u16":
      return fc.integer({ min: 0, max: 0xffff });
    case "u32":
      return fc.integer({ min: 0, max: 0xffff_ffff });
    case "u64":
      return fc.maxSafeNat();
    case "u64big":
      return fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn });
    case "bitmap":
      return fc.uniqueArray(fc.integer({ min: 0, max: f.size * 8 - 1 })).map((a) => a.sort((x, y) => x - y));
    case "ver32":
      return fc
        .tuple(
          fc.integer({ min: 0, max: 99 }),
          fc.integer({ min: 0, max: 99 }),
          fc.option(fc.integer({ min: 0, max: 99 })),
          fc.option(fc.constantFrom("a", "b", "z")),
        )
        .map(([a, b, c, d]) => `${a}.${b}${c === null ? "" : `.${c}`}${d ?? ""}`);
    case "list":
      return fc.array(fieldArb(f.item!, name), { maxLength: 8 });
    case "bytes":
    case "sized-bytes":
      return fc.uint8Array({ maxLength: 300 });
    default:
      throw new Error(`no arbitrary for field ${name} of kind ${f.kind}`);
  }
}

/** Values for a struct; a list or sized data sets the count or length field it depends on to match. */
export function structArb(s: Struct<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, f] of s.fields) shape[name] = fieldArb(f, name);
  return fc.record(shape).map((v) => {
    for (const [name, f] of s.fields) if (f.dependsOn) v[f.dependsOn] = (v[name] as { length: number }).length;
    return v;
  });
}

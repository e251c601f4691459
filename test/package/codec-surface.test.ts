/** The public codec's command definitions: each one exported is the one its registry decodes with. */
import { describe, expect, it } from "vitest";
import * as codec from "../../pldm-codec/index.js";
import type { AnyCommandDef } from "../../pldm-codec/index.js";

function isCommandDef(v: unknown): v is AnyCommandDef {
  if (typeof v !== "object" || v === null) return false;
  const d = v as Record<string, unknown>;
  return (
    typeof d.type === "number" && typeof d.command === "number" && typeof d.name === "string" && typeof d.request === "object" && typeof d.response === "object"
  );
}

const exported = Object.entries(codec).filter((e): e is [string, AnyCommandDef] => isCommandDef(e[1]));

describe("pldm-hostbridge/codec command definitions", () => {
  it("exports the definitions under their own names", () => {
    expect(exported.length).toBeGreaterThan(20);
    for (const [exportName, def] of exported) expect(def.name.toLowerCase(), exportName).toBe(exportName.toLowerCase());
  });

  it("has every exported definition in the registry that decodes it", () => {
    for (const [exportName, def] of exported) {
      const registered = codec.defaultRegistry.get(def.type, def.command) === def || codec.controlRegistry.get(def.type, def.command) === def;
      expect(registered, `${exportName} (${def.type}/${def.command}) is not in defaultRegistry or controlRegistry`).toBe(true);
    }
  });

  it("exports every definition the registries hold", () => {
    const defs = new Set(exported.map(([, d]) => d));
    for (const d of codec.defaultRegistry.all()) expect(defs.has(d), d.name).toBe(true);
  });
});

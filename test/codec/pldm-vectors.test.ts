import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodePldmMessage, encodeRequest, encodeResponse, defaultRegistry } from "../../pldm-codec/index.js";
import { fromHex, publicVectors, toHex, upstreamVectorsPath, vectorsPath } from "../support/vectors.js";

describe("public PLDM vectors", () => {
  for (const v of publicVectors.pldm) {
    it(`decodes ${v.name}`, () => {
      const m = decodePldmMessage(fromHex(v.hex));
      expect(m.header.request).toBe(v.expect.request);
      expect(m.header.instanceId).toBe(v.expect.instanceId);
      expect(m.header.type).toBe(v.expect.type);
      expect(m.header.command).toBe(v.expect.command);
      if (v.expect.completionCode !== undefined) expect(m.completionCode).toBe(v.expect.completionCode);
      expect(m.fields).toMatchObject(v.expect.fields ?? {});
    });

    it(`re-encodes ${v.name} to the same bytes`, () => {
      const m = decodePldmMessage(fromHex(v.hex));
      const def = defaultRegistry.get(m.header.type, m.header.command)!;
      const bytes = m.header.request ? encodeRequest(def, m.fields, { instanceId: m.header.instanceId }) : encodeResponse(def, m.header.instanceId, m.fields);
      expect(toHex(bytes)).toBe(v.hex);
    });
  }
});

describe("the vector copy in the repository", () => {
  it.skipIf(!upstreamVectorsPath)("is byte-identical to ../shared/vectors/public-vectors.json", () => {
    expect(readFileSync(vectorsPath, "utf8")).toBe(readFileSync(upstreamVectorsPath!, "utf8"));
  });
});

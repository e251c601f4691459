import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecodeError } from "../../pldm-codec/errors.js";
import {
  controlRegistry,
  decodeControlMessage,
  encodeControlError,
  encodeControlRequest,
  encodeControlResponse,
  GetEndpointId,
  GetMctpVersionSupport,
  GetMessageTypeSupport,
} from "../../pldm-codec/mctp/control.js";
import { structArb } from "../support/arbitraries.js";
import { toHex } from "../support/vectors.js";

describe("MCTP control messages", () => {
  it("encodes Get Endpoint ID request and response byte for byte", () => {
    expect(toHex(encodeControlRequest(GetEndpointId, {}, 3))).toBe("008302");
    expect(toHex(encodeControlResponse(GetEndpointId, 3, { eid: 9, endpointType: 0, mediumSpecific: 0 }))).toBe("00030200090000");
  });

  it("writes MCTP versions major first: 1.3.1 is f1 f3 f1 00", () => {
    const bytes = encodeControlResponse(GetMctpVersionSupport, 0, { versionCount: 1, versions: ["1.3.1"] });
    expect(toHex(bytes)).toBe("0000040001f1f3f100");
    expect(decodeControlMessage(bytes).fields).toEqual({ versionCount: 1, versions: ["1.3.1"] });
  });

  it("lists supported message types", () => {
    const bytes = encodeControlResponse(GetMessageTypeSupport, 1, { typeCount: 2, types: [0, 1] });
    expect(toHex(bytes)).toBe("00010500020001");
  });

  it("rejects a type list that disagrees with its count", () => {
    expect(() => decodeControlMessage(Uint8Array.of(0, 1, 5, 0, 3, 0, 1))).toThrow(DecodeError);
  });

  it("decodes an error answer with no fields", () => {
    const m = decodeControlMessage(encodeControlError({ command: 0x7f, instanceId: 2 }, 0x05));
    expect(m).toMatchObject({ request: false, command: 0x7f, completionCode: 5, fields: null });
  });

  for (const def of controlRegistry.all()) {
    it(`${def.name} round-trips`, () => {
      fc.assert(
        fc.property(structArb(def.request), structArb(def.response), fc.integer({ min: 0, max: 31 }), (q, r, iid) => {
          expect(decodeControlMessage(encodeControlRequest(def, q, iid)).fields).toEqual(q);
          expect(decodeControlMessage(encodeControlResponse(def, iid, r)).fields).toEqual(r);
        }),
        { numRuns: 100 },
      );
    });
  }
});

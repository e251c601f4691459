import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecodeError } from "../../pldm-codec/errors.js";
import {
  decodePldmMessage,
  decodeRequest,
  decodeResponse,
  defaultRegistry,
  encodeErrorResponse,
  encodeRequest,
  encodeResponse,
} from "../../pldm-codec/index.js";
import { structArb } from "../support/arbitraries.js";

const defs = defaultRegistry.all();
const iid = fc.integer({ min: 0, max: 31 });

describe("every defined command round-trips", () => {
  for (const def of defs) {
    it(`${def.name} request: encode then decode is the identity`, () => {
      fc.assert(
        fc.property(structArb(def.request), iid, (fields, instanceId) => {
          const bytes = encodeRequest(def, fields, { instanceId });
          const back = decodeRequest(def, bytes);
          expect(back.header.instanceId).toBe(instanceId);
          expect(back.fields).toEqual(fields);
        }),
        { numRuns: 200 },
      );
    });

    it(`${def.name} response: encode then decode is the identity`, () => {
      fc.assert(
        fc.property(structArb(def.response), iid, (fields, instanceId) => {
          const back = decodeResponse(def, encodeResponse(def, instanceId, fields));
          expect(back.completionCode).toBe(0);
          expect(back.fields).toEqual(fields);
        }),
        { numRuns: 200 },
      );
    });

    it(`${def.name} error response has pldmd's shape`, () => {
      const bytes = encodeErrorResponse({ type: def.type, command: def.command, instanceId: 3 }, 0x86, def);
      expect(bytes.length).toBe(4 + (def.errorResponse ? 4 : 0));
      const back = decodeResponse(def, bytes);
      expect(back.completionCode).toBe(0x86);
      // The code alone is accepted as well, from peers that send no error fields.
      expect(decodeResponse(def, bytes.subarray(0, 4)).completionCode).toBe(0x86);
    });
  }
});

describe("strict decode", () => {
  const expectReason = (hex: string, reason: string) => {
    const bytes = Uint8Array.from(hex.match(/../g)!, (x) => parseInt(x, 16));
    let err: unknown;
    try {
      decodePldmMessage(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).reason).toBe(reason);
  };

  it("rejects a truncated NewFileAvailable", () => expectReason("853f0a040007000000d2040000000000", "truncated"));
  it("rejects trailing bytes", () => expectReason("853f0a040007000000d20400000000000000", "trailing-bytes"));
  it("rejects ReadFileByType data that disagrees with its length", () => expectReason("023f0b0003000000414", "length-mismatch"));
  it("rejects WriteFileByType data longer than its length", () => expectReason("9f3f0c05000100000000000000030000002d2d2d2d", "length-mismatch"));
  it("rejects the reserved header bit", () => expectReason("a00002", "reserved-value"));
  it("rejects header version 1", () => expectReason("804002", "unsupported-version"));
  it("rejects a reserved transfer flag", () => expectReason("000003000000000003000000f1", "reserved-value"));
  it("rejects a response without completion code", () => expectReason("000002", "truncated"));
  it("rejects a u64 length above 2^53", () => expectReason("853f0a04000700000000000000000000ff", "value-out-of-range"));
  it("rejects a non-BCD version", () => expectReason("00000300000000000500f0f0fa", "reserved-value"));
  it("treats an undefined command as undecoded, not as an error", () => {
    const m = decodePldmMessage(Uint8Array.of(0x80, 0x02, 0x52, 1, 2, 3)); // FindPDR: named, not defined
    expect(m.def).toBeNull();
    expect(m.fields).toBeNull();
  });

  it("never throws anything but DecodeError on random or mutated input", () => {
    const seeds = defs.map((d) => encodeRequest(d, fc.sample(structArb(d.request), 1)[0]!, { instanceId: 1 }));
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat())
      .map(([s, edits, cut]) => {
        const b = Uint8Array.from(s);
        for (const [at, v] of edits) b[at % b.length] = v;
        return b.subarray(0, Math.max(0, b.length - (cut % 3)));
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), (bytes) => {
        try {
          decodePldmMessage(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("ver32", () => {
  it("reads 00 f0 f0 f1 as 1.0.0 and f1 f0 ff as 1.0 without update", () => {
    const resp = (v: string) => decodePldmMessage(Uint8Array.from(`000003000000000005${v}`.match(/../g)!, (x) => parseInt(x, 16))).fields!.version;
    expect(resp("00f0f0f1")).toBe("1.0.0");
    expect(resp("00fff0f1")).toBe("1.0");
    expect(resp("61f1f2f3")).toBe("3.2.1a");
    expect(resp("00151210")).toBe("10.12.15");
  });
});

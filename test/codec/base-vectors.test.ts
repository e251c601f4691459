import { assert, describe, expect, it } from "vitest";
import { GetPLDMCommands, GetPLDMVersion, GetTID } from "../../pldm-codec/pldm/base.js";
import { pldmMessageToJson } from "../../pldm-codec/pldm/json.js";
import { decodePldmMessage, decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../../pldm-codec/pldm/message.js";
import { UNSPECIFIED_VERSION } from "../../pldm-codec/wire/fields.js";
import { fromHex, toHex } from "../support/vectors.js";

/** Bytes libpldm and pldmtool send (src/dsp/base.c), each once a failure in a differential run. */
describe("base (type 0) vectors as libpldm sends them", () => {
  it("GetPLDMVersion response carrying the CRC-32 after the version decodes, CRC kept raw", () => {
    const hex = "02000300000000000500f0f1f1babe9d53";
    const r = decodeResponse(GetPLDMVersion, fromHex(hex));
    assert(r.ok);
    expect(r.completionCode).toBe(0);
    expect(r.fields).toMatchObject({ nextTransferHandle: 0, transferFlag: 5, version: "1.1.0" });
    expect(toHex(r.fields.versionDataRest)).toBe("babe9d53");
    expect(toHex(encodeResponse(GetPLDMVersion, 2, r.fields))).toBe(hex);
  });

  it("GetPLDMVersion response with the version alone (pldmd's form) still decodes", () => {
    const r = decodeResponse(GetPLDMVersion, fromHex("02000300000000000500f0f0f1"));
    assert(r.ok);
    expect(r.fields).toMatchObject({ version: "1.0.0" });
    expect(r.fields.versionDataRest.length).toBe(0);
  });

  it("GetPLDMCommands request with version FFFFFFFF (pldmtool's default) decodes and re-encodes", () => {
    const hex = "84000500ffffffff";
    const q = decodeRequest(GetPLDMCommands, fromHex(hex));
    expect(q.header).toMatchObject({ request: true, instanceId: 4 });
    expect(q.fields).toEqual({ pldmType: 0, version: UNSPECIFIED_VERSION });
    expect(toHex(encodeRequest(GetPLDMCommands, q.fields, { instanceId: 4 }))).toBe(hex);
  });

  it("a failing response keeps any trailing bytes raw", () => {
    const m = decodePldmMessage(fromHex("0100020100"));
    expect(m.def).toBe(GetTID);
    expect(m.completionCode).toBe(1);
    expect(toHex(m.fields!.trailingBytes as Uint8Array)).toBe("00");
    expect(pldmMessageToJson(m).fields).toEqual({ trailingBytes: "00" });
    const failed = decodeResponse(GetTID, fromHex("010002010000ff"));
    assert(!failed.ok);
    expect(failed).toMatchObject({ completionCode: 1, fields: { trailingBytes: fromHex("0000ff") } });
  });

  it("a failing read keeps pldmd's zero-length shape when it fits, raw bytes when it does not", () => {
    expect(decodePldmMessage(fromHex("013f0b0100000000")).fields).toEqual({ length: 0 });
    expect(toHex(decodePldmMessage(fromHex("013f0b0100")).fields!.trailingBytes as Uint8Array)).toBe("00");
    expect(decodePldmMessage(fromHex("013f0b01")).fields).toEqual({});
  });
});

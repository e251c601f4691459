import { afterEach, describe, expect, it } from "vitest";
import { GetPLDMCommands, GetPLDMTypes, GetPLDMVersion, GetTID } from "../../pldm-codec/pldm/base.js";
import { FileAck, NewFileAvailable } from "../../pldm-codec/pldm/ibm-file-io.js";
import { encodePldmHeader } from "../../pldm-codec/pldm/header.js";
import { CompletionCode, PldmType } from "../../pldm-codec/pldm/names.js";
import { MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import { ok } from "../../src/pldm/pldm-responder.js";
import { enginePair, settle } from "../support/engine-pair.js";

let pair: ReturnType<typeof enginePair>;
afterEach(async () => pair?.close());

/** Sends raw PLDM bytes from the BMC side and resolves with the host's raw answer. */
function rawExchange(p: ReturnType<typeof enginePair>, bytes: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve) => {
    p.bmc.endpoint.once("pldm", (m) => resolve(Uint8Array.from(m.body)));
    p.bmc.endpoint.send(9, MctpMessageType.Pldm, bytes, { tag: 1, tagOwner: true });
  });
}

describe("PLDM over MCTP over a serial link (in memory)", () => {
  it("asks the host its TID", async () => {
    pair = enginePair();
    const r = await pair.bmc.requester.request(9, GetTID, {});
    expect(r).toMatchObject({ completionCode: 0, fields: { tid: 9 } });
  });

  it("advertises exactly the types and commands it handles", async () => {
    pair = enginePair();
    pair.host.responder.on(NewFileAvailable, () => ok({}));
    pair.host.responder.on(FileAck, () => ok({}));
    const types = await pair.bmc.requester.request(9, GetPLDMTypes, {});
    expect(types.fields).toEqual({ types: [0, 63] });
    const oem = await pair.bmc.requester.request(9, GetPLDMCommands, { pldmType: 63, version: "1.0.0" });
    expect(oem.fields).toEqual({ commands: [0x0a, 0x0d] });
    const base = await pair.bmc.requester.request(9, GetPLDMCommands, { pldmType: 0, version: "1.0.0" });
    expect(base.fields).toEqual({ commands: [1, 2, 3, 4, 5] });
    const platform = await pair.bmc.requester.request(9, GetPLDMCommands, { pldmType: 2, version: "1.0.0" });
    expect(platform.completionCode).toBe(CompletionCode.InvalidType);
    const version = await pair.bmc.requester.request(9, GetPLDMVersion, { transferHandle: 0, transferOperationFlag: 1, pldmType: 0 });
    expect(version.fields).toMatchObject({ transferFlag: 5, version: "1.0.0" });
  });

  it("answers an unknown command of a known type with 0x05 and an unknown type with 0x20", async () => {
    pair = enginePair();
    const req = (type: number, command: number) => {
      const b = new Uint8Array(3);
      encodePldmHeader({ request: true, datagram: false, instanceId: 4, type, command }, b);
      return b;
    };
    expect(Array.from(await rawExchange(pair, req(PldmType.Base, 0x7e)))).toEqual([0x04, 0x00, 0x7e, 0x05]);
    expect(Array.from(await rawExchange(pair, req(PldmType.Platform, 0x51)))).toEqual([0x04, 0x02, 0x51, 0x20]);
  });

  it("answers a short request with 0x03 and a reserved value with 0x02, in pldmd's shapes", async () => {
    pair = enginePair();
    pair.host.responder.on(NewFileAvailable, () => ok({}));
    // NewFileAvailable with 13 payload bytes instead of 14
    const short = Uint8Array.of(0x85, 0x3f, 0x0a, 4, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0);
    expect(Array.from(await rawExchange(pair, short))).toEqual([0x05, 0x3f, 0x0a, 0x03]);
    // GetPLDMVersion with transfer operation flag 7 (reserved)
    const reserved = Uint8Array.of(0x86, 0x00, 0x03, 0, 0, 0, 0, 7, 0);
    expect(Array.from(await rawExchange(pair, reserved))).toEqual([0x06, 0x00, 0x03, 0x02]);
  });

  it("answers a repeated request again without running its handler twice", async () => {
    pair = enginePair();
    let runs = 0;
    pair.host.responder.on(NewFileAvailable, () => {
      runs++;
      return ok({});
    });
    const req = Uint8Array.of(0x85, 0x3f, 0x0a, 4, 0, 7, 0, 0, 0, 0xd2, 4, 0, 0, 0, 0, 0, 0);
    const first = await rawExchange(pair, req);
    const second = await rawExchange(pair, req);
    expect(Array.from(second)).toEqual(Array.from(first));
    expect(runs).toBe(1);
    expect(pair.host.responder.stats.duplicates).toBe(1);
  });

  it("runs requests to one peer one at a time with concurrency 1, as pldmd does", async () => {
    pair = enginePair({ bmc: { concurrency: 1 } });
    let inHandler = 0;
    let maxInHandler = 0;
    pair.host.responder.on(NewFileAvailable, async () => {
      maxInHandler = Math.max(maxInHandler, ++inHandler);
      await settle();
      inHandler--;
      return ok({});
    });
    const calls = [1, 2, 3, 4].map((h) => pair.bmc.requester.request(9, NewFileAvailable, { fileType: 4, fileHandle: h, length: 10 }));
    expect((await Promise.all(calls)).map((r) => r.completionCode)).toEqual([0, 0, 0, 0]);
    expect(maxInHandler).toBe(1);
  });

  it("allows several requests in flight when the concurrency setting says so", async () => {
    pair = enginePair({ bmc: { concurrency: 4 } });
    let inHandler = 0;
    let maxInHandler = 0;
    pair.host.responder.on(NewFileAvailable, async () => {
      maxInHandler = Math.max(maxInHandler, ++inHandler);
      await new Promise((r) => setTimeout(r, 20));
      inHandler--;
      return ok({});
    });
    const calls = [1, 2, 3, 4].map((h) => pair.bmc.requester.request(9, NewFileAvailable, { fileType: 4, fileHandle: h, length: 10 }));
    await Promise.all(calls);
    expect(maxInHandler).toBe(4);
  });
});

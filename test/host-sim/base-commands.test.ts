/** host-sim answers base commands as pldmtool and pldmd ask them. */
import { afterEach, assert, describe, expect, it } from "vitest";
import { GetPLDMCommands, GetPLDMVersion } from "../../pldm-codec/pldm/base.js";
import { IBM_FILE_IO_COMMANDS } from "../../pldm-codec/pldm/ibm-file-io.js";
import { PldmType } from "../../pldm-codec/pldm/names.js";
import { UNSPECIFIED_VERSION } from "../../pldm-codec/wire/fields.js";
import { startSimPair, type SimPair } from "../support/sim-pair.js";

let pair: SimPair | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
});

describe("host-sim base responder", () => {
  it("answers GetPLDMCommands with version FFFFFFFF with the command bitmap", async () => {
    pair = await startSimPair();
    const r = await pair.bmc.terminus.requester.request(9, GetPLDMCommands, { pldmType: PldmType.Oem, version: UNSPECIFIED_VERSION });
    assert(r.ok);
    expect(r.completionCode).toBe(0);
    const commands = r.fields.commands;
    expect(commands).toContain(IBM_FILE_IO_COMMANDS.find((c) => c.name === "NewFileAvailable")!.command);
    const base = await pair.bmc.terminus.requester.request(9, GetPLDMCommands, { pldmType: PldmType.Base, version: UNSPECIFIED_VERSION });
    assert(base.ok);
    expect(base.fields.commands).toEqual([1, 2, 3, 4, 5]);
  });

  it("answers GetPLDMVersion with the version alone, as pldmd does", async () => {
    pair = await startSimPair();
    const r = await pair.bmc.terminus.requester.request(9, GetPLDMVersion, { transferHandle: 0, transferOperationFlag: 1, pldmType: 0 });
    assert(r.ok);
    expect(r.fields).toMatchObject({ version: "1.0.0" });
    expect(r.fields.versionDataRest.length).toBe(0);
  });
});

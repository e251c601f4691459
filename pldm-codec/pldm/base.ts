/** PLDM base type (DSP0240) commands. */
import { bitmap, restBytes, u32, u8, u8Enum, ver32 } from "../wire/fields.js";
import { empty, struct } from "../wire/struct.js";
import { defineCommand } from "../wire/command.js";
import { PldmType } from "./names.js";

/** What a multipart request asks for; DSP0240 and DSP0248 use the same two values. */
export const TransferOperationFlag = { GetNextPart: 0, GetFirstPart: 1 } as const;
/** DSP0240's flag on a multipart response part (libpldm `transfer_resp_flag`); DSP0248's differs. */
export const BaseTransferFlag = { Start: 1, Middle: 2, End: 4, StartAndEnd: 5 } as const;

const transferOperationFlag = u8Enum(Object.values(TransferOperationFlag));
const transferFlag = u8Enum(Object.values(BaseTransferFlag));

export const SetTID = defineCommand({
  type: PldmType.Base,
  command: 0x01,
  name: "SetTID",
  request: struct({ tid: u8 }),
  response: empty,
});

export const GetTID = defineCommand({
  type: PldmType.Base,
  command: 0x02,
  name: "GetTID",
  request: empty,
  response: struct({ tid: u8 }),
});

export const GetPLDMVersion = defineCommand({
  type: PldmType.Base,
  command: 0x03,
  name: "GetPLDMVersion",
  request: struct({ transferHandle: u32, transferOperationFlag, pldmType: u8 }),
  /**
   * DSP0240 version data is ver32 entries then a CRC-32 over them. libpldm's responder sends
   * the CRC, pldmd sends the version alone: what follows the first version is kept raw.
   */
  response: struct({ nextTransferHandle: u32, transferFlag, version: ver32, versionDataRest: restBytes }),
});

export const GetPLDMTypes = defineCommand({
  type: PldmType.Base,
  command: 0x04,
  name: "GetPLDMTypes",
  request: empty,
  response: struct({ types: bitmap(8) }),
});

export const GetPLDMCommands = defineCommand({
  type: PldmType.Base,
  command: 0x05,
  name: "GetPLDMCommands",
  /** version is often UNSPECIFIED_VERSION (ffffffff): pldmtool's and pldmd's default. */
  request: struct({ pldmType: u8, version: ver32 }),
  response: struct({ commands: bitmap(32) }),
});

export const BASE_COMMANDS = [SetTID, GetTID, GetPLDMVersion, GetPLDMTypes, GetPLDMCommands] as const;

/**
 * IBM OEM file I/O (PLDM type 0x3F) as pldmd and PHYP speak it. Layouts follow
 * libpldm's oem/ibm file_io.h and host.h; the protocol reference has the table.
 */
import { bytesSizedBy, restBytes, u16, u32, u64, u64big, u8 } from "../wire/fields.js";
import { empty, struct } from "../wire/struct.js";
import { defineCommand } from "../wire/command.js";
import { PldmType } from "./names.js";

/** pldmd answers a failed read or write with the code and a zero length. */
const lengthOnlyError = struct({ length: u32 });
const lengthResponse = struct({ length: u32 });

const fileByType = { fileType: u16, fileHandle: u32 } as const;
const metadata = { metadata1: u32, metadata2: u32, metadata3: u32, metadata4: u32 } as const;

export const GetFileTable = defineCommand({
  type: PldmType.Oem,
  command: 0x01,
  name: "GetFileTable",
  request: struct({ transferHandle: u32, transferOperationFlag: u8, tableType: u8 }),
  response: struct({ nextTransferHandle: u32, transferFlag: u8, table: restBytes }),
});

export const ReadFile = defineCommand({
  type: PldmType.Oem,
  command: 0x04,
  name: "ReadFile",
  request: struct({ fileHandle: u32, offset: u32, length: u32 }),
  response: struct({ length: u32, data: bytesSizedBy("length") }),
  errorResponse: lengthOnlyError,
});

export const WriteFile = defineCommand({
  type: PldmType.Oem,
  command: 0x05,
  name: "WriteFile",
  request: struct({ fileHandle: u32, offset: u32, length: u32, data: bytesSizedBy("length") }),
  response: lengthResponse,
  errorResponse: lengthOnlyError,
});

const fileMemoryRequest = struct({ fileHandle: u32, offset: u32, length: u32, address: u64big });

export const ReadFileIntoMemory = defineCommand({
  type: PldmType.Oem,
  command: 0x06,
  name: "ReadFileIntoMemory",
  request: fileMemoryRequest,
  response: lengthResponse,
  errorResponse: lengthOnlyError,
});

export const WriteFileFromMemory = defineCommand({
  type: PldmType.Oem,
  command: 0x07,
  name: "WriteFileFromMemory",
  request: fileMemoryRequest,
  response: lengthResponse,
  errorResponse: lengthOnlyError,
});

/**
 * The DMA forms (PHYP moves a file's bulk this way): 22-byte request, code + length answer.
 * pldmd takes lengths in 16-byte units and answers the length it moved.
 */
const fileByTypeMemoryRequest = struct({ ...fileByType, offset: u32, length: u32, address: u64big });

export const ReadFileByTypeIntoMemory = defineCommand({
  type: PldmType.Oem,
  command: 0x08,
  name: "ReadFileByTypeIntoMemory",
  request: fileByTypeMemoryRequest,
  response: lengthResponse,
  errorResponse: lengthOnlyError,
});

export const WriteFileByTypeFromMemory = defineCommand({
  type: PldmType.Oem,
  command: 0x09,
  name: "WriteFileByTypeFromMemory",
  request: fileByTypeMemoryRequest,
  response: lengthResponse,
  errorResponse: lengthOnlyError,
});

export const NewFileAvailable = defineCommand({
  type: PldmType.Oem,
  command: 0x0a,
  name: "NewFileAvailable",
  request: struct({ ...fileByType, length: u64 }),
  response: empty,
});

export const ReadFileByType = defineCommand({
  type: PldmType.Oem,
  command: 0x0b,
  name: "ReadFileByType",
  request: struct({ ...fileByType, offset: u32, length: u32 }),
  response: struct({ length: u32, data: bytesSizedBy("length") }),
  errorResponse: lengthOnlyError,
});

export const WriteFileByType = defineCommand({
  type: PldmType.Oem,
  command: 0x0c,
  name: "WriteFileByType",
  request: struct({ ...fileByType, offset: u32, length: u32, data: bytesSizedBy("length") }),
  response: lengthResponse,
  errorResponse: lengthOnlyError,
});

export const FileAck = defineCommand({
  type: PldmType.Oem,
  command: 0x0d,
  name: "FileAck",
  request: struct({ ...fileByType, fileStatus: u8 }),
  response: empty,
});

export const NewFileAvailableWithMetaData = defineCommand({
  type: PldmType.Oem,
  command: 0x0e,
  name: "NewFileAvailableWithMetaData",
  request: struct({ ...fileByType, length: u64, ...metadata }),
  response: empty,
});

export const FileAckWithMetaData = defineCommand({
  type: PldmType.Oem,
  command: 0x0f,
  name: "FileAckWithMetaData",
  request: struct({ ...fileByType, fileStatus: u8, ...metadata }),
  response: empty,
});

export const GetAlertStatus = defineCommand({
  type: PldmType.Oem,
  command: 0xf0,
  name: "GetAlertStatus",
  request: struct({ versionId: u8 }),
  response: struct({ rackEntry: u32, priCecNode: u32 }),
});

export const IBM_FILE_IO_COMMANDS = [
  GetFileTable,
  ReadFile,
  WriteFile,
  ReadFileIntoMemory,
  WriteFileFromMemory,
  ReadFileByTypeIntoMemory,
  WriteFileByTypeFromMemory,
  NewFileAvailable,
  ReadFileByType,
  WriteFileByType,
  FileAck,
  NewFileAvailableWithMetaData,
  FileAckWithMetaData,
  GetAlertStatus,
] as const;

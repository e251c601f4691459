import { describe, expect, it } from "vitest";
import { ReadFileByTypeIntoMemory, WriteFileByTypeFromMemory } from "../../pldm-codec/pldm/ibm-file-io.js";
import { decodeRequest, decodeResponse, encodeErrorResponse, encodeRequest, encodeResponse } from "../../pldm-codec/pldm/message.js";
import { fromHex, toHex } from "../support/vectors.js";

/**
 * libpldm include/libpldm/oem/ibm/file_io.h: PLDM_READ_FILE_BY_TYPE_INTO_MEMORY = 0x08,
 * PLDM_WRITE_FILE_BY_TYPE_FROM_MEMORY = 0x09; request u16 type, u32 handle, u32 offset,
 * u32 length, u64 address, little-endian (PLDM_RW_FILE_BY_TYPE_MEM_REQ_BYTES = 22);
 * response code + u32 length (PLDM_RW_FILE_BY_TYPE_MEM_RESP_BYTES = 5).
 */
describe("IBM file I/O by type, DMA forms", () => {
  it("pins the codes and sizes libpldm declares", () => {
    for (const def of [ReadFileByTypeIntoMemory, WriteFileByTypeFromMemory]) {
      expect(def.type).toBe(0x3f);
      expect(def.request.fixedSize).toBe(22);
      expect(1 + def.response.fixedSize).toBe(5);
    }
    expect(ReadFileByTypeIntoMemory.command).toBe(0x08);
    expect(WriteFileByTypeFromMemory.command).toBe(0x09);
  });

  it("ReadFileByTypeIntoMemory request: CSR handle 7, 4096 bytes to host address 0x100002000", () => {
    const hex = "833f08" + "0400" + "07000000" + "00000000" + "00100000" + "0020000001000000";
    const q = decodeRequest(ReadFileByTypeIntoMemory, fromHex(hex));
    expect(q.fields).toEqual({ fileType: 4, fileHandle: 7, offset: 0, length: 4096, address: 0x1_0000_2000n });
    expect(toHex(encodeRequest(ReadFileByTypeIntoMemory, q.fields, { instanceId: 3 }))).toBe(hex);
  });

  it("WriteFileByTypeFromMemory request with the top address bit set, and its response", () => {
    const hex = "813f09" + "0500" + "2a000000" + "10000000" + "20000000" + "f0ffffffffffffff";
    const q = decodeRequest(WriteFileByTypeFromMemory, fromHex(hex));
    expect(q.fields).toMatchObject({ fileType: 5, fileHandle: 42, offset: 16, length: 32, address: 0xffff_ffff_ffff_fff0n });
    expect(toHex(encodeRequest(WriteFileByTypeFromMemory, q.fields, { instanceId: 1 }))).toBe(hex);
    expect(toHex(encodeResponse(WriteFileByTypeFromMemory, 1, { length: 32 }))).toBe("013f090020000000");
    expect(decodeResponse(WriteFileByTypeFromMemory, fromHex("013f090020000000")).fields).toEqual({ length: 32 });
  });

  it("a refusal is pldmd's code and a zero length", () => {
    const bytes = encodeErrorResponse({ type: 0x3f, command: 0x08, instanceId: 2 }, 0x03, ReadFileByTypeIntoMemory);
    expect(toHex(bytes)).toBe("023f080300000000");
    expect(decodeResponse(ReadFileByTypeIntoMemory, bytes)).toMatchObject({ completionCode: 3, fields: { length: 0 } });
  });
});

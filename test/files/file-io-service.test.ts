/** The BMC's IBM file I/O service answering a real requester over the MCTP engine. */
import { afterEach, describe, expect, it } from "vitest";
import { NewFileAvailable, ReadFileByType, WriteFileByType } from "../../pldm-codec/pldm/ibm-file-io.js";
import { decodePldmMessage, encodeRequest } from "../../pldm-codec/pldm/message.js";
import { CompletionCode, IbmFileType } from "../../pldm-codec/pldm/names.js";
import { pullFile, pushFile } from "../../src/files/file-client.js";
import { FileIoService } from "../../src/files/file-io-service.js";
import { enginePair } from "../support/engine-pair.js";

let pair: ReturnType<typeof enginePair> | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
});

function setUp(acceptUpload = (_type: number, handle: number) => handle !== 99) {
  pair = enginePair({ host: { responseTimeoutMs: 200, retries: 0 } });
  const files = new FileIoService(pair.bmc.responder, {
    readable: [IbmFileType.CertSigningRequest],
    writable: [IbmFileType.SignedCert, IbmFileType.RootCert],
    singleton: [IbmFileType.RootCert],
    acceptUpload,
  });
  const uploads: { type: number; handle: number; data: string }[] = [];
  files.on("uploaded", (type, handle, data) => uploads.push({ type, handle, data: new TextDecoder().decode(data) }));
  return { host: pair.host.requester, files, uploads };
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe("FileIoService", () => {
  it("serves an offered file at any offset and length, cut at the end, with the defined errors", async () => {
    const { host, files } = setUp();
    files.offer(IbmFileType.CertSigningRequest, 7, bytes("0123456789"));
    const read = (fileType: number, fileHandle: number, offset: number, length: number) =>
      host.request(8, ReadFileByType, { fileType, fileHandle, offset, length });
    expect(await read(4, 7, 3, 4)).toMatchObject({ completionCode: CompletionCode.Success, fields: { length: 4, data: bytes("3456") } });
    expect(await read(4, 7, 8, 100)).toMatchObject({ completionCode: CompletionCode.Success, fields: { length: 2, data: bytes("89") } });
    // pldmd's certificate handler: past the end or no such file is ERROR; a pushed-only type INVALID_DATA.
    expect((await read(4, 7, 10, 1)).completionCode).toBe(CompletionCode.Error);
    expect((await read(4, 7, 0xffffffff, 1)).completionCode).toBe(CompletionCode.Error);
    expect((await read(4, 8, 0, 1)).completionCode).toBe(CompletionCode.Error);
    expect((await read(5, 7, 0, 1)).completionCode).toBe(CompletionCode.InvalidData);
    expect((await read(6, 0, 0, 1)).completionCode).toBe(CompletionCode.InvalidData);
    expect((await read(0x55, 7, 0, 1)).completionCode).toBe(CompletionCode.InvalidFileType);
    files.withdraw(IbmFileType.CertSigningRequest, 7);
    expect((await read(4, 7, 0, 1)).completionCode).toBe(CompletionCode.Error);
    expect(new TextDecoder().decode(await setOfferAndPull(files, host))).toBe("abcdefghij".repeat(30));
  });

  it("assembles uploads per handle, several at once, and refuses writes past the length or to unannounced handles", async () => {
    const { host, uploads } = setUp();
    await Promise.all([
      pushFile(host, 8, IbmFileType.SignedCert, 1, bytes("first certificate"), { chunkSize: 5 }),
      pushFile(host, 8, IbmFileType.SignedCert, 2, bytes("second one"), { chunkSize: 3 }),
    ]);
    expect(uploads.sort((a, b) => a.handle - b.handle)).toEqual([
      { type: 5, handle: 1, data: "first certificate" },
      { type: 5, handle: 2, data: "second one" },
    ]);
    const write = (fileHandle: number, offset: number, data: string) =>
      host.request(8, WriteFileByType, { fileType: 5, fileHandle, offset, length: data.length, data: bytes(data) });
    await host.request(8, NewFileAvailable, { fileType: 5, fileHandle: 3, length: 4 });
    expect((await write(3, 2, "xyz")).completionCode).toBe(CompletionCode.DataOutOfRange);
    expect((await write(4, 0, "ab")).completionCode).toBe(CompletionCode.Error);
    // pldmd takes an announcement for any handle; the write is what fails.
    expect((await host.request(8, NewFileAvailable, { fileType: 5, fileHandle: 99, length: 4 })).completionCode).toBe(CompletionCode.Success);
    expect((await write(99, 0, "abcd")).completionCode).toBe(CompletionCode.Error);
    expect((await host.request(8, NewFileAvailable, { fileType: 4, fileHandle: 1, length: 4 })).completionCode).toBe(CompletionCode.InvalidData);
    expect(uploads).toHaveLength(2);
  });

  it("answers a resent chunk of a file it already completed, and only with the same bytes", async () => {
    const { host, uploads } = setUp();
    await pushFile(host, 8, IbmFileType.SignedCert, 5, bytes("certificate!"), { chunkSize: 6 });
    const write = (data: string) => host.request(8, WriteFileByType, { fileType: 5, fileHandle: 5, offset: 6, length: data.length, data: bytes(data) });
    expect((await write("icate!")).completionCode).toBe(CompletionCode.Success);
    expect((await write("forged")).completionCode).toBe(CompletionCode.Error);
    expect(uploads).toEqual([{ type: 5, handle: 5, data: "certificate!" }]);
  });
});

describe("FileIoService where pldmd has a defect", () => {
  it("refuses a WriteFileByType shorter than its length field (pldmd reads past it) with INVALID_LENGTH, writing nothing", async () => {
    const { host, files, uploads } = setUp();
    await host.request(8, NewFileAvailable, { fileType: 5, fileHandle: 1, length: 8 });
    const full = encodeRequest(WriteFileByType, { fileType: 5, fileHandle: 1, offset: 0, length: 8, data: bytes("12345678") }, { instanceId: 1 });
    const short = full.subarray(0, full.length - 3);
    const answer = await pair!.bmc.responder.handle(9, short);
    expect(decodePldmMessage(answer!).completionCode).toBe(CompletionCode.InvalidLength);
    expect(files.openUploads()).toBe(1);
    expect(uploads).toHaveLength(0);
  });
});

function setOfferAndPull(files: FileIoService, host: ReturnType<typeof setUp>["host"]): Promise<Uint8Array> {
  files.offer(IbmFileType.CertSigningRequest, 9, bytes("abcdefghij".repeat(30)));
  return pullFile(host, 8, IbmFileType.CertSigningRequest, 9, 300, { chunkSize: 64 });
}

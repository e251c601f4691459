/**
 * ReadFileByTypeIntoMemory / WriteFileByTypeFromMemory answered by the BMC's file service
 * through the emulated DMA engine (a real file as host memory), over the MCTP engine.
 * Every refused window leaves every byte of host memory as it was.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NewFileAvailable, ReadFileByTypeIntoMemory, WriteFileByType, WriteFileByTypeFromMemory } from "../../pldm-codec/pldm/ibm-file-io.js";
import { CompletionCode, IbmFileType } from "../../pldm-codec/pldm/names.js";
import { checkDmaWindow, DmaError } from "../../src/dma/dma-engine.js";
import { EmulatedDmaEngine } from "../../src/dma/emulated-dma-engine.js";
import { registerDmaTransfers } from "../../src/files/dma-file-transfers.js";
import { FileIoService } from "../../src/files/file-io-service.js";
import { enginePair } from "../support/engine-pair.js";

const REGION = 64 * 1024;
const PATTERN = 0xa5;
let pair: ReturnType<typeof enginePair> | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
});

function setUp(withEngine = true) {
  const path = join(mkdtempSync(join(tmpdir(), "hb-dma-")), "host-memory.bin");
  writeFileSync(path, new Uint8Array(REGION).fill(PATTERN));
  pair = enginePair({ host: { responseTimeoutMs: 500, retries: 0 } });
  const files = new FileIoService(pair.bmc.responder, {
    readable: [IbmFileType.CertSigningRequest],
    writable: [IbmFileType.SignedCert, IbmFileType.RootCert],
    singleton: [IbmFileType.RootCert],
  });
  const stats = registerDmaTransfers(pair.bmc.responder, files, withEngine ? new EmulatedDmaEngine(path) : null);
  const uploads: string[] = [];
  files.on("uploaded", (_t, _h, data) => uploads.push(new TextDecoder().decode(data)));
  const memory = () => new Uint8Array(readFileSync(path));
  const host = pair.host.requester;
  const intoMemory = (fileType: number, fileHandle: number, offset: number, length: number, address: bigint) =>
    host.request(8, ReadFileByTypeIntoMemory, { fileType, fileHandle, offset, length, address });
  const fromMemory = (fileType: number, fileHandle: number, offset: number, length: number, address: bigint) =>
    host.request(8, WriteFileByTypeFromMemory, { fileType, fileHandle, offset, length, address });
  return { path, files, stats, uploads, memory, host, intoMemory, fromMemory };
}

const untouchedExcept = (m: Uint8Array, from: number, to: number) => m.every((b, i) => (i >= from && i < to) || b === PATTERN);
const csr = new TextEncoder().encode("-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n".repeat(3));

describe("DMA file transfers (emulated engine)", () => {
  it("reads a CSR into host memory, cut at the file's end, touching only its window", async () => {
    const t = setUp();
    t.files.offer(IbmFileType.CertSigningRequest, 7, csr);
    const want = Math.ceil(csr.length / 16) * 16;
    const r = await t.intoMemory(4, 7, 0, want, 0x1000n);
    expect(r).toMatchObject({ completionCode: CompletionCode.Success, fields: { length: csr.length } });
    const m = t.memory();
    expect(m.subarray(0x1000, 0x1000 + csr.length)).toEqual(csr);
    expect(untouchedExcept(m, 0x1000, 0x1000 + csr.length)).toBe(true);
  });

  it("writes a certificate from host memory for the bulk and in band for the tail", async () => {
    const t = setUp();
    const cert = new TextEncoder().encode("certificate bytes, forty of them, exact!");
    expect(cert.length).toBe(40);
    writeFileSync(t.path, cert.subarray(0, 32), { flag: "r+" });
    await t.host.request(8, NewFileAvailable, { fileType: 5, fileHandle: 3, length: 40 });
    expect((await t.fromMemory(5, 3, 0, 32, 0n)).completionCode).toBe(CompletionCode.Success);
    const tail = cert.subarray(32);
    expect((await t.host.request(8, WriteFileByType, { fileType: 5, fileHandle: 3, offset: 32, length: 8, data: tail })).completionCode).toBe(
      CompletionCode.Success,
    );
    expect(t.uploads).toEqual([new TextDecoder().decode(cert)]);
    expect(t.stats).toMatchObject({ fromHost: 1, bytes: 32 });
  });

  it("answers pldmd's codes at the boundaries and never touches memory outside the region", async () => {
    const t = setUp();
    t.files.offer(IbmFileType.CertSigningRequest, 7, csr);
    await t.host.request(8, NewFileAvailable, { fileType: 6, fileHandle: 0, length: 64 });
    const codes = {
      lengthZeroRead: (await t.intoMemory(4, 7, 0, 0, 0n)).completionCode,
      lengthZeroWrite: (await t.fromMemory(6, 0, 0, 0, 0n)).completionCode,
      lengthNot16: (await t.intoMemory(4, 7, 0, 24, 0n)).completionCode,
      unalignedAddress: (await t.intoMemory(4, 7, 0, 16, 0x108n)).completionCode,
      beyondRegion: (await t.intoMemory(4, 7, 0, 32, BigInt(REGION - 16))).completionCode,
      startsPastRegion: (await t.fromMemory(6, 0, 0, 16, BigInt(REGION))).completionCode,
      wrapsPast2to64: (await t.intoMemory(4, 7, 0, 32, 0xffff_ffff_ffff_fff0n)).completionCode,
      writeWrapsPast2to64: (await t.fromMemory(6, 0, 0, 32, 0xffff_ffff_ffff_fff0n)).completionCode,
      unknownType: (await t.intoMemory(0x55, 7, 0, 16, 0n)).completionCode,
      readPushedType: (await t.intoMemory(5, 7, 0, 16, 0n)).completionCode,
      writeCsrType: (await t.fromMemory(4, 7, 0, 16, 0n)).completionCode,
      writeNoUpload: (await t.fromMemory(5, 99, 0, 16, 0n)).completionCode,
      readPastFile: (await t.intoMemory(4, 7, csr.length, 16, 0n)).completionCode,
    };
    expect(codes).toEqual({
      lengthZeroRead: CompletionCode.Error,
      lengthZeroWrite: CompletionCode.Error,
      lengthNot16: CompletionCode.InvalidLength,
      unalignedAddress: CompletionCode.Error,
      beyondRegion: CompletionCode.Error,
      startsPastRegion: CompletionCode.Error,
      wrapsPast2to64: CompletionCode.Error,
      writeWrapsPast2to64: CompletionCode.Error,
      unknownType: CompletionCode.InvalidFileType,
      readPushedType: CompletionCode.InvalidData,
      writeCsrType: CompletionCode.Error,
      writeNoUpload: CompletionCode.Error,
      readPastFile: CompletionCode.Error,
    });
    const m = t.memory();
    expect(m.length).toBe(REGION);
    expect(untouchedExcept(m, 0, 0)).toBe(true);
    // The last whole unit of the region is in reach.
    expect((await t.intoMemory(4, 7, 0, 16, BigInt(REGION - 16))).completionCode).toBe(CompletionCode.Success);
    expect(t.memory().subarray(REGION - 16)).toEqual(csr.subarray(0, 16));
    expect(t.stats).toMatchObject({ toHost: 1, fromHost: 0, bytes: 16 });
  });

  it("answers ERROR when no region is configured, as pldmd without an XDMA device", async () => {
    const t = setUp(false);
    t.files.offer(IbmFileType.CertSigningRequest, 7, csr);
    expect((await t.intoMemory(4, 7, 0, 16, 0n)).completionCode).toBe(CompletionCode.Error);
  });
});

describe("checkDmaWindow", () => {
  const reason = (address: bigint, length: number, size: number) => {
    try {
      checkDmaWindow(address, length, size);
      return "ok";
    } catch (e) {
      return (e as DmaError).reason;
    }
  };
  it("takes exactly the windows inside the region", () => {
    expect(reason(0n, 16, 16)).toBe("ok");
    expect(reason(16n, 16, 32)).toBe("ok");
    expect(reason(16n, 17, 32)).toBe("out-of-region");
    expect(reason(0n, 0, 32)).toBe("empty");
    expect(reason(8n, 16, 32)).toBe("unaligned");
    expect(reason(0xffff_ffff_ffff_fff0n, 32, 64)).toBe("out-of-region");
    expect(reason(1n << 64n, 16, 64)).toBe("out-of-region");
  });
});

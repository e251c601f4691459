/**
 * ReadFileByTypeIntoMemory and WriteFileByTypeFromMemory, answered as pldmd answers them:
 * a length that is not a multiple of 16 is INVALID_LENGTH; an unknown type is
 * INVALID_FILE_TYPE; any failure of the file or the engine is ERROR, and an engine
 * refusal never touches memory. The bytes go through the same FileIoService reads and
 * writes as in-band transfers, so both paths share every rule.
 */
import { ReadFileByTypeIntoMemory, WriteFileByTypeFromMemory } from "../../pldm-codec/pldm/ibm-file-io.js";
import { CompletionCode } from "../../pldm-codec/pldm/names.js";
import { DMA_UNIT, type DmaEngine } from "../dma/dma-engine.js";
import { silentLogger, type Logger } from "../log.js";
import { fail, ok, type PldmResponder } from "../pldm/pldm-responder.js";
import type { FileIoService } from "./file-io-service.js";

export interface DmaTransferStats {
  toHost: number;
  fromHost: number;
  bytes: number;
  refused: number;
}

/** Registers both commands; with no engine (no --dma-region) they answer ERROR, as pldmd without XDMA. */
export function registerDmaTransfers(responder: PldmResponder, files: FileIoService, engine: DmaEngine | null, log: Logger = silentLogger): DmaTransferStats {
  const stats: DmaTransferStats = { toHost: 0, fromHost: 0, bytes: 0, refused: 0 };
  const refuse = (code: number, why: string, q: { fileType: number; fileHandle: number; offset: number; length: number; address: bigint }) => {
    stats.refused++;
    log.warn(
      { fileType: q.fileType, fileHandle: q.fileHandle, offset: q.offset, length: q.length, address: `0x${q.address.toString(16)}`, why },
      "DMA transfer refused",
    );
    return fail(code);
  };

  responder.on(ReadFileByTypeIntoMemory, async (q, ctx) => {
    files.heard(ctx.peer);
    if (q.length % DMA_UNIT !== 0) return refuse(CompletionCode.InvalidLength, `length is not a multiple of ${DMA_UNIT}`, q);
    const r = files.read(q.fileType, q.fileHandle, q.offset, q.length);
    if (!r.ok) return r;
    if (!engine) return refuse(CompletionCode.Error, "no DMA region configured", q);
    try {
      await engine.toHost(q.address, r.fields.data);
    } catch (e) {
      return refuse(CompletionCode.Error, (e as Error).message, q);
    }
    stats.toHost++;
    stats.bytes += r.fields.length;
    // The length actually moved: the file's end cuts a longer request, as in pldmd.
    return ok({ length: r.fields.length });
  });

  responder.on(WriteFileByTypeFromMemory, async (q, ctx) => {
    files.heard(ctx.peer);
    if (q.length % DMA_UNIT !== 0) return refuse(CompletionCode.InvalidLength, `length is not a multiple of ${DMA_UNIT}`, q);
    if (!files.knows(q.fileType)) return refuse(CompletionCode.InvalidFileType, "unknown file type", q);
    // Nothing is fetched for a write that cannot land (pldmd: no open file is ERROR).
    if (!files.expectsWrite(q.fileType, q.fileHandle)) return refuse(CompletionCode.Error, "no open upload", q);
    if (!engine) return refuse(CompletionCode.Error, "no DMA region configured", q);
    let data: Uint8Array;
    try {
      data = await engine.fromHost(q.address, q.length);
    } catch (e) {
      return refuse(CompletionCode.Error, (e as Error).message, q);
    }
    const w = await files.write(q.fileType, q.fileHandle, q.offset, data);
    if (w.ok) {
      stats.fromHost++;
      stats.bytes += data.length;
    }
    return w;
  });
  return stats;
}

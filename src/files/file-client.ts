/** The requester side of IBM OEM file I/O by type: push a file to the peer, or pull one from it. */
import {
  NewFileAvailable,
  NewFileAvailableWithMetaData,
  ReadFileByType,
  ReadFileByTypeIntoMemory,
  WriteFileByType,
  WriteFileByTypeFromMemory,
} from "../../pldm-codec/pldm/ibm-file-io.js";
import type { DecodedResponse } from "../../pldm-codec/pldm/message.js";
import { completionCodeName, PldmType } from "../../pldm-codec/pldm/names.js";
import { PldmRequestError } from "../pldm/errors.js";
import type { PldmRequester } from "../pldm/pldm-requester.js";
import type { AdaptiveChunk } from "./adaptive-chunk.js";
import type { Metadata } from "./file-io-service.js";

/** The peer answered with a failing completion code. */
export class FileTransferError extends Error {
  override readonly name = "FileTransferError";
  constructor(
    readonly command: string,
    readonly completionCode: number,
  ) {
    super(`${command} answered ${completionCodeName(completionCode, PldmType.Oem) ?? `0x${completionCode.toString(16)}`}`);
  }
}

/** The fields of a SUCCESS answer; a failing one throws. */
function fieldsOf<R>(command: string, r: DecodedResponse<R>): R {
  if (!r.ok) throw new FileTransferError(command, r.completionCode);
  return r.fields;
}

/**
 * Runs one chunk's request, trying it again (with a fresh instance id) when it got no
 * answer at all. Safe because reads and writes at an offset are idempotent.
 */
async function withChunkRetries<T>(retries: number, fn: () => Promise<T>, adaptive?: AdaptiveChunk): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await fn();
      adaptive?.answered();
      return answer;
    } catch (e) {
      if (!(e instanceof PldmRequestError) || e.reason !== "timeout") throw e;
      adaptive?.failed();
      if (attempt >= retries) throw e;
    }
  }
}

/**
 * Our own memory the peer's DMA engine reaches (host-sim's "host memory"): a buffer at
 * `address`, and how many leading bytes of a file go by DMA; the rest goes in band.
 */
export interface DmaStaging {
  address: bigint;
  read(length: number): Promise<Uint8Array>;
  write(data: Uint8Array): Promise<void>;
  /** Bytes of a `length`-byte file to move by DMA (pldmd takes multiples of 16); 0 = all in band. */
  bulk(length: number, direction: "read" | "write"): number;
}

export interface PushOptions {
  /** Bytes per WriteFileByType; the whole file in one request by default. */
  chunkSize?: number;
  /** Announce with NewFileAvailableWithMetaData instead. */
  metadata?: Metadata;
  /** Extra tries for a chunk that got no answer after the requester's own retries. */
  chunkRetries?: number;
  /** Move the bulk by WriteFileByTypeFromMemory from this staging buffer. */
  dma?: DmaStaging;
  /** Shrinks the chunk after tries that got no answer and grows it back (at most chunkSize). */
  adaptive?: AdaptiveChunk;
}

/** Announces a file and writes it, in one or more chunks. */
export async function pushFile(r: PldmRequester, peer: number, fileType: number, fileHandle: number, data: Uint8Array, opts: PushOptions = {}): Promise<void> {
  // The announcement is retried like a chunk: it only (re)opens an upload nothing was written to yet.
  const announce = await withChunkRetries(opts.chunkRetries ?? 0, () =>
    opts.metadata
      ? r.request(peer, NewFileAvailableWithMetaData, { fileType, fileHandle, length: data.length, ...opts.metadata })
      : r.request(peer, NewFileAvailable, { fileType, fileHandle, length: data.length }),
  );
  fieldsOf(opts.metadata ? NewFileAvailableWithMetaData.name : NewFileAvailable.name, announce);
  const chunk = Math.max(1, opts.chunkSize ?? data.length);
  const bulk = opts.dma ? opts.dma.bulk(data.length, "write") : 0;
  if (opts.dma && bulk > 0) {
    const { address } = opts.dma;
    await opts.dma.write(data.subarray(0, bulk));
    const w = await withChunkRetries(opts.chunkRetries ?? 0, () =>
      r.request(peer, WriteFileByTypeFromMemory, { fileType, fileHandle, offset: 0, length: bulk, address }),
    );
    fieldsOf(WriteFileByTypeFromMemory.name, w);
  }
  for (let offset = bulk; offset < data.length;) {
    let part = data.subarray(0, 0);
    const w = await withChunkRetries(
      opts.chunkRetries ?? 0,
      () => {
        part = data.subarray(offset, offset + Math.min(chunk, opts.adaptive?.next(data.length - offset) ?? chunk));
        return r.request(peer, WriteFileByType, { fileType, fileHandle, offset, length: part.length, data: part });
      },
      opts.adaptive,
    );
    fieldsOf(WriteFileByType.name, w);
    offset += part.length;
  }
}

/** Reads `length` bytes of a file from the peer, `chunkSize` at a time (whole by default). */
export async function pullFile(
  r: PldmRequester,
  peer: number,
  fileType: number,
  fileHandle: number,
  length: number,
  opts: { chunkSize?: number; chunkRetries?: number; dma?: DmaStaging; adaptive?: AdaptiveChunk } = {},
): Promise<Uint8Array> {
  const chunkSize = opts.chunkSize || length;
  const out = new Uint8Array(length);
  let offset = 0;
  const bulk = opts.dma ? opts.dma.bulk(length, "read") : 0;
  if (opts.dma && bulk > 0) {
    const { address } = opts.dma;
    const resp = await withChunkRetries(opts.chunkRetries ?? 0, () =>
      r.request(peer, ReadFileByTypeIntoMemory, { fileType, fileHandle, offset: 0, length: bulk, address }),
    );
    // The BMC cuts a read at the file's end and says how much it moved.
    const moved = Math.min(fieldsOf(ReadFileByTypeIntoMemory.name, resp).length, bulk, length);
    out.set(await opts.dma.read(moved), 0);
    offset = moved;
  }
  while (offset < length) {
    const most = Math.min(Math.max(1, chunkSize), length - offset);
    const want = () => Math.min(most, opts.adaptive?.next(length - offset) ?? most);
    const resp = await withChunkRetries(
      opts.chunkRetries ?? 0,
      () => r.request(peer, ReadFileByType, { fileType, fileHandle, offset, length: want() }),
      opts.adaptive,
    );
    const { data } = fieldsOf(ReadFileByType.name, resp);
    if (data.length === 0) break; // the file is shorter than announced
    out.set(data.subarray(0, length - offset), offset);
    offset += data.length;
  }
  return out.subarray(0, Math.min(offset, length));
}

/**
 * The responder side of IBM OEM file I/O by type: files we offer for the peer to
 * read (ReadFileByType), files the peer pushes to us (NewFileAvailable[WithMetaData]
 * then WriteFileByType), and its acknowledgements (FileAck[WithMetaData]).
 * What the files mean is the owner's business: it hears about them through events.
 */
import { EventEmitter } from "eventemitter3";
import {
  FileAck,
  FileAckWithMetaData,
  NewFileAvailable,
  NewFileAvailableWithMetaData,
  ReadFileByType,
  WriteFileByType,
} from "../../pldm-codec/pldm/ibm-file-io.js";
import { CertVerdict, CompletionCode } from "../../pldm-codec/pldm/names.js";
import { fail, ok, type HandlerResult, type PldmResponder } from "../pldm/pldm-responder.js";
import { UploadAssembler } from "./upload-assembler.js";
import { bytesEqual } from "../../pldm-codec/wire/bytes.js";

export interface Metadata {
  metadata1: number;
  metadata2: number;
  metadata3: number;
  metadata4: number;
}

export interface FileIoEvents {
  /**
   * The peer announced a file it will write (metadata only with the WithMetaData form);
   * also when metadata1 says no file follows (the announcement is answered ERROR then).
   */
  announced: (type: number, handle: number, length: number, metadata: Metadata | null) => void;
  /** Every byte of an announced upload arrived. */
  uploaded: (type: number, handle: number, data: Uint8Array) => void;
  /** The peer acknowledged a file we offered (FileAckWithMetaData; pldmd answers plain FileAck UNSUPPORTED). */
  acked: (type: number, handle: number, fileStatus: number, metadata: Metadata | null) => void;
  /** Any request at all: the peer is alive. */
  activity: (peer: number) => void;
}

export interface FileIoPolicy {
  /** Types the peer may read from us. */
  readable: readonly number[];
  /** Types the peer may push to us. */
  writable: readonly number[];
  /** Types whose handle does not matter (one file per type, e.g. the root certificate). */
  singleton?: readonly number[];
  /**
   * Whether an announced upload opens (e.g. only for a handle we asked about). When it does
   * not, the announcement is still answered SUCCESS, as pldmd opens a file for any handle;
   * the write that follows then fails ERROR.
   */
  acceptUpload?: (type: number, handle: number, length: number, metadata: Metadata | null) => boolean;
  /**
   * Types whose NewFileAvailableWithMetaData carries the host's verdict in metadata1
   * (pldmd's signed certificate): 0 = a file follows; anything else = no file, answered
   * ERROR with nothing opened (`announced` still fires so the owner can act on it).
   */
  verdictInMetadata?: readonly number[];
  /** Checks a completed upload before it is accepted: a completion code refuses the final write, null accepts. */
  verifyUpload?: (type: number, handle: number, data: Uint8Array) => Promise<number | null>;
  maxFileBytes?: number;
}

const RECENT_UPLOADS = 64;

/**
 * Answers as pldmd's certificate handler does, since hosts branch on its codes (each row,
 * ours and pldmd's, is in docs/compatibility.md): reading a type we only take, or announcing
 * one we only offer, is INVALID_DATA; a failed read, or a write with no open upload, is
 * ERROR; plain FileAck is UNSUPPORTED (only the WithMetaData form means something).
 */
export class FileIoService extends EventEmitter<FileIoEvents> {
  readonly stats = { reads: 0, writes: 0, refused: 0 };
  private readonly offered = new Map<string, Uint8Array>();
  /** The last completed uploads, by type/handle, to answer a resent chunk of one. */
  private readonly completed = new Map<string, Uint8Array>();
  private readonly uploads: UploadAssembler;

  constructor(
    responder: PldmResponder,
    private readonly policy: FileIoPolicy,
  ) {
    super();
    this.uploads = new UploadAssembler(policy.maxFileBytes);
    responder.on(ReadFileByType, (q, ctx) => {
      this.heard(ctx.peer);
      return this.read(q.fileType, q.fileHandle, q.offset, q.length);
    });
    responder.on(NewFileAvailable, (q, ctx) => {
      this.heard(ctx.peer);
      return this.announce(q.fileType, q.fileHandle, q.length, null);
    });
    responder.on(NewFileAvailableWithMetaData, (q, ctx) => {
      this.heard(ctx.peer);
      const { metadata1, metadata2, metadata3, metadata4 } = q;
      return this.announce(q.fileType, q.fileHandle, q.length, { metadata1, metadata2, metadata3, metadata4 });
    });
    responder.on(WriteFileByType, (q, ctx) => {
      this.heard(ctx.peer);
      return this.write(q.fileType, q.fileHandle, q.offset, q.data);
    });
    responder.on(FileAck, (q, ctx) => {
      this.heard(ctx.peer);
      // pldmd's certificate handler has no plain FileAck: it changes nothing.
      return this.refuse(this.knows(q.fileType) ? CompletionCode.UnsupportedCommand : CompletionCode.InvalidFileType);
    });
    responder.on(FileAckWithMetaData, (q, ctx) => {
      this.heard(ctx.peer);
      if (!this.knows(q.fileType)) return this.refuse(CompletionCode.InvalidFileType);
      // An ack of a file we did not offer (a certificate the host pushed) is a no-op.
      if (!this.policy.readable.includes(q.fileType)) return ok({});
      const { metadata1, metadata2, metadata3, metadata4 } = q;
      this.emit("acked", q.fileType, q.fileHandle, q.fileStatus, { metadata1, metadata2, metadata3, metadata4 });
      return ok({});
    });
  }

  /** Makes a file readable by the peer. */
  offer(type: number, handle: number, data: Uint8Array): void {
    this.offered.set(this.key(type, handle), data);
  }

  /** Forgets a file we offered and any upload open for the same (type, handle). */
  withdraw(type: number, handle: number): void {
    this.offered.delete(this.key(type, handle));
    this.uploads.cancel(type, this.handleOf(type, handle));
  }

  /** Cancels an open upload only. */
  cancelUpload(type: number, handle: number): void {
    this.uploads.cancel(type, this.handleOf(type, handle));
  }

  offeredCount(): number {
    return this.offered.size;
  }

  openUploads(): number {
    return this.uploads.openCount();
  }

  private handleOf(type: number, handle: number): number {
    return this.policy.singleton?.includes(type) ? 0 : handle;
  }

  private key(type: number, handle: number): string {
    return `${type}/${this.handleOf(type, handle)}`;
  }

  /** A type we serve in either direction; any other is INVALID_FILE_TYPE, as in pldmd. */
  knows(type: number): boolean {
    return this.policy.readable.includes(type) || this.policy.writable.includes(type);
  }

  /** One read of an offered file, in band or by DMA: cut at its end, as pldmd does. */
  read(type: number, handle: number, offset: number, length: number): HandlerResult<{ length: number; data: Uint8Array }> {
    if (!this.knows(type)) return this.refuse(CompletionCode.InvalidFileType);
    if (!this.policy.readable.includes(type)) return this.refuse(CompletionCode.InvalidData);
    const data = this.offered.get(this.key(type, handle));
    // pldmd's certificate handler turns "no such file" and "offset past the end" into ERROR.
    if (!data || offset >= data.length) return this.refuse(CompletionCode.Error);
    const chunk = data.subarray(offset, Math.min(data.length, offset + length));
    this.stats.reads++;
    return ok({ length: chunk.length, data: chunk });
  }

  private announce(type: number, handle: number, length: number, metadata: Metadata | null) {
    if (!this.knows(type)) return this.refuse(CompletionCode.InvalidFileType);
    if (!this.policy.writable.includes(type)) return this.refuse(CompletionCode.InvalidData);
    const h = this.handleOf(type, handle);
    if (metadata && metadata.metadata1 !== CertVerdict.Signed && this.policy.verdictInMetadata?.includes(type)) {
      this.emit("announced", type, handle, length, metadata);
      return this.refuse(CompletionCode.Error);
    }
    if (this.policy.acceptUpload && !this.policy.acceptUpload(type, handle, length, metadata)) {
      this.stats.refused++;
      return ok({});
    }
    if (!this.uploads.announce(type, h, length)) return this.refuse(CompletionCode.DataOutOfRange);
    this.emit("announced", type, handle, length, metadata);
    // A zero length is a complete (empty) file at once; the upload stays open for the
    // empty write some hosts send after it.
    if (length === 0) this.emit("uploaded", type, handle, new Uint8Array(0));
    return ok({});
  }

  /** Whether a write to (type, handle) can land: an open upload, or a resend of a completed one. */
  expectsWrite(type: number, handle: number): boolean {
    return this.policy.writable.includes(type) && (this.uploads.isOpen(type, this.handleOf(type, handle)) || this.completed.has(this.key(type, handle)));
  }

  /** The peer is alive (any request, in band or DMA). */
  heard(peer: number): void {
    this.emit("activity", peer);
  }

  /** One chunk of an announced upload, in band or by DMA. */
  async write(type: number, handle: number, offset: number, data: Uint8Array): Promise<HandlerResult<{ length: number }>> {
    if (!this.knows(type)) return this.refuse(CompletionCode.InvalidFileType);
    // pldmd finds no open file for a type it never opens (the CSR): ERROR.
    if (!this.policy.writable.includes(type)) return this.refuse(CompletionCode.Error);
    const h = this.handleOf(type, handle);
    if (data.length === 0) {
      // An empty write to an open upload is how a host says "no file" (a refused CSR).
      if (!this.uploads.isOpen(type, h)) return this.refuse(CompletionCode.Error);
      this.uploads.cancel(type, h);
      this.emit("uploaded", type, handle, new Uint8Array(0));
      return ok({ length: 0 });
    }
    const r = this.uploads.write(type, h, offset, data);
    if (r === "not-announced") {
      // A chunk of a file we already have, sent again because its answer was lost: same answer.
      if (this.isRepeatOfCompleted(type, handle, offset, data)) return ok({ length: data.length });
      return this.refuse(CompletionCode.Error);
    }
    if (r === "out-of-range") return this.refuse(CompletionCode.DataOutOfRange);
    this.stats.writes++;
    if (r) {
      const refusal = (await this.policy.verifyUpload?.(type, handle, r)) ?? null;
      if (refusal !== null) return this.refuse(refusal);
      this.rememberCompleted(type, handle, r);
      this.emit("uploaded", type, handle, r);
    }
    return ok({ length: data.length });
  }

  private rememberCompleted(type: number, handle: number, data: Uint8Array): void {
    const key = this.key(type, handle);
    this.completed.delete(key);
    this.completed.set(key, data);
    // Only the latest few matter: a resend follows its original within seconds.
    if (this.completed.size > RECENT_UPLOADS) this.completed.delete(this.completed.keys().next().value!);
  }

  private isRepeatOfCompleted(type: number, handle: number, offset: number, chunk: Uint8Array): boolean {
    const data = this.completed.get(this.key(type, handle));
    return !!data && offset + chunk.length <= data.length && bytesEqual(data.subarray(offset, offset + chunk.length), chunk);
  }

  private refuse(code: number): HandlerResult<never> {
    this.stats.refused++;
    return fail(code);
  }
}

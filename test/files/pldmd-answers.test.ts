/**
 * Every certificate row of docs/compatibility.md against the real daemon: its own process
 * on a private bus with the CA manager, a scripted host on a real pty (node-pty), completion
 * codes from the wire and entry state from busctl.
 */
import { afterAll, assert, beforeAll, describe, expect, it } from "vitest";
import { GetPLDMCommands } from "../../pldm-codec/pldm/base.js";
import {
  FileAck,
  FileAckWithMetaData,
  NewFileAvailable,
  NewFileAvailableWithMetaData,
  ReadFileByType,
  WriteFileByType,
} from "../../pldm-codec/pldm/ibm-file-io.js";
import { CertVerdict, CompletionCode, FileStatus, IbmFileType, PldmType } from "../../pldm-codec/pldm/names.js";
import { UNSPECIFIED_VERSION } from "../../pldm-codec/wire/fields.js";
import { VmiCa } from "../../host-sim/vmi-ca.js";
import { EntryState } from "../../src/dbus/names.js";
import { pushFile } from "../../src/files/file-client.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import { opensslCsr, scratchDir } from "../support/openssl.js";
import { entryProperty, signCsr, startStack, waitForRoot, waitForStatus } from "../support/local-stack.js";
import { startScriptedHost, type ScriptedHost } from "./scripted-host.js";

const { CertSigningRequest: CSR, SignedCert: CERT, RootCert: ROOT } = IbmFileType;
const BMC = 8;
const meta = (metadata1 = 0) => ({ metadata1, metadata2: 0, metadata3: 0, metadata4: 0 });

let host: ScriptedHost;
let stack: LocalStack;
const ca = new VmiCa({ keyKind: "p256", rootValidityDays: 3650, clientValidityDays: 365 });
let n = 0;

/** A new Pending entry the daemon has announced to us: its handle, CSR and announced length. */
async function pendingEntry(): Promise<{ path: string; handle: number; csr: string; length: number }> {
  const csr = opensslCsr(scratchDir(), `row-${++n}`, "ec").csrPem;
  const path = await signCsr(stack, csr);
  const handle = Number(path.split("/").pop());
  return { path, handle, csr, length: await host.waitForAnnounce(handle) };
}

const status = (path: string) => entryProperty(stack, path, "Status");
const req = () => host.terminus.requester;
const read = (fileType: number, fileHandle: number, offset: number, length: number) =>
  req().request(BMC, ReadFileByType, { fileType, fileHandle, offset, length });
const write = (fileType: number, fileHandle: number, offset: number, data: Uint8Array) =>
  req().request(BMC, WriteFileByType, { fileType, fileHandle, offset, length: data.length, data });

beforeAll(async () => {
  host = await startScriptedHost();
  stack = await startStack({ daemonArgs: ["--tty", host.daemonTty] });
  const boot = await ca.newRoot(1);
  await pushFile(req(), BMC, ROOT, 0, new TextEncoder().encode(boot.rootPem));
  await waitForRoot(stack);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await host?.close();
});

describe("pldmd's answers on the certificate paths (daemon over a pty)", () => {
  it("GetPLDMCommands with version FFFFFFFF gets the command bitmap", async () => {
    const r = await req().request(BMC, GetPLDMCommands, { pldmType: PldmType.Oem, version: UNSPECIFIED_VERSION });
    assert(r.ok, `GetPLDMCommands answered ${r.completionCode}`);
    expect(r.fields.commands).toEqual(expect.arrayContaining([0x0b, 0x0c, 0x0d, 0x0e, 0x0f]));
  });

  it("ReadFileByType type 4 at offset = size, or an unknown handle: 0x01", async () => {
    const e = await pendingEntry();
    expect((await read(CSR, e.handle, 0, e.length)).completionCode).toBe(CompletionCode.Success);
    expect((await read(CSR, e.handle, e.length, 16)).completionCode).toBe(CompletionCode.Error);
    expect((await read(CSR, 0xfffff, 0, 16)).completionCode).toBe(CompletionCode.Error);
    expect(await status(e.path)).toBe(EntryState.Pending);
  });

  it("ReadFileByType type 5 or 6: 0x02", async () => {
    const e = await pendingEntry();
    expect((await read(CERT, e.handle, 0, 16)).completionCode).toBe(CompletionCode.InvalidData);
    expect((await read(ROOT, 0, 0, 16)).completionCode).toBe(CompletionCode.InvalidData);
  });

  it("NewFileAvailable type 4 from the host: 0x02", async () => {
    const e = await pendingEntry();
    expect((await req().request(BMC, NewFileAvailable, { fileType: CSR, fileHandle: e.handle, length: 10 })).completionCode).toBe(CompletionCode.InvalidData);
    // Nor can the host write one: pldmd has no open file for the type.
    expect((await write(CSR, e.handle, 0, new TextEncoder().encode("abcd"))).completionCode).toBe(CompletionCode.Error);
    expect(await status(e.path)).toBe(EntryState.Pending);
  });

  it("NewFileAvailable type 5 for a handle with no entry: 0x00, and the write fails 0x01", async () => {
    expect((await req().request(BMC, NewFileAvailable, { fileType: CERT, fileHandle: 4242, length: 4 })).completionCode).toBe(CompletionCode.Success);
    expect((await write(CERT, 4242, 0, new TextEncoder().encode("abcd"))).completionCode).toBe(CompletionCode.Error);
  });

  it("WriteFileByType type 5 with no announcement, or after the announced length is complete: 0x01 (a byte-identical resend: 0x00)", async () => {
    const e = await pendingEntry();
    const cert = new TextEncoder().encode(await ca.sign(e.csr));
    expect((await write(CERT, e.handle, 0, cert.subarray(0, 16))).completionCode).toBe(CompletionCode.Error);
    await pushFile(req(), BMC, CERT, e.handle, cert, { chunkSize: 512 });
    expect((await waitForStatus(stack, e.path)).status).toBe(EntryState.Complete);
    const tail = cert.subarray(512);
    expect((await write(CERT, e.handle, 512, tail)).completionCode).toBe(CompletionCode.Success);
    expect(
      (
        await write(
          CERT,
          e.handle,
          512,
          tail.map((b) => b ^ 1),
        )
      ).completionCode,
    ).toBe(CompletionCode.Error);
    expect((await write(CERT, e.handle, cert.length, new Uint8Array(16))).completionCode).toBe(CompletionCode.Error);
    // pldmd would set a Complete entry back to Pending on any other CSR ack; we leave it.
    const ack = await req().request(BMC, FileAckWithMetaData, { fileType: CSR, fileHandle: e.handle, fileStatus: FileStatus.Success, ...meta() });
    expect(ack.completionCode).toBe(CompletionCode.Success);
    expect(await status(e.path)).toBe(EntryState.Complete);
  });

  it("FileAck on any certificate type, any status: 0x05 and no state change", async () => {
    const e = await pendingEntry();
    for (const fileType of [CSR, CERT, ROOT]) {
      for (const fileStatus of [FileStatus.Success, FileStatus.Error, FileStatus.BadCsr]) {
        expect((await req().request(BMC, FileAck, { fileType, fileHandle: e.handle, fileStatus })).completionCode).toBe(CompletionCode.UnsupportedCommand);
      }
    }
    expect(await status(e.path)).toBe(EntryState.Pending);
    // Still served: the CSR can be read and the exchange completes.
    expect((await read(CSR, e.handle, 0, e.length)).completionCode).toBe(CompletionCode.Success);
  });

  it("FileAckWithMetaData type 4 status 0x02: 0x00 and BadCSR", async () => {
    const e = await pendingEntry();
    const r = await req().request(BMC, FileAckWithMetaData, { fileType: CSR, fileHandle: e.handle, fileStatus: FileStatus.BadCsr, ...meta() });
    expect(r.completionCode).toBe(CompletionCode.Success);
    expect((await waitForStatus(stack, e.path)).status).toBe(EntryState.BadCSR);
  });

  it("FileAckWithMetaData type 5 or 6: 0x00, no-op", async () => {
    const e = await pendingEntry();
    for (const fileType of [CERT, ROOT]) {
      const r = await req().request(BMC, FileAckWithMetaData, { fileType, fileHandle: e.handle, fileStatus: FileStatus.BadCsr, ...meta() });
      expect(r.completionCode).toBe(CompletionCode.Success);
    }
    expect(await status(e.path)).toBe(EntryState.Pending);
  });

  it("NewFileAvailableWithMetaData type 5, metadata1 = 3: BadCSR, answered 0x01", async () => {
    const e = await pendingEntry();
    const r = await req().request(BMC, NewFileAvailableWithMetaData, { fileType: CERT, fileHandle: e.handle, length: 0, ...meta(CertVerdict.InvalidCertData) });
    expect(r.completionCode).toBe(CompletionCode.Error);
    expect((await waitForStatus(stack, e.path)).status).toBe(EntryState.BadCSR);
  });

  it("NewFileAvailableWithMetaData type 5, metadata1 other than 0 and 3: 0x01, nothing opened", async () => {
    const e = await pendingEntry();
    for (const m of [1, 2, 0xffffffff]) {
      const r = await req().request(BMC, NewFileAvailableWithMetaData, { fileType: CERT, fileHandle: e.handle, length: 4, ...meta(m) });
      expect(r.completionCode).toBe(CompletionCode.Error);
    }
    expect((await write(CERT, e.handle, 0, new TextEncoder().encode("abcd"))).completionCode).toBe(CompletionCode.Error);
    expect(await status(e.path)).toBe(EntryState.Pending);
  });

  it("NewFileAvailableWithMetaData type 4: 0x02", async () => {
    const e = await pendingEntry();
    const r = await req().request(BMC, NewFileAvailableWithMetaData, { fileType: CSR, fileHandle: e.handle, length: 4, ...meta() });
    expect(r.completionCode).toBe(CompletionCode.InvalidData);
    expect(await status(e.path)).toBe(EntryState.Pending);
  });

  it("a certificate announced with metadata1 = 0 completes the entry", async () => {
    const e = await pendingEntry();
    const cert = new TextEncoder().encode(await ca.sign(e.csr));
    await pushFile(req(), BMC, CERT, e.handle, cert, { metadata: meta(CertVerdict.Signed) });
    expect(await waitForStatus(stack, e.path)).toMatchObject({ status: EntryState.Complete });
  });
});

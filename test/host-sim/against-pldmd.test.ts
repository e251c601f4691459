/**
 * host-sim against a BMC that answers exactly as pldmd's certificate handler does,
 * defects included (the CSR is deleted after its first read, the certificate counts as
 * written after the first chunk, metadata1 = 3 is answered ERROR): every exchange host-sim
 * starts by default still ends as it should. The "BMC" here is a script of pldmd's rules
 * on the shared engine, joined to host-sim by an in-memory cable.
 */
import { afterEach, describe, expect, it } from "vitest";
import { FileAckWithMetaData, NewFileAvailable, NewFileAvailableWithMetaData, ReadFileByType, WriteFileByType } from "../../pldm-codec/pldm/ibm-file-io.js";
import { CertVerdict, CompletionCode, FileStatus, IbmFileType } from "../../pldm-codec/pldm/names.js";
import { HostSimulator, type BadCsrSignal } from "../../host-sim/host-simulator.js";
import { createMemoryLinkPair } from "../../src/link/memory-link.js";
import { MctpEndpoint } from "../../src/mctp/mctp-endpoint.js";
import { fail, ok } from "../../src/pldm/pldm-responder.js";
import { PldmTerminus } from "../../src/pldm/pldm-terminus.js";
import { eventually } from "../support/dbus.js";
import { makeCsr } from "../support/sim-pair.js";

const { CertSigningRequest: CSR, SignedCert: CERT, RootCert: ROOT } = IbmFileType;

/** pldmd's CertHandler as a script: one open file per type, CSR files deleted on first read. */
function pldmdLikeBmc(terminus: PldmTerminus) {
  const csrFiles = new Map<number, Uint8Array>();
  const open = new Map<number, { handle: number; data: number[]; remaining: number }>();
  const status = new Map<number, "Pending" | "Complete" | "BadCSR">();
  const certs = new Map<number, string>();
  const roots: string[] = [];
  const r = terminus.responder;
  r.on(ReadFileByType, ({ fileType, fileHandle, offset, length }) => {
    if (fileType !== CSR) return fail(CompletionCode.InvalidData);
    const f = csrFiles.get(fileHandle);
    csrFiles.delete(fileHandle); // pldmd removes the file after any read
    if (!f || offset >= f.length) return fail(CompletionCode.Error);
    const data = f.subarray(offset, Math.min(f.length, offset + length));
    return ok({ length: data.length, data });
  });
  const openFile = (fileType: number, handle: number, length: number) => {
    if (fileType === CSR) return fail(CompletionCode.InvalidData);
    open.set(fileType, { handle, data: [], remaining: length });
    return ok({});
  };
  r.on(NewFileAvailable, ({ fileType, fileHandle, length }) => openFile(fileType, fileHandle, length));
  r.on(NewFileAvailableWithMetaData, ({ fileType, fileHandle, length, metadata1 }) => {
    if (fileType === CERT && metadata1 !== CertVerdict.Signed) {
      if (metadata1 === CertVerdict.InvalidCertData) status.set(fileHandle, "BadCSR");
      return fail(CompletionCode.Error);
    }
    return openFile(fileType, fileHandle, length);
  });
  r.on(WriteFileByType, ({ fileType, fileHandle, offset, data }) => {
    const f = open.get(fileType);
    if (!f) return fail(CompletionCode.Error);
    for (let i = 0; i < data.length; i++) f.data[offset + i] = data[i]!;
    f.remaining -= data.length;
    if (f.remaining <= 0) open.delete(fileType);
    const text = new TextDecoder().decode(Uint8Array.from(f.data));
    if (fileType === ROOT && f.remaining <= 0) roots.push(text);
    // pldmd publishes the certificate so far after every chunk; empty means BadCSR.
    if (fileType === CERT) {
      if (text) certs.set(fileHandle, text);
      status.set(fileHandle, text ? "Complete" : "BadCSR");
    }
    return ok({ length: data.length });
  });
  r.on(FileAckWithMetaData, ({ fileType, fileHandle, fileStatus }) => {
    if (fileType === CSR) status.set(fileHandle, fileStatus === FileStatus.BadCsr ? "BadCSR" : "Pending");
    return ok({});
  });
  return {
    roots,
    status,
    certs,
    async offer(handle: number, csr: string) {
      const data = new TextEncoder().encode(`${csr}\n`);
      csrFiles.set(handle, data);
      status.set(handle, "Pending");
      return terminus.requester.request(9, NewFileAvailable, { fileType: CSR, fileHandle: handle, length: data.length });
    },
  };
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

async function start(badCsrSignal: BadCsrSignal = "file-ack-metadata") {
  const [bmcEnd, hostEnd] = createMemoryLinkPair(["bmc", "host"]);
  const endpoint = new MctpEndpoint({ link: bmcEnd, localEid: 8 });
  const terminus = new PldmTerminus({ endpoint, tid: 1 });
  const bmc = pldmdLikeBmc(terminus);
  const sim = new HostSimulator(hostEnd, { badCsrSignal, ca: { keyKind: "p256", rootValidityDays: 3650, clientValidityDays: 365 } });
  close = async () => {
    sim.close();
    terminus.close();
    endpoint.close();
    await Promise.all([bmcEnd.close(), hostEnd.close()]);
  };
  await sim.powerOn();
  await eventually(() => bmc.roots[0], 10_000, "root pushed");
  return { bmc, sim };
}

describe("host-sim against pldmd's answers", () => {
  it("pushes its root and signs a CSR pldmd deletes after one read", async () => {
    const { bmc, sim } = await start();
    expect(bmc.roots[0]).toBe(sim.ca.current!.rootPem);
    expect((await bmc.offer(1, await makeCsr("pldmd-1"))).completionCode).toBe(CompletionCode.Success);
    await eventually(() => (bmc.status.get(1) === "Complete" ? true : undefined), 10_000, "Complete");
    expect(bmc.certs.get(1)).toContain("-----END CERTIFICATE-----");
    expect(sim.counters).toMatchObject({ signed: 1, failedTransfers: 0 });
  });

  for (const signal of ["file-ack-metadata", "new-file-metadata", "empty-write"] as const) {
    it(`refuses a bad CSR by ${signal} and pldmd marks it BadCSR`, async () => {
      const { bmc, sim } = await start(signal);
      await bmc.offer(2, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----");
      await eventually(() => (bmc.status.get(2) === "BadCSR" ? true : undefined), 10_000, "BadCSR");
      await eventually(() => (sim.counters.refused === 1 ? true : undefined), 5_000, "refusal counted");
      expect(sim.counters.failedTransfers).toBe(0);
    });
  }
});

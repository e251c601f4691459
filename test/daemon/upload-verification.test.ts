/**
 * The BMC's own stack (bmcSide) against a host driven by hand over an in-memory cable: every
 * bad root and certificate is answered ERROR (0x01) on its final WriteFileByType, nothing
 * reaches the sink, and an id reused by another request never receives the old one's
 * certificate.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BAD_CERTS, BAD_ROOTS, badCertificate, badRoot } from "../../host-sim/hostile.js";
import { VmiCa, type VmiBoot } from "../../host-sim/vmi-ca.js";
import { NewFileAvailable } from "../../pldm-codec/pldm/ibm-file-io.js";
import { CompletionCode, IbmFileType } from "../../pldm-codec/pldm/names.js";
import { FileTransferError, pushFile } from "../../src/files/file-client.js";
import { createMemoryLinkPair } from "../../src/link/memory-link.js";
import { MctpEndpoint } from "../../src/mctp/mctp-endpoint.js";
import { ok } from "../../src/pldm/pldm-responder.js";
import { PldmTerminus } from "../../src/pldm/pldm-terminus.js";
import { bmcSide, type BmcSide } from "../support/bmc-side.js";
import { eventually } from "../support/dbus.js";
import { makeCsr } from "../support/sim-pair.js";

let boot: VmiBoot;
const ca = new VmiCa({ keyKind: "p256", rootValidityDays: 30, clientValidityDays: 30 });
beforeAll(async () => {
  boot = await ca.newRoot(1);
});

let closeAll: (() => Promise<void>) | null = null;
afterEach(async () => {
  await closeAll?.();
  closeAll = null;
});

/** The BMC side on one end; on the other a bare host terminus that accepts every announcement. */
/** `beforeAnswer` may hold the host's answer to the n-th announcement (counting from 1). */
function wire(
  initialBackoffMs = 50,
  beforeAnswer: (n: number) => Promise<void> | void = () => undefined,
): { bmc: BmcSide; push: (type: number, handle: number, text: string) => Promise<number>; announced: number[] } {
  const [a, b] = createMemoryLinkPair(["bmc", "host"]);
  const bmc = bmcSide(a, { bridge: { initialBackoffMs, certWaitMs: 60_000 } });
  const endpoint = new MctpEndpoint({ link: b, localEid: 9 });
  const host = new PldmTerminus({ endpoint, tid: 9 });
  const announced: number[] = [];
  host.responder.on(NewFileAvailable, async ({ fileHandle }) => {
    announced.push(fileHandle);
    await beforeAnswer(announced.length);
    return ok({});
  });
  closeAll = async () => {
    bmc.close();
    host.close();
    endpoint.close();
    await Promise.all([a.close(), b.close()]);
  };
  const push = async (type: number, handle: number, text: string): Promise<number> => {
    try {
      await pushFile(host.requester, 8, type, handle, new TextEncoder().encode(text), { chunkSize: 200 });
      return CompletionCode.Success;
    } catch (e) {
      if (e instanceof FileTransferError) return e.completionCode;
      throw e;
    }
  };
  return { bmc, push, announced };
}

describe("uploads are verified before they are accepted", () => {
  it("answers ERROR to each bad root, keeps the root it had, and counts each", async () => {
    const { bmc, push } = wire();
    expect(await push(IbmFileType.RootCert, 0, boot.rootPem)).toBe(CompletionCode.Success);
    for (const kind of BAD_ROOTS) expect(await push(IbmFileType.RootCert, 0, await badRoot(kind, boot)), kind).toBe(CompletionCode.Error);
    expect(bmc.roots).toEqual([boot.rootPem]);
    expect(bmc.files.stats.refused).toBe(BAD_ROOTS.length);
  });

  it("answers ERROR to each bad certificate, leaves the entry waiting, and takes the right one after", async () => {
    const { bmc, push } = wire();
    await push(IbmFileType.RootCert, 0, boot.rootPem);
    const csr = await makeCsr("hmc-A");
    const outcome = bmc.sign(1, csr);
    const good = await ca.sign(csr);
    for (const kind of BAD_CERTS) {
      expect(await push(IbmFileType.SignedCert, 1, await badCertificate(kind, boot, csr, good)), kind).toBe(CompletionCode.Error);
      expect(bmc.bridge.isTracked(1)).toBe(true);
    }
    expect(bmc.bridge.counters.certificatesRefused).toBe(BAD_CERTS.length);
    expect(bmc.outcomes.size).toBe(0);
    expect(await push(IbmFileType.SignedCert, 1, good)).toBe(CompletionCode.Success);
    expect(await outcome).toEqual({ status: "Complete", cert: good });
  });

  it("a certificate before any root is refused; the root that follows does not cut the retry short", async () => {
    const { bmc, push, announced } = wire(3000);
    const csr = await makeCsr("hmc-A");
    const outcome = bmc.sign(1, csr);
    await eventually(() => (announced.length === 1 ? true : undefined), 5000, "the first announcement");
    const cert = await ca.sign(csr);
    expect(await push(IbmFileType.SignedCert, 1, cert)).toBe(CompletionCode.Error);
    // A root push makes the BMC announce waiting entries at once, but the host is still
    // finishing the refused push and would ignore it (host-sim does): the retry waits.
    expect(await push(IbmFileType.RootCert, 0, boot.rootPem)).toBe(CompletionCode.Success);
    await new Promise((r) => setTimeout(r, 300));
    expect(announced).toEqual([1]);
    await eventually(() => (announced.length === 2 ? true : undefined), 10_000, "the retry");
    expect(await push(IbmFileType.SignedCert, 1, cert)).toBe(CompletionCode.Success);
    expect(await outcome).toEqual({ status: "Complete", cert });
  });

  it("a certificate refused while an announcement awaits its answer is retried after the backoff, not the certificate wait", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let holding = false;
    const { bmc, push, announced } = wire(200, (n) => {
      if (n !== 2) return;
      holding = true;
      return held;
    });
    await push(IbmFileType.RootCert, 0, boot.rootPem);
    const csr = await makeCsr("hmc-A");
    void bmc.sign(1, csr);
    const bad = await badCertificate("other-entry", boot, csr, "");
    await eventually(() => (announced.length === 1 ? true : undefined), 5000, "the first announcement");
    expect(await push(IbmFileType.SignedCert, 1, bad)).toBe(CompletionCode.Error);
    await eventually(() => (holding ? true : undefined), 5000, "the retry, held by the host");
    expect(await push(IbmFileType.SignedCert, 1, bad)).toBe(CompletionCode.Error);
    release();
    // The backoff is 400 ms by now; the certificate wait would be 60 s.
    await eventually(() => (announced.length === 3 ? true : undefined), 5000, "a retry after the held answer");
  });

  it("refuses a certificate signed by the previous root once a new one is accepted", async () => {
    const { bmc, push } = wire();
    await push(IbmFileType.RootCert, 0, boot.rootPem);
    const csr = await makeCsr("hmc-A");
    void bmc.sign(1, csr);
    const old = await ca.sign(csr);
    const next = await new VmiCa({ keyKind: "p256", rootValidityDays: 30, clientValidityDays: 30 }).newRoot(2);
    expect(await push(IbmFileType.RootCert, 0, next.rootPem)).toBe(CompletionCode.Success);
    expect(await push(IbmFileType.SignedCert, 1, old)).toBe(CompletionCode.Error);
    expect(bmc.outcomes.size).toBe(0);
  });

  it("an id taken by another request cancels the old exchange; the old certificate is refused there", async () => {
    const { bmc, push } = wire();
    await push(IbmFileType.RootCert, 0, boot.rootPem);
    const [csrA, csrB] = [await makeCsr("hmc-A"), await makeCsr("hmc-B")];
    void bmc.sign(1, csrA);
    const certA = await ca.sign(csrA);
    // The same id, the same path, another CSR: a CA manager that forgot its numbering.
    const outcomeB = bmc.sign(1, csrB);
    expect(bmc.bridge.counters.idsReused).toBe(1);
    expect(await push(IbmFileType.SignedCert, 1, certA)).toBe(CompletionCode.Error);
    expect(bmc.outcomes.size).toBe(0);
    const certB = await ca.sign(csrB);
    expect(await push(IbmFileType.SignedCert, 1, certB)).toBe(CompletionCode.Success);
    expect(await outcomeB).toEqual({ status: "Complete", cert: certB });
    // The same entry seen again (a resync) is not another request.
    bmc.bridge.take({ id: 2, path: "/xyz/openbmc_project/certs/ca/entry/2", csr: csrA });
    bmc.bridge.take({ id: 2, path: "/xyz/openbmc_project/certs/ca/entry/2", csr: csrA });
    expect(bmc.bridge.counters.idsReused).toBe(1);
  });
});

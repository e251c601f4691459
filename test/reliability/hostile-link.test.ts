/**
 * Case 5, on the serial line: hostile frames into the BMC's link while real exchanges
 * keep completing, a rogue requester asking for what it must not have (each answered with
 * its defined completion code), and bad CSRs at the host (BadCSR). In-process: the BMC's
 * own stack and the simulated host on a memory cable (test/support/sim-pair.ts).
 */
import { afterEach, assert, describe, expect, it } from "vitest";
import { GetTID } from "../../pldm-codec/pldm/base.js";
import { NewFileAvailable, ReadFileByType, WriteFileByType } from "../../pldm-codec/pldm/ibm-file-io.js";
import { CompletionCode, IbmFileType } from "../../pldm-codec/pldm/names.js";
import { MctpEndpoint } from "../../src/mctp/mctp-endpoint.js";
import { PldmTerminus } from "../../src/pldm/pldm-terminus.js";
import { HostileFrames } from "../support/hostile-frames.js";
import { certifiedKeyFingerprint, csrKeyFingerprint, makeCsr, startSimPair, type SimPair } from "../support/sim-pair.js";
import { inWindow, recordFigures, scale, within } from "./scale.js";

let pair: SimPair | null = null;
let rogue: PldmTerminus | null = null;
afterEach(async () => {
  rogue?.close();
  rogue?.endpoint.close();
  await pair?.close();
  pair = rogue = null;
});

const FAST = { requester: { responseTimeoutMs: 50, retries: 4 }, bridge: { initialBackoffMs: 50, maxBackoffMs: 500, probeIntervalMs: 50, certWaitMs: 5000 } };
const tick = () => new Promise<void>((r) => setImmediate(r));

describe("hostile input on the serial line", () => {
  it(`keeps completing real exchanges through ${scale.hostileFrames} random and mutated frames`, async () => {
    pair = await startSimPair({ ...FAST, host: { requester: { concurrency: 4, responseTimeoutMs: 50, retries: 4 }, chunkRetries: 20 } });
    const { bmc, hostEnd } = pair;
    const frames = new HostileFrames(7);
    let injecting = true;
    const started = Date.now();
    // Batches of 200 frames, one chunk each, yielding between them so real traffic interleaves.
    const injector = (async () => {
      let sent = 0;
      while (sent < scale.hostileFrames) {
        const n = Math.min(200, scale.hostileFrames - sent);
        hostEnd.write(frames.batch(n));
        sent += n;
        await tick();
      }
      injecting = false;
    })();
    let mismatched = 0;
    let completedDuring = 0;
    const real = inWindow(
      Array.from({ length: scale.hostileRequests }, (_, i) => i + 1),
      4,
      async (id) => {
        const csr = await makeCsr(`hostile-${id}`);
        const out = await within(300_000, bmc.sign(id, csr), `entry ${id}`);
        expect(out.status).toBe("Complete");
        if (injecting) completedDuring++;
        if ((await certifiedKeyFingerprint(out.cert)) !== (await csrKeyFingerprint(csr))) mismatched++;
      },
    );
    await Promise.all([injector, real]);
    const seconds = (Date.now() - started) / 1000;
    expect(mismatched).toBe(0);
    expect(completedDuring).toBeGreaterThan(0);
    // Still answering after all of it.
    const tid = await bmc.terminus.requester.request(9, GetTID, {}).catch(() => null);
    expect(tid).not.toBeNull();
    const ep = bmc.terminus.endpoint.stats();
    const responder = bmc.terminus.responder.stats;
    expect(ep.serial.fcsErrors).toBeGreaterThan(0);
    expect(responder.malformed + responder.unsupported).toBeGreaterThan(0);
    recordFigures("hostile-frames", {
      frames: scale.hostileFrames,
      kinds: frames.counts,
      seconds,
      realRequests: scale.hostileRequests,
      completedWhileInjecting: completedDuring,
      mismatched,
      bmcSerial: ep.serial,
      bmcMctp: { badPackets: ep.badPackets, notForUs: ep.notForUs, unknownType: ep.unknownType, reassemblyDrops: ep.reassemblyDrops },
      bmcResponder: responder,
      fileService: bmc.files.stats,
    });
  }, 1_800_000);

  it("answers a rogue requester's out-of-range, unannounced and oversized requests with their codes", async () => {
    pair = await startSimPair(FAST);
    const { bmc, sim, hostEnd } = pair;
    sim.powerOff(); // the entry below stays offered while the rogue pokes at it
    const csr = await makeCsr("offered");
    const outcome = bmc.sign(77, csr);
    const endpoint = new MctpEndpoint({ link: hostEnd, localEid: 10 });
    rogue = new PldmTerminus({ endpoint, tid: 10, requester: { responseTimeoutMs: 500, retries: 1 } });
    const r = rogue.requester;
    const csrBytes = new TextEncoder().encode(`${csr}\n`);
    const ask = async <Q, R>(def: Parameters<typeof r.request<Q, R>>[1], fields: Q) => (await r.request(8, def, fields)).completionCode;
    const read = (fileType: number, fileHandle: number, offset: number, length: number) => ask(ReadFileByType, { fileType, fileHandle, offset, length });
    const CSR = IbmFileType.CertSigningRequest;
    const codes = {
      offsetAtEnd: await read(CSR, 77, csrBytes.length, 10),
      offsetHuge: await read(CSR, 77, 0xffff_fff0, 10),
      unannouncedHandle: await read(CSR, 4242, 0, 10),
      unknownType: await read(0x77, 77, 0, 10),
      certForUnannouncedHandle: await ask(NewFileAvailable, { fileType: IbmFileType.SignedCert, fileHandle: 4242, length: 100 }),
      writeUnannounced: await ask(WriteFileByType, {
        fileType: IbmFileType.SignedCert,
        fileHandle: 4242,
        offset: 0,
        length: 4,
        data: Uint8Array.of(1, 2, 3, 4),
      }),
      rootOversized: await ask(NewFileAvailable, { fileType: IbmFileType.RootCert, fileHandle: 0, length: 16 << 20 }),
      rootAnnounced: await ask(NewFileAvailable, { fileType: IbmFileType.RootCert, fileHandle: 0, length: 10 }),
      writePastAnnounced: await ask(WriteFileByType, { fileType: IbmFileType.RootCert, fileHandle: 0, offset: 8, length: 10, data: new Uint8Array(10) }),
    };
    expect(codes).toEqual({
      // pldmd's answers (docs/compatibility.md): a failed CSR read is ERROR; a certificate
      // announced for any handle is taken, and the write for it fails ERROR.
      offsetAtEnd: CompletionCode.Error,
      offsetHuge: CompletionCode.Error,
      unannouncedHandle: CompletionCode.Error,
      unknownType: CompletionCode.InvalidFileType,
      certForUnannouncedHandle: CompletionCode.Success,
      writeUnannounced: CompletionCode.Error,
      rootOversized: CompletionCode.DataOutOfRange,
      rootAnnounced: CompletionCode.Success,
      writePastAnnounced: CompletionCode.DataOutOfRange,
    });
    // An oversized length is cut to the file, as pldmd does: the whole CSR, nothing more.
    const whole = await r.request(8, ReadFileByType, { fileType: CSR, fileHandle: 77, offset: 0, length: 0xffff_ffff });
    assert(whole.ok, `ReadFileByType answered ${whole.completionCode}`);
    expect(new TextDecoder().decode(whole.fields.data)).toBe(`${csr}\n`);
    // The real request still completes once the host is back.
    await sim.powerOn();
    const out = await within(60_000, outcome, "entry 77");
    expect(out.status).toBe("Complete");
    expect(await certifiedKeyFingerprint(out.cert)).toBe(await csrKeyFingerprint(csr));
    recordFigures("hostile-rogue-requester", {
      codes: Object.fromEntries(Object.entries(codes).map(([k, v]) => [k, `0x${v.toString(16)}`])),
      oversizedReadBytes: csrBytes.length,
      realRequest: out.status,
    });
  }, 120_000);

  it("refuses malformed, badly signed and huge CSRs at the host with BadCSR", async () => {
    pair = await startSimPair(FAST);
    const { bmc } = pair;
    const good = await makeCsr("good");
    const lines = good.split("\n");
    // One base64 character changed in the middle of the body: the signature no longer holds.
    const mid = Math.floor(lines.length / 2);
    lines[mid] = lines[mid]!.replace(/[A-Za-z]/, (c) => (c === "A" ? "B" : "A"));
    const bad = {
      garbage: "hello, I am not a CSR",
      badSignature: lines.join("\n"),
      huge: `-----BEGIN CERTIFICATE REQUEST-----\n${"QUFB".repeat(1000)}\n-----END CERTIFICATE REQUEST-----\n`,
      empty: "",
    };
    const outs = await Promise.all(Object.values(bad).map((csr, i) => within(30_000, bmc.sign(100 + i, csr), `bad CSR ${i}`)));
    const goodOut = await within(30_000, bmc.sign(200, good), "good CSR");
    expect(outs.map((o) => o.status)).toEqual(["BadCSR", "BadCSR", "BadCSR", "BadCSR"]);
    expect(goodOut.status).toBe("Complete");
    recordFigures("hostile-bad-csr-at-host", {
      refused: Object.fromEntries(Object.keys(bad).map((k, i) => [k, `${outs[i]!.status}: ${outs[i]!.why ?? ""}`])),
      goodAfter: goodOut.status,
    });
  }, 60_000);
});

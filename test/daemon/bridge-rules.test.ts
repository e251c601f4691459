/**
 * The bridge's timing rules, on a ManualClock: the real BMC stack (createBmcEngine: MCTP,
 * PLDM, file I/O, CertRequestBridge) against a scripted host on an in-memory cable. The
 * tests look only at what crosses the line and at the sink, not at the bridge's fields.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { VmiCa, type VmiBoot } from "../../host-sim/vmi-ca.js";
import { MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import { NewFileAvailable } from "../../pldm-codec/pldm/ibm-file-io.js";
import { CertVerdict, CompletionCode, IbmFileType, PldmType } from "../../pldm-codec/pldm/names.js";
import { createBmcEngine, type BmcEngine } from "../../src/daemon/bmc-engine.js";
import type { BridgeSettings, CaEntry, CaEntrySink } from "../../src/daemon/cert-request-bridge.js";
import { pushFile } from "../../src/files/file-client.js";
import { BaseLink, type SerialLink } from "../../src/link/serial-link.js";
import { createMemoryLinkPair } from "../../src/link/memory-link.js";
import { MctpEndpoint } from "../../src/mctp/mctp-endpoint.js";
import { ManualClock } from "../../src/os/clock.js";
import { fail, ok } from "../../src/pldm/pldm-responder.js";
import { PldmTerminus } from "../../src/pldm/pldm-terminus.js";
import { settle } from "../support/engine-pair.js";
import { makeCsr } from "../support/sim-pair.js";

const GET_TID = 0x02;
const SETTINGS: Partial<BridgeSettings> = { initialBackoffMs: 1000, maxBackoffMs: 8000, certWaitMs: 30_000, probeIntervalMs: 3000 };

/** The host's end of the cable behind a power switch: while off it neither hears nor speaks. */
class PoweredLink extends BaseLink implements SerialLink {
  readonly description = "host end behind a power switch";
  powered = true;
  constructor(private readonly inner: SerialLink) {
    super();
    inner.on("data", (chunk) => this.powered && this.received(chunk));
    inner.on("close", (reason) => this.closed(reason));
  }
  protected transmit(bytes: Uint8Array): void {
    if (this.powered) this.inner.write(bytes);
  }
  protected release(): Promise<void> {
    return this.inner.close();
  }
}

/** Records what the sink is asked to do; each write can be made to fail a number of times. */
class RecordingSink implements CaEntrySink {
  readonly completeCalls: { id: number; at: number }[] = [];
  readonly badCsrCalls: { id: number; at: number }[] = [];
  failCompletes = 0;
  failBadCsrs = 0;
  constructor(private readonly clock: ManualClock) {}
  async complete(entry: CaEntry): Promise<void> {
    this.completeCalls.push({ id: entry.id, at: this.clock.now() });
    if (this.failCompletes-- > 0) throw new Error("D-Bus write failed");
  }
  async badCsr(entry: CaEntry): Promise<void> {
    this.badCsrCalls.push({ id: entry.id, at: this.clock.now() });
    if (this.failBadCsrs-- > 0) throw new Error("D-Bus write failed");
  }
}

interface Rig {
  clock: ManualClock;
  bmc: BmcEngine;
  host: PldmTerminus;
  power: PoweredLink;
  sink: RecordingSink;
  /** NewFileAvailable (CSR) announcements the host heard: handle and time. */
  announces: { handle: number; at: number }[];
  /** GetTID requests the BMC put on the line (heard by the host or not). */
  probes: number[];
  /** What the host answers an announcement with. */
  answer: { code: number };
  close(): Promise<void>;
}

// Real material: the bridge accepts only a root and certificates that verify (issue 10).
const ca = new VmiCa({ keyKind: "p256", rootValidityDays: 30, clientValidityDays: 30 });
let boot: VmiBoot;
let csr1: string;
beforeAll(async () => {
  boot = await ca.newRoot(1);
  csr1 = await makeCsr("hmc-1");
});

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function makeRig(): Rig {
  const clock = new ManualClock();
  const [bmcEnd, hostEnd] = createMemoryLinkPair(["bmc", "host"]);
  const power = new PoweredLink(hostEnd);
  const sink = new RecordingSink(clock);
  const bmc = createBmcEngine({ link: bmcEnd, sink, clock, bridge: SETTINGS, initialRoot: boot.rootPem });
  const hostEndpoint = new MctpEndpoint({ link: power, localEid: 9, clock });
  const host = new PldmTerminus({ endpoint: hostEndpoint, tid: 9, clock });
  const announces: Rig["announces"] = [];
  const probes: number[] = [];
  const answer = { code: CompletionCode.Success as number };
  host.responder.on(NewFileAvailable, (q) => {
    if (q.fileType === IbmFileType.CertSigningRequest) announces.push({ handle: q.fileHandle, at: clock.now() });
    return answer.code === CompletionCode.Success ? ok({}) : fail(answer.code);
  });
  bmc.endpoint.on("packet", (dir, p) => {
    // A single-packet PLDM request from the BMC: MCTP header (4), message type, PLDM header (3).
    if (dir === "tx" && p[4] === MctpMessageType.Pldm && (p[5]! & 0x80) !== 0 && (p[6]! & 0x3f) === PldmType.Base && p[7] === GET_TID) probes.push(clock.now());
  });
  return {
    clock,
    bmc,
    host,
    power,
    sink,
    announces,
    probes,
    answer,
    async close() {
      bmc.close();
      host.close();
      hostEndpoint.close();
      await power.close();
    },
  };
}

/** Moves the clock in 10 ms steps, letting the cable and the handlers run between steps. */
async function run(r: Rig, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    r.clock.advance(10);
    for (let i = 0; i < 4; i++) await settle();
  }
}

const entry = (id: number): CaEntry => ({
  id,
  path: `/xyz/openbmc_project/certs/ca/entry/${id}`,
  csr: `-----BEGIN CERTIFICATE REQUEST-----\ncsr ${id}\n-----END CERTIFICATE REQUEST-----`,
});
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);
const near = (actual: number[], expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!), `gap ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(60));
};

/** The host writes a certificate it signed for `csr` (announce, then one WriteFileByType). */
async function pushCertificate(r: Rig, handle: number, csr: string): Promise<void> {
  return pushFile(r.host.requester, 8, IbmFileType.SignedCert, handle, new TextEncoder().encode(await ca.sign(csr)));
}

describe("the bridge's timing rules (ManualClock)", () => {
  it("backs off a refused announcement, doubling up to its cap", async () => {
    rig = makeRig();
    rig.answer.code = CompletionCode.Error;
    rig.bmc.bridge.take(entry(1));
    await run(rig, 32_000);
    // 1, 2, 4, then 8 s (the cap) between tries.
    near(gaps(rig.announces.map((a) => a.at)).slice(0, 6), [1000, 2000, 4000, 8000, 8000, 8000]);
    expect(rig.probes).toEqual([]); // refused is not silent: no GetTID probe
  });

  it("waits the capped time for a certificate while a cap holds (a takeover), then certWaitMs again", async () => {
    rig = makeRig();
    rig.bmc.bridge.capCertWait(7000, 5000);
    rig.bmc.bridge.take(entry(1));
    await run(rig, 16_000);
    // Announced at once, again 7 s later (capped); the cap is over by then, so the next wait is 30 s.
    near(gaps(rig.announces.map((a) => a.at)), [7000]);
    await run(rig, 22_000);
    near(gaps(rig.announces.map((a) => a.at)), [7000, 30_000]);
  });

  it("probes with GetTID only while the host is down, and announces at once when it answers", async () => {
    rig = makeRig();
    rig.bmc.bridge.take(entry(1));
    await run(rig, 200);
    expect(rig.announces.map((a) => a.handle)).toEqual([1]);
    // Up and holding the CSR: 20 s without a probe.
    await run(rig, 20_000);
    expect(rig.probes).toEqual([]);
    // Off: the cert wait runs out, the announcement gets no answer, the host is down.
    rig.power.powered = false;
    await run(rig, 30_000);
    const firstProbes = rig.probes.length;
    expect(firstProbes).toBeGreaterThanOrEqual(1);
    const downSince = rig.clock.now();
    // On again: the next probe is answered and the CSR is announced right after it.
    rig.power.powered = true;
    await run(rig, 15_000);
    const back = rig.announces.filter((a) => a.at >= downSince);
    expect(back.length).toBe(1);
    const lastProbe = rig.probes[rig.probes.length - 1]!;
    expect(back[0]!.at - lastProbe).toBeLessThan(200);
    // Up again: no more probes.
    const probesWhenBack = rig.probes.length;
    await run(rig, 20_000);
    expect(rig.probes.length).toBe(probesWhenBack);
  });

  it("does not announce every waiting entry again when a host that was down is heard again", async () => {
    rig = makeRig();
    for (const id of [1, 2, 3, 4, 5]) rig.bmc.bridge.take(entry(id));
    await run(rig, 500);
    expect(rig.announces.map((a) => a.handle).sort()).toEqual([1, 2, 3, 4, 5]);
    // The host falls silent; a sixth entry's announcement goes unanswered and the host is down.
    rig.power.powered = false;
    rig.bmc.bridge.take(entry(6));
    await run(rig, 7000);
    const before = rig.announces.length;
    rig.power.powered = true;
    await run(rig, 10_000);
    // Only the entry the host never took goes again; the five keep their cert-wait timers.
    expect(rig.announces.slice(before).map((a) => a.handle)).toEqual([6]);
  });

  it("announces every waiting entry again after a root push (the host rebooted and forgot them)", async () => {
    rig = makeRig();
    for (const id of [1, 2, 3]) rig.bmc.bridge.take(entry(id));
    await run(rig, 500);
    const before = rig.announces.length;
    const pushed = pushFile(rig.host.requester, 8, IbmFileType.RootCert, 0, new TextEncoder().encode(boot.rootPem));
    await run(rig, 500);
    await pushed;
    await run(rig, 500);
    expect(
      rig.announces
        .slice(before)
        .map((a) => a.handle)
        .sort(),
    ).toEqual([1, 2, 3]);
  });

  it("retries writing Complete with backoff until it succeeds, and settles once", async () => {
    rig = makeRig();
    const settled: string[] = [];
    rig.bmc.bridge.on("settled", (e, outcome) => settled.push(`${e.id} ${outcome}`));
    rig.bmc.bridge.take({ ...entry(1), csr: csr1 });
    await run(rig, 200);
    rig.sink.failCompletes = 2;
    const pushed = pushCertificate(rig, rig.announces[0]!.handle, csr1);
    await run(rig, 200);
    await pushed;
    await run(rig, 5000);
    near(gaps(rig.sink.completeCalls.map((c) => c.at)), [1000, 2000]);
    expect(settled).toEqual(["1 complete"]);
    // Settled: nothing more is announced or written.
    const announced = rig.announces.length;
    await run(rig, 40_000);
    expect(rig.announces.length).toBe(announced);
    expect(rig.sink.completeCalls.length).toBe(3);
  });

  it("writes BadCSR once: a failed write is logged and the entry dropped, not retried (docs/daemon.md)", async () => {
    rig = makeRig();
    const settled: string[] = [];
    rig.bmc.bridge.on("settled", (e, outcome) => settled.push(`${e.id} ${outcome}`));
    rig.bmc.bridge.take(entry(1));
    rig.bmc.bridge.take(entry(2));
    await run(rig, 200);
    rig.sink.failBadCsrs = 1;
    // The host refuses both CSRs: NewFileAvailableWithMetaData type 5 with metadata1 = 3.
    const refuse = (handle: number) =>
      pushFile(rig!.host.requester, 8, IbmFileType.SignedCert, handle, new Uint8Array(0), {
        metadata: { metadata1: CertVerdict.InvalidCertData, metadata2: 0, metadata3: 0, metadata4: 0 },
      }).catch(() => undefined);
    const refused = Promise.all([refuse(1), refuse(2)]);
    await run(rig, 500);
    await refused;
    await run(rig, 40_000);
    expect(rig.sink.badCsrCalls.map((c) => c.id).sort()).toEqual([1, 2]);
    expect(settled).toEqual(["2 bad-csr"]);
    expect(rig.announces.filter((a) => a.handle === 1).length).toBe(1);
  });
});

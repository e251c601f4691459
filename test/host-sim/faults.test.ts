import { describe, expect, it } from "vitest";
import { GetTID } from "../../pldm-codec/pldm/base.js";
import { injectFaults, type FaultInjectingLink } from "../../src/link/fault-injecting-link.js";
import { PldmRequestError } from "../../src/pldm/errors.js";
import { hostSimHarness } from "../support/host-sim-process.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir } from "../support/openssl.js";

const harness = hostSimHarness();

describe("host-sim on a faulty line", () => {
  it("completes every exchange correctly with 0.2 % byte corruption and 0.2 % byte drops both ways", async () => {
    const dir = scratchDir();
    // One-frame chunks and quick time-outs: on this line a 70-byte frame arrives intact
    // only about a quarter of the time, so big messages never would.
    let line!: FaultInjectingLink;
    const bmc = harness.start(
      ["--faults", "corrupt=0.002,drop=0.002,seed=11", "--read-chunk", "24", "--write-chunk", "24", "--response-timeout", "150", "--chunk-retries", "40"],
      { requester: { responseTimeoutMs: 150 }, bridge: { initialBackoffMs: 200, maxBackoffMs: 1000, probeIntervalMs: 300, certWaitMs: 20_000 } },
      (pty) => (line = injectFaults(pty, { corruptRate: 0.002, dropRate: 0.002, seed: 5 })),
    );
    const root = await bmc.nextRoot();
    const csrs = Array.from({ length: 2 }, (_, i) => opensslCsr(dir, `noisy-${i}`, "ec").csrPem);
    const outs = await Promise.all(csrs.map((c, i) => bmc.sign(i + 1, c)));
    outs.forEach((o, i) => {
      expect(o.status).toBe("Complete");
      expect(publicKeyOf("x509", o.cert)).toBe(publicKeyOf("req", csrs[i]!));
      expect(opensslVerify(dir, root, o.cert)).toMatch(/: OK$/);
    });
    expect(line.stats.bytesCorrupted + line.stats.bytesDropped).toBeGreaterThan(0);
  }, 60_000);

  it("makes requests to a powered-off host fail in bounded time", async () => {
    const bmc = harness.start(["--host-off"], { requester: { responseTimeoutMs: 300, retries: 2 } });
    const started = Date.now();
    const err = await bmc.terminus.requester.request(9, GetTID, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PldmRequestError);
    expect((err as PldmRequestError).reason).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(300 * 3 + 500);
    expect(bmc.terminus.requester.stats.retries).toBe(2);
  });

  it("retries NOT_READY answers until the host takes the request", async () => {
    const dir = scratchDir();
    const bmc = harness.start(["--faults", "notready=0.5,seed=3"]);
    const root = await bmc.nextRoot();
    // Four announcements: with p = 0.5 the seeded host refuses at least one of them.
    const csrs = Array.from({ length: 4 }, (_, i) => opensslCsr(dir, `patient-${i}`, "ec").csrPem);
    const outs = await Promise.all(csrs.map((c, i) => bmc.sign(i + 1, c)));
    for (const out of outs) {
      expect(out.status).toBe("Complete");
      expect(opensslVerify(dir, root, out.cert)).toMatch(/: OK$/);
    }
    expect(bmc.terminus.requester.stats.notReady).toBeGreaterThan(0);
  }, 30_000);
});

/**
 * Soak runs on a noisy line: 1 % corruption and 1 % drops both ways. Every exchange
 * must still end Complete with a certificate that matches its CSR.
 */
import { afterEach, describe, expect, it } from "vitest";
import { injectFaults } from "../../src/link/fault-injecting-link.js";
import type { PtyChildLink } from "../../src/link/pty-child-link.js";
import { bmcSide } from "../support/bmc-side.js";
import { spawnHostSim } from "../support/host-sim-process.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir } from "../support/openssl.js";

let child: PtyChildLink | null = null;
let bmc: ReturnType<typeof bmcSide> | null = null;
afterEach(async () => {
  bmc?.close();
  await child?.close();
  child = null;
  bmc = null;
});

describe("host-sim on a 1 % noisy line", () => {
  it("completes every exchange correctly with 1 % byte corruption and 1 % byte drops both ways", async () => {
    const dir = scratchDir();
    // One-frame chunks and quick time-outs: on this line a 70-byte frame arrives intact
    // only about a quarter of the time, so big messages never would.
    child = spawnHostSim(["--faults", "corrupt=0.01,drop=0.01,seed=11", "--read-chunk", "24", "--write-chunk", "24", "--response-timeout", "150", "--chunk-retries", "40"]);
    const line = injectFaults(child, { corruptRate: 0.01, dropRate: 0.01, seed: 5 });
    bmc = bmcSide(line, { requester: { responseTimeoutMs: 150 }, bridge: { initialBackoffMs: 200, maxBackoffMs: 1000, probeIntervalMs: 300, certWaitMs: 20_000 } });
    const root = await bmc.nextRoot();
    const csrs = Array.from({ length: 6 }, (_, i) => opensslCsr(dir, `noisy-${i}`, "ec").csrPem);
    const outs = await Promise.all(csrs.map((c, i) => bmc!.sign(i + 1, c)));
    outs.forEach((o, i) => {
      expect(o.status).toBe("Complete");
      expect(publicKeyOf("x509", o.cert)).toBe(publicKeyOf("req", csrs[i]!));
      expect(opensslVerify(dir, root, o.cert)).toMatch(/: OK$/);
    });
    expect(line.stats.bytesCorrupted + line.stats.bytesDropped).toBeGreaterThan(0);
  }, 300_000);

});

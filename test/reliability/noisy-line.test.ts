/**
 * Case 1, a noisy line: 1 % byte corruption and 1 % byte drops both ways. Every exchange
 * must still end Complete with a certificate for its own CSR's key, and nothing may be left
 * held. The bulk run is in-process (see sim-pair.ts for why); a smaller one goes over a real
 * pty to the real host-sim process.
 */
import { afterEach, describe, expect, it } from "vitest";
import { injectFaults } from "../../src/link/fault-injecting-link.js";
import type { PtyChildLink } from "../../src/link/pty-child-link.js";
import { verifyChain } from "../../src/x509/index.js";
import { bmcSide } from "../support/bmc-side.js";
import { spawnHostSim } from "../support/host-sim-process.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir } from "../support/openssl.js";
import { certifiedKeyFingerprint, csrKeyFingerprint, makeCsr, startSimPair, type SimPair } from "../support/sim-pair.js";
import { inWindow, recordFigures, scale, SCALE, within } from "./scale.js";

let child: PtyChildLink | null = null;
let bmc: ReturnType<typeof bmcSide> | null = null;
let pair: SimPair | null = null;
afterEach(async () => {
  bmc?.close();
  await child?.close();
  await pair?.close();
  child = null;
  bmc = null;
  pair = null;
});

const NOISE = { corrupt: 0.01, drop: 0.01 };
// One-frame chunks: at 1 %/byte a 70-byte frame gets through only about half the time.
const CHUNKS = { readChunk: 24, writeChunk: 24, chunkRetries: 40 };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

describe("a 1 % noisy line", () => {
  it(`completes ${scale.noisyRequests} exchanges in-process, each certificate for its own CSR, none stuck`, async () => {
    // A memory cable answers in microseconds, so 10 ms time-outs are still 100x the round trip.
    pair = await startSimPair({
      noise: NOISE,
      host: { ...CHUNKS, requester: { concurrency: 8, responseTimeoutMs: 10, retries: 2 } },
      requester: { responseTimeoutMs: 10, retries: 2 },
      bridge: { initialBackoffMs: 50, maxBackoffMs: 500, probeIntervalMs: 50, certWaitMs: 20_000 },
    });
    const { bmc: side, sim } = pair;
    const root = side.roots.at(-1)!;
    const started = Date.now();
    const ms: number[] = [];
    let mismatched = 0;
    let unverified = 0;
    await inWindow(
      Array.from({ length: scale.noisyRequests }, (_, i) => i + 1),
      16,
      async (id) => {
        const csr = await makeCsr(`noisy-${id}`);
        const t0 = Date.now();
        const out = await within(120_000, side.sign(id, csr), `entry ${id}`);
        ms.push(Date.now() - t0);
        expect(out.status, `entry ${id}`).toBe("Complete");
        if ((await certifiedKeyFingerprint(out.cert)) !== (await csrKeyFingerprint(csr))) mismatched++;
        // The root may have been pushed again (the host retries a push it thinks failed): same key.
        if (!(await verifyChain(out.cert, side.roots.at(-1) ?? root)).ok) unverified++;
      },
    );
    const seconds = (Date.now() - started) / 1000;
    expect(mismatched).toBe(0);
    expect(unverified).toBe(0);
    expect(side.outcomes.size).toBe(scale.noisyRequests);
    // Nothing held: no tracked entry, offered CSR or open upload (the root's singleton aside).
    expect(side.bridge.pendingCount()).toBe(0);
    expect(side.files.offeredCount()).toBe(0);
    const [bmcTx, hostTx] = pair.faults.map((f) => f.stats);
    const bmcEp = side.terminus.endpoint.stats();
    ms.sort((a, b) => a - b);
    recordFigures("noisy-line", {
      path: "in-process (memory cable)",
      requests: scale.noisyRequests,
      complete: side.outcomes.size,
      mismatched,
      seconds,
      perRequestMs: { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), max: ms.at(-1) },
      damagedBytes: {
        bmcToHost: bmcTx!.bytesCorrupted + bmcTx!.bytesDropped,
        hostToBmc: hostTx!.bytesCorrupted + hostTx!.bytesDropped,
        written: bmcTx!.bytesWritten + hostTx!.bytesWritten,
      },
      bmcBadFrames: bmcEp.serial.fcsErrors + bmcEp.serial.badCounts + bmcEp.serial.badFrames,
      hostBadFrames: sim.stats().framesBad,
      bmcRequester: side.terminus.requester.stats,
      hostRetries: sim.stats().retries,
      hostFailedTransfers: sim.stats().failedTransfers,
      bridge: side.bridge.counters,
    });
    expect(bmcTx!.bytesCorrupted + hostTx!.bytesDropped).toBeGreaterThan(0);
  }, 3_600_000);

  it("completes exchanges over a real pty with the host-sim process, faults injected on both sides", async () => {
    const dir = scratchDir();
    child = spawnHostSim([
      "--key",
      "p256",
      "--faults",
      "corrupt=0.01,drop=0.01,seed=11",
      "--read-chunk",
      "24",
      "--write-chunk",
      "24",
      "--response-timeout",
      "50",
      "--chunk-retries",
      "40",
    ]);
    const line = injectFaults(child, { corruptRate: NOISE.corrupt, dropRate: NOISE.drop, seed: 5 });
    // A pty round trip is a millisecond or two: 50 ms time-outs leave room for a busy machine.
    bmc = bmcSide(line, {
      requester: { responseTimeoutMs: 50 },
      bridge: { initialBackoffMs: 200, maxBackoffMs: 1000, probeIntervalMs: 300, certWaitMs: 20_000 },
    });
    const root = await bmc.nextRoot();
    const count = SCALE === "full" ? 6 : 2;
    const csrs = Array.from({ length: count }, (_, i) => opensslCsr(dir, `pty-noisy-${i}`, "ec").csrPem);
    const started = Date.now();
    const outs = await Promise.all(csrs.map((c, i) => bmc!.sign(i + 1, c)));
    outs.forEach((o, i) => {
      expect(o.status).toBe("Complete");
      expect(publicKeyOf("x509", o.cert)).toBe(publicKeyOf("req", csrs[i]!));
      expect(opensslVerify(dir, bmc!.roots.at(-1) ?? root, o.cert)).toMatch(/: OK$/);
    });
    const ep = bmc.terminus.endpoint.stats();
    recordFigures("noisy-line-pty", {
      path: "bmc-side over a pty to the host-sim process",
      requests: count,
      seconds: (Date.now() - started) / 1000,
      damagedBytesBmcToHost: line.stats.bytesCorrupted + line.stats.bytesDropped,
      bmcBadFrames: ep.serial.fcsErrors + ep.serial.badCounts + ep.serial.badFrames,
      bmcRequester: bmc.terminus.requester.stats,
      bridge: bmc.bridge.counters,
    });
    expect(line.stats.bytesCorrupted + line.stats.bytesDropped).toBeGreaterThan(0);
  }, 600_000);
});
